import { CholeskyDecomposition } from 'ml-matrix';
import { NumericalError } from '../errors/errors.js';
import { assertSquareFinite, type MatrixF64 } from './matrix.js';
import { fromMlMatrix, toMlMatrix } from './mlMatrix.js';
import { readRightHandSide } from './rhs.js';
import { DEFAULT_SYMMETRY_TOLERANCE, symmetrize } from './symmetric.js';
import { substitute } from './triangular.js';

/** Options for {@link cholesky}, {@link solveCholesky} and {@link logDet}. */
export interface CholeskyOptions {
  /** How far from symmetric A may be: |A_ij − A_ji| ≤ symmetryTolerance · max|A| (default 1e−10). */
  symmetryTolerance?: number;
}

/**
 * Cholesky factorisation A = L Lᵀ of a symmetric positive definite matrix, in float64 (through ml-matrix).
 *
 * @param A - a symmetric positive definite n×n matrix (symmetrised as (A + Aᵀ)/2 after the symmetry check)
 * @param options - `symmetryTolerance` (default 1e−10, relative to max|A|)
 * @returns L, lower triangular with a positive diagonal (zeros above it)
 * @throws {@link NumericalError} when A is not positive definite (the message names the first leading minor that
 *   is not positive) or has non-finite entries; {@link ArgumentError} when it is not symmetric;
 *   {@link ShapeError} when it is not square or empty
 *
 * @example
 * ```ts
 * const L = cholesky(fromNestedArray([[4, 2], [2, 3]])); // [[2, 0], [1, √2]]
 * ```
 */
export function cholesky(A: MatrixF64, options: CholeskyOptions = {}): MatrixF64 {
  assertSquareFinite(A, 'A');
  const symmetric = symmetrize(A, 'A', options.symmetryTolerance ?? DEFAULT_SYMMETRY_TOLERANCE);
  const n = A.rows;
  const decomposition = new CholeskyDecomposition(toMlMatrix(symmetric));
  const L = fromMlMatrix(decomposition.lowerTriangularMatrix, n, n);
  if (!decomposition.isPositiveDefinite()) {
    // ml-matrix sets L_jj = 0 at the first pivot d_j ≤ 0 (the leading (j+1)×(j+1) minor is ≤ 0).
    let j = 0;
    while (j < n - 1 && L.data[j * n + j]! > 0) j++;
    throw new NumericalError(
      `A: matrix is not positive definite (the leading ${j + 1}×${j + 1} minor is not positive); ` +
        'Cholesky needs a symmetric positive definite matrix (add a small multiple of the identity if it is ' +
        'only semi-definite)',
    );
  }
  return L;
}

/**
 * Solves A X = B for a symmetric positive definite A, by Cholesky factorisation and two triangular solves.
 *
 * @param A - a symmetric positive definite n×n matrix
 * @param B - a matrix with n rows, or a vector (`Float64Array` of length n)
 * @param options - `symmetryTolerance` (default 1e−10)
 * @returns X, of the same kind as B
 * @throws as {@link cholesky}; {@link ShapeError} when B's rows do not match
 *
 * @example
 * ```ts
 * const x = solveCholesky(fromNestedArray([[4, 2], [2, 3]]), Float64Array.of(2, 1)); // [0.5, 0]
 * ```
 */
export function solveCholesky(A: MatrixF64, B: Float64Array, options?: CholeskyOptions): Float64Array;
export function solveCholesky(A: MatrixF64, B: MatrixF64, options?: CholeskyOptions): MatrixF64;
export function solveCholesky(
  A: MatrixF64,
  B: MatrixF64 | Float64Array,
  options: CholeskyOptions = {},
): MatrixF64 | Float64Array {
  assertSquareFinite(A, 'A');
  const { matrix, isVector } = readRightHandSide(B, A.rows, 'B', 'A');
  const L = cholesky(A, options);
  const x = Float64Array.from(matrix.data);
  substitute(L, x, matrix.cols, true, false, 'L');
  substitute(L, x, matrix.cols, true, true, 'L');
  return isVector ? x : { rows: matrix.rows, cols: matrix.cols, data: x };
}

/**
 * ln det A for a symmetric positive definite A, as 2 Σ ln L_ii from its Cholesky factor (no overflow for large
 * or badly scaled matrices, unlike ln(det A)).
 *
 * @param A - a symmetric positive definite n×n matrix
 * @param options - `symmetryTolerance` (default 1e−10)
 * @throws as {@link cholesky}
 *
 * @example
 * ```ts
 * logDet(fromNestedArray([[4, 2], [2, 3]])); // ln 8
 * ```
 */
export function logDet(A: MatrixF64, options: CholeskyOptions = {}): number {
  const L = cholesky(A, options);
  const n = L.rows;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.log(L.data[i * n + i]!);
  return 2 * sum;
}
