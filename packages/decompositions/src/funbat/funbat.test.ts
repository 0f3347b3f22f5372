import { ArgumentError, NumericalError, rng, ShapeError } from '@tensorloom/core';
import { describe, expect, it } from 'vitest';
import { officialSynthetic } from '../data/generators.js';
import { kronecker, unfold } from '../tensor/unfold.js';
import { funbat } from './funbat.js';
import { conditionalMoments, momentWorkspace, unfoldCore } from './moments.js';

const rmse = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s / a.length);
};

describe('per-mode conditional-EP identity', () => {
  it('(W_(k) z_{\\k})ᵀ u_k = vec(W)ᵀ z and u_kᵀ E[aaᵀ] u_k = vec(W)ᵀ E[zzᵀ] vec(W) for every mode (R = 2, K = 3 and 4)', () => {
    for (const K of [2, 3, 4]) {
      const r = rng(K);
      const R = 2;
      const W = Float64Array.from({ length: R ** K }, () => r.normal());
      const us = Array.from({ length: K }, () => Float64Array.from({ length: R }, () => r.normal()));
      // random second moments S + u uᵀ
      const seconds = us.map((u) => {
        const b = [r.normal(), r.normal()];
        return Float64Array.from(
          { length: 4 },
          (_, i) => u[i >> 1]! * u[i & 1]! + 0.3 * b[i >> 1]! * b[i & 1]! + (i === 0 || i === 3 ? 0.1 : 0),
        );
      });
      const z = kronecker(us.map((u) => ({ rows: R, cols: 1, data: u }))).data;
      const full = W.reduce((acc, w, i) => acc + w * z[i]!, 0);
      for (let k = 0; k < K; k++) {
        // independent unfolding: the package's generic `unfold` on an NDArray
        const Wk = unfold({ shape: new Array(K).fill(R), data: W }, k);
        expect(Array.from(unfoldCore(W, R, K, k))).toEqual(Array.from(Wk.data));
        const a = new Float64Array(R);
        const Eaa = new Float64Array(R * R);
        conditionalMoments('tucker', Wk.data, R, us, seconds, k, a, Eaa, momentWorkspace(R, K));
        expect(a[0]! * us[k]![0]! + a[1]! * us[k]![1]!).toBeCloseTo(full, 12);
        // second moments with mode k fixed at u_k: E[zzᵀ] = ⊗_j M_j with M_k = u_k u_kᵀ
        const Ms = seconds.map((s, j) =>
          j === k
            ? {
                rows: R,
                cols: R,
                data: Float64Array.from({ length: 4 }, (_, i) => us[k]![i >> 1]! * us[k]![i & 1]!),
              }
            : { rows: R, cols: R, data: s },
        );
        const Mzz = kronecker(Ms);
        let wMw = 0;
        for (let i = 0; i < W.length; i++)
          for (let j = 0; j < W.length; j++) wMw += W[i]! * Mzz.data[i * W.length + j]! * W[j]!;
        let uEu = 0;
        for (let p = 0; p < R; p++)
          for (let q = 0; q < R; q++) uEu += us[k]![p]! * Eaa[p * R + q]! * us[k]![q]!;
        expect(uEu).toBeCloseTo(wMw, 10);
      }
    }
  });
});

