import { ArgumentError, eigh, rng, ShapeError, TensorloomError, tf } from '@tensorloom/core';
import { expectClose, expectNoLeak, gradCheck, testBackends, useBackend } from '@tensorloom/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import { hessianVectorProduct, hutchinsonTrace, topHessianEigenvalue } from './hessian.js';
import { softmaxCrossEntropy } from './loss.js';
import { exp2, tanh2 } from './secondOrder.js';

// Softmax regression: L(W) = mean_i CE(softmax(x_i W), y_i). Closed forms in float64:
// (Hv)_{a,c} = (1/n) Σ_i x_ia p_ic (u_ic − Σ_c' p_ic' u_ic'), u = x v;  Tr H = (1/n) Σ_i ‖x_i‖² Σ_c p_ic (1 − p_ic).
const n = 12;
const d = 4;
const k = 3;
const g = rng(11);
const X = Array.from({ length: n }, () => Array.from({ length: d }, () => g.normal()));
const labels = Array.from({ length: n }, () => g.int(k));
const W0 = Array.from({ length: d * k }, () => 0.5 * g.normal());

function probs(w: number[]): number[][] {
  return X.map((x) => {
    const z = Array.from({ length: k }, (_, c) => x.reduce((s, xa, a) => s + xa * w[a * k + c]!, 0));
    const m = Math.max(...z);
    const e = z.map((zc) => Math.exp(zc - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((ec) => ec / s);
  });
}
function exactHv(w: number[], v: number[]): number[] {
  const P = probs(w);
  const out = new Array<number>(d * k).fill(0);
  X.forEach((x, i) => {
    const u = Array.from({ length: k }, (_, c) => x.reduce((s, xa, a) => s + xa * v[a * k + c]!, 0));
    const pu = P[i]!.reduce((s, p, c) => s + p * u[c]!, 0);
    for (let a = 0; a < d; a++)
      for (let c = 0; c < k; c++) out[a * k + c]! += (x[a]! * P[i]![c]! * (u[c]! - pu)) / n;
  });
  return out;
}
function exactTrace(w: number[]): number {
  const P = probs(w);
  return X.reduce(
    (s, x, i) => s + (x.reduce((q, xa) => q + xa * xa, 0) * P[i]!.reduce((q, p) => q + p * (1 - p), 0)) / n,
    0,
  );
}

function softmaxLoss(): (params: tf.Tensor[]) => tf.Tensor {
  const x = tf.tensor2d(X);
  const y = tf.oneHot(labels, k);
  tf.keep(x);
  tf.keep(y);
  return ([w]) => {
    return softmaxCrossEntropy(tf.matMul(x, w as tf.Tensor2D), y);
  };
}

describe.each(testBackends())('Hessian tools on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('double-backprop and finite-difference HVPs match the closed form', () => {
    const loss = softmaxLoss();
    const w = tf.tensor2d(W0, [d, k]);
    const vArr = Array.from({ length: d * k }, () => g.normal());
    const v = tf.tensor2d(vArr, [d, k]);
    const expected = exactHv(W0, vArr);
    const [db] = hessianVectorProduct(loss, [w], [v], { method: 'double-backprop' });
    expectClose(db!, expected, { rtol: 1e-4, atol: 1e-5 });
    const [fd] = hessianVectorProduct(loss, [w], [v], { method: 'finite-difference' });
    expectClose(fd!, expected, { rtol: 2e-2, atol: 2e-3 });
    tf.dispose([w, v, db, fd]);
  });

  it('the gradient being differentiated agrees with finite differences (gradCheck)', () => {
    const loss = softmaxLoss();
    const w = tf.tensor2d(W0, [d, k]);
    gradCheck((t) => loss([t]), [w]);
    w.dispose();
  });

  it('Hutchinson trace matches the exact trace within its statistical error', async () => {
    const loss = softmaxLoss();
    const w = tf.tensor2d(W0, [d, k]);
    const r = await hutchinsonTrace(loss, [w], { seed: 5, maxSamples: 200, tolerance: 0 });
    const exact = exactTrace(W0);
    expect(r.samples).toBe(200);
    expect(Math.abs(r.trace - exact)).toBeLessThan(4 * r.standardError + 1e-5);
    expect(r.standardError).toBeLessThan(0.1 * exact);
    w.dispose();
  });

  it('targetRelativeError stops as soon as the relative standard error reaches the target', async () => {
    const loss = softmaxLoss();
    const w = tf.tensor2d(W0, [d, k]);
    const r = await hutchinsonTrace(loss, [w], {
      seed: 5,
      maxSamples: 400,
      tolerance: 0,
      targetRelativeError: 0.08,
    });
    expect(r.samples).toBeLessThan(400);
    expect(r.standardError / Math.abs(r.trace)).toBeLessThanOrEqual(0.08);
    // one probe fewer would not have met it (the rule stops at the first sample that does)
    const fewer = await hutchinsonTrace(loss, [w], { seed: 5, maxSamples: r.samples - 1, tolerance: 0 });
    expect(fewer.standardError / Math.abs(fewer.trace)).toBeGreaterThan(0.08);
    expect(Math.abs(r.trace - exactTrace(W0))).toBeLessThan(4 * r.standardError + 1e-5);
    await expect(hutchinsonTrace(loss, [w], { seed: 5, targetRelativeError: -1 })).rejects.toThrow(
      /targetRelativeError/,
    );
    w.dispose();
  });

  it('per-block traces of a tanh MLP match the exact Hessian from finite differences of gradients', async () => {
    // two parameter tensors: W1 [3,4], W2 [4,2]; exact Hessian blocks by central differences of gradients.
    const gg = rng(2);
    const x = tf.tensor2d(
      Array.from({ length: 6 * 3 }, () => gg.normal()),
      [6, 3],
    );
    const t = tf.tensor2d(
      Array.from({ length: 6 * 2 }, () => gg.normal()),
      [6, 2],
    );
    const loss = ([w1, w2]: tf.Tensor[]) =>
      tf.mean(tf.square(tf.sub(tf.matMul(tanh2(tf.matMul(x, w1 as tf.Tensor2D)), w2 as tf.Tensor2D), t)));
    const w1 = tf.tensor2d(
      Array.from({ length: 12 }, () => 0.7 * gg.normal()),
      [3, 4],
    );
    const w2 = tf.tensor2d(
      Array.from({ length: 8 }, () => 0.7 * gg.normal()),
      [4, 2],
    );
    const params = [w1, w2];
    const exactBlockTrace = params.map((p, which) => {
      let tr = 0;
      const base = Float32Array.from(p.dataSync());
      const h = 1e-2;
      for (let i = 0; i < base.length; i++) {
        const at = (delta: number): number =>
          tf.tidy(() => {
            const b = Float32Array.from(base);
            b[i] = b[i]! + delta;
            const ps = params.map((q, j) => (j === which ? tf.tensor(b, q.shape) : q));
            const grads = tf.grads((...qs: tf.Tensor[]) => loss(qs) as tf.Scalar)(ps);
            return grads[which]!.dataSync()[i]!;
          });
        tr += (at(h) - at(-h)) / (2 * h);
      }
      return tr;
    });
    const r = await hutchinsonTrace(loss, params, { seed: 9, maxSamples: 300, tolerance: 0 });
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(r.traces[i]! - exactBlockTrace[i]!)).toBeLessThan(4 * r.standardErrors[i]! + 1e-3);
    }
    expect(r.hessianVectorProducts).toBe(300);
    // blockwise probes: also unbiased, two HVPs per sample
    const bw = await hutchinsonTrace(loss, params, {
      seed: 9,
      maxSamples: 100,
      tolerance: 0,
      blockwise: true,
    });
    expect(bw.hessianVectorProducts).toBe(200);
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(bw.traces[i]! - exactBlockTrace[i]!)).toBeLessThan(4 * bw.standardErrors[i]! + 1e-3);
    }
    await expect(hutchinsonTrace(loss, params, { seed: 9, blockwise: 1 as never })).rejects.toThrow(
      /blockwise: expected a boolean/,
    );
    // exact eigenvalue of a small full Hessian: compare power iteration with eigh on the W2 block alone
    const loss2 = ([q]: tf.Tensor[]) => loss([w1, q!]);
    const cols: number[][] = [];
    for (let i = 0; i < 8; i++) {
      const e = tf.oneHot([i], 8).reshape([4, 2]).cast('float32');
      const [col] = hessianVectorProduct(loss2, [w2], [e], { method: 'double-backprop' });
      cols.push(Array.from(col!.dataSync()));
      tf.dispose([e, col]);
    }
    const sym = Float64Array.from(
      { length: 64 },
      (_, idx) => (cols[idx % 8]![Math.floor(idx / 8)]! + cols[Math.floor(idx / 8)]![idx % 8]!) / 2,
    );
    const { values } = eigh({ rows: 8, cols: 8, data: sym });
    const top = Math.max(...Array.from(values, Math.abs));
    const pw = await topHessianEigenvalue(loss2, [w2], { seed: 1, tolerance: 1e-6, maxIterations: 300 });
    expect(Math.abs(Math.abs(pw.eigenvalue) - top) / top).toBeLessThan(1e-3);
    tf.dispose([x, t, w1, w2]);
  });

  it('documents the tfjs trap: tf.exp saves a disconnected output, so double backprop through it fails', () => {
    const w = tf.tensor([0.3, -0.2]);
    const v = tf.tensor([1, 0]);
    expect(() =>
      hessianVectorProduct(([q]) => tf.sum(tf.exp(q!)), [w], [v], { method: 'double-backprop' }),
    ).toThrow(TensorloomError);
    const [hv] = hessianVectorProduct(([q]) => tf.sum(exp2(q!)), [w], [v], { method: 'double-backprop' });
    expectClose(hv!, [Math.exp(0.3), 0], { rtol: 1e-5 });
    tf.dispose([w, v, hv]);
  });

  it('does not leak and validates arguments', async () => {
    const loss = softmaxLoss();
    const w = tf.tensor2d(W0, [d, k]);
    const v = tf.onesLike(w);
    await expectNoLeak(() => hessianVectorProduct(loss, [w], [v]));
    await expectNoLeak(() => hutchinsonTrace(loss, [w], { seed: 1, maxSamples: 3 }));
    await expectNoLeak(() => topHessianEigenvalue(loss, [w], { seed: 1, maxIterations: 3 }));
    expect(() => hessianVectorProduct(loss, [], [])).toThrow(ArgumentError);
    expect(() => hessianVectorProduct(loss, [w], [tf.ones([2])])).toThrow(ShapeError);
    expect(() => hessianVectorProduct(loss, [w], [v], { method: 'x' as never })).toThrow(
      /method: expected one of/,
    );
    await expect(hutchinsonTrace(loss, [w], { seed: 1, maxSamples: 0 })).rejects.toThrow(/maxSamples/);
    const ac = new AbortController();
    ac.abort();
    await expect(hutchinsonTrace(loss, [w], { seed: 1, signal: ac.signal })).rejects.toThrow();
    tf.dispose([w, v]);
  });

  it('falls back to finite differences where tfjs lacks conv filter second derivatives', async () => {
    const x = tf.randomNormal([1, 4, 4, 1], 0, 1, 'float32', 3);
    const loss = ([f]: tf.Tensor[]) =>
      tf.sum(tf.square(tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'valid')));
    const f = tf.randomNormal([2, 2, 1, 1], 0, 1, 'float32', 4);
    const v = tf.onesLike(f);
    expect(() => hessianVectorProduct(loss, [f], [v], { method: 'double-backprop' })).toThrow(
      TensorloomError,
    );
    // loss is quadratic in f, so H v is exact by finite differences: H = 2 Σ patches patchesᵀ
    const [hv] = hessianVectorProduct(loss, [f], [v]);
    const xs = x.dataSync();
    const expected = [0, 0, 0, 0];
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        const patch = [xs[i * 4 + j]!, xs[i * 4 + j + 1]!, xs[(i + 1) * 4 + j]!, xs[(i + 1) * 4 + j + 1]!];
        const s = patch.reduce((a, b) => a + b, 0);
        for (let q = 0; q < 4; q++) expected[q]! += 2 * patch[q]! * s;
      }
    expectClose(hv!, expected, { rtol: 1e-2, atol: 1e-2 });
    await expectNoLeak(() => hessianVectorProduct(loss, [f], [v]));
    tf.dispose([x, f, v, hv]);
  });
});
