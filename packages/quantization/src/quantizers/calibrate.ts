import type { Tensor } from '@tensorflow/tfjs';
import { ArgumentError, assertInteger, assertNumber, assertOneOf, describeValue, tf } from '@tensorloom/core';
import {
  assertBits,
  integerRange,
  QUANT_SCHEMES,
  type QuantScheme,
  rangeToScale,
  roundHalfEven,
} from './uniform.js';

/** Range calibration methods. */
export type CalibrationMethod = 'minmax' | 'percentile' | 'mse';

/** The calibration methods. */
export const CALIBRATION_METHODS: readonly CalibrationMethod[] = ['minmax', 'percentile', 'mse'];

/** Options of {@link calibrateRange}. */
export interface CalibrateRangeOptions {
  /** `'minmax'` (default), `'percentile'` or `'mse'`. */
  method?: CalibrationMethod;
  /** Bit width the range is for (needed by `'mse'`; default 8). */
  bits?: number;
  /** Quantisation scheme the range is for (default `'asymmetric'`). */
  scheme?: QuantScheme;
  /** Percentile in (50, 100] for `'percentile'` (default 99.99). */
  percentile?: number;
  /** Number of clipping ratios tried by `'mse'` (default 100). */
  gridSize?: number;
}

/**
 * Calibrates a real range `[min, max]` for quantising the observed `values` (float64 arithmetic):
 * - `'minmax'`: the smallest and largest value;
 * - `'percentile'`: symmetric scheme `max = P_p(|x|)`, `min = −max`; asymmetric `min = P_(100−p)(x)`,
 *   `max = P_p(x)`, with linearly interpolated percentiles (numpy's default);
 * - `'mse'`: the min–max range shrunk by the ratio `α ∈ {1/G, 2/G, …, 1}` (G = `gridSize`) that minimises
 *   `Σ (Q_α(x) − x)²`, where `Q_α` is the `bits`-bit quantizer of the shrunk range (ties pick the larger α).
 *
 * @throws {@link ArgumentError} for an empty or non-finite sample, or bad options
 *
 * @example
 * ```ts
 * const range = calibrateRange(activations, { method: 'mse', bits: 4 });
 * const params = paramsFromRange(range, 4);
 * ```
 */
export function calibrateRange(
  values: Tensor | ArrayLike<number>,
  options: CalibrateRangeOptions = {},
): { min: number; max: number } {
  const method = options.method ?? 'minmax';
  assertOneOf(method, CALIBRATION_METHODS, 'method');
  const scheme = options.scheme ?? 'asymmetric';
  assertOneOf(scheme, QUANT_SCHEMES, 'scheme');
  const bits = options.bits ?? 8;
  assertBits(bits);
  const data = values instanceof tf.Tensor ? (values.dataSync() as Float32Array) : values;
  if (data === null || typeof data !== 'object' || typeof data.length !== 'number') {
    throw new ArgumentError(`values: expected a tensor or an array of numbers, got ${describeValue(values)}`);
  }
  if (data.length === 0)
    throw new ArgumentError('values: expected a non-empty calibration sample, got 0 values');
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v))
      throw new ArgumentError(`values: expected finite numbers, got ${v} at index ${i}`);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (method === 'minmax') return { min: lo, max: hi };
  if (method === 'percentile') {
    const p = options.percentile ?? 99.99;
    assertNumber(p, 'percentile', { min: 50, max: 100 });
    if (scheme === 'symmetric') {
      const abs = Float64Array.from(data, Math.abs).sort();
      const m = percentileSorted(abs, p);
      return { min: -m, max: m };
    }
    const sorted = Float64Array.from(data).sort();
    return { min: percentileSorted(sorted, 100 - p), max: percentileSorted(sorted, p) };
  }
  const grid = options.gridSize ?? 100;
  assertInteger(grid, 'gridSize', { min: 1 });
  let best = { min: lo, max: hi };
  let bestError = Number.POSITIVE_INFINITY;
  for (let k = grid; k >= 1; k--) {
    const alpha = k / grid;
    const candidate = { min: lo * alpha, max: hi * alpha };
    const error = quantizationError(data, candidate, bits, scheme);
    if (error < bestError) {
      bestError = error;
      best = candidate;
    }
  }
  return best;
}

/**
 * `Σ (Q(x) − x)²` in float64 for the `bits`-bit quantizer of the range `[min, max]` (half-to-even rounding,
 * clamping to the integer range), the objective of `'mse'` calibration.
 */
export function quantizationError(
  values: ArrayLike<number>,
  range: { min: number; max: number },
  bits: number,
  scheme: QuantScheme,
): number {
  const { qmin, qmax } = integerRange(bits, scheme);
  const { scale, zeroPoint } = rangeToScale(range.min, range.max, bits, scheme);
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const q = Math.min(qmax, Math.max(qmin, roundHalfEven(v / scale) + zeroPoint));
    const d = (q - zeroPoint) * scale - v;
    sum += d * d;
  }
  return sum;
}

function percentileSorted(sorted: Float64Array, p: number): number {
  const pos = ((sorted.length - 1) * p) / 100;
  const i = Math.floor(pos);
  const f = pos - i;
  const a = sorted[i]!;
  const b = sorted[Math.min(i + 1, sorted.length - 1)]!;
  return a + f * (b - a);
}
