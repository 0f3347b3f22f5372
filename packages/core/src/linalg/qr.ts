import { QrDecomposition } from 'ml-matrix';
import { completeOrthonormalColumns } from './basis.js';
import { assertNonEmptyFinite, type MatrixF64 } from './matrix.js';
import { fromMlMatrix, toMlMatrix } from './mlMatrix.js';

/** Options for {@link qr}. */
export interface QrOptions {
  /**
   * `true` (default): the reduced factorisation, Q is m×k and R is k×n with k = min(m, n). `false`: the complete
   * one, Q is m×m and R is m×n (zero rows below row k).
   */
  thin?: boolean;
}

/** The factorisation A = Q R. */
export interface QrResult {
  /** Orthonormal columns: m×k (thin) or m×m (full). */
  Q: MatrixF64;
  /** Upper triangular (trapezoidal when m < n): k×n (thin) or m×n (full), with a non-negative diagonal. */
  R: MatrixF64;
}

/**
 * QR factorisation of a real m×n matrix in float64 by Householder reflections (through ml-matrix), for any shape:
 * A = Q R with Q's columns orthonormal and R upper triangular. The signs are fixed so that R's diagonal is
 * non-negative, which makes the factorisation unique for full-rank A.
 *
 * @param A - an m×n matrix with finite entries (m, n ≥ 1)
 * @param options - `thin` (default `true`)
 * @throws {@link ShapeError} for an empty matrix; {@link NumericalError} for non-finite entries
 *
 * @example
 * ```ts
 * const { Q, R } = qr(fromNestedArray([[3, 1], [4, 2]]));
 * // R = [[5, 2.2], [0, 0.4]]
 * ```
 */
export function qr(A: MatrixF64, options: QrOptions = {}): QrResult {
  assertNonEmptyFinite(A, 'A');
  const thin = options.thin ?? true;
  const m = A.rows;
  const n = A.cols;
  const k = Math.min(m, n);
  // ml-matrix's Householder QR needs m ≥ n: factor the leading m×k block, then R's right part is Qᵀ A[:, k:].
  const head = k === n ? A : leadingColumns(A, k);
  const decomposition = new QrDecomposition(toMlMatrix(head));
  const Q = fromMlMatrix(decomposition.orthogonalMatrix, m, k);
  const R = { rows: k, cols: n, data: new Float64Array(k * n) };
  const upper = decomposition.upperTriangularMatrix;
  for (let i = 0; i < k; i++) for (let j = i; j < k; j++) R.data[i * n + j] = upper.get(i, j);
  for (let i = 0; i < k; i++) {
    for (let j = k; j < n; j++) {
      let dot = 0;
      for (let r = 0; r < m; r++) dot += Q.data[r * k + i]! * A.data[r * n + j]!;
      R.data[i * n + j] = dot;
    }
  }
  // Non-negative diagonal: flip column i of Q and row i of R together.
  for (let i = 0; i < k; i++) {
    if (R.data[i * n + i]! >= 0) continue;
    for (let r = 0; r < m; r++) Q.data[r * k + i] = -Q.data[r * k + i]!;
    for (let j = i; j < n; j++) R.data[i * n + j] = -R.data[i * n + j]!; // entries left of i are 0
  }
  if (thin || m === k) return { Q, R };
  const fullR = { rows: m, cols: n, data: new Float64Array(m * n) };
  fullR.data.set(R.data);
  return { Q: completeOrthonormalColumns(Q), R: fullR };
}

function leadingColumns(A: MatrixF64, k: number): MatrixF64 {
  const data = new Float64Array(A.rows * k);
  for (let i = 0; i < A.rows; i++) data.set(A.data.subarray(i * A.cols, i * A.cols + k), i * k);
  return { rows: A.rows, cols: k, data };
}
