import { ArgumentError, assertMatrixF64, formatShape, type MatrixF64, ShapeError } from '@tensorloom/core';
import { type NDArrayF64, toNDArray } from '../tensor/ndarray.js';
import { multiModeProduct } from '../tensor/unfold.js';

/**
 * The full tensor of a CP model: X̂[i₀,…] = Σ_r w_r ∏_k U_k[i_k, r] (C order).
 *
 * @param model - `weights` (length R, optional: all ones) and one I_k × R factor per mode
 * @throws {@link ShapeError} when the factors disagree on R or the weights' length differs
 *
 * @example
 * ```ts
 * const x = cpToTensor({ weights: Float64Array.of(2), factors: [a, b, c] });
 * ```
 */
export function cpToTensor(model: { weights?: Float64Array; factors: readonly MatrixF64[] }): NDArrayF64 {
  const { factors } = model;
  if (!Array.isArray(factors) || factors.length === 0) {
    throw new ArgumentError('factors: expected a non-empty array of factor matrices');
  }
  factors.forEach((f, k) => {
    assertMatrixF64(f, `factors[${k}]`);
  });
  const R = factors[0]!.cols;
  factors.forEach((f, k) => {
    if (f.cols !== R)
      throw new ShapeError(`factors[${k}]: expected ${R} columns like factors[0], got ${f.cols}`);
  });
  const w = model.weights ?? new Float64Array(R).fill(1);
  if (w.length !== R) throw new ShapeError(`weights: expected length ${R} (the rank), got ${w.length}`);
  const shape = factors.map((f) => f.rows);
  // Build iteratively: acc has shape (∏ first k sizes) × R.
  let acc = Float64Array.from(w);
  let rows = 1;
  for (const f of factors) {
    const next = new Float64Array(rows * f.rows * R);
    for (let a = 0; a < rows; a++)
      for (let i = 0; i < f.rows; i++) {
        const o = (a * f.rows + i) * R;
        for (let r = 0; r < R; r++) next[o + r] = acc[a * R + r]! * f.data[i * R + r]!;
      }
    acc = next;
    rows *= f.rows;
  }
  const out = new Float64Array(rows);
  for (let a = 0; a < rows; a++) {
    let s = 0;
    for (let r = 0; r < R; r++) s += acc[a * R + r]!;
    out[a] = s;
  }
  return { shape, data: out };
}

/**
 * The full tensor of a Tucker model: X̂ = G ×₀ U₀ ×₁ U₁ … (factors are I_k × R_k).
 *
 * @throws {@link ShapeError} when a factor's column count differs from the core's size in that mode
 *
 * @example
 * ```ts
 * const x = tuckerToTensor({ core, factors });
 * ```
 */
export function tuckerToTensor(model: { core: NDArrayF64; factors: readonly MatrixF64[] }): NDArrayF64 {
  const core = toNDArray(model.core, 'core');
  const { factors } = model;
  if (!Array.isArray(factors) || factors.length !== core.shape.length) {
    throw new ArgumentError(`factors: expected ${core.shape.length} factor matrices (one per core mode)`);
  }
  factors.forEach((f, k) => {
    assertMatrixF64(f, `factors[${k}]`);
    if (f.cols !== core.shape[k]) {
      throw new ShapeError(
        `factors[${k}]: expected ${core.shape[k]} columns (core shape ${formatShape(core.shape)}), got ${f.cols}`,
      );
    }
  });
  return multiModeProduct(core, factors);
}

/**
 * Relative reconstruction error ‖X − X̂‖_F / ‖X‖_F, computed directly (not through the orthonormal-factor shortcut,
 * so it is right for any model and under a mask). With a mask, only entries where the mask is 1 count.
 *
 * @throws {@link ShapeError} when the shapes differ; {@link ArgumentError} when ‖X‖ = 0
 *
 * @example
 * ```ts
 * relativeError(x, cpToTensor(model)); // 0 for an exact fit
 * ```
 */
export function relativeError(
  tensor: NDArrayF64,
  approximation: NDArrayF64,
  options: { mask?: NDArrayF64 } = {},
): number {
  const x = toNDArray(tensor, 'tensor', { allowNonFinite: options.mask !== undefined });
  const y = toNDArray(approximation, 'approximation');
  if (x.shape.length !== y.shape.length || x.shape.some((s, i) => s !== y.shape[i])) {
    throw new ShapeError(
      `approximation: expected shape ${formatShape(x.shape)}, got ${formatShape(y.shape)}`,
    );
  }
  const m = options.mask ? toNDArray(options.mask, 'mask').data : null;
  if (m && m.length !== x.data.length)
    throw new ShapeError(`mask: expected ${x.data.length} entries, got ${m.length}`);
  let num = 0;
  let den = 0;
  for (let i = 0; i < x.data.length; i++) {
    if (m && m[i] !== 1) continue;
    const d = x.data[i]! - y.data[i]!;
    num += d * d;
    den += x.data[i]! ** 2;
  }
  if (den === 0) throw new ArgumentError('tensor: relative error is undefined for a zero tensor (‖X‖ = 0)');
  return Math.sqrt(num / den);
}
