import {
  ArgumentError,
  assertInteger,
  assertNumber,
  assertOneOf,
  describeValue,
  fit,
  linePlotSvg,
  randomNormalTensor,
  type Tensor,
  TensorloomError,
  tf,
} from '@tensorloom/core';
import { logLogSlope } from '../limits/linear1.js';
import type { MuModel } from './model.js';
import { muAdam, muSGD } from './muMLP.js';

/** Options of {@link coordCheck}. */
export interface CoordCheckOptions {
  /**
   * Builds the network at a width (e.g. `(n, seed) => muMLP({ …, width: n, baseWidth: 64, seed })`, or
   * {@link muTransformer}); disposed after use.
   */
  build: (width: number, seed: number) => MuModel;
  /** Widths to compare (at least two distinct, each ≥ 1). */
  widths: readonly number[];
  /** Training steps recorded (t = 0 is initialisation); default 3. */
  steps?: number;
  /** `'sgd'` (muSGD groups) or `'adam'` (muAdam groups); default `'sgd'`. */
  optimizer?: 'sgd' | 'adam';
  /** Base learning rate; default 0.1 (SGD) / 0.01 (Adam). Large rates expose blow-ups. */
  learningRate?: number;
  /** Seeds averaged per width; default 1. */
  seeds?: number;
  /** Examples in the generated training batch (ignored with `data`); default 16. */
  batchSize?: number;
  /**
   * Your own training data instead of the generated Gaussian batch: one batch reused at every step (the `mup`
   * package's `fix_data=True`), or several batches, step t using `data[t mod length]`. Inputs are `[N, …inputShape]`,
   * targets match the output (`[N, outputDim]`). Not disposed. With several batches `delta` compares different
   * inputs and is therefore NaN.
   */
  data?: { inputs: Tensor; targets: Tensor } | readonly { inputs: Tensor; targets: Tensor }[];
  /** `'mse'` (default) or `'softmax-cross-entropy'` (targets one-hot, like `mup`'s default `xent`). */
  loss?: 'mse' | 'softmax-cross-entropy';
  /** Flag slopes above this as blow-up and below −this as vanishing; default 0.25. */
  slopeThreshold?: number;
  /** Seed of the data (and base of the model seeds). */
  seed: number;
  /** Progress per (width, seed) run. */
  onProgress?: (event: { phase: 'coord-check'; step: number; total: number }) => void;
  /** Aborts between runs. */
  signal?: AbortSignal;
}

/** Statistics of one layer in {@link CoordCheckResult}. */
export interface CoordCheckLayer {
  /** Layer name (`layer0 …`, `output`). */
  name: string;
  /** `l1[t][w]`: mean |activation| at step t for width `widths[w]`, averaged over seeds. */
  l1: number[][];
  /** `l2[t][w]`: root-mean-square activation √mean(x²) (`mup`'s `l2`), averaged over seeds. */
  l2: number[][];
  /** `mean[t][w]`: mean activation, averaged over seeds. */
  mean: number[][];
  /** `std[t][w]`: standard deviation of the activation's coordinates (unbiased, like `torch.std`), averaged over seeds. */
  std: number[][];
  /** Fitted slope of log l1 against log width, per step. */
  slopes: number[];
  /** Fitted slope of log l2 against log width, per step. */
  l2Slopes: number[];
  /** Fitted slope of log std against log width, per step. */
  stdSlopes: number[];
  /** `delta[t][w]`: mean |h_t − h_0| (how far the activations moved from initialisation), averaged over seeds. */
  delta: number[][];
  /** Fitted slope of log delta against log width per step (NaN at t = 0); ≈ −r for an abc-parametrization. */
  deltaSlopes: number[];
  /** Per step: `'blow-up'`, `'vanish'` or `'ok'` (from the `l1` slopes). */
  flags: ('blow-up' | 'vanish' | 'ok')[];
}

/** What {@link coordCheck} returns. */
export interface CoordCheckResult {
  widths: number[];
  steps: number;
  layers: CoordCheckLayer[];
  /** The largest slope over all hidden layers (not the output) and steps. */
  maxHiddenSlope: number;
}

/**
 * The coordinate check of the `mup` package (`get_coord_data`): for each width, train a fresh network for a few steps
 * with core's `fit` and its μP parameter groups (on one fixed random Gaussian batch with MSE by default, or on your
 * `data` with MSE or softmax cross-entropy), recording `mup`'s statistics of every recorded tensor at each step (t = 0
 * is initialisation): `l1` = mean |x|, `l2` = √mean x², `mean`, `std`, plus `delta` = mean |h_t − h_0|. Then fit the
 * slope of log-statistic against log-width per layer and step and flag layers that blow up or vanish (from `l1`).
 * Under μP the curves are flat (slope ≈ 0; the output — and a transformer's attention logits — at init shrink like
 * width^−1/2 unless the readout / query is zero-initialised); under SP they grow after the first step.
 *
 * @throws {@link ArgumentError} for bad options; {@link TensorloomError} when aborted
 *
 * @example
 * ```ts
 * const r = await coordCheck({ build: (n, seed) => muMLP({ inputDim: 8, width: n, baseWidth: 64, depth: 3, outputDim: 1, seed }),
 *   widths: [64, 256, 1024], steps: 3, optimizer: 'sgd', seed: 0 });
 * ```
 */
