import { assertInteger, assertNumber, rng } from '@tensorloom/core';

/** Entries of a tensor with continuous indexes: N rows of K indexes and N values. */
export interface ContinuousTensorData {
  /** N rows of K continuous indexes. */
  indexes: number[][];
  /** N values. */
  values: Float64Array;
}

/** A train/test split of a continuous-indexed tensor. */
export interface ContinuousSplit {
  train: ContinuousTensorData;
  test: ContinuousTensorData;
}

function take(data: ContinuousTensorData, ids: readonly number[]): ContinuousTensorData {
  return {
    indexes: ids.map((i) => data.indexes[i]!),
    values: Float64Array.from(ids, (i) => data.values[i]!),
  };
}

function minMax(xs: number[]): (v: number) => number {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const x of xs) {
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  return (v) => (hi > lo ? (v - lo) / (hi - lo) : 0);
}

/** Options for {@link officialSynthetic}. */
export interface OfficialSyntheticOptions {
  /** Seed (default 0). */
  seed?: number;
  /** Number of independent grids (default 6, as the reference). */
  grids?: number;
  /** Points per axis of each grid (default 15). */
  gridSize?: number;
  /** Fraction of entries in the training split (default 0.5). */
  trainFraction?: number;
}

/**
 * The setting of FunBaT's official synthetic generator (`simu_data_generate_CP_r1.ipynb`): a noise-free rank-one
 * 2-mode field y = sin²(2πx)·cos(2πx) · e^{−2t}·sin(1.5πt), sampled on `grids` independent `gridSize`×`gridSize`
 * grids of U[0,1] coordinates (1,350 entries, 90 distinct coordinates per mode by default), each mode's indexes
 * min-max normalised, then split at random (50/50).
 *
 * @example
 * ```ts
 * const { train, test } = officialSynthetic({ seed: 0 });
 * ```
 */
export function officialSynthetic(
  options: OfficialSyntheticOptions = {},
): ContinuousSplit & { all: ContinuousTensorData } {
  const seed = options.seed ?? 0;
  const grids = options.grids ?? 6;
  const size = options.gridSize ?? 15;
  const frac = options.trainFraction ?? 0.5;
  assertInteger(seed, 'seed', { min: 0 });
  assertInteger(grids, 'grids', { min: 1 });
  assertInteger(size, 'gridSize', { min: 2 });
  assertNumber(frac, 'trainFraction', { min: 0.01, max: 0.99 });
  const r = rng(seed);
  const rawX: number[] = [];
  const rawT: number[] = [];
  for (let g = 0; g < grids; g++) {
    const xs = Array.from({ length: size }, () => r.uniform());
    const ts = Array.from({ length: size }, () => r.uniform());
    for (const x of xs)
      for (const t of ts) {
        rawX.push(x);
        rawT.push(t);
      }
  }
  const f = (x: number, t: number): number =>
    Math.sin(2 * Math.PI * x) ** 2 *
    Math.cos(2 * Math.PI * x) *
    Math.exp(-2 * t) *
    Math.sin(1.5 * Math.PI * t);
  const nx = minMax(rawX);
  const nt = minMax(rawT);
  const all: ContinuousTensorData = {
    indexes: rawX.map((x, i) => [nx(x), nt(rawT[i]!)]),
    values: Float64Array.from(rawX, (x, i) => f(x, rawT[i]!)),
  };
  const ids = Array.from({ length: rawX.length }, (_, i) => i);
  r.shuffle(ids);
  const cut = Math.round(frac * ids.length);
  return { all, train: take(all, ids.slice(0, cut)), test: take(all, ids.slice(cut)) };
}

/** Options for {@link spatioTemporalField}. */
export interface SpatioTemporalOptions {
  /** Seed (default 0). */
  seed?: number;
  /** Number of sites (random latitude/longitude in [0,1]², default 40). */
  sites?: number;
  /** Number of time stamps (random in [0,1], default 60). */
  times?: number;
  /** Fraction of (site, time) pairs observed (default 0.5). */
  density?: number;
  /** Gaussian noise standard deviation (default 0.05). */
  noise?: number;
  /** Fraction of sites and of times held out entirely for the test split (default 0.2). */
  holdout?: number;
}

/**
 * A smooth spatio-temporal field standing in for the real datasets (US-TEMP, Beijing air quality): 3 modes
 * (latitude, longitude, time), y = f(lat, lon, t) + noise with
 * f = 1.2·sin(2π·lat)·cos(π·lon) + 0.8·e^{−2·lat}·sin(2π·t + 1) + 0.5·cos(3·lon)·cos(4π·t) — a sum of three
 * separable terms (CP rank 3 in continuous form). The test split holds whole sites and whole time stamps out, so
 * **every test entry has at least one index value never seen in training**.
 *
 * @example
 * ```ts
 * const { train, test } = spatioTemporalField({ seed: 1 });
 * ```
 */
export function spatioTemporalField(options: SpatioTemporalOptions = {}): ContinuousSplit {
  const seed = options.seed ?? 0;
  const S = options.sites ?? 40;
  const T = options.times ?? 60;
  const density = options.density ?? 0.5;
  const noise = options.noise ?? 0.05;
  const holdout = options.holdout ?? 0.2;
  assertInteger(seed, 'seed', { min: 0 });
  assertInteger(S, 'sites', { min: 3 });
  assertInteger(T, 'times', { min: 3 });
  assertNumber(density, 'density', { min: 0.01, max: 1 });
  assertNumber(noise, 'noise', { min: 0 });
  assertNumber(holdout, 'holdout', { min: 0.01, max: 0.9 });
  const r = rng(seed);
  const lat = Array.from({ length: S }, () => r.uniform());
  const lon = Array.from({ length: S }, () => r.uniform());
  const ts = Array.from({ length: T }, () => r.uniform());
  const f = (a: number, o: number, t: number): number =>
    1.2 * Math.sin(2 * Math.PI * a) * Math.cos(Math.PI * o) +
    0.8 * Math.exp(-2 * a) * Math.sin(2 * Math.PI * t + 1) +
    0.5 * Math.cos(3 * o) * Math.cos(4 * Math.PI * t);
  const heldSites = new Set<number>();
  const heldTimes = new Set<number>();
  const sIds = Array.from({ length: S }, (_, i) => i);
  const tIds = Array.from({ length: T }, (_, i) => i);
  r.shuffle(sIds);
  r.shuffle(tIds);
  sIds.slice(0, Math.max(1, Math.round(holdout * S))).forEach((s) => {
    heldSites.add(s);
  });
  tIds.slice(0, Math.max(1, Math.round(holdout * T))).forEach((t) => {
    heldTimes.add(t);
  });
  const train: ContinuousTensorData = { indexes: [], values: new Float64Array(0) };
  const test: ContinuousTensorData = { indexes: [], values: new Float64Array(0) };
  const trainV: number[] = [];
  const testV: number[] = [];
  for (let s = 0; s < S; s++)
    for (let t = 0; t < T; t++) {
      if (r.uniform() >= density) continue;
      const v = f(lat[s]!, lon[s]!, ts[t]!) + noise * r.normal();
      const row = [lat[s]!, lon[s]!, ts[t]!];
      if (heldSites.has(s) || heldTimes.has(t)) {
        test.indexes.push(row);
        testV.push(v);
      } else {
        train.indexes.push(row);
        trainV.push(v);
      }
    }
  train.values = Float64Array.from(trainV);
  test.values = Float64Array.from(testV);
  return { train, test };
}
