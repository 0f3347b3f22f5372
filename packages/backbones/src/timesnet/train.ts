import type { LayersModel, Optimizer, Tensor, Tensor3D } from '@tensorflow/tfjs';
import {
  ArgumentError,
  assertInteger,
  assertNumber,
  describeValue,
  type FitHistory,
  fit,
  matMul,
  type ProgressEvent,
  ShapeError,
  solve,
  tf,
} from '@tensorloom/core';
import type { ForecastWindows } from './data.js';

/** Mean squared error between two tensors of equal shape (a scalar tensor). */
export function mseLoss(prediction: Tensor, target: Tensor): Tensor {
  checkPair(prediction, target);
  return tf.tidy(() => tf.mean(tf.squaredDifference(prediction, target)));
}

/** Mean absolute error between two tensors of equal shape (a scalar tensor). */
export function maeLoss(prediction: Tensor, target: Tensor): Tensor {
  checkPair(prediction, target);
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(prediction, target))));
}

function checkPair(a: Tensor, b: Tensor): void {
  if (!(a instanceof tf.Tensor) || !(b instanceof tf.Tensor)) {
    throw new ArgumentError(
      `prediction/target: expected two tensors, got ${describeValue(a)} and ${describeValue(b)}`,
    );
  }
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new ShapeError(
      `target: expected the prediction's shape [${a.shape.join(', ')}], got [${b.shape.join(', ')}]`,
    );
  }
}

/** Options of {@link trainTimesNet}; defaults are the reference `run.py` ones. */
export interface TrainTimesNetOptions {
  /** Epochs (default 10). */
  epochs?: number;
  /** Batch size (default 32). */
  batchSize?: number;
  /** Adam learning rate (default 1e-4), halved every epoch after the first (`lradj = 'type1'`). */
  learningRate?: number;
  /** Early-stopping patience on the validation MSE (default 3); the best epoch's weights are restored. */
  patience?: number;
  /** Shuffle seed (default 0). */
  seed?: number;
  /** At most this many batches per epoch (for quick runs). */
  stepsPerEpoch?: number;
  /** Progress after every batch and epoch. */
  onProgress?: (event: ProgressEvent) => void;
  /** Stops between batches. */
  signal?: AbortSignal;
}

/**
 * Trains a TimesNet forecaster as the reference `Exp_Long_Term_Forecast.train` does: MSE loss, Adam at
 * 1e-4 halved after every epoch from the second on (`lr = lr₀·0.5^(epoch−1)`), batch 32, shuffled
 * windows, 10 epochs with early stopping (patience 3) on the validation MSE, best weights restored.
 * Built on core's `fit`; dropout is on during training.
 *
 * @param model - a forecasting model from `timesNet`
 * @param data - train (and optional validation) windows from `prepareForecastData`
 * @throws {@link ArgumentError} for bad options
 */
