import type { LayersModel } from '@tensorflow/tfjs';
import { ArgumentError, assertNumber, describeValue, type ProgressEvent } from '@tensorloom/core';
import { assertPrecision, type Precision, precisionBits } from '../model/precision.js';
import {
  quantizableWeights,
  type WeightConfig,
  type WeightHookOptions,
  weightOnlySize,
  weightPerturbations,
} from '../model/weightHook.js';

/** Options of {@link searchWeightOnly}. */
export interface WeightOnlySearchOptions {
  /** The metric (higher is better) of a weight-only config; typically runs the model inside {@link withQuantizedWeights}. */
  evaluate: (config: WeightConfig) => number | Promise<number>;
  /** Keep `metric ≥ baseline − tolerance·|baseline|` (baseline: every weight at `candidates[0]`). */
  tolerance: number;
  /** Precisions from the highest down (default `[8, 4]`). */
  candidates?: readonly Precision[];
  /**
   * Least-sensitive-first order of the weights moved to each next precision: `'perturbation'` (default, the
   * relative perturbation `‖Q(W) − W‖²/‖W‖²` at that precision: no Hessian is available for such models) or a
   * list of weight names ranking them.
   */
  order?: 'perturbation' | 'hawq' | readonly string[];
  /**
   * For `order: 'hawq'`: average block trace `Tr_i/n_i` by weight name (e.g. {@link hookedGaussNewtonTraces}'s
   * `perParameter`); the score is HAWQ's `(Tr_i/n_i)·‖Q(W_i) − W_i‖²`.
   */
  traces?: Readonly<Record<string, number>>;
  /** Quantiser and weight selection (as in {@link withQuantizedWeights}). */
  hook?: WeightHookOptions;
  /** Progress events (`'search'`). */
  onProgress?: (event: ProgressEvent) => void;
  /** Abort between evaluations. */
  signal?: AbortSignal;
}

/** Result of {@link searchWeightOnly}. */
export interface WeightOnlySearchResult {
  /** The chosen precision of every hooked weight. */
  config: Record<string, Precision>;
  /** Its metric. */
  metric: number;
  /** The metric with every weight at `candidates[0]`. */
  baseline: number;
  /** Size in bits of the hooked weights under `config` ({@link weightOnlySize}). */
  size: number;
  /** Size at the baseline. */
  baselineSize: number;
  /** Metric evaluations (baseline included). */
  evaluations: number;
  /** The order used at each lowered precision. */
  orders: { precision: Precision; order: string[] }[];
}

/**
 * The bisection of {@link searchMixedPrecision} for models that only the weight hook can quantise (custom
 * layers such as Next-ViT's NCB/NTB): weight-only precisions, one unit per weight variable, ordered by the
 * relative weight perturbation or by a given list, cost = weight size. At each next precision it tries all
 * eligible weights, else bisects for the largest feasible prefix (at most `1 + ⌈log₂ W⌉` evaluations per level).
 *
 * @throws {@link ArgumentError} for a negative tolerance, bad candidates, or an order naming unknown weights
 *
 * @example
 * ```ts
 * const r = await searchWeightOnly(vit, {
 *   evaluate: (c) => withQuantizedWeights(vit, c, () => agreement(vit)),
 *   tolerance: 0.01,
 * });
 * ```
 */
