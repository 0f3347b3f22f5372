import {
  ArgumentError,
  assertFinite,
  assertInteger,
  describeValue as describe,
  formatShape,
  ShapeError,
  type Tensor,
  tf,
} from '@tensorloom/core';

/**
 * A dense float64 tensor: `shape` and the `prod(shape)` entries in `data`, **C order** (row-major: the last axis
 * varies fastest, entry (i₀,…,i_{K−1}) at Σ_k i_k·stride_k with stride_{K−1} = 1). The interchange type of the
 * classic decompositions, which compute in float64 (tfjs has no float64).
 */
export interface NDArrayF64 {
  /** Sizes of the axes (each ≥ 1). */
  readonly shape: readonly number[];
  /** The entries, C order. */
  readonly data: Float64Array;
}

/** What the decompositions accept as a tensor: a float64 {@link NDArrayF64} or a tfjs tensor (read, not disposed). */
export type TensorLike = NDArrayF64 | Tensor;

/** Product of a shape's sizes. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** C-order strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let k = shape.length - 1; k >= 0; k--) {
    strides[k] = s;
    s *= shape[k]!;
  }
  return strides;
}

/** Checks a shape: a non-empty array of integers ≥ 1. */
export function assertShapeArray(shape: unknown, name: string): asserts shape is number[] {
  if (!Array.isArray(shape) || shape.length === 0) {
    throw new ArgumentError(`${name}: expected a non-empty array of axis sizes, got ${describe(shape)}`);
  }
  shape.forEach((s, i) => {
    assertInteger(s, `${name}[${i}]`, { min: 1 });
  });
}

/**
 * A float64 tensor of the given shape, zero-filled or wrapping `data` (not copied).
 *
 * @param shape - axis sizes, each an integer ≥ 1
 * @param data - optional C-order entries, of length `prod(shape)`
 * @throws {@link ArgumentError} for a bad shape; {@link ShapeError} when `data` has the wrong length
 *
 * @example
 * ```ts
 * const x = ndarray([2, 3], Float64Array.of(1, 2, 3, 4, 5, 6)); // x[1][0] = 4
 * ```
 */
export function ndarray(shape: readonly number[], data?: Float64Array): NDArrayF64 {
  assertShapeArray(shape, 'shape');
  const n = sizeOf(shape);
  if (data !== undefined) {
    if (!(data instanceof Float64Array)) {
      throw new ArgumentError(`data: expected a Float64Array, got ${describe(data)}`);
    }
    if (data.length !== n) {
      throw new ShapeError(
        `data: length ${data.length} does not match shape ${formatShape(shape)} (expected ${n})`,
      );
    }
  }
  return { shape: [...shape], data: data ?? new Float64Array(n) };
}

/**
 * Reads a {@link TensorLike} as a float64 tensor (a tfjs tensor is read synchronously and widened exactly; it is
 * not disposed), checking that every entry is finite.
 *
 * @param x - the tensor
 * @param name - argument name for error messages
 * @param options - `allowNonFinite`: skip the finiteness check (for masked entries)
 * @throws {@link ArgumentError} when `x` is neither kind; {@link NumericalError} for non-finite entries
 */
export function toNDArray(x: unknown, name: string, options: { allowNonFinite?: boolean } = {}): NDArrayF64 {
  let out: NDArrayF64;
  if (x instanceof tf.Tensor) {
    if (x.rank === 0) throw new ShapeError(`${name}: expected a tensor of rank ≥ 1, got a scalar`);
    out = { shape: [...x.shape], data: Float64Array.from(x.dataSync() as ArrayLike<number>) };
  } else if (x !== null && typeof x === 'object' && 'shape' in x && 'data' in x) {
    const { shape, data } = x as { shape: unknown; data: unknown };
    assertShapeArray(shape, `${name}.shape`);
    if (!(data instanceof Float64Array)) {
      throw new ArgumentError(`${name}.data: expected a Float64Array, got ${describe(data)}`);
    }
    if (data.length !== sizeOf(shape)) {
      throw new ShapeError(
        `${name}: data length ${data.length} does not match shape ${formatShape(shape)} (expected ${sizeOf(shape)})`,
      );
    }
    out = { shape: [...shape], data };
  } else {
    throw new ArgumentError(
      `${name}: expected an NDArrayF64 { shape, data } or a tfjs Tensor, got ${describe(x)}`,
    );
  }
  if (!options.allowNonFinite) assertFinite(out.data, name);
  return out;
}

/**
 * A float32 tfjs tensor holding a float64 tensor (entries rounded to float32).
 *
 * @example
 * ```ts
 * const t = ndarrayToTensor(reconstructTucker(model));
 * ```
 */
export function ndarrayToTensor(x: NDArrayF64): Tensor {
  const nd = toNDArray(x, 'x', { allowNonFinite: true });
  return tf.tensor(Float32Array.from(nd.data), [...nd.shape], 'float32');
}

/**
 * ‖x‖_F, the Frobenius norm (square root of the sum of squared entries), computed with scaling against overflow.
 */
export function frobeniusNorm(x: NDArrayF64): number {
  const d = toNDArray(x, 'x').data;
  let scale = 0;
  for (let i = 0; i < d.length; i++) scale = Math.max(scale, Math.abs(d[i]!));
  if (scale === 0) return 0;
  let s = 0;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]! / scale;
    s += v * v;
  }
  return scale * Math.sqrt(s);
}
