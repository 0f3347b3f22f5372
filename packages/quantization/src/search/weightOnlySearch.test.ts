import { nextVitFromConfig } from '@tensorloom/backbones';
import { ArgumentError, rng, tf } from '@tensorloom/core';
import { expectNoLeak, useBackend } from '@tensorloom/core/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomizeWeights, tinyNextVitConfig } from '../demo/nextVitDemo.js';
import {
  quantizableWeights,
  type WeightConfig,
  weightOnlySize,
  weightPerturbations,
  withQuantizedWeights,
} from '../model/weightHook.js';
import { searchWeightOnly } from './weightOnlySearch.js';

describe('weight-only search over a custom-layer model (tiny Next-ViT), wasm', () => {
  let model: tf.LayersModel;
  let x: tf.Tensor;
  beforeAll(async () => {
    await useBackend('wasm');
    model = nextVitFromConfig({ ...tinyNextVitConfig(), numClasses: 5 }, { inputSize: 32, seed: 5 });
    const g = rng(6);
    randomizeWeights(model, g);
    x = tf.tensor(Float32Array.from(g.normalArray(2 * 32 * 32 * 3)), [2, 32, 32, 3]);
  });
  afterAll(() => {
    model.dispose();
    x.dispose();
  });

  it('weightPerturbations is the relative error of the in-place quantised weight', async () => {
    const weights = quantizableWeights(model);
    const w = weights[3]!;
    const p4 = weightPerturbations(model, 4);
    const variable = model.weights.find((v) => v.name === w.name)!;
    const original = Float64Array.from(variable.read().dataSync());
    const quantised = await withQuantizedWeights(model, { [w.name]: 4 }, () =>
      Float64Array.from(variable.read().dataSync()),
    );
    let num = 0;
    let den = 0;
    original.forEach((v, i) => {
      num += (quantised[i]! - v) ** 2;
      den += v * v;
    });
    expect(p4[w.name]!).toBeCloseTo(num / den, 6);
    expect(p4[w.name]!).toBeGreaterThan(weightPerturbations(model, 8)[w.name]!);
  });

  it('bisects to the largest feasible prefix of the perturbation order within the evaluation bound', async () => {
    const weights = quantizableWeights(model);
    const pen = weightPerturbations(model, 4);
    // a monotone synthetic metric: 1 − Σ penalties of the weights at 4 bits
    const evaluate = (c: WeightConfig) =>
      1 - Object.entries(c).reduce((s, [n, p]) => s + (p === 4 ? pen[n]! : 0), 0);
    const sortedPen = weights.map((w) => pen[w.name]!).sort((a, b) => a - b);
    const budget = 0.4 * sortedPen.reduce((a, b) => a + b, 0);
    let k = 0;
    for (let acc = 0; k < sortedPen.length && acc + sortedPen[k]! <= budget + 1e-12; k++)
      acc += sortedPen[k]!;
    const r = await searchWeightOnly(model, { evaluate, tolerance: budget, candidates: [8, 4] });
    const lowered = Object.entries(r.config).filter(([, p]) => p === 4);
    expect(lowered).toHaveLength(k);
    expect(k).toBeGreaterThan(0);
    expect(k).toBeLessThan(weights.length);
    expect(new Set(lowered.map(([n]) => n))).toEqual(new Set(r.orders[0]!.order.slice(0, k)));
    expect(r.evaluations).toBeLessThanOrEqual(Math.ceil(Math.log2(weights.length)) + 2);
    expect(r.metric).toBeGreaterThanOrEqual(r.baseline - budget - 1e-12);
    expect(r.size).toBe(weightOnlySize(weights, r.config));
    expect(r.size).toBeLessThan(r.baselineSize);
  });

  it('searches on the real model output and restores the float weights', async () => {
    const before = model.predict(x) as tf.Tensor;
    const fidelity = (c: WeightConfig) =>
      withQuantizedWeights(model, c, () =>
        tf.tidy(() => {
          const y = model.predict(x) as tf.Tensor;
          return 1 - tf.div(tf.norm(tf.sub(y, before)), tf.norm(before)).dataSync()[0]!;
        }),
      );
    const r = await searchWeightOnly(model, { evaluate: fidelity, tolerance: 0.05 });
    expect(r.metric).toBeGreaterThanOrEqual(r.baseline * 0.95);
    expect(await fidelity(r.config)).toBeCloseTo(r.metric, 6);
    const after = model.predict(x) as tf.Tensor;
    expect(Array.from(after.dataSync())).toEqual(Array.from(before.dataSync()));
    await expectNoLeak(() => searchWeightOnly(model, { evaluate: () => 1, tolerance: 0 }));
    tf.dispose([before, after]);
  });

  it('rejects bad arguments with typed errors', async () => {
    await expect(searchWeightOnly(model, { evaluate: () => 1, tolerance: -1 })).rejects.toThrow(/tolerance/);
    await expect(
      searchWeightOnly(model, { evaluate: () => 1, tolerance: 0, order: ['nope'] }),
    ).rejects.toThrow(ArgumentError);
    await expect(
      searchWeightOnly(model, { evaluate: () => 1, tolerance: 0, candidates: [4, 8] }),
    ).rejects.toThrow(/strictly decreasing/);
    await expect(
      searchWeightOnly(model, { evaluate: () => 1, tolerance: 0, candidates: [8, 1] }),
    ).rejects.toThrow(ArgumentError);
  });
});
