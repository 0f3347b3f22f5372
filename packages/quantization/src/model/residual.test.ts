import { ArgumentError, rng, tf } from '@tensorloom/core';
import { expectClose, expectNoLeak, testBackends, useBackend } from '@tensorloom/core/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roundHalfEven } from '../quantizers/uniform.js';
import { paretoFrontier } from '../search/pareto.js';
import { searchMixedPrecision } from '../search/searchMixedPrecision.js';
import type { BitConfig } from './precision.js';
import { quantizeModel } from './quantizedModel.js';

/**
 * A tiny ResNet: conv stem → block with a strided 1×1 downsample shortcut → identity block → pool → dense.
 * With `bn`, every conv is followed by a batch norm (folded by quantizeModel).
 */
function resnet(seed: number, bn: boolean): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 2] });
  const conv = (x: tf.SymbolicTensor, name: string, filters: number, k: number, s = 1, relu = false) => {
    let y = tf.layers
      .conv2d({
        filters,
        kernelSize: k,
        strides: s,
        padding: 'same',
        name,
        activation: bn || !relu ? 'linear' : 'relu',
      })
      .apply(x) as tf.SymbolicTensor;
    if (bn) y = tf.layers.batchNormalization({ name: `${name}_bn` }).apply(y) as tf.SymbolicTensor;
    if (bn && relu) y = tf.layers.reLU().apply(y) as tf.SymbolicTensor;
    return y;
  };
  const stem = conv(input, 'stem', 3, 3, 1, true);
  const a = conv(stem, 'b1_conv1', 4, 3, 2, true);
  const b = conv(a, 'b1_conv2', 4, 3);
  const down = conv(stem, 'b1_down', 4, 1, 2);
  const sum1 = tf.layers.reLU().apply(tf.layers.add({ name: 'add1' }).apply([b, down]) as tf.SymbolicTensor);
  const c = conv(sum1 as tf.SymbolicTensor, 'b2_conv1', 4, 3, 1, true);
  const d = conv(c, 'b2_conv2', 4, 3);
  const sum2 = tf.layers.add({ name: 'add2' }).apply([d, sum1 as tf.SymbolicTensor]) as tf.SymbolicTensor;
  const pooled = tf.layers
    .globalAveragePooling2d({})
    .apply(tf.layers.reLU().apply(sum2) as tf.SymbolicTensor);
  const out = tf.layers
    .dense({ units: 3, name: 'fc' })
    .apply(pooled as tf.SymbolicTensor) as tf.SymbolicTensor;
  const m = tf.model({ inputs: input, outputs: out });
  const g = rng(seed);
  m.setWeights(
    m.weights.map((w, i) => {
      const v = m.getWeights()[i]!;
      const isVar = w.name.includes('moving_variance');
      const data = Float32Array.from(g.normalArray(v.size), (x) => (isVar ? 0.5 + Math.abs(x) : 0.5 * x));
      return tf.tensor(data, v.shape);
    }),
  );
  return m;
}

/** float64 per-output-channel symmetric quantisation of a kernel (last axis = channel). */
function quantKernel(values: Float32Array, shape: number[], bits: number): Float32Array {
  const cout = shape[shape.length - 1]!;
  const qmax = 2 ** (bits - 1) - 1;
  const scale = new Array<number>(cout).fill(0);
  values.forEach((v, i) => {
    scale[i % cout] = Math.max(scale[i % cout]!, Math.abs(v));
  });
  const s = scale.map((m) => Math.fround(m / qmax));
  return Float32Array.from(
    values,
    (v, i) => Math.max(-qmax - 1, Math.min(qmax, roundHalfEven(v / s[i % cout]!))) * s[i % cout]!,
  );
}