export async function coordCheck(options: CoordCheckOptions): Promise<CoordCheckResult> {
  if (typeof options !== 'object' || options === null) {
    throw new ArgumentError(
      `options: expected { build, widths, steps?, optimizer?, seeds?, seed }, got ${describeValue(options)}`,
    );
  }
  if (typeof options.build !== 'function') {
    throw new ArgumentError(
      `options.build: expected a function (width, seed) => MuMLP, got ${describeValue(options.build)}`,
    );
  }
  const widths = options.widths;
  if (!Array.isArray(widths) || new Set(widths).size < 2) {
    throw new ArgumentError(
      `options.widths: expected at least two distinct widths, got ${describeValue(widths)}`,
    );
  }
  widths.forEach((w, i) => {
    assertInteger(w, `options.widths[${i}]`, { min: 1 });
  });
  const steps = options.steps ?? 3;
  assertInteger(steps, 'options.steps', { min: 1 });
  const optimizer = options.optimizer ?? 'sgd';
  assertOneOf(optimizer, ['sgd', 'adam'] as const, 'options.optimizer');
  const learningRate = options.learningRate ?? (optimizer === 'sgd' ? 0.1 : 0.01);
  assertNumber(learningRate, 'options.learningRate', { min: Number.MIN_VALUE });
  const seeds = options.seeds ?? 1;
  assertInteger(seeds, 'options.seeds', { min: 1 });
  const batchSize = options.batchSize ?? 16;
  assertInteger(batchSize, 'options.batchSize', { min: 1 });
  const batches = checkData(options.data);
  const lossKind = options.loss ?? 'mse';
  assertOneOf(lossKind, ['mse', 'softmax-cross-entropy'] as const, 'options.loss');
  const threshold = options.slopeThreshold ?? 0.25;
  assertNumber(threshold, 'options.slopeThreshold', { min: 0 });
  assertInteger(options.seed, 'options.seed');

  let names: string[] = [];
  // sums[stat][layer][t][w] for stat = l1, l2, mean, std
  let sums: number[][][][] = [];
  let deltaSums: number[][][] = [];
  const fixed = batches === undefined || batches.length === 1;
  const total = widths.length * seeds;
  let done = 0;
  for (let wi = 0; wi < widths.length; wi++) {
    for (let s = 0; s < seeds; s++) {
      if (options.signal?.aborted) throw new TensorloomError('coordCheck: aborted by signal');
      const model = options.build(widths[wi]!, options.seed + 7919 * s);
      if (typeof model !== 'object' || model === null || typeof model.forward !== 'function') {
        throw new ArgumentError(
          `options.build: expected it to return a MuModel, got ${describeValue(model)}`,
        );
      }
      const generated = batches === undefined;
      const shape = model.inputShape.map((d) => (d < 0 ? 8 : d));
      const data =
        batches ??
        (() => {
          const x = randomNormalTensor([batchSize, ...shape], { seed: options.seed * 31 + s });
          const y = randomNormalTensor([batchSize, model.outputDim], { seed: options.seed * 31 + s + 17 });
          return [{ inputs: x, targets: y }];
        })();
      const record: number[][][] = [];
      const deltas: number[][] = [];
      let initial: Float32Array[] = [];
      try {
        const setup = optimizer === 'sgd' ? muSGD(model) : muAdam(model);
        await fit({
          ...setup,
          learningRate,
          data: Array.from({ length: steps }, (_, t) => data[t % data.length]!),
          epochs: 1,
          shuffle: false,
          loss: (inputs: Tensor, targets: Tensor, context) => {
            const { output, activations } = model.forward(inputs);
            if (context.training) {
              if (names.length === 0) names = activations.map((a) => a.name);
              const stats = tf.stack(activations.map((a) => coordStats(a.value)));
              const flat = stats.dataSync();
              record.push(activations.map((_, i) => Array.from(flat.subarray(4 * i, 4 * i + 4))));
              if (fixed) {
                const values = activations.map((a) => a.value.dataSync() as Float32Array);
                if (initial.length === 0) initial = values.map((v) => Float32Array.from(v));
                deltas.push(
                  values.map((v, i) => {
                    const v0 = initial[i]!;
                    let sum = 0;
                    for (let k = 0; k < v.length; k++) sum += Math.abs(v[k]! - v0[k]!);
                    return sum / v.length;
                  }),
                );
              } else deltas.push(activations.map(() => Number.NaN));
            }
            return lossKind === 'mse'
              ? tf.mean(tf.square(tf.sub(output, targets)))
              : tf.losses.softmaxCrossEntropy(targets, output);
          },
        });
      } finally {
        model.dispose();
        if (generated) tf.dispose(data.flatMap((b) => [b.inputs, b.targets]));
      }
      const zeros = (): number[][][] =>
        names.map(() => Array.from({ length: steps }, () => new Array<number>(widths.length).fill(0)));
      if (sums.length === 0) {
        sums = [zeros(), zeros(), zeros(), zeros()];
        deltaSums = names.map(() =>
          Array.from({ length: steps }, () => new Array<number>(widths.length).fill(0)),
        );
      }
      deltas.forEach((row, t) => {
        row.forEach((v, layer) => {
          deltaSums[layer]![t]![wi]! += v / seeds;
        });
      });
      record.forEach((row, t) => {
        row.forEach((values, layer) => {
          values.forEach((v, k) => {
            sums[k]![layer]![t]![wi]! += v / seeds;
          });
        });
      });
      options.onProgress?.({ phase: 'coord-check', step: ++done, total });
    }
  }
  let maxHiddenSlope = Number.NEGATIVE_INFINITY;
  const layers = names.map((name, layer) => {
    const [l1, l2, mean, std] = [sums[0]![layer]!, sums[1]![layer]!, sums[2]![layer]!, sums[3]![layer]!];
    const slopes = l1.map((row) => logLogSlope(widths, row));
    const l2Slopes = l2.map((row) => logLogSlope(widths, row));
    const stdSlopes = std.map((row) => logLogSlope(widths, row));
    const delta = deltaSums[layer]!;
    const deltaSlopes = delta.map((row, t) => (t === 0 || !fixed ? Number.NaN : logLogSlope(widths, row)));
    const flags = slopes.map(
      (s) =>
        (!(s <= threshold)
          ? 'blow-up'
          : s < -threshold
            ? 'vanish'
            : 'ok') as CoordCheckLayer['flags'][number],
    );
    if (name !== 'output') for (const s of slopes) maxHiddenSlope = Math.max(maxHiddenSlope, s);
    return { name, l1, l2, mean, std, slopes, l2Slopes, stdSlopes, delta, deltaSlopes, flags };
  });
  return { widths: [...widths], steps, layers, maxHiddenSlope };
}

