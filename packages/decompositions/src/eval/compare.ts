import {
  ArgumentError,
  assertInteger,
  assertOneOf,
  describeValue,
  type ProgressCallback,
} from '@tensorloom/core';
import { cpAls } from '../cp/cpAls.js';
import { cpToTensor, tuckerToTensor } from '../cp/reconstruct.js';
import type { ContinuousSplit, ContinuousTensorData } from '../data/generators.js';
import { funbat } from '../funbat/funbat.js';
import type { MaternKernel } from '../funbat/stateSpace.js';
import { checkProgress, checkSignal } from '../tensor/common.js';
import type { NDArrayF64 } from '../tensor/ndarray.js';
import { hooi } from '../tucker/tucker.js';

/** A continuous-indexed dataset binned onto a regular grid (the discrete-index baselines' view). */
export interface DiscretizedData {
  /** The grid tensor (cell means of the training values; 0 where unobserved). */
  tensor: NDArrayF64;
  /** 1 where a cell holds at least one training entry. */
  mask: NDArrayF64;
  /** Maps a row of continuous indexes to its flat cell (clamped to the grid). */
  cellOf(row: ArrayLike<number>): number;
}

/**
 * Bins each mode's training range into `bins` equal cells and averages the training values per cell, as the
 * discrete-index baselines in the FunBaT paper see the data. Test rows are mapped with the same bins (clamped).
 *
 * @param train - training entries (K modes)
 * @param bins - cells per mode (one number or one per mode), each ≥ 1
 * @throws {@link ArgumentError} for bad bins or empty data
 *
 * @example
 * ```ts
 * const grid = discretize(train, 20);
 * ```
 */
export function discretize(train: ContinuousTensorData, bins: number | readonly number[]): DiscretizedData {
  if (!train || !Array.isArray(train.indexes) || train.indexes.length === 0) {
    throw new ArgumentError(
      `train: expected { indexes, values } with at least one entry, got ${describeValue(train)}`,
    );
  }
  const K = train.indexes[0]!.length;
  const sizes = typeof bins === 'number' ? new Array<number>(K).fill(bins) : [...bins];
  if (sizes.length !== K)
    throw new ArgumentError(`bins: expected a number or ${K} numbers (one per mode), got ${sizes.length}`);
  sizes.forEach((b, k) => {
    assertInteger(b, `bins[${k}]`, { min: 1 });
  });
  const lo = new Array<number>(K).fill(Number.POSITIVE_INFINITY);
  const hi = new Array<number>(K).fill(Number.NEGATIVE_INFINITY);
  for (const row of train.indexes)
    for (let k = 0; k < K; k++) {
      lo[k] = Math.min(lo[k]!, row[k]!);
      hi[k] = Math.max(hi[k]!, row[k]!);
    }
  const strides = new Array<number>(K);
  let total = 1;
  for (let k = K - 1; k >= 0; k--) {
    strides[k] = total;
    total *= sizes[k]!;
  }
  const cellOf = (row: ArrayLike<number>): number => {
    let c = 0;
    for (let k = 0; k < K; k++) {
      const span = hi[k]! - lo[k]! || 1;
      const b = Math.min(sizes[k]! - 1, Math.max(0, Math.floor(((row[k]! - lo[k]!) / span) * sizes[k]!)));
      c += b * strides[k]!;
    }
    return c;
  };
  const sum = new Float64Array(total);
  const count = new Float64Array(total);
  train.indexes.forEach((row, n) => {
    const c = cellOf(row);
    sum[c]! += train.values[n]!;
    count[c]! += 1;
  });
  const mask = Float64Array.from(count, (c) => (c > 0 ? 1 : 0));
  const data = Float64Array.from(sum, (s, i) => (count[i]! > 0 ? s / count[i]! : 0));
  return { tensor: { shape: sizes, data }, mask: { shape: sizes, data: mask }, cellOf };
}

/** Options for {@link compareMethods}. */
export interface CompareOptions {
  /** Ranks to sweep (default [2, 3, 5, 7]). */
  ranks?: readonly number[];
  /** Grid cells per mode for the discrete baselines (default 20). */
  bins?: number | readonly number[];
  /** FunBaT kernel (default `'matern32'`). */
  kernel?: MaternKernel;
  /** FunBaT lengthscale (default 0.1). */
  lengthscale?: number | readonly number[];
  /** FunBaT variance (default 1). */
  variance?: number | readonly number[];
  /** FunBaT epochs (default 30). */
  epochs?: number;
  /** FunBaT damping (default 0.5). */
  damping?: number;
  /** ALS / HOOI sweeps for the baselines (default 100). */
  alsIterations?: number;
  /** L2 penalty for the masked CP-ALS rows (default 1e-3). */
  ridge?: number;
  /** Which methods to run (default all five). */
  methods?: readonly CompareMethod[];
  /** Seed (default 0). */
  seed?: number;
  /** Called after each (method, rank) fit. */
  onProgress?: ProgressCallback;
  /** Stops between fits (the rows so far are returned). */
  signal?: AbortSignal;
}

/** The methods of the comparison. */
export type CompareMethod = 'FunBaT' | 'FunBaT-CP' | 'Tucker-ALS' | 'CP-ALS' | 'mean';

