import { ArgumentError, ShapeError, tf } from '@tensorloom/core';
import { expectClose, expectNoLeak, gradCheck, testBackends, useBackend } from '@tensorloom/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import { ebvLogits, ebvLoss, ebvPredict, generateEBV, welchBound } from './ebv.js';

function pairStats(v: Float32Array, n: number, d: number): { max: number; norms: number[] } {
  let max = 0;
  const norms: number[] = [];
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += v[i * d + k]! ** 2;
    norms.push(Math.sqrt(s));
    for (let j = i + 1; j < n; j++) {
      let c = 0;
      for (let k = 0; k < d; k++) c += v[i * d + k]! * v[j * d + k]!;
      max = Math.max(max, Math.abs(c));
    }
  }
  return { max, norms };
}

describe('equiangular basis vectors: generation', () => {
  beforeAll(() => useBackend('wasm'));

  it('reaches α = 0.002 for 81 classes in 81 dims (the official COCO eq_81_81 setting), seeded', async () => {
    const events: number[] = [];
    const r = await generateEBV(81, 81, {
      alpha: 0.002,
      sliceSize: 30,
      onProgress: (e) => events.push(e.metrics!.maxCos!),
    });
    expect(r.converged).toBe(true);
    const { max, norms } = pairStats(r.vectors, 81, 81);
    expect(max).toBeLessThanOrEqual(0.002 + 1e-4 + 1e-6);
    expectClose(max, r.maxCos, { rtol: 1e-3, atol: 1e-6 });
    expectClose(norms, new Array(81).fill(1), { rtol: 1e-5 });
    expect(events[0]!).toBeGreaterThan(0.2); // random start in 81 dims
    const again = await generateEBV(81, 81, { alpha: 0.002, sliceSize: 81 });
    expect(again.steps).toBe(r.steps); // slicing does not change the optimisation
    expectClose(again.vectors, r.vectors, { rtol: 1e-3, atol: 1e-5 });
  });

  // One official step from the (returned) start, recomputed naively in float64: W' = normalise(W − lr·2GW),
  // G = sign(C)·[|C| > α] off the diagonal. α 0.1 makes most pairs violate (dense product path), α 0.45
  // only a few (the sparse row-sum path).
  it.each([0.1, 0.45])('one SGD step equals a naive float64 step (α = %s)', async (alpha) => {
    const [n, d, lr] = [30, 30, 0.01];
    const w0 = (await generateEBV(n, d, { alpha, maxSteps: 0 })).vectors;
    const w1 = (
      await generateEBV(n, d, { alpha, maxSteps: 1, stepRule: 'sgd', learningRate: lr, sliceSize: 25 })
    ).vectors;
    const want = new Float64Array(n * d);
    let violations = 0;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < d; k++) want[i * d + k] = w0[i * d + k]!;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        let c = 0;
        for (let k = 0; k < d; k++) c += w0[i * d + k]! * w0[j * d + k]!;
        if (Math.abs(c) <= alpha) continue;
        violations++;
        for (let k = 0; k < d; k++) want[i * d + k]! -= lr * 2 * Math.sign(c) * w0[j * d + k]!;
      }
      let ss = 0;
      for (let k = 0; k < d; k++) ss += want[i * d + k]! ** 2;
      for (let k = 0; k < d; k++) want[i * d + k]! /= Math.sqrt(ss);
    }
    expect(violations).toBeGreaterThan(0);
    expectClose(w1, want, { atol: 1e-5 });
  });

  it("the adaptive rule only accepts steps that lower the paper's loss and beats fixed-rate SGD", async () => {
    const losses: number[] = [];
    const fast = await generateEBV(81, 81, {
      alpha: 0.002,
      stepRule: 'adaptive',
      onProgress: (e) => losses.push(e.metrics!.loss!),
    });
    const official = await generateEBV(81, 81, { alpha: 0.002, stepRule: 'sgd' });
    expect(fast.converged && official.converged).toBe(true);
    expect(pairStats(fast.vectors, 81, 81).max).toBeLessThanOrEqual(0.002 + 1e-4 + 1e-6);
    for (let i = 1; i < losses.length; i++) expect(losses[i]!).toBeLessThanOrEqual(losses[i - 1]!);
    expect(fast.steps).toBeLessThan(official.steps);
  });

  // Feasible but tight: the Welch bound for 100 vectors in 50 dims is 0.1005; random unit vectors start
  // near 0.6. The default rule ('adam' on the squared hinge) must reach α = 0.12, checked naively.
  it('the default rule reaches α = 0.12 for 100 classes in 50 dims (Welch bound 0.1005)', async () => {
    const sq: number[] = [];
    const r = await generateEBV(100, 50, {
      alpha: 0.12,
      onProgress: (e) => sq.push(e.metrics!.squaredLoss!),
    });
    expect(r.converged).toBe(true);
    const { max, norms } = pairStats(r.vectors, 100, 50);
    expect(max).toBeLessThanOrEqual(0.12 + 1e-4 + 1e-6);
    expectClose(max, r.maxCos, { rtol: 1e-3, atol: 1e-6 });
    expectClose(norms, new Array(100).fill(1), { rtol: 1e-5 });
    expect(sq[0]!).toBeGreaterThan(100 * sq.at(-1)! + 1); // the squared hinge fell by orders
    // The summed hinge with the adaptive rule, given the same number of steps, does not get there.
    const old = await generateEBV(100, 50, { alpha: 0.12, stepRule: 'adaptive', maxSteps: r.steps });
    expect(old.maxCos).toBeGreaterThan(r.maxCos);
  });

  it('is deterministic by seed, and different seeds give different vectors', async () => {
    const a = await generateEBV(40, 20, { alpha: 0.2, seed: 7 });
    const b = await generateEBV(40, 20, { alpha: 0.2, seed: 7 });
    const c = await generateEBV(40, 20, { alpha: 0.2, seed: 8 });
    expect(a.converged && c.converged).toBe(true);
    expect(b.steps).toBe(a.steps);
    expect(Array.from(b.vectors)).toEqual(Array.from(a.vectors));
    expect(Array.from(c.vectors)).not.toEqual(Array.from(a.vectors));
  });

  // Two Adam steps from the (returned) start, recomputed naively in float64: tangent gradient of
  // Σ_{i≠j} ReLU(|c_ij| − α)² (= 4 Σ_j sign(c_ij)(|c_ij| − α)·w_j, minus its radial part), Adam moments with
  // bias correction (β 0.9 / 0.99), then row renormalisation.
  // α 0.3 makes many pairs violate (dense product path), α 0.7 only a few (sparse row sums).
  it.each([0.3, 0.7])('two Adam steps equal a naive float64 computation (α = %s)', async (alpha) => {
    const [n, d, lr] = [24, 12, 0.01];
    let violations = 0;
    const w0 = (await generateEBV(n, d, { alpha, maxSteps: 0 })).vectors;
    const w2 = (await generateEBV(n, d, { alpha, maxSteps: 2, learningRate: lr, sliceSize: 10 })).vectors;
    let w = Float64Array.from(w0);
    const m = new Float64Array(n * d);
    const v = new Float64Array(n * d);
    for (let t = 1; t <= 2; t++) {
      const next = new Float64Array(n * d);
      for (let i = 0; i < n; i++) {
        const g = new Float64Array(d);
        for (let j = 0; j < n; j++) {
          if (j === i) continue;
          let c = 0;
          for (let k = 0; k < d; k++) c += w[i * d + k]! * w[j * d + k]!;
          if (Math.abs(c) <= alpha) continue;
          violations++;
          for (let k = 0; k < d; k++) g[k]! += 4 * Math.sign(c) * (Math.abs(c) - alpha) * w[j * d + k]!;
        }
        let dot = 0;
        for (let k = 0; k < d; k++) dot += g[k]! * w[i * d + k]!;
        let ss = 0;
        for (let k = 0; k < d; k++) {
          const o = i * d + k;
          const gt = g[k]! - dot * w[o]!;
          m[o] = 0.9 * m[o]! + 0.1 * gt;
          v[o] = 0.99 * v[o]! + 0.01 * gt * gt;
          next[o] = w[o]! - (lr * m[o]!) / (1 - 0.9 ** t) / (Math.sqrt(v[o]! / (1 - 0.99 ** t)) + 1e-12);
          ss += next[o]! ** 2;
        }
        for (let k = 0; k < d; k++) next[i * d + k]! /= Math.sqrt(ss);
      }
      w = next;
    }
    expect(violations).toBeGreaterThan(0);
    expectClose(w2, w, { atol: 1e-5 });
  });

  it('rejects sizes the dimension cannot hold at α (Welch bound) and bad options', async () => {
    expectClose(welchBound(1000, 100), Math.sqrt(900 / (100 * 999)));
    expect(welchBound(10, 10)).toBe(0);
    await expect(generateEBV(1000, 10, { alpha: 0.1 })).rejects.toThrow(
      /numClasses: 1000 unit vectors in 10 dimensions.*Welch/,
    );
    await expect(generateEBV(1, 10)).rejects.toThrow(ArgumentError);
    await expect(generateEBV(10, 10, { alpha: -1 })).rejects.toThrow(/options\.alpha/);
    await expect(generateEBV(10, 10, { stepRule: 'newton' as never })).rejects.toThrow(/options\.stepRule/);
    await expect(generateEBV(10, 10, { learningRate: 0 })).rejects.toThrow(/options\.learningRate/);
    const ctl = new AbortController();
    ctl.abort();
    const r = await generateEBV(40, 8, { alpha: 0.4, signal: ctl.signal });
    expect(r.steps).toBe(0);
    await expectNoLeak(() => generateEBV(12, 6, { alpha: 0.4, maxSteps: 5 }));
  });
});

