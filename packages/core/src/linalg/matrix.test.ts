import { describe, expect, it } from 'vitest';
import { ArgumentError, ShapeError } from '../errors/errors.js';
import { rng } from '../random/rng.js';
import { assertMatrixF64, fromNestedArray, identityF64, matrixF64, toNestedArray } from './matrix.js';
import { matmulF64, transposeF64 } from './operations.js';

function randomNested(rows: number, cols: number, seed: number): number[][] {
  const r = rng(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => r.normal()));
}

describe('MatrixF64 constructors and converters', () => {
  it('round-trips nested arrays row-major', () => {
    const nested = [
      [1, 2, 3],
      [4, 5, 6],
    ];
    const A = fromNestedArray(nested);
    expect(A.rows).toBe(2);
    expect(A.cols).toBe(3);
    expect(Array.from(A.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(toNestedArray(A)).toEqual(nested);
    expect(fromNestedArray([])).toEqual({ rows: 0, cols: 0, data: new Float64Array(0) });
  });

  it('builds zero, wrapped and identity matrices', () => {
    expect(Array.from(matrixF64(2, 2).data)).toEqual([0, 0, 0, 0]);
    const data = Float64Array.of(1, 2, 3, 4, 5, 6);
    expect(matrixF64(3, 2, data).data).toBe(data);
    expect(toNestedArray(identityF64(3))).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
  });

  it('rejects ragged rows, bad entries and inconsistent data with typed errors', () => {
    expect(() => fromNestedArray([[1, 2], [3]])).toThrow(ShapeError);
    expect(() => fromNestedArray([[1, 2], [3]])).toThrow(/values\[1\]: expected 2 entries like row 0, got 1/);
    expect(() => fromNestedArray([[1, '2' as unknown as number]])).toThrow(
      /values\[0\]\[1\]: expected a number/,
    );
    expect(() => matrixF64(2, 2, new Float64Array(3))).toThrow(/data length 3 does not match shape \[2, 2\]/);
    expect(() => matrixF64(-1, 2)).toThrow(ArgumentError);
    expect(() => assertMatrixF64({ rows: 1, cols: 1, data: [1] }, 'A')).toThrow(
      /A.data: expected a Float64Array/,
    );
    expect(() => assertMatrixF64(null, 'A')).toThrow(/A: expected a MatrixF64/);
  });
});

describe('matmulF64 and transposeF64', () => {
  it('match naive nested-array products for several shapes', () => {
    for (const [m, k, n] of [
      [1, 1, 1],
      [3, 4, 2],
      [7, 1, 5],
      [17, 13, 9],
    ] as const) {
      const a = randomNested(m, k, m + k);
      const b = randomNested(k, n, k + n + 100);
      const C = matmulF64(fromNestedArray(a), fromNestedArray(b));
      expect([C.rows, C.cols]).toEqual([m, n]);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let sum = 0;
          for (let p = 0; p < k; p++) sum += a[i]![p]! * b[p]![j]!;
          expect(Math.abs(C.data[i * n + j]! - sum)).toBeLessThan(1e-13);
        }
      }
    }
  });

  it('transposes: (Aᵀ)_ji = A_ij and (AB)ᵀ = BᵀAᵀ', () => {
    const a = randomNested(4, 6, 1);
    const At = transposeF64(fromNestedArray(a));
    expect([At.rows, At.cols]).toEqual([6, 4]);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 6; j++) expect(At.data[j * 4 + i]).toBe(a[i]![j]);
    const A = fromNestedArray(a);
    const B = fromNestedArray(randomNested(6, 3, 2));
    const left = transposeF64(matmulF64(A, B));
    const right = matmulF64(transposeF64(B), At);
    for (let i = 0; i < left.data.length; i++)
      expect(Math.abs(left.data[i]! - right.data[i]!)).toBeLessThan(1e-13);
  });

  it('rejects mismatched inner dimensions with a ShapeError naming both shapes', () => {
    const A = matrixF64(2, 3);
    expect(() => matmulF64(A, matrixF64(2, 3))).toThrow(ShapeError);
    expect(() => matmulF64(A, matrixF64(2, 3))).toThrow(/A is \[2, 3\], B is \[2, 3\]/);
  });
});
