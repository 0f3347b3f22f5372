import { ArgumentError, assertNumber, describeValue, type ProgressEvent } from '@tensorloom/core';
import type { LatencyModel } from '../model/latency.js';
import { assertPrecision, type BitConfig, type Precision, precisionBits } from '../model/precision.js';
import type { QuantizedModel } from '../model/quantizedModel.js';
import type { HutchinsonEstimator, HvpMethod } from '../sensitivity/hessian.js';
import {
  assertCalibration,
  augmentedSensitivity,
  type CalibrationData,
  type DependencyMeasure,
  hawqScores,
  type LayerHessianTraces,
  layerHessianTraces,
  pairwiseLossInteraction,
} from '../sensitivity/layerSensitivity.js';
import { type CostKind, costFunction } from './cost.js';

/** What the custom ordering function receives. */
export interface OrderContext {
  /** The layers eligible at this level, in model order (with `separateActivations`: items `<layer>:weights` / `<layer>:activations`). */
  eligible: string[];
  /** The precision they would move to. */
  precision: Precision;
  /** The model. */
  model: QuantizedModel;
}

/** A sensitivity ordering: Hessian (HAWQ), augmented (HAWQ + measured dependencies), a fixed list, or a function. */
export type SearchOrder =
  | 'hessian'
  | 'augmented'
  | readonly string[]
  | ((context: OrderContext) => string[] | Promise<string[]>);

/** Options of {@link searchMixedPrecision}. */
export interface SearchOptions {
  /** Calibration data: activation ranges (if the model is not yet calibrated), Hessians and dependencies. */
  calibration: CalibrationData;
  /** The metric of a configuration, higher is better (e.g. validation accuracy). */
  evaluate: (config: BitConfig) => number | Promise<number>;
  /** Allowed relative degradation: feasible when `metric ≥ baseline − tolerance·|baseline|` (≥ 0). */
  tolerance: number;
  /** Precisions from the baseline (first, widest) down (default `[8, 4]`). */
  candidates?: readonly Precision[];
  /** What to minimise (default `'bops'`). */
  cost?: CostKind;
  /** Needed for `cost: 'latency'`. */
  latency?: LatencyModel;
  /**
   * Sensitivity ordering (default `'augmented'`). A list or function ranks layer names, or with
   * `separateActivations` the items `'<layer>:weights'` and `'<layer>:activations'`.
   */
  order?: SearchOrder;
  /**
   * Choose weight and input-activation precisions separately (default `false`: one "WbAb" precision per
   * layer). The bisection then runs over twice as many units; a weight unit is scored by the chosen ordering
   * (HAWQ or augmented), an activation unit by the measured calibration-loss increase when only that layer's
   * input activations are quantised. The returned config holds `{ weights, activations }` per layer.
   */
  separateActivations?: boolean;
  /** Inter-layer dependency measure for `'augmented'` (default {@link pairwiseLossInteraction}). */
  dependency?: DependencyMeasure;
  /** Precomputed Hessian traces (from {@link layerHessianTraces}) to reuse instead of estimating them again. */
  traces?: LayerHessianTraces;
  /** Seed of the Hutchinson probes (default 0). */
  seed?: number;
  /** Hutchinson probes (default 100; with `traceEstimator: 'hutch++'`, the product budget). */
  hutchinsonSamples?: number;
  /** Trace estimator when traces are estimated here (default `'hutchinson'`; see {@link layerHessianTraces}). */
  traceEstimator?: HutchinsonEstimator;
  /** Product method when traces are estimated here (default: by model; `'gauss-newton'` for relu conv nets). */
  traceMethod?: HvpMethod | 'gauss-newton';
  /** Progress events (`'sensitivity'`, `'search'`). */
  onProgress?: (event: ProgressEvent) => void;
  /** Abort. */
  signal?: AbortSignal;
}

/** One evaluation of the bisection. */
export interface SearchStep {
  /** Precision level being assigned. */
  precision: Precision;
  /** How many of the least sensitive eligible groups (single layers unless tied) were at that precision. */
  k: number;
  /** Metric. */
  metric: number;
  /** Whether it was within tolerance. */
  feasible: boolean;
}

/** Result of {@link searchMixedPrecision}. */
export interface SearchResult {
  /** The cheapest configuration found within tolerance. */
  config: BitConfig;
  /** Its metric. */
  metric: number;
  /** The baseline metric (all layers at the first candidate). */
  baseline: number;
  /** Its cost. */
  cost: number;
  /** The baseline's cost. */
  baselineCost: number;
  /** Model evaluations (calls of `evaluate`), the baseline included. */
  evaluations: number;
  /**
   * The sensitivity ordering used at each lower precision (least sensitive first): `order` lists layers,
   * `groups` the tied groups that the bisection moved as units.
   */
  orders: { precision: Precision; order: string[]; groups: string[][] }[];
  /** Every evaluation after the baseline. */
  steps: SearchStep[];
  /** The Hessian traces, when an ordering needed them. */
  traces?: LayerHessianTraces;
}