describe.each(testBackends())('EBV head and loss on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('logits are cosines over τ, the loss is smoothed cross-entropy, prediction is the nearest vector', () => {
    const f = tf.tensor2d([3, 4, 0, 0, 2, 0], [2, 3]);
    const W = tf.tensor2d([1, 0, 0, 0, 1, 0, 0, 0, 1, Math.SQRT1_2, Math.SQRT1_2, 0], [4, 3]);
    const logits = ebvLogits(f, W, 0.5);
    const cos = [0.6, 0.8, 0, 0.7 * Math.SQRT2, 0, 1, 0, Math.SQRT1_2];
    expectClose(
      logits,
      cos.map((c) => c / 0.5),
      { rtol: 1e-5, atol: 1e-6 },
    );
    const labels = tf.tensor1d([1, 2], 'int32');
    const loss = ebvLoss(f, labels, W, { temperature: 0.5, labelSmoothing: 0.2 });
    let ref = 0;
    for (let i = 0; i < 2; i++) {
      const z = cos.slice(i * 4, i * 4 + 4).map((c) => c / 0.5);
      const lse = Math.log(z.reduce((s, v) => s + Math.exp(v), 0));
      const y = [1, 2][i]!;
      z.forEach((v, c) => {
        ref -= ((c === y ? 0.8 : 0) + 0.2 / 4) * (v - lse);
      });
    }
    expectClose(loss.dataSync()[0]!, ref / 2, { rtol: 1e-5 });
    expect(Array.from(ebvPredict(f, W).dataSync())).toEqual([3, 1]);
    gradCheck((x) => ebvLoss(x, labels, W, { temperature: 0.5 }), [f], { rtol: 2e-2, atol: 2e-3 });
    expect(() => ebvLogits(f, tf.zeros([4, 2]))).toThrow(ShapeError);
    expect(() => ebvLoss(f, tf.tensor1d([1], 'int32'), W)).toThrow(/labels/);
    tf.dispose([f, W, logits, labels, loss]);
  });
});

describe('EBV tour demo', () => {
  it('the quick demo runs and passes', async () => {
    await useBackend('wasm');
    const { demos } = await import('../tour.js');
    const res = await demos
      .find((d) => d.id === 'backbones/ebv')!
      .run({ quick: true, seed: 1, onProgress: () => {}, signal: new AbortController().signal });
    expect(res.rows.filter((r) => r.pass === false)).toEqual([]);
  });
});
