import { ArgumentError, rng, TensorloomError, tf } from '@tensorloom/core';
import { expectClose, expectNoLeak, testBackends, useBackend } from '@tensorloom/core/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roundHalfEven } from '../quantizers/uniform.js';
import { hessianVectorProduct } from '../sensitivity/hessian.js';
import { quantizeModel } from './quantizedModel.js';

function mlp(seed: number): tf.Sequential {
  const m = tf.sequential({
    layers: [
      tf.layers.dense({ units: 5, inputShape: [4], activation: 'relu', name: 'fc1' }),
      tf.layers.dense({ units: 3, name: 'fc2' }),
    ],
  });
  const g = rng(seed);
  m.setWeights(m.getWeights().map((w) => tf.tensor(Float32Array.from(g.normalArray(w.size)), w.shape)));
  return m;
}

function cnn(seed: number): tf.Sequential {
  const m = tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 2, kernelSize: 3, inputShape: [6, 6, 1], name: 'conv', padding: 'same' }),
      tf.layers.batchNormalization({ name: 'bn' }),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.depthwiseConv2d({
        kernelSize: 3,
        depthMultiplier: 2,
        strides: 2,
        name: 'dw',
        activation: 'relu',
      }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3, name: 'head', activation: 'softmax' }),
    ],
  });
  const g = rng(seed);
  m.setWeights(
    m.getWeights().map((w, i) =>
      // BN moving variance (index 5) must be positive
      tf.tensor(
        Float32Array.from(g.normalArray(w.size), (v) => (i === 5 ? 0.5 + Math.abs(v) : v)),
        w.shape,
      ),
    ),
  );
  return m;
}

// float64 reference: per-channel symmetric weights, asymmetric min–max activations
function quantW(w: number[][], bits: number): number[][] {
  const qmax = 2 ** (bits - 1) - 1;
  const cols = w[0]!.length;
  const scale = Array.from({ length: cols }, (_, c) =>
    Math.fround(Math.max(...w.map((r) => Math.abs(r[c]!))) / qmax),
  );
  return w.map((r) =>
    r.map((v, c) => Math.max(-qmax - 1, Math.min(qmax, roundHalfEven(v / scale[c]!))) * scale[c]!),
  );
}
function quantA(x: number[][], lo: number, hi: number, bits: number): number[][] {
  const a = Math.min(lo, 0);
  const b = Math.max(hi, 0);
  const qmax = 2 ** bits - 1;
  const s = Math.fround(b - a) / qmax;
  const z = Math.min(qmax, Math.max(0, roundHalfEven(-a / s)));
  return x.map((r) => r.map((v) => (Math.max(0, Math.min(qmax, roundHalfEven(v / s) + z)) - z) * s));
}
function dense(x: number[][], w: number[][], b: number[], relu: boolean): number[][] {
  return x.map((r) =>
    b.map((bc, c) => {
      const v = r.reduce((s, xa, a) => s + xa * w[a]![c]!, bc);
      return relu ? Math.max(0, v) : v;
    }),
  );
}

