import { ArgumentError, assertOneOf } from '@tensorloom/core';
import type { LatencyModel } from '../model/latency.js';
import type { BitConfig } from '../model/precision.js';
import type { QuantizedModel } from '../model/quantizedModel.js';

/** What a search minimises. */
export type CostKind = 'bops' | 'size' | 'latency';

/** The cost kinds. */
export const COST_KINDS: readonly CostKind[] = ['bops', 'size', 'latency'];

/**
 * The cost function of a configuration: BOPs ({@link QuantizedModel.bops}), size in bits
 * ({@link QuantizedModel.size}) or modelled latency (needs a {@link LatencyModel}).
 *
 * @throws {@link ArgumentError} for an unknown kind or `'latency'` without a latency model
 */
export function costFunction(
  model: QuantizedModel,
  kind: CostKind,
  latency?: LatencyModel,
): (config: BitConfig) => number {
  assertOneOf(kind, COST_KINDS, 'cost');
  if (kind === 'bops') return (c) => model.bops(c);
  if (kind === 'size') return (c) => model.size(c);
  if (!latency || typeof latency.latency !== 'function') {
    throw new ArgumentError(
      "latency: cost 'latency' needs a latency model (calibrateLatencyModel), got none",
    );
  }
  return (c) => latency.latency(c);
}
