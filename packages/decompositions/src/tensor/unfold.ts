import {
  ArgumentError,
  assertInteger,
  assertMatrixF64,
  formatShape,
  type MatrixF64,
  ShapeError,
} from '@tensorloom/core';
import { assertShapeArray, type NDArrayF64, sizeOf, toNDArray } from './ndarray.js';

/*
 * Convention (the one used throughout this package, the same as TensorLy's):
 *   unfold(X, n) = reshape(moveaxis(X, n, 0), [I_n, −1]) in C order,
 * i.e. the columns of X_(n) enumerate the remaining axes in their original order, the LAST one varying fastest.
 * With this convention, for X = G ×₀ U₀ ×₁ U₁ … (Tucker) and the ordinary Kronecker product (first factor slowest):
 *   X_(n) = U_n · G_(n) · (U₀ ⊗ … ⊗ U_{n−1} ⊗ U_{n+1} ⊗ … ⊗ U_{K−1})ᵀ,
 * and for CP, X_(n) = U_n · diag(w) · khatriRao(U₀, …, U_{n−1}, U_{n+1}, …)ᵀ.
 */

function checkMode(mode: unknown, order: number, name = 'mode'): asserts mode is number {
  assertInteger(mode, name, { min: 0 });
  if ((mode as number) >= order) {
    throw new ArgumentError(
      `${name}: expected an axis in [0, ${order - 1}] for a tensor of order ${order}, got ${mode}`,
    );
  }
}

function split(shape: readonly number[], mode: number): { before: number; size: number; after: number } {
  let before = 1;
  let after = 1;
  for (let k = 0; k < mode; k++) before *= shape[k]!;
  for (let k = mode + 1; k < shape.length; k++) after *= shape[k]!;
  return { before, size: shape[mode]!, after };
}

/**
 * Mode-n unfolding X_(n): an I_n × (∏_{k≠n} I_k) matrix whose columns enumerate the other axes in their original
 * order with the last varying fastest (C order; TensorLy's convention, not Kolda–Bader's).
 *
 * @param x - a float64 tensor (or tfjs tensor, read in float64)
 * @param mode - the axis, in [0, order)
 * @throws {@link ArgumentError} for a bad mode; {@link NumericalError} for non-finite entries
 *
 * @example
 * ```ts
 * const m = unfold(ndarray([2, 3, 4]), 1); // 3 × 8
 * ```
 */
export function unfold(x: NDArrayF64, mode: number): MatrixF64 {
  const t = toNDArray(x, 'x', { allowNonFinite: true });
  checkMode(mode, t.shape.length);
  const { before, size, after } = split(t.shape, mode);
  const cols = before * after;
  const out = new Float64Array(size * cols);
  const src = t.data;
  for (let b = 0; b < before; b++) {
    for (let i = 0; i < size; i++) {
      const s0 = (b * size + i) * after;
      const d0 = i * cols + b * after;
      for (let a = 0; a < after; a++) out[d0 + a] = src[s0 + a]!;
    }
  }
  return { rows: size, cols, data: out };
}

/**
 * Inverse of {@link unfold}: folds an I_n × (∏_{k≠n} I_k) matrix back into a tensor of `shape`.
 *
 * @throws {@link ShapeError} when the matrix does not match `shape` and `mode`
 *
 * @example
 * ```ts
 * fold(unfold(x, 2), 2, x.shape); // equals x
 * ```
 */
export function fold(matrix: MatrixF64, mode: number, shape: readonly number[]): NDArrayF64 {
  assertMatrixF64(matrix, 'matrix');
  assertShapeArray(shape, 'shape');
  checkMode(mode, shape.length);
  const { before, size, after } = split(shape, mode);
  if (matrix.rows !== size || matrix.cols !== before * after) {
    throw new ShapeError(
      `matrix: expected shape ${formatShape([size, before * after])} to fold along mode ${mode} into ${formatShape(shape)}, got ${formatShape([matrix.rows, matrix.cols])}`,
    );
  }
  const cols = before * after;
  const out = new Float64Array(sizeOf(shape));
  const src = matrix.data;
  for (let b = 0; b < before; b++) {
    for (let i = 0; i < size; i++) {
      const d0 = (b * size + i) * after;
      const s0 = i * cols + b * after;
      for (let a = 0; a < after; a++) out[d0 + a] = src[s0 + a]!;
    }
  }
  return { shape: [...shape], data: out };
}

/**
 * Mode-n product Y = X ×_n M for a J × I_n matrix M: Y_(n) = M · X_(n), and Y has I_n replaced by J.
 *
 * @throws {@link ShapeError} when M's column count differs from I_n
 *
 * @example
 * ```ts
 * const y = modeProduct(x, fromNestedArray([[1, 0, 0]]), 0); // picks slice 0 of axis 0
 * ```
 */
