import type { Tensor, Variable } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, NumericalError, ShapeError, TensorloomError } from '../errors/errors.js';
import { tf } from '../setup.js';
import { testBackends, useBackend } from '../test/backends.js';
import {
  type Batch,
  type FitOptions,
  type FitProgressEvent,
  fit,
  modelLoss,
  modelVariables,
} from './index.js';

// ---------- independent float64 references and fixtures ----------

/** Deterministic uniform numbers in [-1, 1) from a tiny LCG (independent of the module's generator). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}

/** Least squares min ‖A w − y‖² by the normal equations and Gaussian elimination with pivoting, in float64. */
function leastSquares(a: number[][], y: number[]): number[] {
  const d = a[0]!.length;
  const m = Array.from({ length: d }, (_, i) => {
    const row = Array.from({ length: d + 1 }, () => 0);
    for (let j = 0; j < d; j++) for (let k = 0; k < a.length; k++) row[j]! += a[k]![i]! * a[k]![j]!;
    for (let k = 0; k < a.length; k++) row[d]! += a[k]![i]! * y[k]!;
    return row;
  });
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= d; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[d]! / row[i]!);
}

/** A regression problem: x (n×3), y = x·w + b (+ noise), and its float64 least-squares solution [w…, b]. */
function regressionProblem(n: number, noise: number, seed: number) {
  const random = lcg(seed);
  const trueW = [1.5, -2, 0.5];
  const trueB = 0.3;
  const x = Array.from({ length: n }, () => [random(), random(), random()]);
  const y = x.map((row) => row.reduce((s, v, j) => s + v * trueW[j]!, trueB) + noise * random());
  const solution = leastSquares(
    x.map((row) => [...row, 1]),
    y,
  );
  return { x, y, solution };
}

/** A linear model w (3×1), b (1) with MSE loss over { inputs: x (n×3), targets: y (n×1) }. */
function linearModel() {
  const w = variableOf(() => tf.zeros([3, 1]));
  const b = variableOf(() => tf.zeros([1]));
  const loss = (x: Tensor, y: Tensor): Tensor => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x, w), b), y)));
  return { w, b, loss };
}

/** A variable whose initial tensor is disposed (tf.variable shares, not copies, its data). */
function variableOf(initial: () => Tensor, trainable = true): Variable {
  return tf.tidy(() => tf.variable(initial(), trainable));
}

function values(v: Tensor): number[] {
  return Array.from(v.dataSync());
}

/** Expects elementwise agreement to `digits` decimals (toBeCloseTo's rule). */
function expectAllClose(actual: number[], expected: number[], digits: number): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => {
    expect(v).toBeCloseTo(expected[i]!, digits);
  });
}

/** Expects `promise` to reject with an error of `type` whose message matches `pattern`. */
async function expectError(promise: Promise<unknown>, type: new (...a: never[]) => Error, pattern: RegExp) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  expect((error as Error).message).toMatch(pattern);
}

/** One dummy example: for losses that do not read the data. */
function dummyData(): Batch {
  return { inputs: tf.zeros([1, 1]), targets: tf.zeros([1, 1]) };
}