/** One (method, rank) result of {@link compareMethods}. */
export interface CompareRow {
  /** The method. */
  method: CompareMethod;
  /** Rank (0 for the mean predictor). */
  rank: number;
  /** Test RMSE. */
  rmse: number;
  /** Test MAE. */
  mae: number;
  /** Wall time of the fit in ms. */
  ms: number;
}

function score(pred: ArrayLike<number>, truth: ArrayLike<number>): { rmse: number; mae: number } {
  let se = 0;
  let ae = 0;
  for (let i = 0; i < truth.length; i++) {
    se += (pred[i]! - truth[i]!) ** 2;
    ae += Math.abs(pred[i]! - truth[i]!);
  }
  return { rmse: Math.sqrt(se / truth.length), mae: ae / truth.length };
}

/**
 * The paper's comparison on one train/test split: FunBaT and FunBaT-CP (continuous indexes) against Tucker-ALS
 * (masked HOOI) and CP-ALS (masked ALS) on a discretised grid, and the training-mean predictor; test RMSE/MAE
 * for every rank.
 *
 * @throws {@link ArgumentError} for bad options
 *
 * @example
 * ```ts
 * const rows = await compareMethods(spatioTemporalField({ seed: 0 }), { ranks: [2, 3] });
 * ```
 */
export async function compareMethods(
  split: ContinuousSplit,
  options: CompareOptions = {},
): Promise<CompareRow[]> {
  if (!split?.train || !split.test) {
    throw new ArgumentError(`split: expected { train, test }, got ${describeValue(split)}`);
  }
  const ranks = options.ranks ?? [2, 3, 5, 7];
  ranks.forEach((r, i) => {
    assertInteger(r, `ranks[${i}]`, { min: 1 });
  });
  const allMethods: readonly CompareMethod[] = ['FunBaT', 'FunBaT-CP', 'Tucker-ALS', 'CP-ALS', 'mean'];
  const methods = options.methods ?? allMethods;
  if (!Array.isArray(methods)) {
    throw new ArgumentError(`methods: expected an array of method names, got ${describeValue(methods)}`);
  }
  methods.forEach((m, i) => {
    assertOneOf(m, allMethods, `methods[${i}]`);
  });
  const onProgress = checkProgress(options.onProgress);
  const signal = checkSignal(options.signal);
  const { train, test } = split;
  const rows: CompareRow[] = [];
  const total =
    methods.filter((m) => m !== 'mean').length * ranks.length + (methods.includes('mean') ? 1 : 0);
  const push = (row: CompareRow): void => {
    rows.push(row);
    onProgress?.({
      phase: 'compare',
      step: rows.length,
      total,
      metrics: { rmse: row.rmse },
      message: `${row.method} R=${row.rank}`,
    });
  };
  if (methods.includes('mean')) {
    const t0 = performance.now();
    const mean = train.values.reduce((a, b) => a + b, 0) / train.values.length;
    push({
      method: 'mean',
      rank: 0,
      ...score(new Float64Array(test.values.length).fill(mean), test.values),
      ms: performance.now() - t0,
    });
  }
  const grid =
    methods.includes('Tucker-ALS') || methods.includes('CP-ALS')
      ? discretize(train, options.bins ?? 20)
      : null;
  const testCells = grid ? test.indexes.map((row) => grid.cellOf(row)) : [];
  for (const R of ranks) {
    for (const method of methods) {
      if (method === 'mean') continue;
      if (signal?.aborted) return rows;
      const t0 = performance.now();
      let pred: ArrayLike<number>;
      if (method === 'FunBaT' || method === 'FunBaT-CP') {
        const model = await funbat({
          indexes: train.indexes,
          values: train.values,
          rank: R,
          decomposition: method === 'FunBaT' ? 'tucker' : 'cp',
          kernel: options.kernel ?? 'matern32',
          lengthscale: options.lengthscale ?? 0.1,
          variance: options.variance ?? 1,
          epochs: options.epochs ?? 30,
          damping: options.damping ?? 0.5,
          seed: options.seed ?? 0,
          ...(signal ? { signal } : {}),
        });
        pred = model.predict(test.indexes).mean;
      } else if (method === 'CP-ALS') {
        const res = await cpAls(grid!.tensor, {
          rank: R,
          mask: grid!.mask,
          ridge: options.ridge ?? 1e-3,
          maxIterations: options.alsIterations ?? 100,
          tol: 1e-8,
          init: 'random',
          seed: options.seed ?? 0,
        });
        const full = cpToTensor(res).data;
        pred = testCells.map((c) => full[c]!);
      } else {
        const ranksK = grid!.tensor.shape.map((s) => Math.min(s, R));
        const res = await hooi(grid!.tensor, {
          rank: ranksK,
          mask: grid!.mask,
          maxIterations: options.alsIterations ?? 100,
          tol: 1e-8,
          seed: options.seed ?? 0,
        });
        const full = tuckerToTensor(res).data;
        pred = testCells.map((c) => full[c]!);
      }
      push({ method, rank: R, ...score(pred, test.values), ms: performance.now() - t0 });
    }
  }
  return rows;
}
