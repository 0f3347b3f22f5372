import { describe, expect, it } from 'vitest';
import { ArgumentError, NumericalError, ShapeError } from '../errors/errors.js';
import { rng } from '../random/rng.js';
import { cholesky, logDet, solveCholesky } from './cholesky.js';
import { eigh } from './eigh.js';
import { fromNestedArray, type MatrixF64 } from './matrix.js';
import { matmulF64, transposeF64 } from './operations.js';
import { solveTriangular } from './triangular.js';

/** A random SPD matrix G Gᵀ + n·I. */
function randomSpd(n: number, seed: number): MatrixF64 {
  const G = { rows: n, cols: n, data: rng(seed).normalArray(n * n) };
  const A = matmulF64(G, transposeF64(G));
  for (let i = 0; i < n; i++) A.data[i * n + i]! += n;
  return A;
}

function maxAbsDiff(A: { data: Float64Array }, B: { data: Float64Array }): number {
  let worst = 0;
  for (let i = 0; i < A.data.length; i++) worst = Math.max(worst, Math.abs(A.data[i]! - B.data[i]!));
  return worst;
}

describe('cholesky', () => {
  it('factors SPD matrices as L Lᵀ with L lower triangular and a positive diagonal', () => {
    for (const n of [1, 2, 5, 12, 40]) {
      const A = randomSpd(n, n);
      const L = cholesky(A);
      for (let i = 0; i < n; i++) {
        expect(L.data[i * n + i]).toBeGreaterThan(0);
        for (let j = i + 1; j < n; j++) expect(L.data[i * n + j]).toBe(0);
      }
      expect(maxAbsDiff(matmulF64(L, transposeF64(L)), A)).toBeLessThan(1e-10 * n);
    }
    expect(
      Array.from(
        cholesky(
          fromNestedArray([
            [4, 2],
            [2, 3],
          ]),
        ).data,
      ),
    ).toEqual([2, 0, 1, Math.SQRT2]);
  });

  it('throws NumericalError saying "not positive definite" for indefinite and semi-definite matrices', () => {
    const indefinite = fromNestedArray([
      [1, 2],
      [2, 1],
    ]);
    expect(() => cholesky(indefinite)).toThrow(NumericalError);
    expect(() => cholesky(indefinite)).toThrow(/A: matrix is not positive definite \(the leading 2×2 minor/);
    const semidefinite = fromNestedArray([
      [1, 1, 0],
      [1, 1, 0],
      [0, 0, 1],
    ]);
    expect(() => cholesky(semidefinite)).toThrow(/not positive definite \(the leading 2×2 minor/);
    expect(() => cholesky(fromNestedArray([[-1]]))).toThrow(/the leading 1×1 minor/);
  });

  it('rejects asymmetric, non-square and non-finite input', () => {
    expect(() =>
      cholesky(
        fromNestedArray([
          [2, 1],
          [0, 2],
        ]),
      ),
    ).toThrow(ArgumentError);
    expect(() =>
      cholesky(
        fromNestedArray([
          [2, 1],
          [0, 2],
        ]),
      ),
    ).toThrow(/expected a symmetric matrix/);
    expect(() => cholesky(fromNestedArray([[1, 0]]))).toThrow(ShapeError);
    expect(() => cholesky(fromNestedArray([[Number.NaN]]))).toThrow(NumericalError);
  });
});

describe('solveCholesky, solveTriangular and logDet', () => {
  it('solve A X = B for matrices and vectors (A · X = B to 1e−10)', () => {
    for (const n of [1, 4, 25]) {
      const A = randomSpd(n, 100 + n);
      const B = { rows: n, cols: 3, data: rng(n).normalArray(3 * n) };
      const X = solveCholesky(A, B);
      expect(maxAbsDiff(matmulF64(A, X), B)).toBeLessThan(1e-10);
      const b = rng(n + 1).normalArray(n);
      const x = solveCholesky(A, b);
      expect(x).toBeInstanceOf(Float64Array);
      expect(maxAbsDiff(matmulF64(A, { rows: n, cols: 1, data: x }), { data: b })).toBeLessThan(1e-10);
    }
  });

  it('solveTriangular handles lower/upper and transposed systems', () => {
    const n = 8;
    const L = cholesky(randomSpd(n, 3));
    const b = rng(4).normalArray(n);
    const asColumn = (v: Float64Array): MatrixF64 => ({ rows: n, cols: 1, data: v });
    expect(maxAbsDiff(matmulF64(L, asColumn(solveTriangular(L, b))), { data: b })).toBeLessThan(1e-10);
    const Lt = transposeF64(L);
    expect(
      maxAbsDiff(matmulF64(Lt, asColumn(solveTriangular(L, b, { transpose: true }))), { data: b }),
    ).toBeLessThan(1e-10);
    expect(
      maxAbsDiff(matmulF64(Lt, asColumn(solveTriangular(Lt, b, { lower: false }))), { data: b }),
    ).toBeLessThan(1e-10);
    expect(() =>
      solveTriangular(
        fromNestedArray([
          [0, 0],
          [1, 1],
        ]),
        Float64Array.of(1, 1),
      ),
    ).toThrow(/T: triangular matrix is singular \(zero on the diagonal at index 0\)/);
  });

  it('logDet equals Σ ln λ from eigh and 2 Σ ln L_ii; it does not overflow where det would', () => {
    const A = randomSpd(10, 9);
    const { values } = eigh(A);
    const fromEigen = values.reduce((s, v) => s + Math.log(v), 0);
    expect(Math.abs(logDet(A) - fromEigen)).toBeLessThan(1e-10);
    const n = 200;
    const big = { rows: n, cols: n, data: new Float64Array(n * n) };
    for (let i = 0; i < n; i++) big.data[i * n + i] = 1e4;
    expect(logDet(big)).toBeCloseTo(n * Math.log(1e4), 9); // det = 1e800 overflows float64
    expect(() =>
      logDet(
        fromNestedArray([
          [1, 2],
          [2, 1],
        ]),
      ),
    ).toThrow(NumericalError);
  });

  it('rejects right-hand sides with the wrong number of rows', () => {
    const A = randomSpd(3, 1);
    expect(() => solveCholesky(A, new Float64Array(4))).toThrow(ShapeError);
    expect(() => solveCholesky(A, new Float64Array(4))).toThrow(
      /B: expected a vector of length 3 \(the order of A\), got length 4/,
    );
    expect(() => solveCholesky(A, { rows: 2, cols: 1, data: new Float64Array(2) })).toThrow(
      /B: expected 3 rows/,
    );
    expect(() => solveCholesky(A, [1, 2, 3] as never)).toThrow(ArgumentError);
  });
});
