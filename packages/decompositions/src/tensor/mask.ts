import { ArgumentError, formatShape, ShapeError } from '@tensorloom/core';
import { type NDArrayF64, toNDArray } from './ndarray.js';

/**
 * Reads a mask (1 = observed, 0 = missing) of the same shape as `x`. Entries of `x` at masked-out positions may be
 * non-finite (they are ignored); observed entries must be finite.
 */
export function readMask(mask: unknown, x: NDArrayF64, name = 'mask'): Float64Array | null {
  if (mask === undefined || mask === null) return null;
  const m = toNDArray(mask, name);
  if (m.shape.length !== x.shape.length || m.shape.some((s, i) => s !== x.shape[i])) {
    throw new ShapeError(
      `${name}: expected the shape of the tensor ${formatShape(x.shape)}, got ${formatShape(m.shape)}`,
    );
  }
  let observed = 0;
  for (let i = 0; i < m.data.length; i++) {
    const v = m.data[i]!;
    if (v !== 0 && v !== 1)
      throw new ArgumentError(`${name}: expected entries 0 or 1, got ${v} at flat index ${i}`);
    if (v === 1) {
      observed++;
      if (!Number.isFinite(x.data[i]!)) {
        throw new ArgumentError(
          `tensor: expected finite values where ${name} is 1, got ${x.data[i]} at flat index ${i}`,
        );
      }
    }
  }
  if (observed === 0)
    throw new ArgumentError(`${name}: expected at least one observed entry (a 1), got none`);
  return m.data;
}

/**
 * Reads the data tensor and optional mask of a decomposition: `options` must be an object, the tensor of order ≥ 2,
 * finite wherever it is observed (everywhere without a mask).
 */
export function readMaskedTensor(
  tensor: unknown,
  options: unknown,
): { x0: NDArrayF64; mask: Float64Array | null } {
  if (options === null || typeof options !== 'object') {
    throw new ArgumentError(`options: expected an object with at least { rank }, got ${options}`);
  }
  const maskOption = (options as { mask?: unknown }).mask;
  const x0 = toNDArray(tensor, 'tensor', { allowNonFinite: maskOption !== undefined });
  if (x0.shape.length < 2)
    throw new ArgumentError(`tensor: expected order ≥ 2, got order ${x0.shape.length}`);
  const mask = readMask(maskOption, x0);
  if (!mask) toNDArray(x0, 'tensor');
  return { x0, mask };
}

/**
 * A working copy of `x` with every missing entry (mask ≠ 1) set to the mean of the observed ones: the
 * starting point of masked ALS/HOOI and of their EM imputation. Without a mask it is a plain copy.
 */
export function fillMissingWithMean(x: NDArrayF64, mask: Float64Array | null): Float64Array {
  const work = Float64Array.from(x.data);
  if (mask === null) return work;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < work.length; i++) {
    if (mask[i] === 1) {
      sum += work[i]!;
      count++;
    }
  }
  const mean = sum / count;
  for (let i = 0; i < work.length; i++) if (mask[i] !== 1) work[i] = mean;
  return work;
}