/** [mean|x|, √mean x², mean x, unbiased std] of all coordinates of `x`. */
function coordStats(x: Tensor): Tensor {
  const n = x.size;
  const m = tf.mean(x);
  const ss = tf.sum(tf.square(tf.sub(x, m)));
  return tf.stack([
    tf.mean(tf.abs(x)),
    tf.sqrt(tf.mean(tf.square(x))),
    m,
    tf.sqrt(tf.div(ss, Math.max(n - 1, 1))),
  ]);
}

function checkData(
  data: CoordCheckOptions['data'],
): readonly { inputs: Tensor; targets: Tensor }[] | undefined {
  if (data === undefined) return undefined;
  const list = Array.isArray(data) ? data : [data];
  if (list.length === 0) throw new ArgumentError('options.data: expected at least one batch, got []');
  list.forEach((b, i) => {
    const ok =
      typeof b === 'object' &&
      b !== null &&
      b.inputs instanceof tf.Tensor &&
      b.targets instanceof tf.Tensor &&
      b.inputs.shape[0] === b.targets.shape[0];
    if (!ok) {
      throw new ArgumentError(
        `options.data[${i}]: expected { inputs, targets } tensors with the same batch size, got ${describeValue(b)}`,
      );
    }
  });
  return list as readonly { inputs: Tensor; targets: Tensor }[];
}

/**
 * An SVG of a coordinate check like the `mup` package's plots: one panel per step, a statistic (`l1` = mean |x| by default, `l2`, `std`) against width
 * (log-log), one line per layer.
 * @throws {@link ArgumentError} for a malformed result
 */
export function coordCheckSvg(
  result: CoordCheckResult,
  title = 'coordinate check',
  statistic: 'l1' | 'l2' | 'std' = 'l1',
): string {
  if (typeof result !== 'object' || result === null || !Array.isArray(result.layers)) {
    throw new ArgumentError(`result: expected a CoordCheckResult, got ${describeValue(result)}`);
  }
  assertOneOf(statistic, ['l1', 'l2', 'std'] as const, 'statistic');
  const yLabel = statistic === 'l1' ? 'mean |x|' : statistic === 'l2' ? 'rms x' : 'std x';
  const panelW = 420;
  const panelH = 320;
  const panels = Array.from({ length: result.steps }, (_, t) =>
    linePlotSvg({
      title: `${title}: t = ${t}`,
      xLabel: 'width',
      yLabel,
      logX: true,
      logY: true,
      width: panelW,
      height: panelH,
      series: result.layers.map((l) => ({ name: l.name, x: result.widths, y: l[statistic][t]! })),
    }).replace('<svg ', `<svg x="${t * panelW}" y="0" `),
  );
  const w = panelW * result.steps;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${panelH}" viewBox="0 0 ${w} ${panelH}">${panels.join('')}</svg>`;
}
