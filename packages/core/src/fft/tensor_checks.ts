import type { Tensor } from '@tensorflow/tfjs';
import { ArgumentError, ShapeError } from '../errors/errors.js';
import { describe, formatShape } from '../errors/validate.js';
import { tf } from '../setup.js';

/** Real and imaginary parts of a complex tensor, as two float32 tensors of equal shape. */
export interface ComplexTensors {
  /** Real part. */
  re: Tensor;
  /** Imaginary part. */
  im: Tensor;
}

/** Checks that `x` is a float32 tensor of rank ≥ `minRank` with non-empty transformed axes. */
export function assertTransformable(
  x: unknown,
  name: string,
  minRank: number,
  axes: number,
): asserts x is Tensor {
  if (!(x instanceof tf.Tensor)) {
    throw new ArgumentError(`${name}: expected a tf.Tensor, got ${describe(x)}`);
  }
  if (x.dtype !== 'float32') {
    throw new ArgumentError(
      `${name}: expected dtype float32 (complex values are passed as re/im float32 pairs), got ${x.dtype}`,
    );
  }
  if (x.rank < minRank) {
    throw new ShapeError(
      `${name}: expected rank >= ${minRank} (the transform runs over the last ${axes === 1 ? 'axis' : `${axes} axes`}), got rank ${x.rank} (shape ${formatShape(x.shape)})`,
    );
  }
  for (let i = x.rank - axes; i < x.rank; i++) {
    if (x.shape[i] === 0) {
      throw new ShapeError(
        `${name}: expected non-zero sizes on the transformed axes, got shape ${formatShape(x.shape)}`,
      );
    }
  }
}

/** Checks that `re` and `im` are transformable tensors of equal shape. */
export function assertComplexPair(re: unknown, im: unknown, minRank: number, axes: number): void {
  assertTransformable(re, 're', minRank, axes);
  assertTransformable(im, 'im', minRank, axes);
  if (!re.shape.every((d, i) => d === im.shape[i]) || re.rank !== im.rank) {
    throw new ShapeError(
      `re and im: expected equal shapes, got ${formatShape(re.shape)} and ${formatShape(im.shape)}`,
    );
  }
}
