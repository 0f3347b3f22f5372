/**
 * Internal helpers for orthonormal bases: completing a set of orthonormal columns to a square orthogonal
 * matrix, and fixing the sign of each column.
 * @module
 */
import type { MatrixF64 } from './matrix.js';

/**
 * Extends the orthonormal columns of `Q` (m × k, k ≤ m) to an m × m orthogonal matrix whose first k columns are
 * Q's. Each new column is the standard basis vector least represented in the current span (largest residual
 * 1 − ‖row i‖²), orthogonalised twice (classical Gram–Schmidt with reorthogonalisation) and normalised.
 */
export function completeOrthonormalColumns(Q: MatrixF64): MatrixF64 {
  const m = Q.rows;
  const k = Q.cols;
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) out[i * m + j] = Q.data[i * k + j]!;
  const rowNorm2 = new Float64Array(m);
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) rowNorm2[i]! += out[i * m + j]! ** 2;
  const v = new Float64Array(m);
  for (let c = k; c < m; c++) {
    let pick = 0;
    for (let i = 1; i < m; i++) if (rowNorm2[i]! < rowNorm2[pick]!) pick = i;
    v.fill(0);
    v[pick] = 1;
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < c; j++) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += out[i * m + j]! * v[i]!;
        for (let i = 0; i < m; i++) v[i]! -= dot * out[i * m + j]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += v[i]! * v[i]!;
    norm = Math.sqrt(norm);
    for (let i = 0; i < m; i++) {
      const value = v[i]! / norm;
      out[i * m + c] = value;
      rowNorm2[i]! += value * value;
    }
  }
  return { rows: m, cols: m, data: out };
}

/**
 * Flips the sign of column j of `primary` (and of column j of each matrix in `partners`) so that the entry of
 * largest magnitude in that column of `primary` is positive. Makes decompositions deterministic. In place.
 */
export function normalizeColumnSigns(primary: MatrixF64, partners: readonly MatrixF64[] = []): void {
  const { rows, cols, data } = primary;
  for (let j = 0; j < cols; j++) {
    let best = 0;
    for (let i = 0; i < rows; i++)
      if (Math.abs(data[i * cols + j]!) > Math.abs(best)) best = data[i * cols + j]!;
    if (best >= 0) continue;
    for (let i = 0; i < rows; i++) data[i * cols + j] = -data[i * cols + j]!;
    for (const partner of partners) {
      for (let i = 0; i < partner.rows; i++)
        partner.data[i * partner.cols + j] = -partner.data[i * partner.cols + j]!;
    }
  }
}
