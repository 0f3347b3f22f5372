import { ArgumentError, ready, rng, ShapeError } from '@tensorloom/core';
import { expectNoLeak } from '@tensorloom/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import { ndarray, ndarrayToTensor } from '../tensor/ndarray.js';
import { cpAls } from './cpAls.js';
import { cpToTensor, relativeError } from './reconstruct.js';

function randomMat(rows: number, cols: number, seed: number, positive = false) {
  const r = rng(seed);
  return {
    rows,
    cols,
    data: Float64Array.from({ length: rows * cols }, () => (positive ? r.uniform(0.1, 1) : r.normal())),
  };
}

describe('cpAls', () => {
  beforeAll(() => ready());
  const planted = [randomMat(6, 3, 1), randomMat(7, 3, 2), randomMat(5, 3, 3)];
  const X = cpToTensor({ factors: planted });

  it('cpToTensor equals the naive triple sum', () => {
    const w = Float64Array.of(2, -1, 0.5);
    const x = cpToTensor({ weights: w, factors: planted });
    const [A, B, C] = planted as [(typeof planted)[0], (typeof planted)[0], (typeof planted)[0]];
    for (const [i, j, k] of [
      [0, 0, 0],
      [5, 6, 4],
      [2, 3, 1],
    ] as const) {
      let s = 0;
      for (let r = 0; r < 3; r++) s += w[r]! * A.data[i * 3 + r]! * B.data[j * 3 + r]! * C.data[k * 3 + r]!;
      expect(x.data[(i * 7 + j) * 5 + k]).toBeCloseTo(s, 12);
    }
  });

  it('recovers a planted rank-3 tensor to < 1e-6 relative error, with unit-norm columns', async () => {
    const res = await cpAls(X, { rank: 3, seed: 0, maxIterations: 500 });
    expect(relativeError(X, cpToTensor(res))).toBeLessThan(1e-6);
    for (const f of res.factors)
      for (let r = 0; r < 3; r++) {
        let s = 0;
        for (let i = 0; i < f.rows; i++) s += f.data[i * 3 + r]! ** 2;
        expect(Math.sqrt(s)).toBeCloseTo(1, 10);
      }
    // Errors are non-increasing (ALS is monotone) up to round-off.
    for (let i = 1; i < res.errors.length; i++)
      expect(res.errors[i]).toBeLessThanOrEqual(res.errors[i - 1]! + 1e-9);
  });

  it('accepts a tfjs tensor, with random init, and does not leak', async () => {
    const t = ndarrayToTensor(X);
    await expectNoLeak(async () => {
      const res = await cpAls(t, { rank: 3, init: 'random', seed: 3, maxIterations: 800 });
      expect(res.errors.at(-1)).toBeLessThan(1e-3); // float32 input limits the floor
    });
    t.dispose();
  });

  it('non-negative CP keeps factors ≥ 0 and fits a non-negative planted tensor', async () => {
    const pos = [randomMat(6, 2, 4, true), randomMat(5, 2, 5, true), randomMat(4, 2, 6, true)];
    const Y = cpToTensor({ factors: pos });
    const res = await cpAls(Y, { rank: 2, nonNegative: true, seed: 1, maxIterations: 2000 });
    for (const f of res.factors) for (const v of f.data) expect(v).toBeGreaterThanOrEqual(0);
    expect(res.errors.at(-1)).toBeLessThan(1e-4);
  });

  it('with a mask, recovers missing entries of a planted tensor (row-wise masked ALS)', async () => {
    const r = rng(7);
    const mask = ndarray(
      X.shape,
      Float64Array.from(X.data, () => (r.uniform() < 0.6 ? 1 : 0)),
    );
    const corrupted = ndarray(
      X.shape,
      Float64Array.from(X.data, (v, i) => (mask.data[i] ? v : Number.NaN)),
    );
    const res = await cpAls(corrupted, { rank: 3, mask, seed: 2, maxIterations: 1000 });
    // Error on the *missing* entries: the model generalises, not only fits.
    const missing = ndarray(
      X.shape,
      Float64Array.from(mask.data, (m) => 1 - m),
    );
    expect(relativeError(X, cpToTensor(res), { mask: missing })).toBeLessThan(1e-6);
  });

  it('non-negative CP with a mask (EM imputation) fits the observed entries of a non-negative tensor', async () => {
    const pos = [randomMat(6, 2, 14, true), randomMat(5, 2, 15, true), randomMat(4, 2, 16, true)];
    const Y = cpToTensor({ factors: pos });
    const r = rng(17);
    const mask = ndarray(
      Y.shape,
      Float64Array.from(Y.data, () => (r.uniform() < 0.8 ? 1 : 0)),
    );
    const res = await cpAls(Y, { rank: 2, nonNegative: true, mask, seed: 1, maxIterations: 1500 });
    for (const f of res.factors) for (const v of f.data) expect(v).toBeGreaterThanOrEqual(0);
    // EM imputation converges slowly (as TensorLy's masked parafac); far from the ~0.5 of the initialisation
    expect(res.errors.at(-1)).toBeLessThan(5e-3);
    const missing = ndarray(
      Y.shape,
      Float64Array.from(mask.data, (m) => 1 - m),
    );
    expect(relativeError(Y, cpToTensor(res), { mask: missing })).toBeLessThan(2e-2);
  });

  it('without normalisation the weights stay 1 and the fit is the same', async () => {
    const res = await cpAls(X, { rank: 3, normalize: false, maxIterations: 500 });
    expect(Array.from(res.weights)).toEqual([1, 1, 1]);
    expect(relativeError(X, cpToTensor(res))).toBeLessThan(1e-6);
  });

  it('reports progress and honours an aborted signal', async () => {
    const steps: number[] = [];
    const res = await cpAls(X, { rank: 2, maxIterations: 3, tol: 0, onProgress: (e) => steps.push(e.step) });
    expect(steps).toEqual([1, 2, 3]);
    expect(res.iterations).toBe(3);
    const ctl = new AbortController();
    ctl.abort();
    const ab = await cpAls(X, { rank: 2, signal: ctl.signal });
    expect(ab.aborted).toBe(true);
  });

  it('rejects bad arguments with typed errors', async () => {
    await expect(cpAls(X, { rank: 0 })).rejects.toThrow(ArgumentError);
    await expect(cpAls(X, { rank: 2, init: 'foo' as never })).rejects.toThrow(/init/);
    await expect(cpAls(ndarray([3]), { rank: 1 })).rejects.toThrow(/order/);
    await expect(cpAls(X, { rank: 2, mask: ndarray([2, 2]) })).rejects.toThrow(ShapeError);
    await expect(cpAls(ndarray([2, 2], Float64Array.of(1, Number.NaN, 2, 3)), { rank: 1 })).rejects.toThrow(
      /finite/,
    );
    await expect(cpAls(X, { rank: 2, signal: 'x' as never })).rejects.toThrow(/signal/);
    expect(() => relativeError(ndarray([2, 2]), ndarray([2, 2]))).toThrow(/zero tensor/);
    expect(() => relativeError(X, ndarray([2, 2]))).toThrow(ShapeError);
  });
});
