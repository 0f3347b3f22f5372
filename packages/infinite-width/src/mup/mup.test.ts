import { ArgumentError, fit, ShapeError, type Tensor, tf } from '@tensorloom/core';
import { expectClose, expectNoLeak, testBackends, useBackend } from '@tensorloom/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import { coordCheck, coordCheckSvg } from './coordCheck.js';
import { muLayers } from './muLayers.js';
import { muAdam, muMLP, muSGD } from './muMLP.js';

describe('muLayers (the mup package rules)', () => {
  it('matches MuReadout / MuSGD / MuAdam per layer kind', () => {
    const m = 8; // width 512 over base 64
    const [input, hidden, , readout] = muLayers({
      inputDim: 10,
      width: 512,
      baseWidth: 64,
      depth: 3,
      outputDim: 3,
    });
    expect(input).toMatchObject({ kind: 'input', fanIn: 10, fanOut: 512, multiplier: 1 });
    expect(input!.initStd).toBeCloseTo(1 / Math.sqrt(10), 14);
    expect(input!.sgdLrScale).toEqual({ weight: m, bias: m });
    expect(input!.adamLrScale).toEqual({ weight: 1, bias: 1 });
    expect(hidden).toMatchObject({ kind: 'hidden', fanIn: 512, fanOut: 512, multiplier: 1 });
    expect(hidden!.initStd).toBeCloseTo(1 / Math.sqrt(512), 14);
    expect(hidden!.sgdLrScale).toEqual({ weight: 1, bias: m });
    expect(hidden!.adamLrScale).toEqual({ weight: 1 / m, bias: 1 });
    expect(readout).toMatchObject({ kind: 'readout', fanIn: 512, fanOut: 3 });
    // MuReadout: default init var 1/fan_in rescaled by √m, forward multiplier output_mult / m
    expect(readout!.initStd).toBeCloseTo(Math.sqrt(m) / Math.sqrt(512), 14);
    expect(readout!.multiplier).toBeCloseTo(1 / m, 14);
    expect(readout!.sgdLrScale).toEqual({ weight: m, bias: 1 });
    expect(readout!.adamLrScale).toEqual({ weight: 1, bias: 1 });
  });

  it('μP equals SP at the base width; SP has unit scales; readoutZeroInit zeroes the readout', () => {
    const base = { inputDim: 5, width: 64, baseWidth: 64, depth: 2, outputDim: 2, initGain: 1.4 };
    expect(muLayers(base)).toEqual(muLayers({ ...base, parametrization: 'sp' }));
    for (const l of muLayers({ ...base, width: 256, parametrization: 'sp' })) {
      expect(l.multiplier).toBe(1);
      expect(l.sgdLrScale).toEqual({ weight: 1, bias: 1 });
      expect(l.initStd).toBeCloseTo(1.4 / Math.sqrt(l.fanIn), 14);
    }
    expect(muLayers({ ...base, readoutZeroInit: true })[2]!.initStd).toBe(0);
  });

  it('rejects width < 1, baseWidth > width and other bad options', () => {
    const ok = { inputDim: 5, width: 64, baseWidth: 32, depth: 2, outputDim: 2 };
    expect(() => muLayers({ ...ok, width: 0 })).toThrow(/options\.width: expected a value >= 1/);
    expect(() => muLayers({ ...ok, baseWidth: 128 })).toThrow(
      /options\.baseWidth: expected a base width <= width \(64\), got 128/,
    );
    expect(() => muLayers({ ...ok, depth: 0 })).toThrow(ArgumentError);
    expect(() => muLayers({ ...ok, parametrization: 'ntk' as never })).toThrow(/options\.parametrization/);
    expect(() => muLayers({ ...ok, readoutZeroInit: 1 as never })).toThrow(/readoutZeroInit/);
  });
});

