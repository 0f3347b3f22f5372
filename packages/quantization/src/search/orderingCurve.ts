import { ArgumentError, assertNumber, assertOneOf, describeValue } from '@tensorloom/core';
import type { LatencyModel } from '../model/latency.js';
import { assertPrecision, type BitConfig, type Precision } from '../model/precision.js';
import type { QuantizedModel } from '../model/quantizedModel.js';
import { type CostKind, costFunction } from './cost.js';
import type { ParetoPoint } from './pareto.js';

/** Options of {@link orderingCurve}. */
export interface OrderingCurveOptions {
  /** Metric of a configuration, higher is better. */
  evaluate: (config: BitConfig) => number | Promise<number>;
  /** The precision groups (or layers) from least to most sensitive; every group of the model exactly once. */
  order: readonly (readonly string[])[];
  /** Precision of the rest (default 8). */
  from?: Precision;
  /** Precision the prefix moves to (default 4). */
  to?: Precision;
  /** What the cost axis measures (default `'bops'`). */
  cost?: CostKind;
  /** Needed for `cost: 'latency'`. */
  latency?: LatencyModel;
}

/**
 * The accuracy-cost curve that a sensitivity ordering induces: the `G + 1` configurations in which the first
 * `k = 0…G` groups of `order` are at `to` and the rest at `from` (the path the bisection searches along).
 * Comparing two orderings' curves with {@link areaBetweenCurves} measures which ordering is better across the
 * whole frontier, not only at one tolerance.
 *
 * @throws {@link ArgumentError} when `order` is not a partition of the model's layers, or for bad precisions
 */
export async function orderingCurve(
  model: QuantizedModel,
  options: OrderingCurveOptions,
): Promise<ParetoPoint[]> {
  if (typeof options?.evaluate !== 'function') {
    throw new ArgumentError(
      `evaluate: expected a function (config) => number, got ${describeValue(options?.evaluate)}`,
    );
  }
  const from = options.from ?? 8;
  const to = options.to ?? 4;
  assertPrecision(from, 'from');
  assertPrecision(to, 'to');
  const names = model.layerNames;
  const flat = Array.isArray(options.order) ? options.order.flat() : [];
  if (
    flat.length !== names.length ||
    new Set(flat).size !== names.length ||
    flat.some((n) => !names.includes(n))
  ) {
    throw new ArgumentError(
      `order: expected groups covering every layer exactly once (${names.join(', ')}), got ${describeValue(options.order)}`,
    );
  }
  const cost = costFunction(model, options.cost ?? 'bops', options.latency);
  const config: Record<string, Precision> = Object.fromEntries(names.map((n) => [n, from]));
  const points: ParetoPoint[] = [];
  for (let k = 0; k <= options.order.length; k++) {
    if (k > 0) for (const n of options.order[k - 1]!) config[n] = to;
    const metric = await options.evaluate({ ...config });
    assertNumber(metric, 'evaluate(config)');
    points.push({ config: { ...config }, cost: cost(config), metric });
  }
  return points;
}

/**
 * The area under a metric-cost step curve between costs `lo` and `hi`: at each cost `c` the curve's value is the
 * best metric of any point with cost ≤ `c` (the attainable metric within budget `c`; `−∞`-free: before the
 * cheapest point the cheapest point's metric counts). Divided by `hi − lo`, it is the budget-averaged metric.
 * `areaBetweenCurves(a, b) = area(a) − area(b)` > 0 means curve `a` is better on average over the budgets.
 *
 * @throws {@link ArgumentError} for an empty curve or `hi ≤ lo`
 */
export function curveArea(points: readonly ParetoPoint[], lo: number, hi: number): number {
  if (!Array.isArray(points) || points.length === 0) {
    throw new ArgumentError(`points: expected a non-empty array of points, got ${describeValue(points)}`);
  }
  assertNumber(lo, 'lo');
  assertNumber(hi, 'hi');
  if (!(hi > lo)) throw new ArgumentError(`hi: expected a value > lo = ${lo}, got ${hi}`);
  const sorted = [...points].sort((a, b) => a.cost - b.cost);
  const cuts = [lo, ...sorted.map((p) => p.cost).filter((c) => c > lo && c < hi), hi];
  let area = 0;
  for (let i = 0; i + 1 < cuts.length; i++) {
    const c = cuts[i]!;
    let best = Number.NEGATIVE_INFINITY;
    for (const p of sorted) if (p.cost <= c) best = Math.max(best, p.metric);
    if (best === Number.NEGATIVE_INFINITY) best = sorted[0]!.metric;
    area += best * (cuts[i + 1]! - c);
  }
  return area;
}

/**
 * The signed area between two metric-cost curves over the cost range they share with the union's extremes
 * (`lo` = the cheaper of the two cheapest points, `hi` = the dearer of the two dearest), normalised by that
 * range: the budget-averaged metric of `a` minus that of `b`. Positive when `a` is better. `mode`
 * `'envelope'` (default) compares the best-within-budget step curves ({@link curveArea}); `'path'` compares
 * the piecewise-linear curves through all points ({@link pathArea}), where dominated points count.
 *
 * @throws {@link ArgumentError} for empty curves or a zero cost range
 */
export function areaBetweenCurves(
  a: readonly ParetoPoint[],
  b: readonly ParetoPoint[],
  mode: 'envelope' | 'path' = 'envelope',
): number {
  if (!Array.isArray(a) || a.length === 0 || !Array.isArray(b) || b.length === 0) {
    throw new ArgumentError('a, b: expected two non-empty arrays of points');
  }
  assertOneOf(mode, ['envelope', 'path'] as const, 'mode');
  const costs = [...a, ...b].map((p) => p.cost);
  const lo = Math.min(...costs);
  const hi = Math.max(...costs);
  const area = mode === 'envelope' ? curveArea : pathArea;
  return (area(a, lo, hi) - area(b, lo, hi)) / (hi - lo);
}

/**
 * The area under the piecewise-linear curve through the points (sorted by cost; constant beyond the end
 * points) between `lo` and `hi` — unlike {@link curveArea}, dominated points count.
 *
 * @throws {@link ArgumentError} for an empty curve or `hi ≤ lo`
 */
export function pathArea(points: readonly ParetoPoint[], lo: number, hi: number): number {
  if (!Array.isArray(points) || points.length === 0) {
    throw new ArgumentError(`points: expected a non-empty array of points, got ${describeValue(points)}`);
  }
  assertNumber(lo, 'lo');
  assertNumber(hi, 'hi');
  if (!(hi > lo)) throw new ArgumentError(`hi: expected a value > lo = ${lo}, got ${hi}`);
  const sorted = [...points].sort((x, y) => x.cost - y.cost);
  const at = (c: number): number => {
    if (c <= sorted[0]!.cost) return sorted[0]!.metric;
    for (let i = 0; i + 1 < sorted.length; i++) {
      const p = sorted[i]!;
      const q = sorted[i + 1]!;
      if (c <= q.cost)
        return q.cost === p.cost
          ? q.metric
          : p.metric + ((q.metric - p.metric) * (c - p.cost)) / (q.cost - p.cost);
    }
    return sorted[sorted.length - 1]!.metric;
  };
  const cuts = [lo, ...sorted.map((p) => p.cost).filter((c) => c > lo && c < hi), hi];
  let area = 0;
  for (let i = 0; i + 1 < cuts.length; i++)
    area += ((at(cuts[i]!) + at(cuts[i + 1]!)) / 2) * (cuts[i + 1]! - cuts[i]!);
  return area;
}
