import { ArgumentError, rng, tf } from '@tensorloom/core';
import { expectNoLeak, useBackend } from '@tensorloom/core/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quantizeModel } from '../model/quantizedModel.js';
import { roundHalfEven } from '../quantizers/uniform.js';
import {
  augmentedSensitivity,
  hawqScores,
  layerHessianTraces,
  measureDependencies,
  sensitivityOrder,
} from './layerSensitivity.js';

function mlp(): tf.Sequential {
  const m = tf.sequential({
    layers: [
      tf.layers.dense({ units: 6, inputShape: [5], activation: 'relu', name: 'a' }),
      tf.layers.dense({ units: 6, activation: 'tanh', name: 'b' }),
      tf.layers.dense({ units: 3, name: 'c' }),
    ],
  });
  const g = rng(21);
  m.setWeights(
    m.getWeights().map((w) => tf.tensor(Float32Array.from(g.normalArray(w.size, 0, 0.8)), w.shape)),
  );
  return m;
}

describe('layer sensitivities (wasm)', () => {
  let model: tf.Sequential;
  let qm: ReturnType<typeof quantizeModel>;
  let inputs: tf.Tensor;
  let targets: tf.Tensor;
  beforeAll(async () => {
    await useBackend('wasm');
    model = mlp();
    qm = quantizeModel(model);
    const g = rng(5);
    inputs = tf.tensor2d(Array.from({ length: 16 }, () => Array.from({ length: 5 }, () => g.normal())));
    targets = tf.oneHot(
      Array.from({ length: 16 }, () => g.int(3)),
      3,
    );
  });
  afterAll(() => {
    qm.dispose();
    model.dispose();
    tf.dispose([inputs, targets]);
  });

  it('last-layer Hessian trace matches the softmax-regression closed form on the hidden features', async () => {
    const r = await layerHessianTraces(qm, {
      calibration: { inputs, targets },
      seed: 3,
      maxSamples: 300,
      tolerance: 0,
    });
    expect(r.method).toBe('double-backprop');
    // closed form: Tr H_c = (1/n) Σ_i ‖h_i‖² Σ_k p_ik (1 − p_ik), h = features entering layer c
    const [wa, ba, wb, bb] = model.getWeights();
    const h = tf.tidy(() =>
      tf.tanh(tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(inputs, wa!), ba!)), wb!), bb!)),
    );
    const p = qm.predict(inputs);
    const hs = h.arraySync() as number[][];
    const logits = qm.logits(inputs);
    const probs = tf.softmax(logits).arraySync() as number[][];
    const exact =
      hs.reduce(
        (s, hi, i) => s + hi.reduce((q, v) => q + v * v, 0) * probs[i]!.reduce((q, v) => q + v * (1 - v), 0),
        0,
      ) / 16;
    expect(Math.abs(r.traces.c! - exact)).toBeLessThan(4 * r.standardErrors.c! + 1e-4);
    expect(r.perParameter.c).toBeCloseTo(r.traces.c! / 18, 10);
    tf.dispose([h, p, logits]);
  });

  it("Gauss–Newton products + Hutch++ give a relu CNN's exact layer traces (per-sample gradient identity)", async () => {
    // logits piecewise linear in each kernel alone ⇒ Tr(H_ii) = (1/N) Σ_n Σ_c p_nc ‖∇_i CE(x_n, e_c)‖²
    const cnn = tf.sequential({
      layers: [
        tf.layers.reshape({ targetShape: [5, 5, 1], inputShape: [25] }),
        tf.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu', name: 'conv' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3, name: 'head' }),
      ],
    });
    const g = rng(17);
    cnn.setWeights(
      cnn.getWeights().map((w) => tf.tensor(Float32Array.from(g.normalArray(w.size, 0, 0.5)), w.shape)),
    );
    const q = quantizeModel(cnn);
    const x = tf.tensor2d(Array.from({ length: 8 }, () => Array.from({ length: 25 }, () => g.normal())));
    const y = tf.oneHot(
      Array.from({ length: 8 }, () => g.int(3)),
      3,
    );
    const probs = tf.tidy(() => tf.softmax(q.logits(x)).arraySync() as number[][]);
    const exact = [0, 0];
    for (let n = 0; n < 8; n++) {
      for (let c = 0; c < 3; c++) {
        const sq = tf.tidy(() => {
          const f = q.paramLoss(tf.slice(x, [n, 0], [1, 25]), tf.oneHot([c], 3).cast('float32'));
          const grads = tf.grads((...ks: tf.Tensor[]) => f(ks) as tf.Scalar)(q.kernels());
          return grads.map((gr) => tf.sum(tf.square(gr)).dataSync()[0]!);
        });
        for (let b = 0; b < 2; b++) exact[b]! += (probs[n]![c]! * sq[b]!) / 8;
      }
    }
    const r = await layerHessianTraces(q, {
      calibration: { inputs: x, targets: y },
      seed: 2,
      maxSamples: 60,
      tolerance: 0,
      estimator: 'hutch++',
      method: 'gauss-newton',
    });
    expect(r.method).toBe('gauss-newton');
    expect(r.hessianVectorProducts).toBe(60);
    expect(Math.abs(r.traces.conv! - exact[0]!)).toBeLessThan(4 * r.standardErrors.conv! + 1e-3 * exact[0]!);
    expect(Math.abs(r.traces.head! - exact[1]!)).toBeLessThan(4 * r.standardErrors.head! + 1e-3 * exact[1]!);
    await expectNoLeak(() =>
      layerHessianTraces(q, {
        calibration: { inputs: x, targets: y },
        seed: 1,
        maxSamples: 6,
        method: 'gauss-newton',
      }),
    );
    await expect(
      layerHessianTraces(q, { calibration: { inputs: x, targets: y }, seed: 1, method: 'newton' as never }),
    ).rejects.toThrow(/method: expected one of/);
    q.dispose();
    cnn.dispose();
    tf.dispose([x, y]);
  });

  it('HAWQ score = average trace × ‖Q(W) − W‖², with the perturbation from a float64 hand quantisation', async () => {
    const r = await layerHessianTraces(qm, { calibration: { inputs, targets }, seed: 1, maxSamples: 20 });
    const scores = hawqScores(qm, r, 4);
    const w = model.getWeights()[0]!.arraySync() as number[][];
    const scale = w[0]!.map((_, c) => Math.fround(Math.max(...w.map((row) => Math.abs(row[c]!))) / 7));
    let pert = 0;
    for (const row of w)
      row.forEach((v, c) => {
        const q = Math.max(-8, Math.min(7, roundHalfEven(v / scale[c]!))) * scale[c]!;
        pert += (q - v) ** 2;
      });
    expect(qm.weightPerturbation('a', 4)).toBeCloseTo(pert, 5);
    expect(scores.a! / (r.perParameter.a! * pert)).toBeCloseTo(1, 4);
    expect(() => hawqScores(qm, r, 20)).toThrow(/precision: expected bits/);
  });

  it('dependencies follow their definition, are symmetric, and count evaluations', async () => {
    qm.calibrate(inputs);
    const d = await measureDependencies(qm, { calibration: { inputs, targets }, precision: 3 });
    const base = qm.loss(inputs, targets);
    const la = qm.loss(inputs, targets, { a: 3 }) - base;
    const lb = qm.loss(inputs, targets, { b: 3 }) - base;
    const lab = qm.loss(inputs, targets, { a: 3, b: 3 }) - base;
    expect(d.single[0]).toBeCloseTo(la, 5);
    expect(d.interaction[0]![1]).toBeCloseTo(lab - la - lb, 5);
    expect(d.interaction[1]![0]).toBe(d.interaction[0]![1]);
    expect(d.interaction.map((r, i) => r[i])).toEqual([0, 0, 0]);
    expect(d.evaluations).toBe(1 + 3 + 3);
    const adj = await measureDependencies(qm, {
      calibration: { inputs, targets },
      precision: 3,
      pairs: 'adjacent',
    });
    expect(adj.interaction[0]![2]).toBe(0);
    expect(adj.evaluations).toBe(1 + 3 + 2);
    await expectNoLeak(() => measureDependencies(qm, { calibration: { inputs, targets }, precision: 4 }));
    await expect(
      measureDependencies(qm, { calibration: { inputs: tf.zeros([0, 5]), targets }, precision: 4 }),
    ).rejects.toThrow(/calibration: expected a non-empty calibration set/);
  });

  it('augmented sensitivity = ½Ω + ½ Σ_j D_ij and orders least sensitive first', () => {
    const names = ['x', 'y', 'z'];
    const s = augmentedSensitivity(names, { x: 2, y: 4, z: 1 }, [
      [0, 1, -2],
      [1, 0, 0.5],
      [-2, 0.5, 0],
    ]);
    expect(s).toEqual({ x: 0.5, y: 2.75, z: -0.25 });
    expect(sensitivityOrder(names, s)).toEqual(['z', 'x', 'y']);
    expect(() => augmentedSensitivity(names, { x: 1, y: 1, z: 1 }, [[0]])).toThrow(ArgumentError);
    expect(() =>
      augmentedSensitivity(names, { x: 1, y: 1 }, [
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
      ]),
    ).toThrow(/missing the score of layer 'z'/);
  });
});
