import { describe, expect, it } from 'vitest';
import { ArgumentError, NumericalError, ShapeError } from '../errors/errors.js';
import { rng } from '../random/rng.js';
import { eigh } from './eigh.js';
import { fromNestedArray, identityF64, type MatrixF64 } from './matrix.js';
import { matmulF64, transposeF64 } from './operations.js';

function randomSymmetric(n: number, seed: number): MatrixF64 {
  const r = rng(seed);
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const v = r.normal();
      data[i * n + j] = v;
      data[j * n + i] = v;
    }
  }
  return { rows: n, cols: n, data };
}

function maxAbsDiff(A: MatrixF64, B: MatrixF64): number {
  let worst = 0;
  for (let i = 0; i < A.data.length; i++) worst = Math.max(worst, Math.abs(A.data[i]! - B.data[i]!));
  return worst;
}

describe('eigh', () => {
  it('reconstructs A = V Λ Vᵀ with orthonormal V and ascending eigenvalues, for several sizes', () => {
    for (const n of [1, 2, 3, 6, 15, 40]) {
      const A = randomSymmetric(n, n);
      const { values, vectors } = eigh(A);
      expect(values.length).toBe(n);
      for (let i = 1; i < n; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]!);
      const VL = { rows: n, cols: n, data: new Float64Array(n * n) };
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) VL.data[i * n + j] = vectors.data[i * n + j]! * values[j]!;
      expect(maxAbsDiff(matmulF64(VL, transposeF64(vectors)), A)).toBeLessThan(1e-10);
      expect(maxAbsDiff(matmulF64(transposeF64(vectors), vectors), identityF64(n))).toBeLessThan(1e-10);
      // A v = λ v column by column
      const AV = matmulF64(A, vectors);
      expect(maxAbsDiff(AV, VL)).toBeLessThan(1e-10);
    }
  });

  it('gives trace = Σλ and the known spectrum of [[2, 1], [1, 2]] and of a diagonal matrix', () => {
    const A = randomSymmetric(9, 77);
    const { values } = eigh(A);
    let trace = 0;
    for (let i = 0; i < 9; i++) trace += A.data[i * 9 + i]!;
    expect(Math.abs(values.reduce((s, v) => s + v, 0) - trace)).toBeLessThan(1e-12);
    const small = eigh(
      fromNestedArray([
        [2, 1],
        [1, 2],
      ]),
    );
    expect(Array.from(small.values).map((v) => Math.round(v * 1e12) / 1e12)).toEqual([1, 3]);
    const diagonal = eigh(
      fromNestedArray([
        [5, 0, 0],
        [0, -1, 0],
        [0, 0, 2],
      ]),
    );
    expect(Array.from(diagonal.values)).toEqual([-1, 2, 5]);
    // Largest entry of each eigenvector is positive.
    for (let j = 0; j < 3; j++)
      expect(Math.max(...[0, 1, 2].map((i) => diagonal.vectors.data[i * 3 + j]!))).toBe(1);
  });

  it('accepts near-symmetric input within the tolerance and rejects asymmetric input with ArgumentError', () => {
    const A = randomSymmetric(4, 8);
    const nearly = { ...A, data: Float64Array.from(A.data) };
    nearly.data[1] = nearly.data[1]! + 1e-13;
    expect(() => eigh(nearly)).not.toThrow();
    const skewed = fromNestedArray([
      [1, 2],
      [0, 1],
    ]);
    expect(() => eigh(skewed)).toThrow(ArgumentError);
    expect(() => eigh(skewed)).toThrow(
      /A: expected a symmetric matrix, but A\[0\]\[1\] = 2 and A\[1\]\[0\] = 0 differ by 2/,
    );
    expect(() => eigh(skewed, { symmetryTolerance: 1.5 })).not.toThrow();
  });

  it('rejects non-square, empty and non-finite input', () => {
    expect(() => eigh(fromNestedArray([[1, 2, 3]]))).toThrow(ShapeError);
    expect(() => eigh(fromNestedArray([[1, 2, 3]]))).toThrow(
      /A: expected a square matrix, got shape \[1, 3\]/,
    );
    expect(() => eigh({ rows: 0, cols: 0, data: new Float64Array(0) })).toThrow(ShapeError);
    expect(() => eigh(fromNestedArray([[Number.POSITIVE_INFINITY]]))).toThrow(NumericalError);
  });
});