describe('funbat', () => {
  it('FunBaT-CP on the official synthetic setting beats the mean predictor by a wide margin', async () => {
    const { train, test } = officialSynthetic({ seed: 0 });
    const model = await funbat({
      indexes: train.indexes,
      values: train.values,
      rank: 1,
      decomposition: 'cp',
      kernel: 'matern32',
      lengthscale: 0.1,
      variance: 0.5,
      epochs: 30,
      damping: 0.1,
      seed: 0,
    });
    const mean = train.values.reduce((a, b) => a + b, 0) / train.values.length;
    const baseline = rmse(new Float64Array(test.values.length).fill(mean), test.values);
    const pred = model.predict(test.indexes);
    const ours = rmse(pred.mean, test.values);
    expect(ours).toBeLessThan(baseline / 5);
    expect(model.history).toHaveLength(30);
    expect(model.history.at(-1)!.rmse).toBeLessThan(model.history[0]!.rmse);
    for (const v of pred.variance) expect(v).toBeGreaterThan(0);
  });

  it('recovers a planted continuous low-rank field (Tucker, K = 3) at unseen indexes, incl. extrapolation', async () => {
    const r = rng(5);
    const f = (a: number, b: number, c: number) =>
      Math.sin(2 * Math.PI * a) * Math.cos(Math.PI * b) * (1 + c) + 0.5 * Math.cos(2 * Math.PI * a) * c;
    const pts = (n: number) => Array.from({ length: n }, () => r.uniform(0.05, 0.95));
    const A = pts(15);
    const B = pts(12);
    const C = pts(10);
    const indexes: number[][] = [];
    const values: number[] = [];
    for (const a of A)
      for (const b of B)
        for (const c of C)
          if (r.uniform() < 0.35) {
            indexes.push([a, b, c]);
            values.push(f(a, b, c) + 0.01 * r.normal());
          }
    const model = await funbat({
      indexes,
      values,
      rank: 2,
      kernel: 'matern32',
      lengthscale: 0.3,
      variance: 1,
      epochs: 25,
      damping: 0.3,
      seed: 1,
    });
    // unseen values in every mode (interpolation) and a little beyond the range (extrapolation)
    const q: number[][] = [];
    const truth: number[] = [];
    for (let i = 0; i < 100; i++) {
      const row = [r.uniform(0.1, 0.9), r.uniform(0.1, 0.9), r.uniform(0.0, 1.0)];
      q.push(row);
      truth.push(f(row[0]!, row[1]!, row[2]!));
    }
    const pred = model.predict(q);
    const spread = Math.sqrt(truth.reduce((s, v) => s + v * v, 0) / truth.length);
    expect(rmse(pred.mean, truth) / spread).toBeLessThan(0.1);
    // factor functions: shape and positive variances
    const fn = model.factors[0]!([0.2, 0.5, 2.0]);
    expect([fn.mean.rows, fn.mean.cols]).toEqual([3, 2]);
    for (const v of fn.variance.data) expect(v).toBeGreaterThan(0);
    // far extrapolation reverts towards the prior variance
    expect(fn.variance.data[4]!).toBeGreaterThan(fn.variance.data[0]!);
    expect(model.storage.doubles).toBeLessThan(model.storage.perEntryDoubles);
  });

  it('reports progress per epoch, scores a test set, and stops on an aborted signal', async () => {
    const { train, test } = officialSynthetic({ seed: 1, grids: 2, gridSize: 6 });
    const steps: number[] = [];
    const m = await funbat({
      indexes: train.indexes,
      values: train.values,
      rank: 1,
      epochs: 3,
      test,
      onProgress: (e) => steps.push(e.step),
    });
    expect(steps).toEqual([1, 2, 3]);
    expect(m.history[2]!.testRmse).toBeGreaterThan(0);
    const ctl = new AbortController();
    ctl.abort();
    const ab = await funbat({
      indexes: train.indexes,
      values: train.values,
      rank: 1,
      epochs: 3,
      signal: ctl.signal,
    });
    expect(ab.aborted).toBe(true);
    expect(ab.history).toHaveLength(0);
    // same seed ⇒ same model
    const m2 = await funbat({ indexes: train.indexes, values: train.values, rank: 1, epochs: 3, test });
    expect(m2.history.map((h) => h.rmse)).toEqual(m.history.map((h) => h.rmse));
  });

  it('rejects bad input with typed errors', async () => {
    const indexes = [
      [0, 0],
      [1, 1],
      [0.5, 0.2],
    ];
    const values = [1, 2, 3];
    await expect(funbat({ indexes, values: [1, 2], rank: 1 })).rejects.toThrow(ShapeError);
    await expect(funbat({ indexes, values: [1, Number.NaN, 3], rank: 1 })).rejects.toThrow(NumericalError);
    await expect(funbat({ indexes, values, rank: 0 })).rejects.toThrow(/rank/);
    await expect(
      funbat({
        indexes: [
          [0, 0],
          [1, Number.POSITIVE_INFINITY],
          [0.5, 0.2],
        ],
        values,
        rank: 1,
      }),
    ).rejects.toThrow(/indexes\[1\]\[1\]/);
    await expect(
      funbat({
        indexes: [
          [0, 3],
          [1, 3],
          [0.5, 3],
        ],
        values,
        rank: 1,
      }),
    ).rejects.toThrow(/mode 1 has a single distinct/);
    await expect(funbat({ indexes: [[0, 0], [1]], values: [1, 2], rank: 1 })).rejects.toThrow(ShapeError);
    await expect(funbat({ indexes, values, rank: 1, kernel: 'rbf' as never })).rejects.toThrow(ArgumentError);
    await expect(funbat({ indexes, values, rank: 1, lengthscale: [1] })).rejects.toThrow(/lengthscale/);
    await expect(funbat({ indexes, values, rank: 1, damping: 1 })).rejects.toThrow(/damping/);
    const m = await funbat({ indexes, values, rank: 1, epochs: 1 });
    expect(() => m.predict([[0, 0, 0]])).toThrow(ShapeError);
    expect(() => m.factors[0]!([Number.NaN])).toThrow(NumericalError);
  });
});
