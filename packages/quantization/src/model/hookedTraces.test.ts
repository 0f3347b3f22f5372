import { nextVitFromConfig } from '@tensorloom/backbones';
import { ArgumentError, rng, tf } from '@tensorloom/core';
import { expectNoLeak, useBackend } from '@tensorloom/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import { exactLayerTraces } from '../demo/exactTraces.js';
import { randomizeWeights, tinyNextVitConfig } from '../demo/nextVitDemo.js';
import { searchWeightOnly } from '../search/weightOnlySearch.js';
import { layerHessianTraces } from '../sensitivity/layerSensitivity.js';
import { hookedGaussNewtonTraces } from './hookedTraces.js';
import { quantizeModel } from './quantizedModel.js';
import { quantizableWeights, type WeightConfig, weightPerturbations } from './weightHook.js';

describe('Gauss–Newton traces through the weight hook, wasm', () => {
  beforeAll(() => useBackend('wasm'));

  it('match the QuantizedModel route and the exact traces on a relu MLP', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ units: 6, inputShape: [5], activation: 'relu', name: 'a' }),
        tf.layers.dense({ units: 3, name: 'b' }),
      ],
    });
    const g = rng(31);
    model.setWeights(
      model.getWeights().map((w) => tf.tensor(Float32Array.from(g.normalArray(w.size, 0, 0.8)), w.shape)),
    );
    const x = tf.tensor2d(Array.from({ length: 12 }, () => Array.from({ length: 5 }, () => g.normal())));
    const y = tf.oneHot(
      Array.from({ length: 12 }, () => g.int(3)),
      3,
    );
    const qm = quantizeModel(model);
    const before = Array.from((model.predict(x) as tf.Tensor).dataSync());
    const hooked = await hookedGaussNewtonTraces(model, { inputs: x, seed: 4, maxSamples: 15 });
    const viaModel = await layerHessianTraces(qm, {
      calibration: { inputs: x, targets: y },
      seed: 4,
      maxSamples: 15,
      tolerance: 0,
      estimator: 'hutch++',
      method: 'gauss-newton',
    });
    const names = quantizableWeights(model).map((w) => w.name);
    expect(names).toHaveLength(2);
    // same probes, same product: the same estimates up to float32 round-off
    expect(hooked.traces[names[0]!]!).toBeCloseTo(viaModel.traces.a!, 3);
    expect(hooked.traces[names[1]!]!).toBeCloseTo(viaModel.traces.b!, 3);
    expect(hooked.hessianVectorProducts).toBe(15);
    // and the exact traces within the statistical error
    const exact = exactLayerTraces(qm, x);
    names.forEach((n, i) => {
      expect(Math.abs(hooked.traces[n]! - exact[i]!)).toBeLessThan(4 * hooked.standardErrors[n]! + 1e-3);
    });
    // the weights are restored exactly
    expect(Array.from((model.predict(x) as tf.Tensor).dataSync())).toEqual(before);
    await expectNoLeak(() => hookedGaussNewtonTraces(model, { inputs: x, seed: 1, maxSamples: 6 }));
    await expect(hookedGaussNewtonTraces(model, { inputs: [1] as never, seed: 1 })).rejects.toThrow(
      ArgumentError,
    );
    for (const epsilon of [0, -1e-2, Number.NaN]) {
      await expect(hookedGaussNewtonTraces(model, { inputs: x, seed: 1, epsilon })).rejects.toThrow(
        /epsilon/,
      );
    }
    await expect(hookedGaussNewtonTraces(model, { inputs: x, seed: 1, logits: 3 as never })).rejects.toThrow(
      /options\.logits: expected a function/,
    );
    await expect(
      hookedGaussNewtonTraces(model, { inputs: x, seed: 1, hook: { filter: () => false } }),
    ).rejects.toThrow(/hook: expected at least one quantisable weight/);
    qm.dispose();
    model.dispose();
    tf.dispose([x, y]);
  });

  it('order a weight-only HAWQ search over the tiny Next-ViT (custom layers)', async () => {
    const model = nextVitFromConfig({ ...tinyNextVitConfig(), numClasses: 5 }, { inputSize: 32, seed: 7 });
    const g = rng(8);
    randomizeWeights(model, g);
    const x = tf.tensor(Float32Array.from(g.normalArray(2 * 32 * 32 * 3)), [2, 32, 32, 3]);
    const before = Array.from((model.predict(x) as tf.Tensor).dataSync());
    const t = await hookedGaussNewtonTraces(model, { inputs: x, seed: 2, maxSamples: 9 });
    const weights = quantizableWeights(model);
    expect(Object.keys(t.traces)).toHaveLength(weights.length);
    // G is positive semi-definite: every block trace is ≥ 0 up to the estimator's error
    for (const w of weights) expect(t.traces[w.name]!).toBeGreaterThan(-4 * t.standardErrors[w.name]! - 1e-6);
    expect(Array.from((model.predict(x) as tf.Tensor).dataSync())).toEqual(before);
    // HAWQ order: score (Tr/n)·‖Q(W) − W‖², least first
    const pen = weightPerturbations(model, 4, {}, false);
    const r = await searchWeightOnly(model, {
      evaluate: (c: WeightConfig) => 1 - Object.values(c).filter((p) => p === 4).length / 1000,
      tolerance: 0.01,
      order: 'hawq',
      traces: t.perParameter,
    });
    const scores = r.orders[0]!.order.map((n) => t.perParameter[n]! * pen[n]!);
    for (let i = 1; i < scores.length; i++) expect(scores[i]!).toBeGreaterThanOrEqual(scores[i - 1]!);
    await expect(searchWeightOnly(model, { evaluate: () => 1, tolerance: 0, order: 'hawq' })).rejects.toThrow(
      /traces: expected a finite number for every hooked weight/,
    );
    model.dispose();
    x.dispose();
  });
});
