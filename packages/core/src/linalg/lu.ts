import { LuDecomposition } from 'ml-matrix';
import { NumericalError } from '../errors/errors.js';
import { assertSquareFinite, identityF64, type MatrixF64 } from './matrix.js';
import { fromMlMatrix, toMlMatrix } from './mlMatrix.js';
import { readRightHandSide } from './rhs.js';

/**
 * LU-factorises A (partial pivoting, through ml-matrix) and rejects it as singular when a pivot is at most
 * n · ε · max|A| in magnitude (numerically singular: the solution would be dominated by rounding).
 */
function factorize(A: MatrixF64, name: string): LuDecomposition {
  const n = A.rows;
  const lu = new LuDecomposition(toMlMatrix(A));
  let scale = 0;
  for (let i = 0; i < A.data.length; i++) scale = Math.max(scale, Math.abs(A.data[i]!));
  const threshold = n * Number.EPSILON * scale;
  const U = lu.upperTriangularMatrix;
  for (let j = 0; j < n; j++) {
    const pivot = U.get(j, j);
    if (!(Math.abs(pivot) > threshold)) {
      throw new NumericalError(
        `${name}: matrix is singular to working precision (LU pivot ${j} is ${pivot}, threshold ${threshold} = n·ε·max|${name}|)`,
      );
    }
  }
  return lu;
}

/**
 * Solves the square system A X = B in float64 by LU factorisation with partial pivoting (through ml-matrix).
 *
 * @param A - a non-singular n×n matrix
 * @param B - a matrix with n rows, or a vector (`Float64Array` of length n)
 * @returns X, of the same kind as B
 * @throws {@link NumericalError} when A is singular to working precision (a pivot ≤ n·ε·max|A|) or has
 *   non-finite entries; {@link ShapeError} when A is not square or B's rows do not match
 *
 * @example
 * ```ts
 * const x = solve(fromNestedArray([[2, 1], [1, 3]]), Float64Array.of(3, 5)); // [0.8, 1.4]
 * ```
 */
export function solve(A: MatrixF64, B: Float64Array): Float64Array;
export function solve(A: MatrixF64, B: MatrixF64): MatrixF64;
export function solve(A: MatrixF64, B: MatrixF64 | Float64Array): MatrixF64 | Float64Array {
  assertSquareFinite(A, 'A');
  const { matrix, isVector } = readRightHandSide(B, A.rows, 'B', 'A');
  const X = fromMlMatrix(factorize(A, 'A').solve(toMlMatrix(matrix)));
  return isVector ? X.data : X;
}

/**
 * The inverse A⁻¹ in float64, by LU factorisation (prefer {@link solve} when the goal is A⁻¹B).
 *
 * @param A - a non-singular n×n matrix
 * @throws {@link NumericalError} when A is singular to working precision or has non-finite entries;
 *   {@link ShapeError} when A is not square or empty
 *
 * @example
 * ```ts
 * inverse(fromNestedArray([[2, 0], [0, 4]])); // [[0.5, 0], [0, 0.25]]
 * ```
 */
export function inverse(A: MatrixF64): MatrixF64 {
  assertSquareFinite(A, 'A');
  return fromMlMatrix(factorize(A, 'A').solve(toMlMatrix(identityF64(A.rows))));
}

/**
 * The determinant of a square matrix, as the signed product of the LU pivots (0 for a singular matrix, up to
 * rounding). For symmetric positive definite matrices whose determinant may overflow, use {@link logDet}.
 *
 * @param A - an n×n matrix with finite entries
 * @throws {@link ShapeError} when A is not square or empty; {@link NumericalError} for non-finite entries
 *
 * @example
 * ```ts
 * det(fromNestedArray([[1, 2], [3, 4]])); // −2
 * ```
 */
export function det(A: MatrixF64): number {
  assertSquareFinite(A, 'A');
  const value = new LuDecomposition(toMlMatrix(A)).determinant;
  return value === 0 ? 0 : value; // no −0
}
