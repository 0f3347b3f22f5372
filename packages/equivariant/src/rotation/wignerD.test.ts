import { ArgumentError, ShapeError } from '@tensorloom/core';
import { randomRotation } from '@tensorloom/core/test';
import { describe, expect, it } from 'vitest';
import { shDim, sphericalHarmonicsArray } from '../sh/sphericalHarmonics.js';
import { wignerD, wignerDMatrix } from './wignerD.js';

function matmul(a: ArrayLike<number>, b: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k] as number;
      for (let j = 0; j < n; j++)
        out[i * n + j] = (out[i * n + j] as number) + aik * (b[k * n + j] as number);
    }
  return out;
}

function rotate(R: ArrayLike<number>, v: number[]): number[] {
  return [0, 1, 2].map(
    (i) => (R[3 * i] as number) * v[0]! + (R[3 * i + 1] as number) * v[1]! + (R[3 * i + 2] as number) * v[2]!,
  );
}

describe('wignerD', () => {
  it('is an orthogonal representation: D(R1 R2) = D(R1) D(R2), D(Rᵀ) = D(R)ᵀ', () => {
    const R1 = randomRotation(1);
    const R2 = randomRotation(2);
    const R12 = matmul(R1, R2, 3);
    for (const basis of ['standard', 'e3nn'] as const) {
      for (const l of [0, 1, 3, 8, 12]) {
        const d = 2 * l + 1;
        const D1 = wignerD(l, R1, { basis });
        const D2 = wignerD(l, R2, { basis });
        const prod = matmul(D1, D2, d);
        const D12 = wignerD(l, R12, { basis });
        prod.forEach((v, i) => {
          expect(Math.abs(v - (D12[i] as number))).toBeLessThan(1e-12);
        });
        const gram = matmul(
          D1,
          Array.from({ length: d * d }, (_, i) => D1[(i % d) * d + Math.floor(i / d)] as number),
          d,
        );
        gram.forEach((v, i) => {
          expect(Math.abs(v - (i % (d + 1) === 0 ? 1 : 0))).toBeLessThan(1e-12);
        });
      }
    }
  });

  it('rotates spherical harmonics: Y(R v) = D(R) Y(v) at arbitrary points', () => {
    const R = randomRotation(5);
    const lmax = 6;
    const dim = shDim(lmax);
    const D = wignerDMatrix(lmax, R);
    for (const v of [
      [0.3, -0.2, 0.9],
      [-1, 2, 0.5],
    ]) {
      const y = sphericalHarmonicsArray(lmax, v);
      const yr = sphericalHarmonicsArray(lmax, rotate(R, v));
      for (let a = 0; a < dim; a++) {
        let acc = 0;
        for (let b = 0; b < dim; b++) acc += (D[a * dim + b] as number) * (y[b] as number);
        expect(Math.abs(acc - (yr[a] as number))).toBeLessThan(1e-12);
      }
    }
  });

  it('for l = 1 is R permuted to the (y, z, x) order of the standard basis', () => {
    const R = randomRotation(9);
    const D = wignerD(1, R);
    const perm = [1, 2, 0];
    for (let a = 0; a < 3; a++)
      for (let b = 0; b < 3; b++) expect(D[a * 3 + b]).toBeCloseTo(R[3 * perm[a]! + perm[b]!] as number, 13);
    const De = wignerD(1, R, { basis: 'e3nn' });
    for (let i = 0; i < 9; i++) expect(De[i]).toBeCloseTo(R[i] as number, 13);
  });

  it('rejects reflections, non-orthogonal and mis-sized matrices', () => {
    expect(() => wignerD(2, [1, 0, 0, 0, 1, 0, 0, 0, -1])).toThrow(ArgumentError);
    expect(() => wignerD(2, [2, 0, 0, 0, 1, 0, 0, 0, 1])).toThrow(/proper rotation/);
    expect(() => wignerD(2, [1, 0, 0, 0, 1, 0])).toThrow(ShapeError);
    expect(() => wignerD(-1, [1, 0, 0, 0, 1, 0, 0, 0, 1])).toThrow(ArgumentError);
  });
});
