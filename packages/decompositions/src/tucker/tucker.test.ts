import { ArgumentError, ready, rng } from '@tensorloom/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { relativeError, tuckerToTensor } from '../cp/reconstruct.js';
import { ndarray } from '../tensor/ndarray.js';
import { multiModeProduct, unfold } from '../tensor/unfold.js';
import { hooi, hosvd } from './tucker.js';

function randomMat(rows: number, cols: number, seed: number) {
  const r = rng(seed);
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => r.normal()) };
}

describe('Tucker (HOSVD, HOOI)', () => {
  beforeAll(() => ready());
  const G = ndarray([2, 3, 2], randomMat(1, 12, 1).data);
  const X = multiModeProduct(G, [randomMat(6, 2, 2), randomMat(7, 3, 3), randomMat(5, 2, 4)]);

  it('HOSVD recovers an exact multilinear-rank (2,3,2) tensor to machine precision, orthonormal factors', async () => {
    const res = await hosvd(X, { rank: [2, 3, 2] });
    expect(relativeError(X, tuckerToTensor(res))).toBeLessThan(1e-10);
    for (const f of res.factors)
      for (let p = 0; p < f.cols; p++)
        for (let q = 0; q < f.cols; q++) {
          let s = 0;
          for (let i = 0; i < f.rows; i++) s += f.data[i * f.cols + p]! * f.data[i * f.cols + q]!;
          expect(s).toBeCloseTo(p === q ? 1 : 0, 10);
        }
  });

  it('HOOI does no worse than HOSVD on a truncated fit and its error matches ‖X‖² − ‖G‖² (orthonormal factors)', async () => {
    const r = rng(9);
    const noisy = ndarray(
      X.shape,
      Float64Array.from(X.data, (v) => v + 0.3 * r.normal()),
    );
    const a = await hosvd(noisy, { rank: 2 });
    const b = await hooi(noisy, { rank: 2, maxIterations: 50 });
    expect(b.errors.at(-1)!).toBeLessThanOrEqual(a.errors.at(-1)! + 1e-12);
    let nx = 0;
    for (const v of noisy.data) nx += v * v;
    let ng = 0;
    for (const v of b.core.data) ng += v * v;
    expect(b.errors.at(-1)!).toBeCloseTo(Math.sqrt((nx - ng) / nx), 10);
    // The full-rank HOSVD is exact and its core has all-orthogonal slices: G_(0) G_(0)ᵀ is diagonal.
    const full = await hosvd(noisy, { rank: [6, 7, 5] });
    expect(relativeError(noisy, tuckerToTensor(full))).toBeLessThan(1e-12);
    const G0 = unfold(full.core, 0);
    let off = 0;
    for (let j = 0; j < G0.cols; j++) off += G0.data[j]! * G0.data[G0.cols + j]!;
    expect(Math.abs(off)).toBeLessThan(1e-9);
  });

  it('HOOI with a mask recovers missing entries of a low-rank tensor', async () => {
    const r = rng(10);
    const mask = ndarray(
      X.shape,
      Float64Array.from(X.data, () => (r.uniform() < 0.7 ? 1 : 0)),
    );
    const res = await hooi(X, { rank: [2, 3, 2], mask, maxIterations: 2000, tol: 1e-15 });
    const missing = ndarray(
      X.shape,
      Float64Array.from(mask.data, (m) => 1 - m),
    );
    expect(relativeError(X, tuckerToTensor(res), { mask: missing })).toBeLessThan(1e-6);
  });

  it('reports progress, aborts, and rejects bad ranks', async () => {
    const steps: number[] = [];
    await hooi(X, { rank: 2, maxIterations: 4, tol: 0, onProgress: (e) => steps.push(e.step) });
    expect(steps).toEqual([1, 2, 3, 4]);
    const ctl = new AbortController();
    ctl.abort();
    expect((await hooi(X, { rank: 2, signal: ctl.signal })).aborted).toBe(true);
    await expect(hosvd(X, { rank: [2, 2] })).rejects.toThrow(/3 integers/);
    await expect(hosvd(X, { rank: [9, 2, 2] })).rejects.toThrow(/rank\[0\]/);
    await expect(hooi(X, { rank: 0 })).rejects.toThrow(ArgumentError);
    await expect(hooi(X, { rank: 2, mask: ndarray(X.shape) })).rejects.toThrow(/at least one observed/);
  });
});