describe.each(testBackends())('fit on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('linear regression (full batch, noisy targets) converges to the least-squares solution', async () => {
    const before = tf.memory().numTensors;
    const { x, y, solution } = regressionProblem(32, 0.1, 1);
    const data = { inputs: tf.tensor2d(x), targets: tf.tensor2d(y, [32, 1]) };
    const { w, b, loss } = linearModel();
    const history = await fit({
      loss,
      data,
      params: [w, b],
      optimizer: 'sgd',
      learningRate: 0.3,
      epochs: 150,
      batchSize: 32,
    });
    const fitted = [...values(w), ...values(b)];
    for (let i = 0; i < 4; i++) expect(fitted[i]).toBeCloseTo(solution[i]!, 3);
    // The last epoch's loss is the least-squares residual at (almost) the solution.
    const residual =
      y.reduce(
        (s, yi, k) => s + (x[k]!.reduce((t, v, j) => t + v * solution[j]!, solution[3]!) - yi) ** 2,
        0,
      ) / 32;
    expect(history.epochs.at(-1)!.loss).toBeCloseTo(residual, 5);
    expect(history.steps).toBe(150);
    tf.dispose([w, b, data.inputs, data.targets]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('shuffled minibatch SGD on exact linear data reaches the exact weights', async () => {
    const before = tf.memory().numTensors;
    const { x, y, solution } = regressionProblem(32, 0, 2);
    const data = { inputs: tf.tensor2d(x), targets: tf.tensor2d(y, [32, 1]) };
    const { w, b, loss } = linearModel();
    const history = await fit({
      loss,
      data,
      params: [w, b],
      optimizer: 'sgd',
      learningRate: 0.2,
      epochs: 60,
      batchSize: 8,
      seed: 3,
    });
    expect(history.steps).toBe(240);
    expect(solution).toEqual([
      expect.closeTo(1.5, 9),
      expect.closeTo(-2, 9),
      expect.closeTo(0.5, 9),
      expect.closeTo(0.3, 9),
    ]);
    const fitted = [...values(w), ...values(b)];
    for (let i = 0; i < 4; i++) expect(fitted[i]).toBeCloseTo(solution[i]!, 3);
    tf.dispose([w, b, data.inputs, data.targets]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains a tf.LayersModel through model + modelLoss to the least-squares solution', async () => {
    const before = tf.memory().numTensors;
    const { x, y, solution } = regressionProblem(32, 0.1, 4);
    const model = tf.sequential({
      layers: [tf.layers.dense({ units: 1, inputShape: [3], kernelInitializer: 'zeros' })],
    });
    const data = { inputs: tf.tensor2d(x), targets: tf.tensor2d(y, [32, 1]) };
    const start = tf.memory().numTensors;
    const history = await fit({
      model,
      loss: modelLoss(model, tf.losses.meanSquaredError),
      data,
      optimizer: { name: 'momentum', momentum: 0.5 },
      learningRate: 0.2,
      epochs: 100,
      batchSize: 32,
    });
    expect(tf.memory().numTensors).toBe(start);
    expect(history.epochs[0]!.loss).toBeGreaterThan(history.epochs.at(-1)!.loss);
    const [kernel, bias] = modelVariables(model);
    const fitted = [...values(kernel!), ...values(bias!)];
    for (let i = 0; i < 4; i++) expect(fitted[i]).toBeCloseTo(solution[i]!, 3);
    model.dispose();
    tf.dispose([data.inputs, data.targets]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('per-group lrScale: SGD moves a group with lrScale 2 exactly twice as far, and lrScale 0 not at all', async () => {
    const before = tf.memory().numTensors;
    const init = [0.5, -1, 2];
    const t = [0.25, 0.5, -0.75];
    const a = variableOf(() => tf.tensor1d(init));
    const b = variableOf(() => tf.tensor1d(init));
    const frozen = variableOf(() => tf.tensor1d(init));
    const c = variableOf(() => tf.tensor1d(init)); // default group via params
    const tt = tf.tensor1d(t);
    // loss = Σ_v Σ (v ⊙ t + v²/2): ∂/∂v = t + v.
    const loss = () =>
      tf.addN([a, b, frozen, c].map((v) => tf.sum(tf.add(tf.mul(v, tt), tf.mul(0.5, tf.square(v))))));
    const data = dummyData();
    const lr = 0.1;
    await fit({
      loss,
      data,
      groups: [
        { name: 'double', params: [a], lrScale: 2 },
        { name: 'single', params: [b] },
        { name: 'frozen', params: [frozen], lrScale: 0 },
      ],
      params: [a, c],
      optimizer: 'sgd',
      learningRate: lr,
    });
    const hand = (scale: number) => init.map((p, i) => p - lr * scale * (t[i]! + p));
    expectAllClose(values(a), hand(2), 6);
    expectAllClose(values(b), hand(1), 6);
    expectAllClose(values(c), hand(1), 6);
    expect(values(frozen)).toEqual(Array.from(new Float32Array(init)));
    const da = values(a).map((v, i) => v - init[i]!);
    const db = values(b).map((v, i) => v - init[i]!);
    expectAllClose(
      da.map((d, i) => d / db[i]!),
      [2, 2, 2],
      5,
    );
    tf.dispose([a, b, frozen, c, tt, data.inputs, data.targets]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('per-group lrScale with Adam (μP hidden weights): first step is lr·lrScale·g/(|g|+ε)', async () => {
    const before = tf.memory().numTensors;
    const init = [0.5, -1, 2];
    const hidden = variableOf(() => tf.tensor1d(init));
    const output = variableOf(() => tf.tensor1d(init));
    const loss = () => tf.add(tf.sum(tf.square(hidden)), tf.sum(tf.square(output))); // g = 2p
    const data = dummyData();
    const lr = 0.01;
    const epsilon = 1e-6;
    const widthRatio = 0.25; // baseWidth / width
    await fit({
      loss,
      data,
      groups: [{ params: [hidden], lrScale: widthRatio }],
      params: [output],
      optimizer: { name: 'adam', epsilon },
      learningRate: lr,
    });
    // Bias-corrected first Adam step: m̂ = g, v̂ = g².
    const hand = (scale: number) => init.map((p) => p - (lr * scale * (2 * p)) / (Math.abs(2 * p) + epsilon));
    expectAllClose(values(hidden), hand(widthRatio), 6);
    expectAllClose(values(output), hand(1), 6);
    tf.dispose([hidden, output, data.inputs, data.targets]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('decoupled weight decay matches p ← p − lr·lrScale·wd·wdScale·p − lr·lrScale·g (SGD)', async () => {
    const before = tf.memory().numTensors;
    const init = [0.5, -1, 2];
    const t = [0.25, 1, -0.75];
    const p1 = variableOf(() => tf.tensor1d(init));
    const p2 = variableOf(() => tf.tensor1d(init));
    const p3 = variableOf(() => tf.tensor1d(init));
    const tt = tf.tensor1d(t);
    const loss = () => tf.addN([p1, p2, p3].map((v) => tf.sum(tf.mul(v, tt)))); // g = t
    const data = dummyData();
    const lr = 0.1;
    const wd = 0.3;
    await fit({
      loss,
      data,
      groups: [
        { params: [p1], lrScale: 0.5, weightDecayScale: 2 },
        { params: [p2], weightDecayScale: 0 },
      ],
      params: [p3],
      optimizer: 'sgd',
      learningRate: lr,
      weightDecay: wd,
    });
    const hand = (s: number, ws: number) => init.map((p, i) => p - lr * s * wd * ws * p - lr * s * t[i]!);
    expectAllClose(values(p1), hand(0.5, 2), 6);
    expectAllClose(values(p2), hand(1, 0), 6);
    expectAllClose(values(p3), hand(1, 1), 6);
    tf.dispose([p1, p2, p3, tt, data.inputs, data.targets]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("'adamw' applies weight decay 0.01 by default on top of the Adam step", async () => {
    const before = tf.memory().numTensors;
    const init = [0.5, -1, 2];
    const t = [0.25, 1, -0.75];
    const p = variableOf(() => tf.tensor1d(init));
    const tt = tf.tensor1d(t);
    const data = dummyData();
    const lr = 0.05;
    await fit({
      loss: () => tf.sum(tf.mul(p, tt)),
      data,
      params: [p],
      optimizer: { name: 'adamw', epsilon: 1e-6 },
      learningRate: lr,
    });
    const hand = init.map((q, i) => q * (1 - lr * 0.01) - (lr * t[i]!) / (Math.abs(t[i]!) + 1e-6));
    expectAllClose(values(p), hand, 6);
    tf.dispose([p, tt, data.inputs, data.targets]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('clips gradients by global norm (torch rule) and reports the unclipped norm', async () => {
    const before = tf.memory().numTensors;
    const a = variableOf(() => tf.tensor1d([0, 0]));
    const b = variableOf(() => tf.tensor1d([0]));
    const ga = tf.tensor1d([3, 4]);
    const gb = tf.tensor1d([12]);
    const loss = () => tf.add(tf.sum(tf.mul(a, ga)), tf.sum(tf.mul(b, gb))); // ‖g‖ = 13
    const data = dummyData();
    const events: FitProgressEvent[] = [];
    await fit({
      loss,
      data,
      groups: [{ params: [a], lrScale: 2 }],
      params: [b],
      optimizer: 'sgd',
      learningRate: 0.1,
      clipGradNorm: 1,
      onProgress: (e) => events.push(e),
    });
    const factor = 1 / (13 + 1e-6);
    expect(values(a)[0]).toBeCloseTo(-0.2 * 3 * factor, 6);
    expect(values(a)[1]).toBeCloseTo(-0.2 * 4 * factor, 6);
    expect(values(b)[0]).toBeCloseTo(-0.1 * 12 * factor, 6);
    expect(events[0]!.metrics.gradNorm).toBeCloseTo(13, 4);
    // Below the threshold nothing is rescaled.
    await fit({ loss, data, params: [a, b], optimizer: 'sgd', learningRate: 0.1, clipGradNorm: 100 });
    expect(values(b)[0]).toBeCloseTo(-0.1 * 12 * factor - 1.2, 5);
    tf.dispose([a, b, ga, gb, data.inputs, data.targets]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('same seed → identical history and batch order; different seed → different shuffle', async () => {
    const before = tf.memory().numTensors;
    const { x, y } = regressionProblem(16, 0.1, 5);
    // The first input column carries the example index, so the loss can record the batch order.
    const inputs = tf.tensor2d(x.map((row, i) => [i, ...row]));
    const targets = tf.tensor2d(y, [16, 1]);
    const run = async (seed: number, shuffle = true) => {
      const { w, b } = linearModel();
      const order: number[] = [];
      const history = await fit({
        loss: (xb: Tensor, yb: Tensor) => {
          order.push(...values(tf.slice(xb, [0, 0], [-1, 1])));
          const pred = tf.add(tf.matMul(xb, tf.concat([tf.zeros([1, 1]), w], 0)), b);
          return tf.mean(tf.square(tf.sub(pred, yb)));
        },
        data: { inputs, targets },
        params: [w, b],
        learningRate: 0.05,
        epochs: 3,
        batchSize: 4,
        seed,
        shuffle,
      });
      const final = [...values(w), ...values(b)];
      tf.dispose([w, b]);
      return { history, order, final };
    };
    const first = await run(11);
    const again = await run(11);
    const other = await run(12);
    const unshuffled = await run(11, false);
    expect(again.history).toEqual(first.history);
    expect(again.order).toEqual(first.order);
    expect(again.final).toEqual(first.final);
    expect(other.order).not.toEqual(first.order);
    // Every epoch visits each example exactly once.
    for (const { order } of [first, other]) {
      for (let e = 0; e < 3; e++) {
        expect(order.slice(e * 16, e * 16 + 16).sort((p, q) => p - q)).toEqual(
          Array.from({ length: 16 }, (_, i) => i),
        );
      }
    }
    // Epochs are reshuffled, and shuffle: false keeps the natural order.
    expect(first.order.slice(0, 16)).not.toEqual(first.order.slice(16, 32));
    expect(unshuffled.order).toEqual([0, 1, 2].flatMap(() => Array.from({ length: 16 }, (_, i) => i)));
    tf.dispose([inputs, targets]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('abort stops after the current batch, disposes everything and reports aborted', async () => {
    const before = tf.memory().numTensors;
    const { x, y } = regressionProblem(8, 0.1, 6);
    const data = { inputs: tf.tensor2d(x), targets: tf.tensor2d(y, [8, 1]) };
    const { w, b, loss } = linearModel();
    const controller = new AbortController();
    const events: FitProgressEvent[] = [];
    const history = await fit({
      loss,
      data,
      params: [w, b],
      learningRate: 0.01,
      epochs: 10,
      batchSize: 4,
      signal: controller.signal,
      onProgress: (e) => {
        events.push(e);
        if (e.phase === 'batch' && e.step === 3) controller.abort();
      },
    });
    expect(history.aborted).toBe(true);
    expect(history.stoppedEarly).toBe(false);
    expect(history.steps).toBe(3);
    expect(history.epochs.map((e) => e.epoch)).toEqual([0]); // epoch 1 was cut short and is not recorded
    expect(events.map((e) => `${e.phase}${e.step}/${e.total}`)).toEqual([
      'batch1/20',
      'batch2/20',
      'epoch1/10',
      'batch3/20',
    ]);
    // An abort from a timer lands between batches too (the loop yields to the event loop).
    const timed = new AbortController();
    setTimeout(() => timed.abort(), 5);
    const timedHistory = await fit({
      loss,
      data,
      params: [w, b],
      learningRate: 0.01,
      epochs: 100000,
      batchSize: 4,
      signal: timed.signal,
    });
    expect(timedHistory.aborted).toBe(true);
    expect(timedHistory.steps).toBeGreaterThan(0);
    expect(timedHistory.steps).toBeLessThan(200000);
    // An already-aborted signal trains nothing.
    const w0 = values(w);
    const none = await fit({ loss, data, params: [w, b], learningRate: 0.01, signal: AbortSignal.abort() });
    expect(none).toMatchObject({ aborted: true, steps: 0, epochs: [], bestEpoch: null });
    expect(values(w)).toEqual(w0);
    tf.dispose([w, b, data.inputs, data.targets]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('early stopping triggers after `patience` bad epochs and restores the best weights', async () => {
    const before = tf.memory().numTensors;
    // Train loss (w − 1)², validation loss (w − 0.5)². SGD lr 0.1: w_k = 1 − 0.8^k after epoch k.
    // Validation improves for k = 1, 2, 3 (w = 0.2, 0.36, 0.488) and worsens from k = 4 (w = 0.5904).
    const train = { inputs: tf.zeros([1, 1]), targets: tf.ones([1, 1]) };
    const validation = { inputs: tf.zeros([1, 1]), targets: tf.fill([1, 1], 0.5) };
    const run = async (options: Partial<FitOptions>) => {
      const w = variableOf(() => tf.zeros([1, 1]));
      const history = await fit({
        loss: (_x: Tensor, y: Tensor) => tf.mean(tf.square(tf.sub(w, y))),
        data: train,
        validation,
        params: [w],
        optimizer: 'sgd',
        learningRate: 0.1,
        epochs: 20,
        ...options,
      });
      const final = values(w)[0]!;
      w.dispose();
      return { history, final };
    };
    const restored = await run({ earlyStopping: { patience: 2, restoreBest: true } });
    expect(restored.history.stoppedEarly).toBe(true);
    expect(restored.history.monitor).toBe('valLoss');
    expect(restored.history.bestEpoch).toBe(2);
    expect(restored.history.epochs).toHaveLength(5);
    restored.history.epochs.forEach((e, k) => {
      const wAfter = 1 - 0.8 ** (k + 1);
      const wBefore = 1 - 0.8 ** k;
      expect(e.valLoss).toBeCloseTo((wAfter - 0.5) ** 2, 6);
      expect(e.loss).toBeCloseTo((wBefore - 1) ** 2, 6);
    });
    expect(restored.final).toBeCloseTo(1 - 0.8 ** 3, 6);
    // Without restoreBest the weights stay at the last epoch.
    const kept = await run({ earlyStopping: { patience: 2 } });
    expect(kept.history.epochs).toHaveLength(5);
    expect(kept.final).toBeCloseTo(1 - 0.8 ** 5, 6);
    // A metric monitored in 'max' mode gives the same decision.
    const negated = await run({
      metrics: { negLoss: (_x: Tensor, y: Tensor) => tf.neg(tf.square(tf.sub(tf.scalar(0), tf.sum(y)))) },
      earlyStopping: { monitor: 'val_negLoss', mode: 'max', patience: 1 },
    });
    // val_negLoss is constant (−0.25): epoch 0 is best, epoch 1 does not improve → stop after 2 epochs.
    expect(negated.history.epochs.map((e) => e.valMetrics?.negLoss)).toEqual([-0.25, -0.25]);
    expect(negated.history.bestEpoch).toBe(0);
    expect(negated.history.stoppedEarly).toBe(true);
    // minDelta: improvements smaller than it do not count.
    const coarse = await run({ earlyStopping: { patience: 1, minDelta: 0.05 } });
    // valLoss: 0.09, 0.0196 (improves by 0.07), 0.000144 (by 0.019 < 0.05) → stop after 3 epochs, best 1.
    expect(coarse.history.epochs).toHaveLength(3);
    expect(coarse.history.bestEpoch).toBe(1);
    tf.dispose([train.inputs, train.targets, validation.inputs, validation.targets]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('restoreBest also restores when training is aborted after the best epoch', async () => {
    const before = tf.memory().numTensors;
    const train = { inputs: tf.zeros([1, 1]), targets: tf.ones([1, 1]) };
    const validation = { inputs: tf.zeros([1, 1]), targets: tf.fill([1, 1], 0.5) };
    const w = variableOf(() => tf.zeros([1, 1]));
    const controller = new AbortController();
    const history = await fit({
      loss: (_x: Tensor, y: Tensor) => tf.mean(tf.square(tf.sub(w, y))),
      data: train,
      validation,
      params: [w],
      optimizer: 'sgd',
      learningRate: 0.1,
      epochs: 20,
      earlyStopping: { patience: 10, restoreBest: true },
      signal: controller.signal,
      onProgress: (e) => {
        if (e.phase === 'batch' && e.step === 6) controller.abort();
      },
    });
    expect(history).toMatchObject({ aborted: true, steps: 6, bestEpoch: 2 });
    expect(values(w)[0]).toBeCloseTo(1 - 0.8 ** 3, 6);
    tf.dispose([w, train.inputs, train.targets, validation.inputs, validation.targets]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports batch and epoch progress with metrics and validation values', async () => {
    const before = tf.memory().numTensors;
    const { x, y } = regressionProblem(10, 0.1, 7);
    const data = { inputs: tf.tensor2d(x), targets: tf.tensor2d(y, [10, 1]) };
    const { w, b, loss } = linearModel();
    const mae = (xb: Tensor, yb: Tensor) => tf.mean(tf.abs(tf.sub(tf.add(tf.matMul(xb, w), b), yb)));
    const events: FitProgressEvent[] = [];
    const history = await fit({
      loss,
      data,
      validation: data,
      validationBatchSize: 3,
      metrics: { mae },
      params: [w, b],
      optimizer: 'sgd',
      learningRate: 0.1,
      epochs: 2,
      batchSize: 4,
      shuffle: false,
      onProgress: (e) => events.push(e),
    });
    expect(events.map((e) => `${e.phase}${e.step}/${e.total}`)).toEqual([
      'batch1/6',
      'batch2/6',
      'batch3/6',
      'epoch1/2',
      'batch4/6',
      'batch5/6',
      'batch6/6',
      'epoch2/2',
    ]);
    // Batch 1 (unshuffled: examples 0–3) at w = 0, b = 0: loss = mean(y²), mae = mean(|y|).
    const first = y.slice(0, 4);
    expect(events[0]!.metrics.loss).toBeCloseTo(first.reduce((s, v) => s + v * v, 0) / 4, 5);
    expect(events[0]!.metrics.mae).toBeCloseTo(first.reduce((s, v) => s + Math.abs(v), 0) / 4, 5);
    // Epoch loss = size-weighted mean of batch losses (batches of 4, 4, 2).
    const batchLosses = events.slice(0, 3).map((e) => e.metrics.loss!);
    expect(history.epochs[0]!.loss).toBeCloseTo(
      (4 * batchLosses[0]! + 4 * batchLosses[1]! + 2 * batchLosses[2]!) / 10,
      5,
    );
    // Validation on the training data after epoch 2 equals the loss at the final weights.
    const wv = values(w);
    const bv = values(b)[0]!;
    const finalLoss =
      y.reduce((s, yi, k) => s + (x[k]!.reduce((t, v, j) => t + v * wv[j]!, bv) - yi) ** 2, 0) / 10;
    expect(history.epochs[1]!.valLoss).toBeCloseTo(finalLoss, 5);
    expect(events[7]!.metrics).toMatchObject({
      valLoss: history.epochs[1]!.valLoss,
      val_mae: history.epochs[1]!.valMetrics!.mae,
    });
    tf.dispose([w, b, data.inputs, data.targets]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('accepts lists of batches and batch generators (closed when stopped, tensors left to their owner)', async () => {
    const before = tf.memory().numTensors;
    const { x, y, solution } = regressionProblem(16, 0, 8);
    const { w, b, loss } = linearModel();
    let closed = 0;
    const source = function* () {
      try {
        for (let k = 0; k < 16; k += 8) {
          const batch = {
            inputs: tf.tensor2d(x.slice(k, k + 8)),
            targets: tf.tensor2d(y.slice(k, k + 8), [8, 1]),
          };
          try {
            yield batch;
          } finally {
            tf.dispose([batch.inputs, batch.targets]);
          }
        }
      } finally {
        closed++;
      }
    };
    const events: FitProgressEvent[] = [];
    const history = await fit({
      loss,
      data: source,
      params: [w, b],
      optimizer: 'sgd',
      learningRate: 0.2,
      epochs: 40,
      onProgress: (e) => events.push(e),
    });
    expect(history.steps).toBe(80);
    expect(closed).toBe(40);
    expect(events[0]!.total).toBeUndefined();
    const fitted = [...values(w), ...values(b)];
    for (let i = 0; i < 4; i++) expect(fitted[i]).toBeCloseTo(solution[i]!, 2);
    // stepsPerEpoch caps an (endless) source, closes it each epoch, and gives a total.
    closed = 0;
    const endless = async function* () {
      try {
        for (;;) {
          const batch = { inputs: tf.tensor2d(x.slice(0, 8)), targets: tf.tensor2d(y.slice(0, 8), [8, 1]) };
          try {
            yield batch;
          } finally {
            tf.dispose([batch.inputs, batch.targets]);
          }
        }
      } finally {
        closed++;
      }
    };
    const capped: FitProgressEvent[] = [];
    const h2 = await fit({
      loss,
      data: endless,
      params: [w, b],
      learningRate: 0.01,
      epochs: 2,
      stepsPerEpoch: 3,
      onProgress: (e) => capped.push(e),
    });
    expect(h2.steps).toBe(6);
    expect(closed).toBe(2);
    expect(capped[0]!.total).toBe(6);
    // A list of ready batches: used every epoch, not disposed by fit.
    const batches: Batch[] = [0, 8].map((k) => ({
      inputs: tf.tensor2d(x.slice(k, k + 8)),
      targets: tf.tensor2d(y.slice(k, k + 8), [8, 1]),
    }));
    const h3 = await fit({ loss, data: batches, params: [w, b], learningRate: 0.01, epochs: 3 });
    expect(h3.steps).toBe(6);
    expect(batches.every((batch) => !batch.inputs.isDisposed)).toBe(true);
    tf.dispose([w, b, ...batches.flatMap((batch) => [batch.inputs, batch.targets])]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('uses a caller-owned tf.Optimizer instance without disposing it, and takes optimizer factories', async () => {
    const before = tf.memory().numTensors;
    const p = variableOf(() => tf.tensor1d([1, -2]));
    const loss = () => tf.sum(tf.square(p)); // g = 2p
    const data = dummyData();
    const sgd = tf.train.sgd(0.1);
    await fit({ loss, data, params: [p], optimizer: sgd });
    await fit({ loss, data, params: [p], optimizer: sgd }); // still usable: not disposed
    // Two steps of p ← p − 0.1·2p = 0.8p.
    expect(values(p)[0]).toBeCloseTo(0.64, 6);
    expect(values(p)[1]).toBeCloseTo(-1.28, 6);
    sgd.dispose();
    const rates: number[] = [];
    const q = variableOf(() => tf.tensor1d([1]));
    await fit({
      loss: () => tf.add(tf.sum(tf.square(p)), tf.sum(tf.square(q))),
      data,
      groups: [{ params: [q], lrScale: 0.5 }],
      params: [p],
      optimizer: (lr) => {
        rates.push(lr);
        return tf.train.sgd(lr);
      },
      learningRate: 0.2,
    });
    expect(rates).toEqual([0.1, 0.2]);
    expect(values(q)[0]).toBeCloseTo(1 - 0.1 * 2, 6);
    tf.dispose([p, q, data.inputs, data.targets]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('supports the rmsprop and momentum specs (one step by hand)', async () => {
    const before = tf.memory().numTensors;
    const data = dummyData();
    const p = variableOf(() => tf.tensor1d([1, -2]));
    // RMSProp first step: ms = (1 − ρ)g², p ← p − lr·g/sqrt(ms + ε).
    await fit({
      loss: () => tf.sum(tf.square(p)),
      data,
      params: [p],
      optimizer: { name: 'rmsprop', decay: 0.9, epsilon: 1e-6 },
      learningRate: 0.01,
    });
    expectAllClose(
      values(p),
      [1, -2].map((p0) => p0 - (0.01 * 2 * p0) / Math.sqrt(0.1 * (2 * p0) ** 2 + 1e-6)),
      5,
    );
    const q = variableOf(() => tf.tensor1d([1]));
    // Momentum, two steps with g = 1: v1 = 1, v2 = 0.5 + 1; q = 1 − lr(v1 + v2).
    const batches = [dummyData(), dummyData()];
    await fit({
      loss: () => tf.sum(q),
      data: batches,
      shuffle: false,
      params: [q],
      optimizer: { name: 'momentum', momentum: 0.5 },
      learningRate: 0.1,
    });
    expect(values(q)[0]).toBeCloseTo(1 - 0.1 * (1 + 1.5), 6);
    tf.dispose([p, q, data.inputs, data.targets, ...batches.flatMap((d) => [d.inputs, d.targets])]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('throws NumericalError on a non-finite loss before updating, and cleans up when the loss throws', async () => {
    const before = tf.memory().numTensors;
    const p = variableOf(() => tf.tensor1d([1, 2]));
    const data = dummyData();
    await expectError(
      fit({
        loss: () => tf.div(tf.sum(p), tf.scalar(0)),
        data,
        params: [p],
        optimizer: 'adam',
        learningRate: 0.1,
      }),
      NumericalError,
      /loss: expected a finite value, got Infinity at epoch 0 batch 0 \(step 1\); no update was applied/,
    );
    expect(values(p)).toEqual([1, 2]);
    let calls = 0;
    const batches = [dummyData(), dummyData()];
    await expectError(
      fit({
        loss: () => {
          const value = tf.sum(tf.square(p)); // ops on the gradient tape before the throw
          if (++calls === 3) throw new Error('boom');
          return value;
        },
        data: batches,
        params: [p],
        optimizer: 'adam',
        learningRate: 0.1,
        epochs: 5,
      }),
      Error,
      /boom/,
    );
    expect(calls).toBe(3);
    tf.dispose([p, data.inputs, data.targets, ...batches.flatMap((d) => [d.inputs, d.targets])]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('validates its options with typed, named errors', async () => {
    const before = tf.memory().numTensors;
    const a = variableOf(() => tf.tensor1d([1]));
    const b = variableOf(() => tf.tensor1d([1]));
    const frozenVar = variableOf(() => tf.tensor1d([1]), false);
    const data = dummyData();
    const loss = () => tf.add(tf.sum(tf.square(a)), tf.sum(tf.square(b)));
    const notVariable = tf.zeros([1]);
    const x3 = tf.zeros([3, 1]);
    const y2 = tf.zeros([2, 1]);
    const y3 = tf.zeros([3]);
    const rank0 = tf.scalar(1);
    const base = { loss, data, params: [a, b], learningRate: 0.1 } as FitOptions;
    const cases: [Partial<FitOptions> & Record<string, unknown>, new (...a: never[]) => Error, RegExp][] = [
      [
        { groups: [{ params: [a] }, { name: 'second', params: [b, a] }] },
        ArgumentError,
        /groups\[1\] \('second'\)\.params\[1\]: variable '.*' is already in groups\[0\]/,
      ],
      [{ groups: [{ params: [a, a] }] }, ArgumentError, /already in groups\[0\]/],
      [
        { groups: [{ params: [a], lrScale: -1 }] },
        ArgumentError,
        /groups\[0\]\.lrScale: expected a value >= 0, got -1/,
      ],
      [{ groups: [{ params: [a], lr: 2 } as never] }, ArgumentError, /groups\[0\]: unknown key 'lr'/],
      [{ groups: [{ params: [] }] }, ArgumentError, /groups\[0\]\.params: expected a non-empty array/],
      [
        { params: [a, notVariable as unknown as Variable] },
        ArgumentError,
        /params\[1\]: expected a tf.Variable, got a value of type object/,
      ],
      [{ params: [frozenVar] }, ArgumentError, /params\[0\]: variable '.*' is not trainable/],
      [{ params: undefined }, ArgumentError, /params: no variables to train/],
      [
        { groups: [{ params: [a, b], lrScale: 0 }], params: undefined },
        ArgumentError,
        /every group has lrScale 0/,
      ],
      [{ lr: 0.1 }, ArgumentError, /fit: unknown option 'lr'/],
      [
        { learningRate: undefined },
        ArgumentError,
        /learningRate: expected a positive finite number, got undefined/,
      ],
      [
        { optimizer: 'lion' as never },
        ArgumentError,
        /optimizer.name: expected one of 'sgd', 'momentum', 'adam', 'adamw', 'rmsprop', got 'lion'/,
      ],
      [
        { optimizer: { name: 'adam', beta1: 1 } },
        ArgumentError,
        /optimizer.beta1: expected a value < 1, got 1/,
      ],
      [
        { optimizer: { name: 'sgd', lr: 0.1 } as never },
        ArgumentError,
        /optimizer: unknown key 'lr' for 'sgd'/,
      ],
      [
        { optimizer: (() => 'sgd') as never },
        ArgumentError,
        /optimizer: the factory must return a tf.Optimizer, got 'sgd'/,
      ],
      [{ weightDecay: -0.1 }, ArgumentError, /weightDecay: expected a value >= 0, got -0.1/],
      [{ epochs: 1.5 }, ArgumentError, /epochs: expected an integer, got 1.5/],
      [{ batchSize: 0 }, ArgumentError, /batchSize: expected a value >= 1, got 0/],
      [{ seed: 0.5 }, ArgumentError, /seed: expected an integer, got 0.5/],
      [{ shuffle: 'yes' as never }, ArgumentError, /shuffle: expected a boolean, got 'yes'/],
      [{ clipGradNorm: 0 }, ArgumentError, /clipGradNorm: expected a positive finite number, got 0/],
      [{ loss: undefined as never }, ArgumentError, /loss: expected a function/],
      [{ data: [] }, ArgumentError, /data: expected at least one batch, got an empty array/],
      [
        { data: { inputs: x3, targets: y2 } },
        ShapeError,
        /data.targets: expected 3 examples on axis 0 \(like data.inputs\), got shape \[2, 1\]/,
      ],
      [
        { data: { inputs: [x3, rank0], targets: y3 } as never },
        ShapeError,
        /data.inputs\[1\]: expected rank >= 1/,
      ],
      [
        { data: (() => 5) as never },
        ArgumentError,
        /data: the batch source must return an iterable or async iterable, got 5/,
      ],
      [
        { loss: () => tf.add(a, b) },
        ShapeError,
        /loss: expected a scalar \(rank 0\) tensor, got rank 1 \(shape \[1\]\)/,
      ],
      [
        { loss: () => tf.scalar(1) },
        ArgumentError,
        /loss: the loss does not depend on any of the trained variables/,
      ],
      [{ metrics: { loss: loss } }, ArgumentError, /metrics: the name 'loss' is reserved/],
      [
        { earlyStopping: { monitor: 'valLoss' } },
        ArgumentError,
        /earlyStopping.monitor: expected one of 'loss', got 'valLoss' \(validation values need the validation option\)/,
      ],
      [
        { earlyStopping: { patience: -1 } },
        ArgumentError,
        /earlyStopping.patience: expected a value >= 0, got -1/,
      ],
      [
        { earlyStopping: { mode: 'up' as never } },
        ArgumentError,
        /earlyStopping.mode: expected one of 'min', 'max', got 'up'/,
      ],
      [{ signal: {} as never }, ArgumentError, /signal: expected an AbortSignal/],
      [{ model: {} as never }, ArgumentError, /model: expected a tf.LayersModel, got a value of type object/],
    ];
    for (const [override, type, pattern] of cases) {
      await expectError(fit({ ...base, ...override } as FitOptions), type, pattern);
    }
    // Errors from the factory path and the instance path.
    const shared = tf.train.sgd(0.1);
    await expectError(
      fit({ ...base, groups: [{ params: [a] }], optimizer: () => shared }),
      ArgumentError,
      /optimizer: the factory returned the same tf.Optimizer twice/,
    );
    await expectError(
      fit({
        ...base,
        groups: [{ name: 'hidden', params: [a], lrScale: 2 }],
        optimizer: shared,
        learningRate: undefined,
      }),
      ArgumentError,
      /groups: 'hidden' has lrScale 2, but a tf.Optimizer instance has one learning rate/,
    );
    await expectError(
      fit({ ...base, optimizer: shared, learningRate: 0.5 }),
      ArgumentError,
      /learningRate: the tf.Optimizer instance has learning rate 0.1, got 0.5/,
    );
    shared.dispose();
    // Every error is a TensorloomError.
    await expectError(fit({ ...base, epochs: 0 }), TensorloomError, /epochs/);
    tf.dispose([a, b, frozenVar, data.inputs, data.targets, notVariable, x3, y2, y3, rank0]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
