import type { Tensor } from '@tensorflow/tfjs';
import {
  ArgumentError,
  assertInteger,
  assertNumber,
  describeValue,
  rng,
  ShapeError,
  tf,
} from '@tensorloom/core';

/** A multivariate series: `length × channels` values, row-major (time-major), plus optional time features. */
export interface MultivariateSeries {
  /** `length · channels` values; entry (t, c) at `t · channels + c`. */
  values: Float64Array;
  /** Time steps. */
  length: number;
  /** Variables. */
  channels: number;
  /** Optional `length · timeFeatureCount` time features (e.g. {@link hourlyTimeFeatures}). */
  timeFeatures?: Float32Array;
  /** Features per step in `timeFeatures`. */
  timeFeatureCount?: number;
}

function checkSeries(series: MultivariateSeries, label = 'series'): void {
  if (series === null || typeof series !== 'object' || !(series.values instanceof Float64Array)) {
    throw new ArgumentError(
      `${label}: expected { values: Float64Array, length, channels }, got ${describeValue(series)}`,
    );
  }
  assertInteger(series.length, `${label}.length`, { min: 1 });
  assertInteger(series.channels, `${label}.channels`, { min: 1 });
  if (series.values.length !== series.length * series.channels) {
    throw new ShapeError(
      `${label}.values: expected length · channels = ${series.length * series.channels} values, got ${series.values.length}`,
    );
  }
  if (series.timeFeatures !== undefined) {
    const f = series.timeFeatureCount ?? 0;
    assertInteger(f, `${label}.timeFeatureCount`, { min: 1 });
    if (series.timeFeatures.length !== series.length * f) {
      throw new ShapeError(
        `${label}.timeFeatures: expected ${series.length * f} values, got ${series.timeFeatures.length}`,
      );
    }
  }
}

/**
 * The `timeF` features of hourly data (TSLib's `time_features(freq='h')`): hour/23 − ½, weekday/6 − ½,
 * (day of month − 1)/30 − ½, (day of year − 1)/365 − ½, in UTC, four per step.
 *
 * @param timestamps - milliseconds since the epoch
 */
export function hourlyTimeFeatures(timestamps: ArrayLike<number>): Float32Array {
  if (timestamps === null || typeof timestamps !== 'object' || typeof timestamps.length !== 'number') {
    throw new ArgumentError(
      `timestamps: expected an array of epoch milliseconds, got ${describeValue(timestamps)}`,
    );
  }
  const out = new Float32Array(timestamps.length * 4);
  for (let i = 0; i < timestamps.length; i++) {
    const d = new Date(timestamps[i]!);
    if (Number.isNaN(d.getTime()))
      throw new ArgumentError(`timestamps[${i}]: expected a valid time, got ${timestamps[i]}`);
    const startOfYear = Date.UTC(d.getUTCFullYear(), 0, 1);
    const dayOfYear = Math.floor((d.getTime() - startOfYear) / 86_400_000) + 1;
    // Python's weekday(): Monday = 0; JS getUTCDay(): Sunday = 0.
    const weekday = (d.getUTCDay() + 6) % 7;
    out[i * 4] = d.getUTCHours() / 23 - 0.5;
    out[i * 4 + 1] = weekday / 6 - 0.5;
    out[i * 4 + 2] = (d.getUTCDate() - 1) / 30 - 0.5;
    out[i * 4 + 3] = (dayOfYear - 1) / 365 - 0.5;
  }
  return out;
}

/** Row ranges `[start, end)` of the three splits. */
export interface SeriesSplits {
  train: [number, number];
  val: [number, number];
  test: [number, number];
}

/**
 * TSLib's `Dataset_Custom` split: 70 % train, 20 % test, the rest validation (fractions configurable);
 * the validation and test ranges start `seqLen` rows early so that their first window's input overlaps
 * the previous split, as the reference does.
 *
 * @throws {@link ArgumentError} for bad fractions or a series too short for a window in every split
 */
export function splitSeries(
  length: number,
  seqLen: number,
  predLen: number,
  options: { train?: number; test?: number } = {},
): SeriesSplits {
  assertInteger(length, 'length', { min: 1 });
  assertInteger(seqLen, 'seqLen', { min: 1 });
  assertInteger(predLen, 'predLen', { min: 1 });
  const trainFrac = options.train ?? 0.7;
  const testFrac = options.test ?? 0.2;
  assertNumber(trainFrac, 'options.train', { min: 0, max: 1 });
  assertNumber(testFrac, 'options.test', { min: 0, max: 1 });
  if (trainFrac + testFrac >= 1) {
    throw new ArgumentError(
      `options: train + test fractions must leave a validation part, got ${trainFrac} + ${testFrac}`,
    );
  }
  const numTrain = Math.floor(length * trainFrac);
  const numTest = Math.floor(length * testFrac);
  const numVal = length - numTrain - numTest;
  const splits: SeriesSplits = {
    train: [0, numTrain],
    val: [numTrain - seqLen, numTrain + numVal],
    test: [length - numTest - seqLen, length],
  };
  for (const name of ['train', 'val', 'test'] as const) {
    const [a, b] = splits[name];
    if (a < 0 || b - a < seqLen + predLen) {
      throw new ArgumentError(
        `length: a series of ${length} rows leaves the ${name} split rows [${a}, ${b}), too few for one window of ${seqLen} + ${predLen}`,
      );
    }
  }
  return splits;
}