export function modeProduct(x: NDArrayF64, matrix: MatrixF64, mode: number): NDArrayF64 {
  const t = toNDArray(x, 'x', { allowNonFinite: true });
  assertMatrixF64(matrix, 'matrix');
  checkMode(mode, t.shape.length);
  const { before, size, after } = split(t.shape, mode);
  if (matrix.cols !== size) {
    throw new ShapeError(
      `matrix: expected ${size} columns to multiply mode ${mode} of a tensor of shape ${formatShape(t.shape)}, got shape ${formatShape([matrix.rows, matrix.cols])}`,
    );
  }
  const J = matrix.rows;
  const shape = [...t.shape];
  shape[mode] = J;
  const out = new Float64Array(before * J * after);
  const src = t.data;
  const M = matrix.data;
  for (let b = 0; b < before; b++) {
    for (let j = 0; j < J; j++) {
      const d0 = (b * J + j) * after;
      for (let i = 0; i < size; i++) {
        const m = M[j * size + i]!;
        if (m === 0) continue;
        const s0 = (b * size + i) * after;
        for (let a = 0; a < after; a++) out[d0 + a] += m * src[s0 + a]!;
      }
    }
  }
  return { shape, data: out };
}

/**
 * Y = X ×₀ M₀ ×₁ M₁ … over every mode where `matrices[k]` is given (`undefined`/`null` skips a mode). With
 * `transpose`, multiplies by M_kᵀ instead (projection onto orthonormal factors).
 *
 * @example
 * ```ts
 * const core = multiModeProduct(x, factors, { transpose: true }); // Tucker core for orthonormal factors
 * ```
 */
export function multiModeProduct(
  x: NDArrayF64,
  matrices: readonly (MatrixF64 | null | undefined)[],
  options: { transpose?: boolean } = {},
): NDArrayF64 {
  let y = toNDArray(x, 'x', { allowNonFinite: true });
  if (!Array.isArray(matrices) || matrices.length !== y.shape.length) {
    throw new ArgumentError(
      `matrices: expected an array of ${y.shape.length} matrices (one per mode, null to skip), got ${Array.isArray(matrices) ? `${matrices.length} entries` : typeof matrices}`,
    );
  }
  for (let k = 0; k < matrices.length; k++) {
    const m = matrices[k];
    if (m == null) continue;
    y = modeProduct(y, options.transpose ? transpose(m) : m, k);
  }
  return y;
}

/** Mᵀ for a float64 matrix. */
export function transpose(m: MatrixF64): MatrixF64 {
  const out = new Float64Array(m.rows * m.cols);
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.cols; j++) out[j * m.rows + i] = m.data[i * m.cols + j]!;
  return { rows: m.cols, cols: m.rows, data: out };
}

/**
 * Kronecker product A ⊗ B (the first factor's index varies slowest): (A ⊗ B)[i·p + k, j·q + l] = A[i,j]·B[k,l].
 * Several matrices multiply left to right.
 *
 * @throws {@link ArgumentError} when given no matrices
 *
 * @example
 * ```ts
 * kronecker([identityF64(2), B]); // block-diagonal diag(B, B)
 * ```
 */
export function kronecker(matrices: readonly MatrixF64[]): MatrixF64 {
  if (!Array.isArray(matrices) || matrices.length === 0) {
    throw new ArgumentError(`matrices: expected a non-empty array of matrices, got ${matrices}`);
  }
  matrices.forEach((m, i) => {
    assertMatrixF64(m, `matrices[${i}]`);
  });
  let acc = matrices[0]!;
  for (let t = 1; t < matrices.length; t++) {
    const B = matrices[t]!;
    const rows = acc.rows * B.rows;
    const cols = acc.cols * B.cols;
    const out = new Float64Array(rows * cols);
    for (let i = 0; i < acc.rows; i++)
      for (let j = 0; j < acc.cols; j++) {
        const a = acc.data[i * acc.cols + j]!;
        if (a === 0) continue;
        for (let k = 0; k < B.rows; k++) {
          const row = (i * B.rows + k) * cols + j * B.cols;
          for (let l = 0; l < B.cols; l++) out[row + l] = a * B.data[k * B.cols + l]!;
        }
      }
    acc = { rows, cols, data: out };
  }
  return acc;
}

/**
 * Khatri–Rao (column-wise Kronecker) product of matrices with the same column count R: column r is
 * A₀[:, r] ⊗ A₁[:, r] ⊗ …, with the first matrix's row index varying slowest (matching {@link unfold}).
 *
 * @throws {@link ShapeError} when the column counts differ; {@link ArgumentError} when given no matrices
 *
 * @example
 * ```ts
 * const kr = khatriRao([A, B]); // (A.rows·B.rows) × R
 * ```
 */
export function khatriRao(matrices: readonly MatrixF64[]): MatrixF64 {
  if (!Array.isArray(matrices) || matrices.length === 0) {
    throw new ArgumentError(`matrices: expected a non-empty array of matrices, got ${matrices}`);
  }
  matrices.forEach((m, i) => {
    assertMatrixF64(m, `matrices[${i}]`);
  });
  const R = matrices[0]!.cols;
  matrices.forEach((m, i) => {
    if (m.cols !== R) {
      throw new ShapeError(`matrices[${i}]: expected ${R} columns like matrices[0], got ${m.cols}`);
    }
  });
  let acc = matrices[0]!;
  for (let t = 1; t < matrices.length; t++) {
    const B = matrices[t]!;
    const rows = acc.rows * B.rows;
    const out = new Float64Array(rows * R);
    for (let i = 0; i < acc.rows; i++)
      for (let k = 0; k < B.rows; k++) {
        const row = (i * B.rows + k) * R;
        for (let r = 0; r < R; r++) out[row + r] = acc.data[i * R + r]! * B.data[k * R + r]!;
      }
    acc = { rows, cols: R, data: out };
  }
  return acc;
}