export async function trainTimesNet(
  model: LayersModel,
  data: { train: ForecastWindows; val?: ForecastWindows },
  options: TrainTimesNetOptions = {},
): Promise<FitHistory> {
  if (!(model instanceof tf.LayersModel))
    throw new ArgumentError(`model: expected a tf.LayersModel, got ${describeValue(model)}`);
  if (!data?.train?.inputs || !(data.train.targets instanceof tf.Tensor)) {
    throw new ArgumentError(
      `data.train: expected forecast windows { inputs, targets }, got ${describeValue(data?.train)}`,
    );
  }
  const learningRate = options.learningRate ?? 1e-4;
  assertNumber(learningRate, 'options.learningRate', { min: Number.MIN_VALUE });
  const patience = options.patience ?? 3;
  assertInteger(patience, 'options.patience', { min: 0 });
  let optimizer: Optimizer | null = null;
  const lossFn = (x: Tensor[], y: Tensor, ctx: { training: boolean }) =>
    tf.mean(
      tf.squaredDifference(model.apply(x.length === 1 ? x[0]! : x, { training: ctx.training }) as Tensor, y),
    );
  return fit<Tensor[], Tensor>({
    model,
    loss: lossFn,
    metrics: {
      mae: (x, y) =>
        tf.mean(tf.abs(tf.sub(model.apply(x.length === 1 ? x[0]! : x, { training: false }) as Tensor, y))),
    },
    data: { inputs: data.train.inputs, targets: data.train.targets },
    ...(data.val ? { validation: { inputs: data.val.inputs, targets: data.val.targets } } : {}),
    optimizer: (rate: number) => {
      optimizer = tf.train.adam(rate);
      return optimizer;
    },
    learningRate,
    epochs: options.epochs ?? 10,
    batchSize: options.batchSize ?? 32,
    seed: options.seed ?? 0,
    ...(options.stepsPerEpoch === undefined ? {} : { stepsPerEpoch: options.stepsPerEpoch }),
    earlyStopping: { patience, restoreBest: true },
    onProgress: (event) => {
      if (event.phase === 'epoch' && optimizer) {
        // lradj type1, applied after epoch e (1-based): lr = lr₀ · 0.5^(e − 1) for the next epoch.
        (optimizer as unknown as { learningRate: number }).learningRate =
          learningRate * 0.5 ** (event.step - 1);
      }
      options.onProgress?.(event);
    },
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/** MSE and MAE of a forecaster over windows. */
export interface ForecastScores {
  mse: number;
  mae: number;
}

/**
 * Scores a forecaster (a TimesNet model, or any function from inputs to `[n, predLen, c]`) on windows,
 * in batches, without gradients (dropout off).
 */
export function evaluateForecast(
  forecaster: LayersModel | ((inputs: Tensor[]) => Tensor),
  windows: ForecastWindows,
  batchSize = 64,
): ForecastScores {
  assertInteger(batchSize, 'batchSize', { min: 1 });
  const n = windows.targets.shape[0]!;
  let se = 0;
  let ae = 0;
  for (let s = 0; s < n; s += batchSize) {
    const m = Math.min(batchSize, n - s);
    const [a, b] = tf.tidy(() => {
      const x = windows.inputs.map((t) => tf.slice(t, s, m));
      const y = tf.slice(windows.targets, s, m);
      const p =
        forecaster instanceof tf.LayersModel
          ? (forecaster.predict(x.length === 1 ? x[0]! : x) as Tensor)
          : (forecaster as (inputs: Tensor[]) => Tensor)(x);
      checkPair(p, y);
      return [tf.sum(tf.squaredDifference(p, y)), tf.sum(tf.abs(tf.sub(p, y)))];
    });
    se += a!.dataSync()[0]!;
    ae += b!.dataSync()[0]!;
    tf.dispose([a!, b!]);
  }
  const count = windows.targets.size;
  return { mse: se / count, mae: ae / count };
}

/** The last-value forecast: every future step repeats the last observed one. `[n, t, c]` → `[n, predLen, c]`. */
export function lastValueForecast(x: Tensor3D, predLen: number): Tensor3D {
  assertInteger(predLen, 'predLen', { min: 1 });
  return tf.tidy(() => {
    const [n, t, c] = x.shape;
    return tf.tile(tf.slice(x, [0, t - 1, 0], [n, 1, c]), [1, predLen, 1]) as Tensor3D;
  });
}

/** The seasonal-naive forecast: step h repeats the value one `period` earlier (`x[t − period + (h mod period)]`). */
export function seasonalNaiveForecast(x: Tensor3D, predLen: number, period: number): Tensor3D {
  assertInteger(predLen, 'predLen', { min: 1 });
  assertInteger(period, 'period', { min: 1 });
  const t = x.shape[1];
  if (period > t) throw new ArgumentError(`period: ${period} is longer than the input window (${t} steps)`);
  return tf.tidy(() => {
    const idx = Array.from({ length: predLen }, (_, h) => t - period + (h % period));
    return tf.gather(x, tf.tensor1d(idx, 'int32'), 1) as Tensor3D;
  });
}

/** A linear forecaster shared across channels (as DLinear's "Linear"): `ŷ = W·x + b` along time. */
export interface LinearForecaster {
  /** `(seqLen + 1) × predLen` float64 weights, last row the bias. */
  weights: Float64Array;
  seqLen: number;
  predLen: number;
  /** `[n, seqLen, c]` → `[n, predLen, c]`. */
  predict(x: Tensor3D): Tensor3D;
}

/**
 * Fits a {@link LinearForecaster} by ridge-regularised least squares in float64 (closed form) on
 * training windows, every (window, channel) pair one example.
 *
 * @param ridge - L2 penalty on the weights (default 1e-3 × examples)
 */
export function fitLinearForecaster(windows: ForecastWindows, ridge?: number): LinearForecaster {
  const x = windows.inputs[0]!;
  const y = windows.targets;
  const [n, t, c] = x.shape as [number, number, number];
  const p = y.shape[1]!;
  const xs = x.dataSync();
  const ys = y.dataSync();
  const d = t + 1;
  const lambda = ridge ?? 1e-3 * n * c;
  assertNumber(lambda, 'ridge', { min: 0 });
  const A = new Float64Array(d * d);
  const B = new Float64Array(d * p);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++)
    for (let ch = 0; ch < c; ch++) {
      for (let s = 0; s < t; s++) row[s] = xs[(i * t + s) * c + ch]!;
      row[t] = 1;
      for (let a = 0; a < d; a++) {
        const ra = row[a]!;
        if (ra === 0) continue;
        for (let b = a; b < d; b++) A[a * d + b]! += ra * row[b]!;
        for (let h = 0; h < p; h++) B[a * p + h]! += ra * ys[(i * p + h) * c + ch]!;
      }
    }
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < a; b++) A[a * d + b] = A[b * d + a]!;
    if (a < t) A[a * d + a]! += lambda;
  }
  const W = solve({ rows: d, cols: d, data: A }, { rows: d, cols: p, data: B });
  const weights = W.data;
  return {
    weights,
    seqLen: t,
    predLen: p,
    predict(input: Tensor3D): Tensor3D {
      if (input.rank !== 3 || input.shape[1] !== t) {
        throw new ShapeError(`x: expected [n, ${t}, channels], got [${input.shape.join(', ')}]`);
      }
      return tf.tidy(() => {
        const [m, , cc] = input.shape;
        const flat = tf.reshape(tf.transpose(input, [0, 2, 1]), [m * cc, t]);
        const w = tf.tensor2d(Float32Array.from(weights.subarray(0, t * p)), [t, p]);
        const bias = tf.tensor1d(Float32Array.from(weights.subarray(t * p)));
        const out = tf.add(matMul(flat, w), bias);
        return tf.transpose(tf.reshape(out, [m, cc, p]), [0, 2, 1]) as Tensor3D;
      });
    },
  };
}
