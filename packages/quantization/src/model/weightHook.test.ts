import { nextVitFromConfig } from '@tensorloom/backbones';
import { ArgumentError, rng, tf } from '@tensorloom/core';
import { expectClose, expectNoLeak, useBackend } from '@tensorloom/core/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomizeWeights, tinyNextVitConfig } from '../demo/nextVitDemo.js';
import { roundHalfEven } from '../quantizers/uniform.js';
import { quantizeModel } from './quantizedModel.js';
import { quantizableWeights, weightOnlySize, withQuantizedWeights } from './weightHook.js';

/** float64 per-last-axis symmetric quantisation (the independent reference). */
function quantLastAxis(values: Float32Array, shape: number[], bits: number): Float32Array {
  const cout = shape[shape.length - 1]!;
  const qmax = 2 ** (bits - 1) - 1;
  const m = new Array<number>(cout).fill(0);
  values.forEach((v, i) => {
    m[i % cout] = Math.max(m[i % cout]!, Math.abs(v));
  });
  const s = m.map((x) => Math.fround(x / qmax));
  return Float32Array.from(values, (v, i) =>
    s[i % cout] === 0
      ? 0
      : Math.max(-qmax - 1, Math.min(qmax, roundHalfEven(v / s[i % cout]!))) * s[i % cout]!,
  );
}

describe('weight quantisation hook on a tiny Next-ViT (custom NCB/NTB layers), wasm', () => {
  let model: tf.LayersModel;
  let x: tf.Tensor;
  beforeAll(async () => {
    await useBackend('wasm');
    model = nextVitFromConfig({ ...tinyNextVitConfig(), numClasses: 5 }, { inputSize: 32, seed: 3 });
    // random weights of unit-ish scale (the official init gives a near-zero classifier output)
    const g = rng(4);
    randomizeWeights(model, g);
    x = tf.tensor(Float32Array.from(g.normalArray(2 * 32 * 32 * 3)), [2, 32, 32, 3]);
  });
  afterAll(() => {
    model.dispose();
    x.dispose();
  });

  it('quantizeModel refuses the custom layers and points to the hook', () => {
    expect(() => quantizeModel(model)).toThrow(ArgumentError);
    expect(() => quantizeModel(model)).toThrow(/has weights but is not quantisable.*withQuantizedWeights/);
  });

  it('in-place 4-bit weights equal a float64 per-channel reference; originals restored bit-exactly', async () => {
    const weights = quantizableWeights(model);
    expect(weights.length).toBeGreaterThan(10);
    expect(weights.every((w) => w.shape.length >= 2)).toBe(true);
    expect(new Set(weights.map((w) => w.layerClass)).has('TensorloomNextVitBlock')).toBe(true);
    const config = Object.fromEntries(weights.map((w) => [w.name, 4]));
    const before = model.getWeights().map((w) => w.dataSync().slice());
    const ours = await withQuantizedWeights(model, config, () => model.predict(x) as tf.Tensor);
    // the reference: write float64-quantised kernels by hand
    const vars = model.layers.flatMap((l) => l.trainableWeights).filter((v) => v.shape.length >= 2);
    const originals = vars.map((v) => tf.clone(v.read()));
    vars.forEach((v, i) => {
      v.write(
        tf.tensor(
          quantLastAxis(originals[i]!.dataSync() as Float32Array, originals[i]!.shape, 4),
          originals[i]!.shape,
        ),
      );
    });
    const reference = model.predict(x) as tf.Tensor;
    vars.forEach((v, i) => {
      v.write(originals[i]!);
    });
    expectClose(ours, reference, { rtol: 1e-3, atol: 1e-4 });
    const after = model.getWeights().map((w) => w.dataSync());
    after.forEach((a, i) => {
      expect(Array.from(a)).toEqual(Array.from(before[i]!));
    });
    const float = model.predict(x) as tf.Tensor;
    // 4-bit weights visibly change the output (so the comparison above can fail)
    const scale = tf.max(tf.abs(float)).dataSync()[0]!;
    expect(scale).toBeGreaterThan(1e-2);
    expect(tf.max(tf.abs(tf.sub(float, ours))).dataSync()[0]!).toBeGreaterThan(1e-3 * scale);
    tf.dispose([ours, reference, float, ...originals]);
    expect(weightOnlySize(weights, config)).toBe(weights.reduce((s, w) => s + 4 * w.params, 0));
  });

  it('16-bit stays close to float, restores when fn throws, validates, and leaks nothing', async () => {
    const weights = quantizableWeights(model);
    const w0 = weights[0]!.name;
    await expectNoLeak(async () => {
      const float = model.predict(x) as tf.Tensor;
      const q16 = await withQuantizedWeights(
        model,
        Object.fromEntries(weights.map((w) => [w.name, 16])),
        () => model.predict(x) as tf.Tensor,
      );
      expectClose(q16, float, { rtol: 1e-2, atol: 1e-3 });
      const before = model.getWeights()[0]!.dataSync().slice();
      await expect(
        withQuantizedWeights(model, { [w0]: 2 }, () => {
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(Array.from(model.getWeights()[0]!.dataSync())).toEqual(Array.from(before));
      tf.dispose([float, q16]);
    });
    await expect(withQuantizedWeights(model, { nope: 4 }, () => 0)).rejects.toThrow(
      /weight 'nope' is not a quantisable weight/,
    );
    await expect(withQuantizedWeights(model, { [w0]: 1 }, () => 0)).rejects.toThrow(ArgumentError);
    await expect(withQuantizedWeights(model, { [w0]: 4 }, 'f' as never)).rejects.toThrow(
      /fn: expected a function/,
    );
    expect(() => quantizableWeights({} as never)).toThrow(/model: expected a tf.LayersModel/);
    expect(() => quantizableWeights(model, { scheme: 'odd' as never })).toThrow(ArgumentError);
  });
});
