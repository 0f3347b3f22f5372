import { NumericalError, ShapeError } from '../errors/errors.js';
import { assertFinite, formatShape } from '../errors/validate.js';
import { assertMatrixF64, type MatrixF64 } from './matrix.js';
import { readRightHandSide } from './rhs.js';

/** Options for {@link solveTriangular}. */
export interface SolveTriangularOptions {
  /** Whether T is lower triangular (default `true`); otherwise upper. Only that triangle of T is read. */
  lower?: boolean;
  /** Solve Tᵀ X = B instead of T X = B (default `false`). */
  transpose?: boolean;
}

/**
 * Solves T X = B (or Tᵀ X = B) by substitution, T triangular, in place on a row-major n × k copy `x`.
 * Internal; no validation beyond the zero-pivot check.
 */
export function substitute(
  T: MatrixF64,
  x: Float64Array,
  k: number,
  lower: boolean,
  transpose: boolean,
  name: string,
): void {
  const n = T.rows;
  const t = T.data;
  // Effective matrix M = T or Tᵀ; M is lower triangular iff lower !== transpose.
  const forward = lower !== transpose;
  const at = transpose
    ? (i: number, j: number): number => t[j * n + i]!
    : (i: number, j: number): number => t[i * n + j]!;
  for (let step = 0; step < n; step++) {
    const i = forward ? step : n - 1 - step;
    const diagonal = t[i * n + i]!;
    if (diagonal === 0) {
      throw new NumericalError(`${name}: triangular matrix is singular (zero on the diagonal at index ${i})`);
    }
    const jStart = forward ? 0 : i + 1;
    const jEnd = forward ? i : n;
    for (let j = jStart; j < jEnd; j++) {
      const factor = at(i, j);
      if (factor === 0) continue;
      for (let c = 0; c < k; c++) x[i * k + c]! -= factor * x[j * k + c]!;
    }
    for (let c = 0; c < k; c++) x[i * k + c]! /= diagonal;
  }
}

/**
 * Solves a triangular system T X = B (or Tᵀ X = B) in float64 by forward or back substitution. With a Cholesky
 * factor L of A, `solveTriangular(L, solveTriangular(L, b), { transpose: true })` solves A x = b.
 *
 * @param T - a square triangular matrix (only the triangle chosen by `lower` is read)
 * @param B - a matrix with n rows, or a vector (`Float64Array` of length n)
 * @param options - `lower` (default `true`), `transpose` (default `false`)
 * @returns X, of the same kind as B (matrix or vector)
 * @throws {@link ShapeError} for non-square T or mismatched B; {@link NumericalError} for a zero diagonal entry
 *   or non-finite input
 *
 * @example
 * ```ts
 * const L = cholesky(A);
 * const y = solveTriangular(L, b); // L y = b
 * const x = solveTriangular(L, y, { transpose: true }); // Lᵀ x = y, so A x = b
 * ```
 */
export function solveTriangular(
  T: MatrixF64,
  B: Float64Array,
  options?: SolveTriangularOptions,
): Float64Array;
export function solveTriangular(T: MatrixF64, B: MatrixF64, options?: SolveTriangularOptions): MatrixF64;
export function solveTriangular(
  T: MatrixF64,
  B: MatrixF64 | Float64Array,
  options: SolveTriangularOptions = {},
): MatrixF64 | Float64Array {
  assertMatrixF64(T, 'T');
  if (T.rows !== T.cols) {
    throw new ShapeError(`T: expected a square matrix, got shape ${formatShape([T.rows, T.cols])}`);
  }
  assertFinite(T.data, 'T');
  const { matrix, isVector } = readRightHandSide(B, T.rows, 'B', 'T');
  const x = Float64Array.from(matrix.data);
  substitute(T, x, matrix.cols, options.lower ?? true, options.transpose ?? false, 'T');
  return isVector ? x : { rows: matrix.rows, cols: matrix.cols, data: x };
}
