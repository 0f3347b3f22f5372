/**
 * Internal bridge between {@link MatrixF64} and ml-matrix's `Matrix` (the library behind the decompositions).
 * @module
 */
import { Matrix } from 'ml-matrix';
import type { MatrixF64 } from './matrix.js';

/** Copies a {@link MatrixF64} into an ml-matrix `Matrix`. */
export function toMlMatrix(m: MatrixF64): Matrix {
  const out = new Matrix(m.rows, m.cols);
  const { cols, data } = m;
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < cols; j++) out.set(i, j, data[i * cols + j]!);
  }
  return out;
}

/** Copies an ml-matrix `Matrix` (or its leading `rows × cols` block) into a {@link MatrixF64}. */
export function fromMlMatrix(m: Matrix, rows: number = m.rows, cols: number = m.columns): MatrixF64 {
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) data[i * cols + j] = m.get(i, j);
  }
  return { rows, cols, data };
}
