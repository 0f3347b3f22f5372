import { SingularValueDecomposition } from 'ml-matrix';
import { completeOrthonormalColumns, normalizeColumnSigns } from './basis.js';
import { assertNonEmptyFinite, type MatrixF64 } from './matrix.js';
import { fromMlMatrix, toMlMatrix } from './mlMatrix.js';

/** Options for {@link svd}. */
export interface SvdOptions {
  /**
   * `true` (default): the thin SVD, U is m×k and V is n×k with k = min(m, n). `false`: the full SVD, U is m×m
   * and V is n×n (the extra columns complete orthonormal bases of the null spaces).
   */
  thin?: boolean;
}

/** The singular value decomposition A = U · diag(S) · Vᵀ. */
export interface SvdResult {
  /** Left singular vectors as columns: m×k (thin) or m×m (full). */
  U: MatrixF64;
  /** The k = min(m, n) singular values, descending and non-negative. */
  S: Float64Array;
  /** Right singular vectors as columns: n×k (thin) or n×n (full). */
  V: MatrixF64;
}

/**
 * Singular value decomposition of a real m×n matrix in float64 (Golub–Kahan–Reinsch, through ml-matrix), for any
 * shape: A = U · diag(S) · Vᵀ with orthonormal columns in U and V.
 *
 * Singular values come out sorted descending; each pair of singular vectors is signed so that the
 * largest-magnitude entry of its U column is positive (the decomposition is otherwise unique only up to signs,
 * and up to rotations within repeated singular values).
 *
 * @param A - an m×n matrix with finite entries (m, n ≥ 1)
 * @param options - `thin` (default `true`)
 * @throws {@link ShapeError} for an empty matrix; {@link NumericalError} for non-finite entries
 *
 * @example
 * ```ts
 * const { U, S, V } = svd(fromNestedArray([[3, 0], [4, 5]]));
 * // S ≈ [6.708, 2.236]; U·diag(S)·Vᵀ reproduces A
 * ```
 */
export function svd(A: MatrixF64, options: SvdOptions = {}): SvdResult {
  assertNonEmptyFinite(A, 'A');
  const thin = options.thin ?? true;
  const m = A.rows;
  const n = A.cols;
  const k = Math.min(m, n);
  const decomposition = new SingularValueDecomposition(toMlMatrix(A), { autoTranspose: true });
  const left = fromMlMatrix(decomposition.leftSingularVectors, m, k);
  const right = fromMlMatrix(decomposition.rightSingularVectors, n, k);
  const raw = decomposition.diagonal;

  // Normalise: non-negative values, sorted descending (stable), columns permuted alike.
  const order = Array.from({ length: k }, (_, i) => i).sort(
    (i, j) => Math.abs(raw[j]!) - Math.abs(raw[i]!) || i - j,
  );
  const S = new Float64Array(k);
  const U = { rows: m, cols: k, data: new Float64Array(m * k) };
  const V = { rows: n, cols: k, data: new Float64Array(n * k) };
  order.forEach((source, target) => {
    const sign = raw[source]! < 0 ? -1 : 1;
    S[target] = Math.abs(raw[source]!);
    for (let i = 0; i < m; i++) U.data[i * k + target] = sign * left.data[i * k + source]!;
    for (let i = 0; i < n; i++) V.data[i * k + target] = right.data[i * k + source]!;
  });
  normalizeColumnSigns(U, [V]);
  if (thin) return { U, S, V };
  return {
    U: m > k ? completeOrthonormalColumns(U) : U,
    S,
    V: n > k ? completeOrthonormalColumns(V) : V,
  };
}
