import { ArgumentError, eigh, rng, ShapeError, TensorloomError, tf } from '@tensorloom/core';
import { expectClose, expectNoLeak, gradCheck, testBackends, useBackend } from '@tensorloom/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  gaussNewtonVectorProduct,
  hessianVectorProduct,
  hutchinsonTrace,
  topHessianEigenvalue,
} from './hessian.js';
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

  it('Hutch++ is exact once the sketch spans the Hessian range (softmax regression, 12 parameters)', async () => {
    const loss = softmaxLoss();
    const w = tf.tensor2d(W0, [d, k]);
    const r = await hutchinsonTrace(loss, [w], {
      seed: 3,
      maxSamples: 30,
      sketchSize: 14,
      estimator: 'hutch++',
      tolerance: 0,
      method: 'double-backprop',
    });
    // H has rank d(k − 1) = 8 (adding one vector to every class's weights leaves the softmax unchanged): the
    // 14-column sketch spans its range, so the deflated rest lies in its null space and contributes zero
    expect(r.sketchRank).toBe(d * (k - 1));
    expect(r.samples).toBe(30 - 14 - 8);
    expect(Math.abs(r.trace - exactTrace(W0))).toBeLessThan(1e-4 * exactTrace(W0));
    expect(r.hessianVectorProducts).toBe(30);
    expect(Math.abs(r.trace - exactTrace(W0)) / exactTrace(W0)).toBeLessThan(1e-4);
    w.dispose();
  });

  it('Hutch++ per-block traces of a tanh MLP match the exact Hessian within their statistical error', async () => {
    const gg = rng(4);
    const x = tf.tensor2d(
      Array.from({ length: 8 * 3 }, () => gg.normal()),
      [8, 3],
    );
    const t = tf.tensor2d(
      Array.from({ length: 8 * 2 }, () => gg.normal()),
      [8, 2],
    );
    const loss = ([w1, w2]: tf.Tensor[]) =>
      tf.mean(tf.square(tf.sub(tf.matMul(tanh2(tf.matMul(x, w1 as tf.Tensor2D)), w2 as tf.Tensor2D), t)));
    const w1 = tf.tensor2d(
      Array.from({ length: 15 }, () => 0.7 * gg.normal()),
      [3, 5],
    );
    const w2 = tf.tensor2d(
      Array.from({ length: 10 }, () => 0.7 * gg.normal()),
      [5, 2],
    );
    const params = [w1, w2];
    // the exact Hessian (25×25) column by column: H e_j by double backprop
    const exactBlock = [0, 0];
    for (let j = 0; j < 25; j++) {
      const e = Float32Array.from({ length: 25 }, (_, i) => (i === j ? 1 : 0));
      const v = [tf.tensor(e.subarray(0, 15), [3, 5]), tf.tensor(e.subarray(15), [5, 2])];
      const hv = hessianVectorProduct(loss, params, v, { method: 'double-backprop' });
      const col = [...hv[0]!.dataSync(), ...hv[1]!.dataSync()];
      exactBlock[j < 15 ? 0 : 1]! += col[j]!;
      tf.dispose([...v, ...hv]);
    }
    // budget 45 with a 6-column sketch: rank 6 < 25, so the deflated rest is estimated (33 probes)
    const r = await hutchinsonTrace(loss, params, {
      seed: 12,
      maxSamples: 45,
      sketchSize: 6,
      estimator: 'hutch++',
      tolerance: 0,
    });
    expect(r.sketchRank).toBe(6);
    expect(r.samples).toBe(33);
    expect(r.hessianVectorProducts).toBe(45);
    for (let i = 0; i < 2; i++) {
      expect(r.standardErrors[i]!).toBeGreaterThan(0);
      expect(Math.abs(r.traces[i]! - exactBlock[i]!)).toBeLessThan(4 * r.standardErrors[i]! + 1e-4);
    }
    expect(r.trace).toBeCloseTo(r.traces[0]! + r.traces[1]!, 10);
    tf.dispose([x, t, w1, w2]);
  });

  it('Hutch++ has a far smaller error than Hutchinson at the same budget when a few eigenvalues dominate', async () => {
    // L(w) = ½ wᵀ A w, A = 50·U Uᵀ + I with U 40×3 orthonormal: Tr A = 150 + 40 = 190
    const P = 40;
    const gg = rng(21);
    const cols: number[][] = [];
    for (let j = 0; j < 3; j++) {
      const c = Array.from({ length: P }, () => gg.normal());
      for (const q of cols) {
        const proj = c.reduce((s, ci, i) => s + ci * q[i]!, 0);
        for (let i = 0; i < P; i++) c[i] = c[i]! - proj * q[i]!;
      }
      const nrm = Math.hypot(...c);
      cols.push(c.map((ci) => ci / nrm));
    }
    const A = Array.from({ length: P }, (_, i) =>
      Array.from(
        { length: P },
        (_, j) => (i === j ? 1 : 0) + 50 * cols.reduce((s, c) => s + c[i]! * c[j]!, 0),
      ),
    );
    const At = tf.tensor2d(A);
    const loss = ([w]: tf.Tensor[]) => tf.mul(0.5, tf.sum(tf.mul(w!, tf.matMul(At, w as tf.Tensor2D))));
    const w = tf.zeros([P, 1]);
    const errors = { hutchinson: 0, 'hutch++': 0 };
    for (let seed = 0; seed < 8; seed++) {
      for (const estimator of ['hutchinson', 'hutch++'] as const) {
        const r = await hutchinsonTrace(loss, [w], { seed, maxSamples: 24, tolerance: 0, estimator });
        expect(r.hessianVectorProducts).toBe(24);
        errors[estimator] += (r.trace - 190) ** 2 / 8;
      }
    }
    // Hutchinson's variance here is 2(‖A‖_F² − Σ A_ii²)/24 ≈ 640 (s.d. ≈ 25); Hutch++ deflates the three spikes
    expect(Math.sqrt(errors['hutch++'])).toBeLessThan(0.2 * Math.sqrt(errors.hutchinson));
    expect(Math.sqrt(errors['hutch++'])).toBeLessThan(0.05 * 190);
    await expectNoLeak(() => hutchinsonTrace(loss, [w], { seed: 1, maxSamples: 9, estimator: 'hutch++' }));
    await expect(
      hutchinsonTrace(loss, [w], { seed: 1, estimator: 'hutch++', blockwise: true }),
    ).rejects.toThrow(ArgumentError);
    await expect(
      hutchinsonTrace(loss, [w], { seed: 1, maxSamples: 10, estimator: 'hutch++', sketchSize: 5 }),
    ).rejects.toThrow(/sketchSize: expected 2·sketchSize < maxSamples \(10\)/);
    await expect(hutchinsonTrace(loss, [w], { seed: 1, sketchSize: 3 })).rejects.toThrow(
      /sketchSize: only used with estimator 'hutch\+\+'/,
    );
    await expect(hutchinsonTrace(loss, [w], { seed: 1, estimator: 'hutch' as never })).rejects.toThrow(
      /estimator: expected one of/,
    );
    await expect(hutchinsonTrace(loss, [w], { seed: 1, operator: 3 as never })).rejects.toThrow(
      /operator: expected a function/,
    );
    // a custom operator replaces the loss Hessian: here 2·A, so the estimate doubles exactly with Hutch++'s
    // sketch spanning the three spikes and the same probes
    const twice = (v: tf.Tensor[]) => [tf.tidy(() => tf.mul(2, tf.matMul(At, v[0] as tf.Tensor2D)))];
    const a1 = await hutchinsonTrace(loss, [w], {
      seed: 4,
      maxSamples: 24,
      tolerance: 0,
      estimator: 'hutch++',
    });
    const a2 = await hutchinsonTrace(loss, [w], {
      seed: 4,
      maxSamples: 24,
      tolerance: 0,
      estimator: 'hutch++',
      operator: twice,
    });
    expect(a2.method).toBe('operator');
    expect(a2.trace).toBeCloseTo(2 * a1.trace, 2);
    tf.dispose([At, w]);
  });

  it('Gauss–Newton products: equal H·v for softmax regression, and the Hessian diagonal blocks of a relu net', () => {
    // linear logits: G = H exactly
    const x0 = tf.tensor2d(X);
    const w = tf.tensor2d(W0, [d, k]);
    const vArr = Array.from({ length: d * k }, () => g.normal());
    const v = tf.tensor2d(vArr, [d, k]);
    const [gv] = gaussNewtonVectorProduct(([q]) => tf.matMul(x0, q as tf.Tensor2D), [w], [v]);
    expectClose(gv!, exactHv(W0, vArr), { rtol: 1e-3, atol: 1e-4 });
    // relu net x → relu(x W1) W2: logits are linear in W1 alone and in W2 alone, so G_ii = H_ii; the
    // off-diagonal blocks differ (H has the extra term ∂²z/∂W1∂W2)
    const gg = rng(8);
    const x = tf.tensor2d(
      Array.from({ length: 10 * 3 }, () => gg.normal()),
      [10, 3],
    );
    const y = tf.oneHot(
      Array.from({ length: 10 }, () => gg.int(3)),
      3,
    );
    const logits = ([w1, w2]: tf.Tensor[]) =>
      tf.matMul(tf.relu(tf.matMul(x, w1 as tf.Tensor2D)), w2 as tf.Tensor2D);
    const loss = (ps: tf.Tensor[]) => softmaxCrossEntropy(logits(ps), y);
    const w1 = tf.tensor2d(
      Array.from({ length: 12 }, () => gg.normal()),
      [3, 4],
    );
    const w2 = tf.tensor2d(
      Array.from({ length: 12 }, () => gg.normal()),
      [4, 3],
    );
    let offDiagonalGap = 0;
    for (let j = 0; j < 24; j++) {
      const e = Float32Array.from({ length: 24 }, (_, i) => (i === j ? 1 : 0));
      const basis = [tf.tensor(e.subarray(0, 12), [3, 4]), tf.tensor(e.subarray(12), [4, 3])];
      const hv = hessianVectorProduct(loss, [w1, w2], basis, { method: 'double-backprop' });
      const gvj = gaussNewtonVectorProduct(logits, [w1, w2], basis);
      const own = j < 12 ? 0 : 1;
      expectClose(gvj[own]!, hv[own]!.dataSync(), { rtol: 1e-3, atol: 1e-4 });
      offDiagonalGap += tf.tidy(() => tf.sum(tf.abs(tf.sub(gvj[1 - own]!, hv[1 - own]!))).dataSync()[0]!);
      tf.dispose([...basis, ...hv, ...gvj]);
    }
    expect(offDiagonalGap).toBeGreaterThan(1e-2);
    expect(() => gaussNewtonVectorProduct(logits, [w1, w2], [w1])).toThrow(ShapeError);
    expect(() => gaussNewtonVectorProduct((ps) => tf.sum(logits(ps)), [w1, w2], [w1, w2])).toThrow(
      /logits: expected a \[n, classes\] tensor/,
    );
    tf.dispose([x0, w, v, gv, x, y, w1, w2]);
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
