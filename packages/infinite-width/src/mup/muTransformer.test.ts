import { ArgumentError, ShapeError, tf } from '@tensorloom/core';
import { expectClose, expectNoLeak, testBackends, useBackend } from '@tensorloom/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import { coordCheck } from './coordCheck.js';
import { muAdam, muSGD } from './muMLP.js';
import { muTransformer } from './muTransformer.js';

/** Naive float64 forward of a 1-block transformer from its weights (independent of the tfjs implementation). */
function reference(net: ReturnType<typeof muTransformer>, x: number[][][], heads: number): number[][] {
  const W = net.weights.map((v) => ({ data: Array.from(v.dataSync(), Number), cols: v.shape[1]! }));
  const B = net.biases.map((v) => Array.from(v.dataSync(), Number));
  const dense = (h: number[], i: number): number[] => {
    const { data, cols } = W[i]!;
    const out = B[i]!.slice();
    const mult = net.layers[i]!.multiplier;
    for (let c = 0; c < cols; c++) {
      let s = 0;
      for (let r = 0; r < h.length; r++) s += h[r]! * data[r * cols + c]!;
      out[c] = mult * s + out[c]!;
    }
    return out;
  };
  const ln = (h: number[]): number[] => {
    const mu = h.reduce((a, b) => a + b, 0) / h.length;
    const v = h.reduce((a, b) => a + (b - mu) ** 2, 0) / h.length;
    return h.map((z) => (z - mu) / Math.sqrt(v + 1e-5));
  };
  const dh = net.headDim;
  return x.map((seq) => {
    let h = seq.map((tok) => dense(tok, 0));
    const a = h.map(ln);
    const q = a.map((t) => dense(t, 1));
    const k = a.map((t) => dense(t, 2));
    const v = a.map((t) => dense(t, 3));
    const merged = q.map((qi) => {
      const out = new Array<number>(qi.length).fill(0);
      for (let hd = 0; hd < heads; hd++) {
        const s = k.map((kj) => {
          let dot = 0;
          for (let c = hd * dh; c < (hd + 1) * dh; c++) dot += qi[c]! * kj[c]!;
          return dot * net.attentionScale;
        });
        const mx = Math.max(...s);
        const e = s.map((z) => Math.exp(z - mx));
        const z = e.reduce((p, c) => p + c, 0);
        for (let j = 0; j < k.length; j++)
          for (let c = hd * dh; c < (hd + 1) * dh; c++) out[c]! += (e[j]! / z) * v[j]![c]!;
      }
      return out;
    });
    h = h.map((hi, t) => {
      const o = dense(merged[t]!, 4);
      return hi.map((z, c) => z + o[c]!);
    });
    h = h.map((hi) => {
      const f = dense(ln(hi), 5).map((z) => Math.max(z, 0));
      const o = dense(f, 6);
      return hi.map((z, c) => z + o[c]!);
    });
    const pooled = ln(h[0]!.map((_, c) => h.reduce((s, hi) => s + hi[c]!, 0) / h.length));
    return dense(pooled, 7);
  });
}

describe.each(testBackends())('muTransformer on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('forward equals a naive float64 transformer with 1/d (μP) or 1/√d (SP) attention', async () => {
    for (const parametrization of ['mup', 'sp'] as const) {
      await expectNoLeak(() => {
        const net = muTransformer({
          inputDim: 3,
          width: 8,
          baseWidth: 4,
          heads: 2,
          blocks: 1,
          outputDim: 2,
          parametrization,
          seed: 1,
        });
        const xs = [
          [
            [1, -0.5, 0.2],
            [0.3, 0.8, -1],
            [-0.7, 0.1, 0.5],
          ],
          [
            [0.2, 0.2, 0.2],
            [1.5, -1, 0],
            [0, 0.4, -0.3],
          ],
        ];
        const x = tf.tensor3d(xs);
        const y = net.apply(x);
        expectClose(Array.from(y.dataSync()), reference(net, xs, 2).flat(), { rtol: 1e-4, atol: 1e-5 });
        // no positional encoding + mean pooling: invariant to permuting tokens
        const perm = tf.tensor3d(xs.map((s) => [s[2]!, s[0]!, s[1]!]));
        const yp = net.apply(perm);
        expectClose(Array.from(yp.dataSync()), Array.from(y.dataSync()), { rtol: 1e-5, atol: 1e-6 });
        tf.dispose([x, y, perm, yp]);
        net.dispose();
      });
    }
  });
});