describe.each(testBackends())('muMLP on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('initialises with the specified stds and applies the forward multipliers', () => {
    const model = muMLP({
      inputDim: 6,
      width: 256,
      baseWidth: 16,
      depth: 2,
      outputDim: 2,
      activation: 'tanh',
      seed: 3,
    });
    model.layers.forEach((spec, l) => {
      const w = Array.from(model.weights[l]!.dataSync());
      const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
      expect(Math.abs(std / spec.initStd - 1)).toBeLessThan(0.1);
    });
    const x = tf.randomNormal([4, 6], 0, 1, 'float32', 1);
    // independent forward: tanh(x W0) → tanh(· W1) → (· W2)/m, biases zero
    const manual = tf.tidy(() => {
      const h1 = tf.tanh(tf.matMul(x, model.weights[0]!));
      const h2 = tf.tanh(tf.matMul(h1, model.weights[1]!));
      return tf.div(tf.matMul(h2, model.weights[2]!), 16);
    });
    const out = model.apply(x);
    expectClose(out, manual, { rtol: 1e-4, atol: 1e-6 });
    expect(() => model.apply(tf.zeros([2, 5]))).toThrow(ShapeError);
    tf.dispose([x, manual, out]);
    model.dispose();
  });

  it('muSGD groups give each weight its μP step: ΔW = −η·scale·∂L/∂W', async () => {
    const model = muMLP({ inputDim: 3, width: 32, baseWidth: 8, depth: 2, outputDim: 1, seed: 1 });
    const x = tf.randomNormal([5, 3], 0, 1, 'float32', 2);
    const y = tf.randomNormal([5, 1], 0, 1, 'float32', 3);
    const loss = (a: Tensor, b: Tensor): Tensor => tf.mean(tf.square(tf.sub(model.apply(a), b)));
    const { grads, value } = tf.variableGrads(() => loss(x, y) as tf.Scalar, [...model.weights]);
    const before = model.weights.map((w) => w.dataSync().slice());
    const setup = muSGD(model);
    expect(setup.groups.map((g) => g.lrScale)).toEqual([4, 4, 1, 4, 4, 1]);
    await fit({
      ...setup,
      learningRate: 0.01,
      loss,
      data: [{ inputs: x, targets: y }],
      epochs: 1,
      shuffle: false,
    });
    model.weights.forEach((w, l) => {
      const scale = model.layers[l]!.sgdLrScale.weight;
      const g = grads[w.name]!.dataSync();
      const expected = before[l]!.map((v, i) => v - 0.01 * scale * g[i]!);
      expectClose(w.dataSync(), expected, { rtol: 1e-4, atol: 1e-6 });
    });
    expect(muAdam(model).groups.map((g) => g.lrScale)).toEqual([1, 1, 0.25, 1, 1, 1]);
    expect(() => muSGD({} as never)).toThrow(/model: expected a MuMLP/);
    tf.dispose([x, y, value, ...Object.values(grads)]);
    model.dispose();
  });
});