describe.each(testBackends())('quantizeModel on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  const models: tf.LayersModel[] = [];
  afterAll(() => {
    for (const m of models) m.dispose();
  });

  it('float path reproduces model.predict, with batch norm folded', () => {
    const m = cnn(1);
    models.push(m);
    const qm = quantizeModel(m);
    expect(qm.layerNames).toEqual(['conv', 'dw', 'head']);
    expect(qm.layers[0]!.foldedBatchNorm).toBe('bn');
    const x = tf.randomNormal([3, 6, 6, 1], 0, 1, 'float32', 2);
    const ours = qm.predict(x);
    const theirs = m.predict(x) as tf.Tensor;
    expectClose(ours, theirs, { rtol: 1e-4, atol: 1e-5 });
    expect(qm.secondOrderSafe).toBe(false);
    tf.dispose([x, ours, theirs]);
    qm.dispose();
  });

  it('W4A4 and W8A8 outputs match a float64 hand computation of the quantised MLP', () => {
    const m = mlp(3);
    models.push(m);
    const qm = quantizeModel(m);
    const g = rng(4);
    const xs = Array.from({ length: 7 }, () => Array.from({ length: 4 }, () => g.normal()));
    const x = tf.tensor2d(xs);
    qm.calibrate(x);
    const [w1, b1, w2, b2] = m.getWeights().map((t) => t.arraySync()) as [
      number[][],
      number[],
      number[][],
      number[],
    ];
    const h = dense(xs, w1, b1, true);
    for (const bits of [4, 8]) {
      const xq = quantA(xs, Math.min(...xs.flat()), Math.max(...xs.flat()), bits);
      const h1 = dense(xq, quantW(w1, bits), b1, true);
      const hq = quantA(h1, Math.min(...h.flat()), Math.max(...h.flat()), bits);
      const expected = dense(hq, quantW(w2, bits), b2, false);
      const ours = qm.predict(x, qm.uniformConfig(bits));
      expectClose(ours, expected, { rtol: 1e-4, atol: 1e-4 });
      ours.dispose();
    }
    // weights-only config leaves activations in float
    const wOnly = qm.predict(x, { fc1: { weights: 4, activations: 'float32' } });
    const expectedW = dense(dense(xs, quantW(w1, 4), b1, true), w2, b2, false);
    expectClose(wOnly, expectedW, { rtol: 1e-4, atol: 1e-4 });
    expect(qm.secondOrderSafe).toBe(true);
    tf.dispose([x, wOnly]);
    qm.dispose();
  });

  it('counts size and BOPs in closed form', () => {
    const m = cnn(5);
    models.push(m);
    const qm = quantizeModel(m);
    // conv: 6x6 out ('same'), 3·3·1·2 = 18 weights -> 648 MACs; dw: out 2x2 (valid, stride 2), 3·3·2·2 = 36 weights
    // -> 144 MACs; head: 16·3 = 48 weights and MACs.
    expect(qm.layers.map((l) => l.params)).toEqual([18, 36, 48]);
    expect(qm.layers.map((l) => l.macs)).toEqual([648, 144, 48]);
    expect(qm.layers.map((l) => l.biasParams)).toEqual([2, 4, 3]);
    expect(qm.size(qm.uniformConfig(8))).toBe(102 * 8 + 9 * 32);
    expect(qm.size()).toBe(102 * 32 + 9 * 32);
    expect(qm.bops({ conv: 4, dw: { weights: 8, activations: 'bfloat16' }, head: 'float16' })).toBe(
      648 * 16 + 144 * 8 * 16 + 48 * 256 + 0,
    );
    qm.dispose();
  });

  it('the loss over kernels has exact Hessian-vector products for the MLP (double backprop = finite differences)', () => {
    const m = mlp(6);
    models.push(m);
    const qm = quantizeModel(m);
    const x = tf.randomNormal([8, 4], 0, 1, 'float32', 7);
    const y = tf.oneHot([0, 1, 2, 0, 1, 2, 0, 1], 3);
    const loss = qm.paramLoss(x, y);
    const ks = qm.kernels();
    const v = ks.map((k, i) => tf.randomNormal(k.shape, 0, 1, 'float32', 10 + i));
    const db = hessianVectorProduct(loss, ks, v, { method: 'double-backprop' });
    const fd = hessianVectorProduct(loss, ks, v, { method: 'finite-difference', epsilon: 1e-2 });
    for (const [i, d] of db.entries()) expectClose(d, fd[i]!, { rtol: 5e-2, atol: 5e-3 });
    expect(qm.loss(x, y)).toBeCloseTo(loss(ks).dataSync()[0]!, 5);
    tf.dispose([x, y, ...v, ...db, ...fd]);
    qm.dispose();
  });

  it('does not leak and gives typed errors for bad input', async () => {
    const m = mlp(8);
    models.push(m);
    const qm = quantizeModel(m);
    const x = tf.randomNormal([5, 4], 0, 1, 'float32', 1);
    const y = tf.oneHot([0, 1, 2, 0, 1], 3);
    expect(() => qm.predict(x, { fc1: 8 })).toThrow(TensorloomError);
    expect(() => qm.predict(x, { fc1: 8 })).toThrow(/calibrate/);
    qm.calibrate(x);
    // quantised kernels are cached (owned by the model): warm the cache, then nothing else may stay alive
    for (const c of [qm.uniformConfig(4), qm.uniformConfig('bfloat16'), { fc2: 2 }])
      qm.predict(x, c).dispose();
    await expectNoLeak(() => qm.predict(x, qm.uniformConfig(4)));
    await expectNoLeak(() => qm.accuracy(x, y, qm.uniformConfig('bfloat16')));
    await expectNoLeak(() => qm.loss(x, y, { fc2: 2 }));
    expect(() => qm.predict(x, { nope: 8 })).toThrow(ArgumentError);
    expect(() => qm.predict(x, { nope: 8 })).toThrow(
      /layer 'nope' does not exist; quantisable layers are 'fc1', 'fc2'/,
    );
    expect(() => qm.predict(x, { fc1: 17 })).toThrow(/config\['fc1'\].weights: expected bits/);
    expect(() => qm.predict(x, { fc1: 1 })).toThrow(ArgumentError);
    expect(() => qm.calibrate(tf.zeros([0, 4]))).toThrow(/inputs: expected a non-empty calibration set/);
    expect(() => quantizeModel({} as never)).toThrow(/model: expected a tf.LayersModel/);
    const emb = tf.sequential({
      layers: [tf.layers.embedding({ inputDim: 4, outputDim: 2, inputLength: 3 })],
    });
    models.push(emb);
    expect(() => quantizeModel(emb)).toThrow(/has weights but is not quantisable/);
    const bad = tf.sequential({
      layers: [
        tf.layers.dense({ units: 2, inputShape: [2], activation: 'relu' }),
        tf.layers.batchNormalization(),
      ],
    });
    models.push(bad);
    expect(() => quantizeModel(bad)).toThrow(/cannot fold batch norm/);
    qm.dispose();
    expect(() => qm.predict(x)).toThrow(/after dispose/);
    tf.dispose([x, y]);
  });
});
