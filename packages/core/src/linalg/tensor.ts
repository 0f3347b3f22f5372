import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import { ArgumentError } from '../errors/errors.js';
import { assertRank, describe } from '../errors/validate.js';
import { tf } from '../setup.js';
import { assertMatrixF64, type MatrixF64 } from './matrix.js';

/**
 * A float32 tfjs 2-D tensor holding a {@link MatrixF64}. **Precision loss:** tfjs has no float64, so every entry
 * is rounded to float32 (≈ 7 significant digits, relative error ≤ 2^−24 ≈ 6e−8; magnitudes beyond ~3.4e38
 * become ±Infinity and below ~1.4e−45 become 0).
 *
 * @throws {@link ArgumentError} / {@link ShapeError} when `m` is not a well-formed matrix
 *
 * @example
 * ```ts
 * const t = matrixToTensor(identityF64(3)); // Tensor2D [3, 3], float32
 * ```
 */
export function matrixToTensor(m: MatrixF64): Tensor2D {
  assertMatrixF64(m, 'm');
  return tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols], 'float32');
}

function checkTensor(t: unknown): asserts t is Tensor {
  if (!(t instanceof tf.Tensor)) throw new ArgumentError(`t: expected a tfjs Tensor, got ${describe(t)}`);
  assertRank(t, 2, 't');
}

/**
 * Reads a 2-D tensor into a {@link MatrixF64} (float32 or int32 values widen to float64 exactly). Does not
 * dispose the tensor.
 *
 * @throws {@link ShapeError} when `t` is not 2-D; {@link ArgumentError} when it is not a tensor
 *
 * @example
 * ```ts
 * const A = await matrixFromTensor(tf.eye(3));
 * ```
 */
export async function matrixFromTensor(t: Tensor): Promise<MatrixF64> {
  checkTensor(t);
  const values = await t.data();
  return { rows: t.shape[0]!, cols: t.shape[1]!, data: Float64Array.from(values as ArrayLike<number>) };
}

/**
 * Synchronous {@link matrixFromTensor}: reads with `dataSync()`, which blocks on GPU backends (fine on CPU/WASM).
 *
 * @throws {@link ShapeError} when `t` is not 2-D; {@link ArgumentError} when it is not a tensor
 *
 * @example
 * ```ts
 * const A = matrixFromTensorSync(t);
 * ```
 */
export function matrixFromTensorSync(t: Tensor): MatrixF64 {
  checkTensor(t);
  const values = t.dataSync();
  return { rows: t.shape[0]!, cols: t.shape[1]!, data: Float64Array.from(values as ArrayLike<number>) };
}