/**
 * Mixed-precision search by bisection over a sensitivity ordering (the tolerance-driven binary search of
 * Schaefer et al. 2023 / AIMET). With candidates `c_0 > c_1 > …`: all layers start at `c_0` (the baseline,
 * one evaluation); for each next precision `c_l`, the layers now at `c_(l−1)` — in their precision groups
 * ({@link QuantizedModel.groups}: tied layers move together, a group's score is the sum of its layers') — are
 * ordered from least to most sensitive, and the largest `k` such that moving the first `k` of them to `c_l` keeps the metric within
 * tolerance is found by checking `k = E` (all) and then bisecting `[0, E)` — at most `1 + ⌈log₂ E⌉`
 * evaluations per level, so `⌈log₂ L⌉ + 2` for two candidates. It assumes the metric falls monotonically in
 * `k` and returns the largest feasible prefix, the cheapest configuration along the ordering.
 *
 * Orderings: `'hessian'` sorts by the HAWQ score `Ω_i` at `c_l`; `'augmented'` by
 * `½Ω_i + ½Σ_j D_ij` with `D` the measured pairwise interaction ({@link augmentedSensitivity}); a list or a
 * function gives a custom order.
 *
 * @throws {@link ArgumentError} for negative tolerance, bad candidates, unknown layer names in a custom order,
 * an empty calibration set or a missing evaluate function
 *
 * @example
 * ```ts
 * const result = await searchMixedPrecision(qm, {
 *   calibration: { inputs: xCal, targets: yCal },
 *   evaluate: (config) => qm.accuracy(xVal, yVal, config),
 *   tolerance: 0.01,
 *   candidates: [8, 4],
 *   cost: 'bops',
 *   order: 'augmented',
 * });
 * ```
 */
