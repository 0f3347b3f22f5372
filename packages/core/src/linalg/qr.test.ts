import { describe, expect, it } from 'vitest';
import { NumericalError, ShapeError } from '../errors/errors.js';
import { rng } from '../random/rng.js';
import { fromNestedArray, identityF64, type MatrixF64 } from './matrix.js';
import { matmulF64, transposeF64 } from './operations.js';
import { qr } from './qr.js';

function randomMatrix(rows: number, cols: number, seed: number): MatrixF64 {
  return { rows, cols, data: rng(seed).normalArray(rows * cols) };
}

function maxAbsDiff(A: MatrixF64, B: MatrixF64): number {
  expect([A.rows, A.cols]).toEqual([B.rows, B.cols]);
  let worst = 0;
  for (let i = 0; i < A.data.length; i++) worst = Math.max(worst, Math.abs(A.data[i]! - B.data[i]!));
  return worst;
}

function expectUpperTriangularNonNegativeDiagonal(R: MatrixF64): void {
  for (let i = 0; i < R.rows; i++) {
    for (let j = 0; j < Math.min(i, R.cols); j++) expect(R.data[i * R.cols + j]).toBe(0);
    if (i < R.cols) expect(R.data[i * R.cols + i]).toBeGreaterThanOrEqual(0);
  }
}

describe('qr', () => {
  it('thin: Q R = A, Qᵀ Q = I, R upper triangular with a non-negative diagonal — tall, square and wide', () => {
    for (const [m, n] of [
      [1, 1],
      [4, 4],
      [10, 3],
      [3, 10],
      [30, 30],
      [50, 20],
      [1, 6],
      [6, 1],
    ] as const) {
      const A = randomMatrix(m, n, m * 100 + n);
      const { Q, R } = qr(A);
      const k = Math.min(m, n);
      expect([Q.rows, Q.cols, R.rows, R.cols]).toEqual([m, k, k, n]);
      expect(maxAbsDiff(matmulF64(Q, R), A)).toBeLessThan(1e-10);
      expect(maxAbsDiff(matmulF64(transposeF64(Q), Q), identityF64(k))).toBeLessThan(1e-10);
      expectUpperTriangularNonNegativeDiagonal(R);
    }
  });

  it('full: Q is m×m orthogonal, R is m×n with zero rows below', () => {
    const A = randomMatrix(9, 4, 5);
    const { Q, R } = qr(A, { thin: false });
    expect([Q.rows, Q.cols, R.rows, R.cols]).toEqual([9, 9, 9, 4]);
    expect(maxAbsDiff(matmulF64(Q, R), A)).toBeLessThan(1e-10);
    expect(maxAbsDiff(matmulF64(transposeF64(Q), Q), identityF64(9))).toBeLessThan(1e-10);
    expect(maxAbsDiff(matmulF64(Q, transposeF64(Q)), identityF64(9))).toBeLessThan(1e-10);
    expectUpperTriangularNonNegativeDiagonal(R);
  });

  it('matches a hand-computed factorisation and agrees with Gram–Schmidt on R’s diagonal', () => {
    const { Q, R } = qr(
      fromNestedArray([
        [3, 1],
        [4, 2],
      ]),
    );
    const expectedR = [5, 2.2, 0, 0.4];
    for (const [i, v] of expectedR.entries()) expect(Math.abs(R.data[i]! - v)).toBeLessThan(1e-14);
    for (const [i, v] of [0.6, -0.8, 0.8, 0.6].entries())
      expect(Math.abs(Q.data[i]! - v)).toBeLessThan(1e-14);
    // R_00 = ‖a_0‖ for any matrix
    const A = randomMatrix(7, 3, 11);
    let norm = 0;
    for (let i = 0; i < 7; i++) norm += A.data[i * 3]! ** 2;
    expect(Math.abs(qr(A).R.data[0]! - Math.sqrt(norm))).toBeLessThan(1e-13);
  });

  it('rejects empty and non-finite matrices', () => {
    expect(() => qr({ rows: 3, cols: 0, data: new Float64Array(0) })).toThrow(ShapeError);
    expect(() => qr(fromNestedArray([[Number.NaN]]))).toThrow(NumericalError);
  });
});