export async function searchWeightOnly(
  model: LayersModel,
  options: WeightOnlySearchOptions,
): Promise<WeightOnlySearchResult> {
  if (options === null || typeof options !== 'object' || typeof options.evaluate !== 'function') {
    throw new ArgumentError(`options.evaluate: expected a function, got ${describeValue(options?.evaluate)}`);
  }
  assertNumber(options.tolerance, 'tolerance', { min: 0 });
  const candidates = options.candidates ?? [8, 4];
  if (!Array.isArray(candidates) || candidates.length < 1) {
    throw new ArgumentError(
      `candidates: expected a non-empty array of precisions, got ${describeValue(candidates)}`,
    );
  }
  for (const [i, c] of candidates.entries()) assertPrecision(c, `candidates[${i}]`);
  for (let i = 1; i < candidates.length; i++) {
    if (!(precisionBits(candidates[i]!) < precisionBits(candidates[i - 1]!))) {
      throw new ArgumentError(
        `candidates: expected strictly decreasing precisions, got ${JSON.stringify(candidates)}`,
      );
    }
  }
  const hook = options.hook ?? {};
  const weights = quantizableWeights(model, hook);
  const names = weights.map((w) => w.name);
  const order = options.order ?? 'perturbation';
  if (order === 'hawq') {
    const t = options.traces;
    if (
      t === null ||
      typeof t !== 'object' ||
      names.some((n) => typeof t[n] !== 'number' || !Number.isFinite(t[n]))
    ) {
      throw new ArgumentError(
        `traces: expected a finite number for every hooked weight with order 'hawq' (${names.length} weights), got ${describeValue(t)}`,
      );
    }
  } else if (order !== 'perturbation') {
    if (!Array.isArray(order)) {
      throw new ArgumentError(
        `order: expected 'perturbation', 'hawq' or a list of weight names, got ${describeValue(order)}`,
      );
    }
    for (const n of order) {
      if (!names.includes(n)) {
        throw new ArgumentError(
          `order: weight '${n}' is not a quantisable weight of the model (see quantizableWeights)`,
        );
      }
    }
  }
  let evaluations = 0;
  const evaluate = async (config: WeightConfig): Promise<number> => {
    options.signal?.throwIfAborted();
    evaluations++;
    const m = await options.evaluate(config);
    assertNumber(m, 'evaluate(config)');
    return m;
  };
  let current: Record<string, Precision> = Object.fromEntries(names.map((n) => [n, candidates[0]!]));
  const baseline = await evaluate({ ...current });
  const threshold = baseline - options.tolerance * Math.abs(baseline);
  let metric = baseline;
  const orders: { precision: Precision; order: string[] }[] = [];
  for (let level = 1; level < candidates.length; level++) {
    const from = candidates[level - 1]!;
    const to = candidates[level]!;
    const eligible = names.filter((n) => current[n] === from);
    if (eligible.length === 0) break;
    let sorted: string[];
    if (order === 'perturbation' || order === 'hawq') {
      const perturbation = weightPerturbations(model, to, hook, order === 'perturbation');
      const score = Object.fromEntries(
        names.map((n) => [n, order === 'hawq' ? options.traces![n]! * perturbation[n]! : perturbation[n]!]),
      );
      sorted = eligible
        .map((n, i) => ({ n, i, s: score[n]! }))
        .sort((a, b) => a.s - b.s || a.i - b.i)
        .map((e) => e.n);
    } else {
      const rank = (n: string): number => {
        const r = order.indexOf(n);
        return r < 0 ? order.length : r;
      };
      sorted = eligible
        .map((n, i) => ({ n, i }))
        .sort((a, b) => rank(a.n) - rank(b.n) || a.i - b.i)
        .map((e) => e.n);
    }
    orders.push({ precision: to, order: sorted });
    const stateFor = (k: number): Record<string, Precision> => {
      const c = { ...current };
      for (let i = 0; i < k; i++) c[sorted[i]!] = to;
      return c;
    };
    const feasibleAt = new Map<number, number>();
    const probe = async (k: number): Promise<boolean> => {
      const m = await evaluate(stateFor(k));
      options.onProgress?.({ phase: 'search', step: evaluations, metrics: { k, metric: m } });
      if (m >= threshold) feasibleAt.set(k, m);
      return m >= threshold;
    };
    let best = 0;
    if (await probe(sorted.length)) best = sorted.length;
    else {
      let lo = 0;
      let hi = sorted.length;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (await probe(mid)) lo = mid;
        else hi = mid;
      }
      best = lo;
    }
    if (best === 0) break;
    current = stateFor(best);
    metric = feasibleAt.get(best)!;
  }
  return {
    config: current,
    metric,
    baseline,
    size: weightOnlySize(weights, current),
    baselineSize: weightOnlySize(weights, Object.fromEntries(names.map((n) => [n, candidates[0]!]))),
    evaluations,
    orders,
  };
}