describe('coordCheck', () => {
  beforeAll(() => useBackend('wasm'));
  const build = (parametrization: 'mup' | 'sp') => (n: number, seed: number) =>
    muMLP({ inputDim: 8, width: n, baseWidth: 32, depth: 3, outputDim: 1, parametrization, seed });

  it('is flat under μP and blows up under SP on the same network (Adam)', async () => {
    const common = {
      widths: [32, 128, 512],
      steps: 3,
      optimizer: 'adam' as const,
      learningRate: 0.01,
      seed: 1,
    };
    let mup: Awaited<ReturnType<typeof coordCheck>> | undefined;
    await expectNoLeak(async () => {
      mup = await coordCheck({ ...common, build: build('mup') });
    });
    const sp = await coordCheck({ ...common, build: build('sp') });
    expect(Math.abs(mup!.maxHiddenSlope)).toBeLessThan(0.15);
    for (const l of mup!.layers) if (l.name !== 'output') expect(l.flags).toEqual(['ok', 'ok', 'ok']);
    // μP output at init shrinks like width^−1/2 (random readout), then is flat
    const out = mup!.layers.find((l) => l.name === 'output')!;
    expect(out.slopes[0]).toBeLessThan(-0.25);
    expect(Math.abs(out.slopes[2]!)).toBeLessThan(0.15);
    expect(sp.maxHiddenSlope).toBeGreaterThan(0.3);
    expect(sp.layers.some((l) => l.flags.includes('blow-up'))).toBe(true);
    const svg = coordCheckSvg(mup!);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/t = \d/g)).toHaveLength(3);
  });

  it('records l1 / l2 / mean / std like mup (float64 recomputation at init) on user data, with cross-entropy', async () => {
    const inputs = tf.randomNormal([6, 8], 0, 1, 'float32', 3);
    const targets = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), 3);
    const buildCe = (n: number, seed: number) =>
      muMLP({ inputDim: 8, width: n, baseWidth: 16, depth: 2, outputDim: 3, seed });
    const r = await coordCheck({
      build: buildCe,
      widths: [16, 32],
      steps: 2,
      data: { inputs, targets },
      loss: 'softmax-cross-entropy',
      seed: 4,
    });
    const model = buildCe(32, 4);
    const acts = tf.tidy(() => model.forward(inputs).activations.map((a) => a.value));
    for (const [i, act] of acts.entries()) {
      const v = Array.from(act.dataSync(), Number);
      const n = v.length;
      const mean = v.reduce((a, b) => a + b, 0) / n;
      const l1 = v.reduce((a, b) => a + Math.abs(b), 0) / n;
      const l2 = Math.sqrt(v.reduce((a, b) => a + b * b, 0) / n);
      const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
      const layer = r.layers[i]!;
      expectClose(layer.l1[0]![1]!, l1, { rtol: 1e-4 });
      expectClose(layer.l2[0]![1]!, l2, { rtol: 1e-4 });
      expectClose(layer.mean[0]![1]!, mean, { rtol: 1e-3, atol: 1e-6 });
      expectClose(layer.std[0]![1]!, std, { rtol: 1e-4 });
      expect(layer.l2Slopes).toHaveLength(2);
      expect(Number.isFinite(layer.deltaSlopes[1]!)).toBe(true);
    }
    tf.dispose(acts);
    model.dispose();
    // two batches cycled: delta is undefined (different inputs)
    const negated = tf.neg(inputs);
    const r2 = await coordCheck({
      build: buildCe,
      widths: [16, 32],
      steps: 2,
      data: [
        { inputs, targets },
        { inputs: negated, targets },
      ],
      loss: 'softmax-cross-entropy',
      seed: 4,
    });
    expect(r2.layers[0]!.deltaSlopes.every(Number.isNaN)).toBe(true);
    expect(r2.layers[0]!.l1[0]).toEqual(r.layers[0]!.l1[0]);
    expect(coordCheckSvg(r, 'x', 'std')).toContain('std x');
    expect(() => coordCheckSvg(r, 'x', 'max' as never)).toThrow(/statistic/);
    await expect(
      coordCheck({ build: buildCe, widths: [16, 32], seed: 0, data: { inputs, targets: tf.zeros([2, 3]) } }),
    ).rejects.toThrow(/options\.data\[0\]/);
    await expect(coordCheck({ build: buildCe, widths: [16, 32], seed: 0, data: [] })).rejects.toThrow(
      /options\.data/,
    );
    await expect(
      coordCheck({ build: buildCe, widths: [16, 32], seed: 0, loss: 'hinge' as never }),
    ).rejects.toThrow(/options\.loss/);
    tf.dispose([inputs, targets, negated]);
  });

  it('rejects bad options and honours the abort signal', async () => {
    const ok = { build: build('mup'), widths: [8, 16], seed: 0 };
    await expect(coordCheck({ ...ok, widths: [8] })).rejects.toThrow(/at least two distinct widths/);
    await expect(coordCheck({ ...ok, widths: [8, 0] })).rejects.toThrow(/options\.widths\[1\]/);
    await expect(coordCheck({ ...ok, optimizer: 'rmsprop' as never })).rejects.toThrow(/options\.optimizer/);
    await expect(coordCheck({ ...ok, build: 3 as never })).rejects.toThrow(/options\.build/);
    const controller = new AbortController();
    controller.abort();
    await expect(coordCheck({ ...ok, signal: controller.signal })).rejects.toThrow(/aborted/);
    expect(() => coordCheckSvg({} as never)).toThrow(ArgumentError);
  });
});
