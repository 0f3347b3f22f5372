import { describe, expect, it } from 'vitest';
import { NumericalError, ShapeError } from '../errors/errors.js';
import { rng } from '../random/rng.js';
import { fromNestedArray, identityF64, type MatrixF64 } from './matrix.js';
import { matmulF64, transposeF64 } from './operations.js';
import { svd } from './svd.js';

function randomMatrix(rows: number, cols: number, seed: number): MatrixF64 {
  return { rows, cols, data: rng(seed).normalArray(rows * cols) };
}

function maxAbsDiff(A: MatrixF64, B: MatrixF64): number {
  expect([A.rows, A.cols]).toEqual([B.rows, B.cols]);
  let worst = 0;
  for (let i = 0; i < A.data.length; i++) worst = Math.max(worst, Math.abs(A.data[i]! - B.data[i]!));
  return worst;
}

/** U · diag(S) · Vᵀ using only the first S.length columns of U and V. */
function reconstruct(U: MatrixF64, S: Float64Array, V: MatrixF64): MatrixF64 {
  const k = S.length;
  const out = new Float64Array(U.rows * V.rows);
  for (let i = 0; i < U.rows; i++) {
    for (let j = 0; j < V.rows; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += U.data[i * U.cols + p]! * S[p]! * V.data[j * V.cols + p]!;
      out[i * V.rows + j] = sum;
    }
  }
  return { rows: U.rows, cols: V.rows, data: out };
}

function orthonormalityError(Q: MatrixF64): number {
  return maxAbsDiff(matmulF64(transposeF64(Q), Q), identityF64(Q.cols));
}

const SHAPES: readonly (readonly [number, number])[] = [
  [1, 1],
  [1, 5],
  [5, 1],
  [3, 3],
  [8, 5],
  [5, 8],
  [20, 20],
  [40, 17],
  [17, 40],
];

describe('svd', () => {
  it('reconstructs A = U diag(S) Vᵀ to 1e−10 with orthonormal U, V and descending non-negative S', () => {
    SHAPES.forEach(([m, n], index) => {
      const A = randomMatrix(m, n, index);
      const { U, S, V } = svd(A);
      const k = Math.min(m, n);
      expect([U.rows, U.cols, V.rows, V.cols, S.length]).toEqual([m, k, n, k, k]);
      expect(maxAbsDiff(reconstruct(U, S, V), A)).toBeLessThan(1e-10);
      expect(orthonormalityError(U)).toBeLessThan(1e-10);
      expect(orthonormalityError(V)).toBeLessThan(1e-10);
      for (let i = 0; i < k; i++) {
        expect(S[i]).toBeGreaterThanOrEqual(0);
        if (i > 0) expect(S[i]).toBeLessThanOrEqual(S[i - 1]!);
      }
    });
  });

  it('gives squares of S equal to the eigenvalues of AᵀA (trace and Frobenius identities)', () => {
    const A = randomMatrix(12, 7, 99);
    const { S } = svd(A);
    let frobenius2 = 0;
    for (const v of A.data) frobenius2 += v * v;
    expect(Math.abs(S.reduce((s, x) => s + x * x, 0) - frobenius2)).toBeLessThan(1e-10 * frobenius2);
    const AtA = matmulF64(transposeF64(A), A);
    let trace4 = 0; // tr((AᵀA)²) = Σ σ⁴
    for (let i = 0; i < 7; i++) for (let j = 0; j < 7; j++) trace4 += AtA.data[i * 7 + j]! ** 2;
    expect(Math.abs(S.reduce((s, x) => s + x ** 4, 0) - trace4)).toBeLessThan(1e-10 * trace4);
  });

  it('full SVD returns square orthogonal U and V that still reconstruct A', () => {
    for (const [m, n] of [
      [9, 4],
      [4, 9],
      [6, 6],
    ] as const) {
      const A = randomMatrix(m, n, m * 10 + n);
      const { U, S, V } = svd(A, { thin: false });
      expect([U.rows, U.cols, V.rows, V.cols]).toEqual([m, m, n, n]);
      expect(orthonormalityError(U)).toBeLessThan(1e-10);
      expect(orthonormalityError(V)).toBeLessThan(1e-10);
      expect(maxAbsDiff(reconstruct(U, S, V), A)).toBeLessThan(1e-10);
      // The extra columns span the null space of Aᵀ (tall) or of A (wide).
      if (m > n) {
        const extra = { rows: m, cols: m - n, data: new Float64Array(m * (m - n)) };
        for (let i = 0; i < m; i++)
          for (let j = n; j < m; j++) extra.data[i * (m - n) + j - n] = U.data[i * m + j]!;
        expect(Math.max(...matmulF64(transposeF64(A), extra).data.map(Math.abs))).toBeLessThan(1e-10);
      }
    }
  });

  it('handles rank-deficient and zero matrices, and matches a hand-computed SVD', () => {
    const u = rng(5).normalArray(6);
    const v = rng(6).normalArray(4);
    const rank1 = { rows: 6, cols: 4, data: new Float64Array(24) };
    for (let i = 0; i < 6; i++) for (let j = 0; j < 4; j++) rank1.data[i * 4 + j] = u[i]! * v[j]!;
    const { U, S, V } = svd(rank1);
    const norm = (x: Float64Array): number => Math.sqrt(x.reduce((s, y) => s + y * y, 0));
    expect(Math.abs(S[0]! - norm(u) * norm(v))).toBeLessThan(1e-12);
    for (let i = 1; i < 4; i++) expect(S[i]).toBeLessThan(1e-12);
    expect(maxAbsDiff(reconstruct(U, S, V), rank1)).toBeLessThan(1e-12);
    expect(orthonormalityError(U)).toBeLessThan(1e-10);
    const zero = svd({ rows: 3, cols: 2, data: new Float64Array(6) });
    expect(Array.from(zero.S)).toEqual([0, 0]);
    expect(orthonormalityError(zero.U)).toBeLessThan(1e-12);
    // [[3, 0], [4, 5]] has singular values √45 and √5.
    const { S: s2 } = svd(
      fromNestedArray([
        [3, 0],
        [4, 5],
      ]),
    );
    expect(Math.abs(s2[0]! - Math.sqrt(45))).toBeLessThan(1e-14);
    expect(Math.abs(s2[1]! - Math.sqrt(5))).toBeLessThan(1e-14);
  });

  it('is deterministic in sign: the largest entry of each U column is positive', () => {
    const { U } = svd(randomMatrix(7, 5, 3));
    for (let j = 0; j < 5; j++) {
      let best = 0;
      for (let i = 0; i < 7; i++)
        if (Math.abs(U.data[i * 5 + j]!) > Math.abs(best)) best = U.data[i * 5 + j]!;
      expect(best).toBeGreaterThan(0);
    }
  });

  it('rejects empty and non-finite matrices', () => {
    expect(() => svd({ rows: 0, cols: 3, data: new Float64Array(0) })).toThrow(ShapeError);
    expect(() => svd({ rows: 0, cols: 3, data: new Float64Array(0) })).toThrow(
      /A: expected a non-empty matrix/,
    );
    expect(() => svd(fromNestedArray([[1, Number.NaN]]))).toThrow(NumericalError);
    expect(() => svd(fromNestedArray([[1, Number.NaN]]))).toThrow(
      /A: expected finite values, got NaN at flat index 1/,
    );
  });
});