export async function searchMixedPrecision(
  model: QuantizedModel,
  options: SearchOptions,
): Promise<SearchResult> {
  if (options === null || typeof options !== 'object') {
    throw new ArgumentError(`options: expected an object, got ${describeValue(options)}`);
  }
  assertCalibration(options.calibration);
  if (typeof options.evaluate !== 'function') {
    throw new ArgumentError(
      `evaluate: expected a function (config) => number, got ${describeValue(options.evaluate)}`,
    );
  }
  assertNumber(options.tolerance, 'tolerance', { min: 0 });
  const candidates = [...(options.candidates ?? [8, 4])];
  if (candidates.length < 2) {
    throw new ArgumentError(
      `candidates: expected at least two precisions (baseline first), got ${candidates.length}`,
    );
  }
  candidates.forEach((c, i) => {
    assertPrecision(c, `candidates[${i}]`);
    if (i > 0 && precisionBits(c) >= precisionBits(candidates[i - 1]!)) {
      throw new ArgumentError(
        `candidates: expected strictly decreasing widths, got ${describeValue(candidates[i - 1])} then ${describeValue(c)}`,
      );
    }
  });
  const order = options.order ?? 'augmented';
  const split = options.separateActivations ?? false;
  if (typeof split !== 'boolean') {
    throw new ArgumentError(`separateActivations: expected a boolean, got ${describeValue(split)}`);
  }
  const names = model.layerNames;
  // The items a custom order ranks: layer names, or with separate activations `<layer>:weights` and
  // `<layer>:activations`. A unit (what the bisection moves) is a precision group's items of one part.
  const partsOf = split ? (['weights', 'activations'] as const) : (['both'] as const);
  const itemOf = (layer: string, part: 'both' | 'weights' | 'activations'): string =>
    part === 'both' ? layer : `${layer}:${part}`;
  const items = names.flatMap((n) => partsOf.map((part) => itemOf(n, part)));
  const units: { items: string[]; part: 'both' | 'weights' | 'activations'; layers: string[] }[] =
    model.groups.flatMap((g) =>
      partsOf.map((part) => ({ items: g.map((n) => itemOf(n, part)), part, layers: [...g] })),
    );
  if (Array.isArray(order)) {
    const what = split ? 'item' : 'layer';
    const unknown = order.find((n) => !items.includes(n));
    if (unknown !== undefined) throw new ArgumentError(`order: ${what} '${unknown}' does not exist`);
    if (new Set(order).size !== items.length || order.length !== items.length) {
      throw new ArgumentError(
        `order: expected every ${what} exactly once (${items.join(', ')}), got ${order.join(', ')}`,
      );
    }
  } else if (typeof order !== 'function' && order !== 'hessian' && order !== 'augmented') {
    throw new ArgumentError(
      `order: expected 'hessian', 'augmented', a list of layer names or a function, got ${describeValue(order)}`,
    );
  }
  const cost = costFunction(model, options.cost ?? 'bops', options.latency);
  const signal = options.signal;
  if (!model.calibrated) model.calibrate(options.calibration.inputs);

  let traces: LayerHessianTraces | undefined = options.traces;
  if (traces === undefined && (order === 'hessian' || order === 'augmented')) {
    traces = await layerHessianTraces(model, {
      calibration: options.calibration,
      seed: options.seed ?? 0,
      maxSamples: options.hutchinsonSamples ?? 100,
      ...(options.traceEstimator === undefined ? {} : { estimator: options.traceEstimator }),
      ...(options.traceMethod === undefined ? {} : { method: options.traceMethod }),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(signal ? { signal } : {}),
    });
  }
  const { inputs: calX, targets: calY } = options.calibration;
  // Orders the eligible units from least to most sensitive: a custom item order ranks a unit by its first
  // item; Hessian/augmented unit scores are the sums of their layers' scores (activation units: measured).
  const orderAt = async (eligible: typeof units, precision: Precision): Promise<typeof units> => {
    const flat = eligible.flatMap((u) => u.items);
    const byFirst = (itemOrder: readonly string[]): typeof units =>
      [...eligible]
        .map((u) => ({ u, rank: Math.min(...u.items.map((n) => itemOrder.indexOf(n))) }))
        .sort((x, y) => x.rank - y.rank)
        .map((e) => e.u);
    if (Array.isArray(order)) return byFirst(order.filter((n) => flat.includes(n)));
    if (typeof order === 'function') {
      const o = await order({ eligible: flat, precision, model });
      if (!Array.isArray(o) || o.length !== flat.length || o.some((n) => !flat.includes(n))) {
        throw new ArgumentError(`order: the function must return a permutation of ${flat.join(', ')}`);
      }
      return byFirst(o);
    }
    const needWeights = eligible.some((u) => u.part !== 'activations');
    let scores: Record<string, number> = {};
    if (needWeights) {
      const hawq = hawqScores(model, traces!, precision);
      scores = hawq;
      if (order === 'augmented') {
        const measure = options.dependency ?? pairwiseLossInteraction;
        const d = await measure(model, {
          precision,
          calibration: options.calibration,
          ...(signal ? { signal } : {}),
        });
        scores = augmentedSensitivity(names, hawq, d);
      }
    }
    let floatLoss: number | undefined;
    const unitScore = (u: (typeof units)[number]): number => {
      if (u.part !== 'activations') return u.layers.reduce((t, n) => t + scores[n]!, 0);
      floatLoss ??= model.loss(calX, calY, {});
      return u.layers.reduce(
        (t, n) =>
          t + model.loss(calX, calY, { [n]: { weights: 'float32', activations: precision } }) - floatLoss!,
        0,
      );
    };
    return [...eligible]
      .map((u, i) => ({ u, i, s: unitScore(u) }))
      .sort((x, y) => x.s - y.s || x.i - y.i)
      .map((e) => e.u);
  };

  const configOf = (state: Record<string, Precision>): BitConfig =>
    split
      ? Object.fromEntries(
          names.map((n) => [n, { weights: state[`${n}:weights`]!, activations: state[`${n}:activations`]! }]),
        )
      : { ...state };
  let evaluations = 0;
  const evaluate = async (config: BitConfig): Promise<number> => {
    signal?.throwIfAborted();
    evaluations++;
    const m = await options.evaluate(config);
    assertNumber(m, 'evaluate(config)');
    return m;
  };
  let current: Record<string, Precision> = Object.fromEntries(items.map((n) => [n, candidates[0]!]));
  const baselineConfig = configOf(current);
  const baseline = await evaluate(baselineConfig);
  const threshold = baseline - options.tolerance * Math.abs(baseline);
  let metric = baseline;
  const steps: SearchStep[] = [];
  const orders: { precision: Precision; order: string[]; groups: string[][] }[] = [];
  for (let level = 1; level < candidates.length; level++) {
    const from = candidates[level - 1]!;
    const to = candidates[level]!;
    const eligible = units.filter((u) => current[u.items[0]!] === from);
    if (eligible.length === 0) break;
    const sorted = await orderAt(eligible, to);
    orders.push({ precision: to, order: sorted.flatMap((u) => u.items), groups: sorted.map((u) => u.items) });
    const stateFor = (k: number): Record<string, Precision> => {
      const c = { ...current };
      for (let i = 0; i < k; i++) for (const n of sorted[i]!.items) c[n] = to;
      return c;
    };
    const probe = async (k: number): Promise<boolean> => {
      const m = await evaluate(configOf(stateFor(k)));
      const feasible = m >= threshold;
      steps.push({ precision: to, k, metric: m, feasible });
      options.onProgress?.({ phase: 'search', step: evaluations, metrics: { k, metric: m } });
      if (feasible) metric = Math.max(metric, m);
      return feasible;
    };
    const E = sorted.length;
    let best = 0;
    let bestMetric = metric;
    if (await probe(E)) {
      best = E;
      bestMetric = steps[steps.length - 1]!.metric;
    } else {
      let lo = 0;
      let hi = E;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (await probe(mid)) {
          lo = mid;
          bestMetric = steps[steps.length - 1]!.metric;
        } else hi = mid;
      }
      best = lo;
    }
    current = stateFor(best);
    metric = best === 0 ? metric : bestMetric;
    if (best === 0) break;
  }
  const finalConfig = configOf(current);
  return {
    config: finalConfig,
    metric,
    baseline,
    cost: cost(finalConfig),
    baselineCost: cost(baselineConfig),
    evaluations,
    orders,
    steps,
    ...(traces ? { traces } : {}),
  };
}