describe.each(testBackends())('residual (functional) models on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  const models: tf.LayersModel[] = [];
  afterAll(() => {
    for (const m of models) m.dispose();
  });

  it('float path reproduces model.predict through additions, with batch norms folded', () => {
    const m = resnet(1, true);
    models.push(m);
    const qm = quantizeModel(m);
    expect(qm.layerNames).toEqual(['stem', 'b1_conv1', 'b1_conv2', 'b1_down', 'b2_conv1', 'b2_conv2', 'fc']);
    expect(qm.layers.every((l) => l.kind === 'dense' || l.foldedBatchNorm === `${l.name}_bn`)).toBe(true);
    const x = tf.randomNormal([3, 8, 8, 2], 0, 1, 'float32', 2);
    const ours = qm.predict(x);
    const theirs = m.predict(x) as tf.Tensor;
    expectClose(ours, theirs, { rtol: 1e-4, atol: 1e-4 });
    tf.dispose([x, ours, theirs]);
    qm.dispose();
  });

  it('ties the two conv branches that meet at a residual addition (not the identity shortcut)', () => {
    const m = resnet(2, true);
    models.push(m);
    const qm = quantizeModel(m);
    expect(qm.groups).toEqual([
      ['stem'],
      ['b1_conv1'],
      ['b1_conv2', 'b1_down'],
      ['b2_conv1'],
      ['b2_conv2'],
      ['fc'],
    ]);
    expect(qm.groupOf('b1_down')).toEqual(['b1_conv2', 'b1_down']);
    qm.dispose();
    const untied = quantizeModel(m, { tieResidualBranches: false });
    expect(untied.groups.length).toBe(7);
    untied.dispose();
    const merged = quantizeModel(m, {
      ties: [
        ['b1_conv1', 'b1_down'],
        ['fc', 'stem'],
      ],
    });
    expect(merged.groups).toEqual([
      ['stem', 'fc'],
      ['b1_conv1', 'b1_conv2', 'b1_down'],
      ['b2_conv1'],
      ['b2_conv2'],
    ]);
    merged.dispose();
    expect(() => quantizeModel(m, { ties: [['stem', 'nope']] })).toThrow(ArgumentError);
    expect(() => quantizeModel(m, { ties: [['stem', 'nope']] })).toThrow(
      /ties\[0\]: layer 'nope' does not exist/,
    );
    expect(() => quantizeModel(m, { ties: 'stem' as never })).toThrow(/ties: expected an array/);
    expect(() => qm.groupOf('nope')).toThrow(ArgumentError);
  });

  it('weight-only 4-bit outputs equal the model run with float64-quantised kernels', () => {
    const m = resnet(3, false);
    models.push(m);
    const qm = quantizeModel(m);
    const x = tf.randomNormal([2, 8, 8, 2], 0, 1, 'float32', 5);
    const config: BitConfig = Object.fromEntries(
      qm.layerNames.map((n) => [n, { weights: 4, activations: 'float32' }]),
    );
    const ours = qm.predict(x, config);
    const original = m.getWeights().map((w) => tf.clone(w));
    m.setWeights(
      original.map((w) =>
        w.rank >= 2 ? tf.tensor(quantKernel(w.dataSync() as Float32Array, w.shape, 4), w.shape) : w,
      ),
    );
    const theirs = m.predict(x) as tf.Tensor;
    expectClose(ours, theirs, { rtol: 1e-4, atol: 1e-4 });
    // and differs from float (the check can fail)
    m.setWeights(original);
    const float = m.predict(x) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(float, theirs))).dataSync()[0]!).toBeGreaterThan(1e-3);
    tf.dispose([x, ours, theirs, float, ...original]);
    qm.dispose();
  });

  it('search and exhaustive frontier move tied layers together; no leaks', async () => {
    const m = resnet(4, true);
    models.push(m);
    const inputs = tf.randomNormal([6, 8, 8, 2], 0, 1, 'float32', 6);
    const targets = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), 3);
    const penalty: Record<string, number> = {
      stem: 0.03,
      b1_conv1: 0.01,
      b1_conv2: 0.004,
      b1_down: 0.004,
      b2_conv1: 0.02,
      b2_conv2: 0.002,
      fc: 0.05,
    };
    const evaluate = (c: BitConfig): number =>
      1 - Object.entries(c).reduce((s, [n, p]) => s + (p === 4 ? penalty[n]! : 0), 0);
    const seen: BitConfig[] = [];
    // the model's own cache of quantised kernels is released by dispose(), inside the check
    await expectNoLeak(async () => {
      const qm = quantizeModel(m);
      qm.calibrate(inputs);
      const r = await searchMixedPrecision(qm, {
        calibration: { inputs, targets },
        evaluate: (c) => {
          seen.push(c);
          return evaluate(c);
        },
        tolerance: 0.025,
        candidates: [8, 4],
        order: 'hessian',
        hutchinsonSamples: 4,
      });
      for (const c of seen) expect(c.b1_conv2).toBe(c.b1_down);
      expect(r.orders[0]!.groups.length).toBe(6);
      expect(r.evaluations).toBeLessThanOrEqual(Math.ceil(Math.log2(6)) + 2);
      const { points } = await paretoFrontier(qm, { evaluate, candidates: [8, 4] });
      expect(points.length).toBe(2 ** 6);
      for (const p of points) expect(p.config.b1_conv2).toBe(p.config.b1_down);
      qm.dispose();
    });
    tf.dispose([inputs, targets]);
  });
});
