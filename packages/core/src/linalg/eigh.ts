import { EigenvalueDecomposition } from 'ml-matrix';
import { normalizeColumnSigns } from './basis.js';
import { assertSquareFinite, type MatrixF64 } from './matrix.js';
import { fromMlMatrix, toMlMatrix } from './mlMatrix.js';
import { DEFAULT_SYMMETRY_TOLERANCE, symmetrize } from './symmetric.js';

/** Options for {@link eigh}. */
export interface EighOptions {
  /**
   * How far from symmetric A may be: |A_ij − A_ji| ≤ symmetryTolerance · max|A| (default 1e−10). A is
   * symmetrised as (A + Aᵀ)/2 before decomposing.
   */
  symmetryTolerance?: number;
}

/** The eigendecomposition A = V · diag(values) · Vᵀ of a symmetric matrix. */
export interface EighResult {
  /** Eigenvalues, ascending. */
  values: Float64Array;
  /** Orthonormal eigenvectors as columns: column j belongs to values[j]. */
  vectors: MatrixF64;
}

/**
 * Eigendecomposition of a real symmetric matrix in float64 (Householder tridiagonalisation and the implicit QL
 * algorithm, through ml-matrix): A = V · diag(λ) · Vᵀ with λ ascending and V orthogonal.
 *
 * Each eigenvector is signed so that its largest-magnitude entry is positive (within a repeated eigenvalue the
 * basis is one valid choice among many).
 *
 * @param A - a symmetric n×n matrix with finite entries (n ≥ 1)
 * @param options - `symmetryTolerance` (default 1e−10, relative to max|A|)
 * @throws {@link ShapeError} when A is not square or empty; {@link ArgumentError} when it is not symmetric;
 *   {@link NumericalError} for non-finite entries
 *
 * @example
 * ```ts
 * const { values, vectors } = eigh(fromNestedArray([[2, 1], [1, 2]]));
 * // values = [1, 3]; vectors columns ≈ [−0.707, 0.707] and [0.707, 0.707]
 * ```
 */
export function eigh(A: MatrixF64, options: EighOptions = {}): EighResult {
  assertSquareFinite(A, 'A');
  const symmetric = symmetrize(A, 'A', options.symmetryTolerance ?? DEFAULT_SYMMETRY_TOLERANCE);
  const n = A.rows;
  const decomposition = new EigenvalueDecomposition(toMlMatrix(symmetric), { assumeSymmetric: true });
  const raw = decomposition.realEigenvalues;
  const vectorsRaw = fromMlMatrix(decomposition.eigenvectorMatrix, n, n);
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => raw[i]! - raw[j]! || i - j);
  const values = new Float64Array(n);
  const vectors = { rows: n, cols: n, data: new Float64Array(n * n) };
  order.forEach((source, target) => {
    values[target] = raw[source]!;
    for (let i = 0; i < n; i++) vectors.data[i * n + target] = vectorsRaw.data[i * n + source]!;
  });
  normalizeColumnSigns(vectors);
  return { values, vectors };
}