describe('muTransformer rules', () => {
  beforeAll(() => useBackend('wasm'));

  it('uses the 1/d attention scale and the mup init / multiplier / learning-rate rules', () => {
    const common = { inputDim: 5, width: 256, baseWidth: 32, heads: 2, blocks: 1, outputDim: 3, seed: 0 };
    const mup = muTransformer(common);
    const sp = muTransformer({ ...common, parametrization: 'sp' });
    const base = muTransformer({ ...common, width: 32 });
    const m = 8;
    expect(mup.headDim).toBe(128);
    expectClose(mup.attentionScale, Math.sqrt(16) / 128);
    expectClose(sp.attentionScale, 1 / Math.sqrt(128));
    expectClose(base.attentionScale, 1 / Math.sqrt(16)); // μP = SP at the base width
    const byName = Object.fromEntries(mup.layers.map((l) => [l.name, l]));
    expect(byName.embed!.kind).toBe('input');
    expect(byName.embed!.sgdLrScale).toEqual({ weight: m, bias: m });
    expect(byName['block0.q']!.adamLrScale).toEqual({ weight: 1 / m, bias: 1 });
    expect(byName['block0.fc2']!.fanIn).toBe(512);
    expect(byName['block0.fc2']!.adamLrScale.weight).toBe(1 / m);
    expectClose(byName['block0.fc2']!.initStd, 1 / Math.sqrt(512));
    expectClose(byName.readout!.multiplier, 1 / m);
    expectClose(byName.readout!.initStd, 1 / Math.sqrt(32));
    expect(byName.readout!.sgdLrScale).toEqual({ weight: m, bias: 1 });
    // realised init std of a hidden weight
    const wq = Array.from(mup.weights[1]!.dataSync());
    const std = Math.sqrt(wq.reduce((a, b) => a + b * b, 0) / wq.length);
    expectClose(std, 1 / Math.sqrt(256), { rtol: 0.02 });
    expect(muAdam(mup).groups.find((g) => g.name === 'block0.o.weight')!.lrScale).toBe(1 / m);
    expect(muSGD(mup).groups.find((g) => g.name === 'embed.weight')!.lrScale).toBe(m);
    expect(muAdam(sp).groups.every((g) => g.lrScale === 1)).toBe(true);
    const zero = muTransformer({ ...common, queryZeroInit: true, readoutZeroInit: true });
    expect(zero.weights[1]!.dataSync().every((v) => v === 0)).toBe(true);
    expect(
      zero.weights
        .at(-1)!
        .dataSync()
        .every((v) => v === 0),
    ).toBe(true);
    tf.dispose([mup, sp, base, zero].map((n) => n.dispose()) as never);
  });

  it('coordinate check: flat under μP, blows up under SP (Adam)', async () => {
    const build = (parametrization: 'mup' | 'sp') => (n: number, seed: number) =>
      muTransformer({
        inputDim: 4,
        width: n,
        baseWidth: 16,
        heads: 2,
        blocks: 1,
        outputDim: 1,
        parametrization,
        seed,
      });
    const common = {
      widths: [16, 64, 256],
      steps: 3,
      optimizer: 'adam' as const,
      learningRate: 0.02,
      seed: 0,
    };
    const mup = await coordCheck({ ...common, build: build('mup') });
    const sp = await coordCheck({ ...common, build: build('sp') });
    const names = mup.layers.map((l) => l.name);
    expect(names).toEqual(['embed', 'block0.logits', 'block0.attn', 'block0.mlp', 'block0', 'output']);
    expect(mup.maxHiddenSlope).toBeLessThan(0.2);
    expect(sp.maxHiddenSlope).toBeGreaterThan(0.4);
    // after training the residual stream of SP grows with width, μP's does not
    const resid = (r: typeof mup) => r.layers.find((l) => l.name === 'block0')!.slopes[2]!;
    expect(resid(sp)).toBeGreaterThan(resid(mup) + 0.3);
    // attention logits at init: μP (1/d) shrink like width^−1/2, SP (1/√d) stay Θ(1)
    const logits = (r: typeof mup) => r.layers.find((l) => l.name === 'block0.logits')!.slopes[0]!;
    expect(logits(mup)).toBeLessThan(-0.35);
    expect(logits(mup)).toBeLessThan(logits(sp) - 0.3);
  });

  it('rejects bad options and inputs with typed errors', () => {
    const ok = { inputDim: 4, width: 16, heads: 2, blocks: 1, outputDim: 1, seed: 0 };
    expect(() => muTransformer({ ...ok, width: 0 })).toThrow(/options\.width/);
    expect(() => muTransformer({ ...ok, baseWidth: 32 })).toThrow(
      /options\.baseWidth: expected a base width <= width/,
    );
    expect(() => muTransformer({ ...ok, heads: 3 })).toThrow(/options\.heads: expected a divisor/);
    expect(() => muTransformer({ ...ok, blocks: 0 })).toThrow(ArgumentError);
    expect(() => muTransformer({ ...ok, parametrization: 'ntk' as never })).toThrow(
      /options\.parametrization/,
    );
    expect(() => muTransformer({ ...ok, queryZeroInit: 1 as never })).toThrow(/options\.queryZeroInit/);
    expect(() => muTransformer({ ...ok, attentionMultiplier: -1 })).toThrow(/options\.attentionMultiplier/);
    expect(() => muTransformer(null as never)).toThrow(ArgumentError);
    const net = muTransformer(ok);
    const bad = tf.zeros([2, 3, 5]);
    expect(() => net.apply(bad)).toThrow(ShapeError);
    bad.dispose();
    net.dispose();
  });
});
