import { ShapeError } from '../errors/errors.js';
import { formatShape } from '../errors/validate.js';
import { assertMatrixF64, type MatrixF64 } from './matrix.js';

/**
 * The float64 matrix product A·B.
 * @throws {@link ShapeError} when the inner dimensions disagree
 *
 * @example
 * ```ts
 * const C = matmulF64(A, B); // (m×k)·(k×n) → m×n
 * ```
 */
export function matmulF64(A: MatrixF64, B: MatrixF64): MatrixF64 {
  assertMatrixF64(A, 'A');
  assertMatrixF64(B, 'B');
  if (A.cols !== B.rows) {
    throw new ShapeError(
      `B: inner dimensions must agree: A is ${formatShape([A.rows, A.cols])}, B is ${formatShape([B.rows, B.cols])}`,
    );
  }
  const m = A.rows;
  const k = A.cols;
  const n = B.cols;
  const a = A.data;
  const b = B.data;
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const rowC = i * n;
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p]!;
      const rowB = p * n;
      for (let j = 0; j < n; j++) c[rowC + j]! += aip * b[rowB + j]!;
    }
  }
  return { rows: m, cols: n, data: c };
}

/**
 * The transpose Aᵀ (a new matrix).
 * @throws {@link ArgumentError} / {@link ShapeError} when `A` is not a well-formed matrix
 *
 * @example
 * ```ts
 * transposeF64(fromNestedArray([[1, 2, 3]])); // 3×1
 * ```
 */
export function transposeF64(A: MatrixF64): MatrixF64 {
  assertMatrixF64(A, 'A');
  const { rows, cols, data } = A;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j]!;
  }
  return { rows: cols, cols: rows, data: out };
}