/** Per-channel mean and standard deviation (population, as sklearn's `StandardScaler`). */
export interface Scaler {
  mean: Float64Array;
  std: Float64Array;
}

/**
 * Fits a {@link Scaler} on rows `[start, end)` of a series (the train split).
 * Channels with zero variance get std 1 (as sklearn).
 */
export function fitScaler(series: MultivariateSeries, start = 0, end: number = series?.length): Scaler {
  checkSeries(series);
  assertInteger(start, 'start', { min: 0, max: series.length - 1 });
  assertInteger(end, 'end', { min: start + 1, max: series.length });
  const c = series.channels;
  const mean = new Float64Array(c);
  const std = new Float64Array(c);
  const n = end - start;
  for (let t = start; t < end; t++) for (let j = 0; j < c; j++) mean[j]! += series.values[t * c + j]! / n;
  for (let t = start; t < end; t++)
    for (let j = 0; j < c; j++) std[j]! += (series.values[t * c + j]! - mean[j]!) ** 2 / n;
  for (let j = 0; j < c; j++) std[j] = std[j]! > 0 ? Math.sqrt(std[j]!) : 1;
  return { mean, std };
}

/** The series z-scored with `scaler` (a new series; time features kept). */
export function applyScaler(series: MultivariateSeries, scaler: Scaler): MultivariateSeries {
  checkSeries(series);
  if (scaler?.mean?.length !== series.channels || scaler.std?.length !== series.channels) {
    throw new ShapeError(
      `scaler: expected mean and std of ${series.channels} channels, got ${describeValue(scaler)}`,
    );
  }
  const c = series.channels;
  const values = new Float64Array(series.values.length);
  for (let i = 0; i < values.length; i++)
    values[i] = (series.values[i]! - scaler.mean[i % c]!) / scaler.std[i % c]!;
  return { ...series, values };
}

/** Forecasting windows as tensors: inputs `[n, seqLen, c]` (+ time features `[n, seqLen, f]`), targets `[n, predLen, c]`. */
export interface ForecastWindows {
  /** `[series]` or `[series, timeFeatures]`. */
  inputs: Tensor[];
  /** `[n, predLen, channels]`. */
  targets: Tensor;
}

/**
 * All sliding windows (stride 1) of rows `[start, end)`: window s takes rows `[s, s + seqLen)` as input
 * and `[s + seqLen, s + seqLen + predLen)` as target — `end − start − seqLen − predLen + 1` windows, as
 * the reference `__len__`. The caller disposes the tensors.
 *
 * @throws {@link ArgumentError} when the range holds no window
 */
export function forecastWindows(
  series: MultivariateSeries,
  seqLen: number,
  predLen: number,
  range: [number, number] = [0, series?.length],
): ForecastWindows {
  checkSeries(series);
  assertInteger(seqLen, 'seqLen', { min: 1 });
  assertInteger(predLen, 'predLen', { min: 1 });
  const [a, b] = range;
  assertInteger(a, 'range[0]', { min: 0 });
  assertInteger(b, 'range[1]', { min: a, max: series.length });
  const n = b - a - seqLen - predLen + 1;
  if (n < 1) {
    throw new ArgumentError(
      `range: rows [${a}, ${b}) hold no window of ${seqLen} + ${predLen} steps (sequence too short)`,
    );
  }
  const c = series.channels;
  const x = new Float32Array(n * seqLen * c);
  const y = new Float32Array(n * predLen * c);
  for (let s = 0; s < n; s++) {
    x.set(series.values.subarray((a + s) * c, (a + s + seqLen) * c), s * seqLen * c);
    y.set(series.values.subarray((a + s + seqLen) * c, (a + s + seqLen + predLen) * c), s * predLen * c);
  }
  const inputs = [tf.tensor3d(x, [n, seqLen, c])];
  if (series.timeFeatures) {
    const f = series.timeFeatureCount!;
    const m = new Float32Array(n * seqLen * f);
    for (let s = 0; s < n; s++)
      m.set(series.timeFeatures.subarray((a + s) * f, (a + s + seqLen) * f), s * seqLen * f);
    inputs.push(tf.tensor3d(m, [n, seqLen, f]));
  }
  return { inputs, targets: tf.tensor3d(y, [n, predLen, c]) };
}

