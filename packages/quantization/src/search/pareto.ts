import {
  ArgumentError,
  assertInteger,
  assertNumber,
  describeValue,
  type ProgressEvent,
} from '@tensorloom/core';
import type { LatencyModel } from '../model/latency.js';
import { assertPrecision, type BitConfig, type Precision } from '../model/precision.js';
import type { QuantizedModel } from '../model/quantizedModel.js';
import { type CostKind, costFunction } from './cost.js';

/** One evaluated configuration. */
export interface ParetoPoint {
  /** The configuration. */
  config: BitConfig;
  /** Its cost. */
  cost: number;
  /** Its metric (higher is better). */
  metric: number;
}

/** Options of {@link paretoFrontier}. */
export interface ParetoOptions {
  /** Metric of a configuration, higher is better. */
  evaluate: (config: BitConfig) => number | Promise<number>;
  /** Precisions each layer may take. */
  candidates: readonly Precision[];
  /** What to minimise (default `'bops'`). */
  cost?: CostKind;
  /** Needed for `cost: 'latency'`. */
  latency?: LatencyModel;
  /** Refuse to enumerate more than this many configurations (default 4096). */
  maxConfigurations?: number;
  /** Progress events (`phase: 'pareto'`). */
  onProgress?: (event: ProgressEvent) => void;
  /** Abort. */
  signal?: AbortSignal;
}

/**
 * Exhaustive search: evaluates every assignment of `candidates` to the precision groups of the model
 * ({@link QuantizedModel.groups}; tied layers share one precision, so `|C|^G` configurations for G groups) and returns all points plus the Pareto frontier — points sorted by cost whose metric is
 * strictly higher than that of every cheaper (or equally cheap) point.
 *
 * @throws {@link ArgumentError} for bad candidates or more than `maxConfigurations` configurations
 */
export async function paretoFrontier(
  model: QuantizedModel,
  options: ParetoOptions,
): Promise<{ points: ParetoPoint[]; frontier: ParetoPoint[] }> {
  if (typeof options?.evaluate !== 'function') {
    throw new ArgumentError(
      `evaluate: expected a function (config) => number, got ${describeValue(options?.evaluate)}`,
    );
  }
  const candidates = [...(options.candidates ?? [])];
  if (candidates.length === 0) throw new ArgumentError('candidates: expected at least one precision, got 0');
  for (const [i, c] of candidates.entries()) assertPrecision(c, `candidates[${i}]`);
  const max = options.maxConfigurations ?? 4096;
  assertInteger(max, 'maxConfigurations', { min: 1 });
  const groups = model.groups;
  const total = candidates.length ** groups.length;
  if (total > max) {
    throw new ArgumentError(
      `candidates: ${candidates.length}^${groups.length} = ${total} configurations exceed maxConfigurations ${max}`,
    );
  }
  const cost = costFunction(model, options.cost ?? 'bops', options.latency);
  const points: ParetoPoint[] = [];
  for (let index = 0; index < total; index++) {
    options.signal?.throwIfAborted();
    const config: Record<string, Precision> = {};
    let r = index;
    for (const g of groups) {
      for (const n of g) config[n] = candidates[r % candidates.length]!;
      r = Math.floor(r / candidates.length);
    }
    const metric = await options.evaluate(config);
    assertNumber(metric, 'evaluate(config)');
    points.push({ config, cost: cost(config), metric });
    options.onProgress?.({ phase: 'pareto', step: index + 1, total });
  }
  return { points, frontier: frontierOf(points) };
}

/** The Pareto frontier (min cost, max metric) of evaluated points, sorted by cost. */
export function frontierOf(points: readonly ParetoPoint[]): ParetoPoint[] {
  const sorted = [...points].sort((a, b) => a.cost - b.cost || b.metric - a.metric);
  const frontier: ParetoPoint[] = [];
  let bestMetric = Number.NEGATIVE_INFINITY;
  for (const p of sorted) {
    if (p.metric > bestMetric) {
      frontier.push(p);
      bestMetric = p.metric;
    }
  }
  return frontier;
}

/**
 * The cheapest point whose metric is within `tolerance` of `baseline` (`metric ≥ baseline − tolerance·|baseline|`),
 * or `null` if none.
 *
 * @throws {@link ArgumentError} for a negative tolerance
 */
export function cheapestWithinTolerance(
  points: readonly ParetoPoint[],
  baseline: number,
  tolerance: number,
): ParetoPoint | null {
  assertNumber(baseline, 'baseline');
  assertNumber(tolerance, 'tolerance', { min: 0 });
  const threshold = baseline - tolerance * Math.abs(baseline);
  let best: ParetoPoint | null = null;
  for (const p of points) if (p.metric >= threshold && (best === null || p.cost < best.cost)) best = p;
  return best;
}
