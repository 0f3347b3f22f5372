import { describe, expect, it } from 'vitest';
import { NumericalError, ShapeError } from '../errors/errors.js';
import { rng } from '../random/rng.js';
import { eigh } from './eigh.js';
import { det, inverse, solve } from './lu.js';
import { fromNestedArray, identityF64, type MatrixF64 } from './matrix.js';
import { matmulF64, transposeF64 } from './operations.js';
import { qr } from './qr.js';

function randomMatrix(rows: number, cols: number, seed: number): MatrixF64 {
  return { rows, cols, data: rng(seed).normalArray(rows * cols) };
}

function maxAbsDiff(A: { data: Float64Array }, B: { data: Float64Array }): number {
  let worst = 0;
  for (let i = 0; i < A.data.length; i++) worst = Math.max(worst, Math.abs(A.data[i]! - B.data[i]!));
  return worst;
}

describe('solve and inverse', () => {
  it('solve: A · solve(A, B) = B to 1e−10 for matrices and vectors of several sizes', () => {
    for (const n of [1, 2, 7, 30]) {
      const A = randomMatrix(n, n, n);
      const B = randomMatrix(n, 4, n + 50);
      expect(maxAbsDiff(matmulF64(A, solve(A, B)), B)).toBeLessThan(1e-10);
      const b = rng(n + 7).normalArray(n);
      const x = solve(A, b);
      expect(x).toBeInstanceOf(Float64Array);
      expect(maxAbsDiff(matmulF64(A, { rows: n, cols: 1, data: x }), { data: b })).toBeLessThan(1e-10);
    }
    expect(
      Array.from(
        solve(
          fromNestedArray([
            [2, 1],
            [1, 3],
          ]),
          Float64Array.of(3, 5),
        ),
      ).map((v) => +v.toFixed(12)),
    ).toEqual([0.8, 1.4]);
  });

  it('inverse: A · A⁻¹ = I = A⁻¹ · A to 1e−10', () => {
    for (const n of [1, 3, 12, 40]) {
      const A = randomMatrix(n, n, 200 + n);
      const Ainv = inverse(A);
      expect(maxAbsDiff(matmulF64(A, Ainv), identityF64(n))).toBeLessThan(1e-10);
      expect(maxAbsDiff(matmulF64(Ainv, A), identityF64(n))).toBeLessThan(1e-10);
    }
  });

  it('throws NumericalError for exactly and numerically singular matrices', () => {
    const exact = fromNestedArray([
      [1, 2],
      [2, 4],
    ]);
    expect(() => solve(exact, Float64Array.of(1, 1))).toThrow(NumericalError);
    expect(() => inverse(exact)).toThrow(/A: matrix is singular to working precision/);
    const numerically = fromNestedArray([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    expect(() => inverse(numerically)).toThrow(NumericalError);
    expect(() => solve(fromNestedArray([[0]]), Float64Array.of(1))).toThrow(NumericalError);
  });

  it('validates shapes and finiteness', () => {
    expect(() => solve(randomMatrix(2, 3, 1), Float64Array.of(1, 2))).toThrow(ShapeError);
    expect(() => solve(randomMatrix(3, 3, 1), randomMatrix(2, 1, 2))).toThrow(
      /B: expected 3 rows \(the order of A\), got shape \[2, 1\]/,
    );
    expect(() => solve(randomMatrix(2, 2, 1), Float64Array.of(1, Number.NaN))).toThrow(NumericalError);
    expect(() => inverse(randomMatrix(2, 3, 1))).toThrow(/A: expected a square matrix, got shape \[2, 3\]/);
  });
});

describe('det', () => {
  it('equals the product of eigenvalues for symmetric matrices', () => {
    for (const n of [1, 2, 5, 10]) {
      const G = randomMatrix(n, n, 300 + n);
      const S = matmulF64(G, transposeF64(G));
      for (let i = 0; i < n; i++) S.data[i * n + i]! -= 1; // make it indefinite too
      const product = eigh(S).values.reduce((p, v) => p * v, 1);
      expect(Math.abs(det(S) - product)).toBeLessThan(1e-10 * Math.max(1, Math.abs(product)));
    }
  });

  it('equals ± the product of R’s diagonal from QR for general matrices (|det A| = |det R|)', () => {
    for (const n of [2, 6, 15]) {
      const A = randomMatrix(n, n, 400 + n);
      const { R } = qr(A);
      let product = 1;
      for (let i = 0; i < n; i++) product *= R.data[i * n + i]!;
      expect(Math.abs(Math.abs(det(A)) - Math.abs(product))).toBeLessThan(1e-10 * Math.abs(product));
    }
  });

  it('matches closed forms: 2×2, triangular, permutation, singular', () => {
    expect(
      det(
        fromNestedArray([
          [1, 2],
          [3, 4],
        ]),
      ),
    ).toBeCloseTo(-2, 14);
    expect(
      det(
        fromNestedArray([
          [2, 7, 1],
          [0, 3, 5],
          [0, 0, -4],
        ]),
      ),
    ).toBeCloseTo(-24, 13);
    expect(
      det(
        fromNestedArray([
          [0, 1],
          [1, 0],
        ]),
      ),
    ).toBe(-1);
    expect(
      det(
        fromNestedArray([
          [1, 2],
          [2, 4],
        ]),
      ),
    ).toBe(0);
    expect(() => det(fromNestedArray([[1, 2]]))).toThrow(ShapeError);
  });
});