/** {@link prepareForecastData}'s result. */
export interface ForecastData {
  train: ForecastWindows;
  val: ForecastWindows;
  test: ForecastWindows;
  /** Fitted on the train rows only. */
  scaler: Scaler;
  splits: SeriesSplits;
  /** The z-scored series. */
  scaled: MultivariateSeries;
}

/**
 * The reference long-term-forecasting pipeline: split (70/10/20 by default), fit the scaler on the train
 * rows, z-score the whole series, and cut stride-1 windows in each split. Metrics computed on these
 * windows are on the z-scored scale (the reference's default, `inverse = False`).
 */
export function prepareForecastData(
  series: MultivariateSeries,
  seqLen: number,
  predLen: number,
  options: { train?: number; test?: number } = {},
): ForecastData {
  checkSeries(series);
  const splits = splitSeries(series.length, seqLen, predLen, options);
  const scaler = fitScaler(series, splits.train[0], splits.train[1]);
  const scaled = applyScaler(series, scaler);
  return {
    train: forecastWindows(scaled, seqLen, predLen, splits.train),
    val: forecastWindows(scaled, seqLen, predLen, splits.val),
    test: forecastWindows(scaled, seqLen, predLen, splits.test),
    scaler,
    splits,
    scaled,
  };
}

/** Options of {@link generateSeasonalSeries}. */
export interface SeasonalSeriesOptions {
  /** Time steps. */
  length: number;
  /** Variables (default 7, as ETT). */
  channels?: number;
  /** Planted periods in steps (default [24, 12]: daily and half-daily cycles of hourly data). */
  periods?: number[];
  /** Total linear drift over the series, in units of the seasonal amplitude (default 1). */
  trend?: number;
  /** Standard deviation of the Gaussian noise, relative to the seasonal amplitude (default 0.3). */
  noise?: number;
  /** Seed. */
  seed: number;
  /** Epoch milliseconds of the first (hourly) step for the time features (default 2016-07-01 UTC, as ETTh1). */
  start?: number;
}

/**
 * A multi-periodic multivariate series with trend and noise, standing in for ETT-like data: channel j is
 * `Σₚ aⱼₚ sin(2πt/p + φⱼₚ) + trendⱼ·t/length + σ·ε` with seeded amplitudes aⱼₚ ∈ [0.5, 1.5) (the first
 * period strongest, weights 1, ½, ⅓…), phases φ, per-channel drift and AR(1) noise (ρ = 0.5, stationary
 * std σ); hourly time features ({@link hourlyTimeFeatures}) are attached.
 */
export function generateSeasonalSeries(
  options: SeasonalSeriesOptions,
): MultivariateSeries & { periods: number[] } {
  if (options === null || typeof options !== 'object') {
    throw new ArgumentError(`options: expected an options object, got ${describeValue(options)}`);
  }
  const { length, channels = 7, periods = [24, 12], trend = 1, noise = 0.3, seed } = options;
  assertInteger(length, 'options.length', { min: 2 });
  assertInteger(channels, 'options.channels', { min: 1 });
  assertNumber(trend, 'options.trend');
  assertNumber(noise, 'options.noise', { min: 0 });
  assertInteger(seed, 'options.seed');
  if (!Array.isArray(periods) || periods.length === 0) {
    throw new ArgumentError(
      `options.periods: expected a non-empty array of periods, got ${describeValue(periods)}`,
    );
  }
  for (const [i, p] of periods.entries()) assertNumber(p, `options.periods[${i}]`, { min: 2 });
  const r = rng(seed);
  const values = new Float64Array(length * channels);
  for (let j = 0; j < channels; j++) {
    const amps = periods.map((_, i) => r.uniform(0.5, 1.5) / (i + 1));
    const phases = periods.map(() => r.uniform(0, 2 * Math.PI));
    const drift = trend * r.uniform(-1, 1);
    const rho = 0.5;
    let e = r.normal(0, noise);
    for (let t = 0; t < length; t++) {
      let v = (drift * t) / length;
      periods.forEach((p, i) => {
        v += amps[i]! * Math.sin((2 * Math.PI * t) / p + phases[i]!);
      });
      values[t * channels + j] = v + e;
      e = rho * e + r.normal(0, noise * Math.sqrt(1 - rho * rho));
    }
  }
  const start = options.start ?? Date.UTC(2016, 6, 1);
  const stamps = Array.from({ length }, (_, t) => start + t * 3_600_000);
  return {
    values,
    length,
    channels,
    timeFeatures: hourlyTimeFeatures(stamps),
    timeFeatureCount: 4,
    periods: [...periods],
  };
}
