import type { Tensor } from '@tensorflow/tfjs';
import { ArgumentError, assertInteger, assertOneOf, describeValue, ShapeError, tf } from '@tensorloom/core';
import { customUnary } from '../util/customUnary.js';

/** Uniform integer schemes: `'symmetric'` (signed integers, zero point 0) or `'asymmetric'` (unsigned, zero point). */
export type QuantScheme = 'symmetric' | 'asymmetric';

/** The allowed schemes. */
export const QUANT_SCHEMES: readonly QuantScheme[] = ['symmetric', 'asymmetric'];

/** How the straight-through estimator passes gradients: everywhere (`'identity'`) or only inside the clipping range (`'clipped'`). */
export type SteMode = 'identity' | 'clipped';

/**
 * The parameters of a uniform quantizer: `q = clamp(round(x / scale) + zeroPoint, qmin, qmax)` and the
 * fake-quantised value `(q − zeroPoint) · scale`. With `axis` set there is one scale and zero point per index
 * of that axis (per output channel); otherwise `scale` and `zeroPoint` have length 1.
 */
export interface UniformQuantParams {
  /** Bit width, 2–16. */
  bits: number;
  /** Symmetric or asymmetric. */
  scheme: QuantScheme;
  /** Scales (> 0), one per channel of `axis` or a single one. */
  scale: Float32Array;
  /** Integer zero points (0 for symmetric). */
  zeroPoint: Float32Array;
  /** Smallest integer level. */
  qmin: number;
  /** Largest integer level. */
  qmax: number;
  /** The per-channel axis, or `null` for per-tensor. */
  axis: number | null;
}

/** Checks a bit width: an integer in 2–16. */
export function assertBits(bits: unknown, name = 'bits'): asserts bits is number {
  assertInteger(bits, name, { min: 2, max: 16 });
}

/**
 * The integer range of a `bits`-bit scheme: symmetric `[−2^(b−1), 2^(b−1) − 1]` (the HAWQ-V3 convention,
 * with scale set by `2^(b−1) − 1` so that `±max|x|` are both representable); asymmetric `[0, 2^b − 1]`.
 *
 * @throws {@link ArgumentError} for bits outside 2–16 or an unknown scheme
 */
export function integerRange(bits: number, scheme: QuantScheme): { qmin: number; qmax: number } {
  assertBits(bits);
  assertOneOf(scheme, QUANT_SCHEMES, 'scheme');
  return scheme === 'symmetric'
    ? { qmin: -(2 ** (bits - 1)), qmax: 2 ** (bits - 1) - 1 }
    : { qmin: 0, qmax: 2 ** bits - 1 };
}

/**
 * Scale and zero point for one real range `[min, max]` (float64 arithmetic, stored as float32):
 * - symmetric: `scale = max(|min|, |max|) / (2^(b−1) − 1)`, zero point 0;
 * - asymmetric: the range is widened to contain 0, `scale = (max − min) / (2^b − 1)` and
 *   `zeroPoint = clamp(round(−min / scale), 0, 2^b − 1)`.
 *
 * A zero-width range gets scale 1 (everything maps to 0 exactly).
 *
 * @throws {@link ArgumentError} for non-finite bounds, `min > max`, bad bits or scheme
 */
export function rangeToScale(
  min: number,
  max: number,
  bits: number,
  scheme: QuantScheme,
): { scale: number; zeroPoint: number } {
  const { qmax } = integerRange(bits, scheme);
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
    throw new ArgumentError(
      `range: expected finite min <= max, got min ${describeValue(min)}, max ${describeValue(max)}`,
    );
  }
  if (scheme === 'symmetric') {
    const m = Math.max(Math.abs(min), Math.abs(max));
    return { scale: m > 0 ? m / (2 ** (bits - 1) - 1) : 1, zeroPoint: 0 };
  }
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  if (hi - lo <= 0) return { scale: 1, zeroPoint: 0 };
  const scale = Math.fround(hi - lo) / qmax;
  const zeroPoint = Math.min(qmax, Math.max(0, roundHalfEven(-lo / scale)));
  return { scale, zeroPoint };
}

/** Rounds half to even (banker's rounding), the rule tfjs's `round` uses. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Options of {@link quantizationParams}. */
export interface QuantizationParamsOptions {
  /** Bit width, 2–16. */
  bits: number;
  /** Default `'symmetric'`. */
  scheme?: QuantScheme;
  /** Per-channel axis (e.g. the last axis for a dense or conv kernel); omit for per-tensor. Negative counts from the end. */
  axis?: number;
}

/**
 * Min–max quantisation parameters of a tensor, per tensor or per channel along `axis`.
 *
 * @throws {@link ArgumentError} for bad bits, scheme, axis, or non-finite values
 *
 * @example
 * ```ts
 * const p = quantizationParams(kernel, { bits: 4, axis: -1 }); // per output channel
 * const wq = fakeQuantize(kernel, p);
 * ```
 */
export function quantizationParams(x: Tensor, options: QuantizationParamsOptions): UniformQuantParams {
  if (!(x instanceof tf.Tensor)) throw new ArgumentError(`x: expected a tf.Tensor, got ${describeValue(x)}`);
  const scheme = options.scheme ?? 'symmetric';
  const { qmin, qmax } = integerRange(options.bits, scheme);
  const axis = options.axis === undefined ? null : normalizeAxis(options.axis, x.rank, 'axis');
  const values = x.dataSync() as Float32Array;
  const channels = axis === null ? 1 : x.shape[axis]!;
  const inner = axis === null ? 1 : x.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const mins = new Float64Array(channels).fill(Number.POSITIVE_INFINITY);
  const maxs = new Float64Array(channels).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v))
      throw new ArgumentError(`x: expected finite values, got ${v} at flat index ${i}`);
    const c = axis === null ? 0 : Math.floor(i / inner) % channels;
    if (v < mins[c]!) mins[c] = v;
    if (v > maxs[c]!) maxs[c] = v;
  }
  const scale = new Float32Array(channels);
  const zeroPoint = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const lo = values.length === 0 ? 0 : mins[c]!;
    const hi = values.length === 0 ? 0 : maxs[c]!;
    const s = rangeToScale(lo, hi, options.bits, scheme);
    scale[c] = s.scale;
    zeroPoint[c] = s.zeroPoint;
  }
  return { bits: options.bits, scheme, scale, zeroPoint, qmin, qmax, axis };
}

/**
 * Parameters for one calibrated range `[min, max]` (per tensor), e.g. from {@link calibrateRange}.
 *
 * @throws {@link ArgumentError} for bad bits, scheme or range
 */
export function paramsFromRange(
  range: { min: number; max: number },
  bits: number,
  scheme: QuantScheme = 'asymmetric',
): UniformQuantParams {
  const { qmin, qmax } = integerRange(bits, scheme);
  const { scale, zeroPoint } = rangeToScale(range.min, range.max, bits, scheme);
  return {
    bits,
    scheme,
    scale: Float32Array.of(scale),
    zeroPoint: Float32Array.of(zeroPoint),
    qmin,
    qmax,
    axis: null,
  };
}

function normalizeAxis(axis: number, rank: number, name: string): number {
  assertInteger(axis, name, { min: -rank, max: rank - 1 });
  return axis < 0 ? axis + rank : axis;
}

function broadcastShape(params: UniformQuantParams, x: Tensor): number[] {
  if (params.axis === null) return [];
  const shape = x.shape.map(() => 1);
  shape[params.axis] = params.scale.length;
  return shape;
}

/**
 * Uniform fake quantisation with round-to-nearest (ties to even, as tfjs's `round`):
 * `y = (clamp(round(x / scale) + zeroPoint, qmin, qmax) − zeroPoint) · scale`, broadcast per channel when
 * `params.axis` is set. The gradient is the straight-through estimator: `dy` passes unchanged
 * (`ste: 'identity'`) or only where `x` lies inside the representable range
 * `[(qmin − z)·s, (qmax − z)·s]` (`'clipped'`, the default).
 *
 * @throws {@link ShapeError} when the per-channel parameter count does not match `x`'s axis
 *
 * @example
 * ```ts
 * const y = fakeQuantize(tf.tensor([0.3, -1.2]), paramsFromRange({ min: -1, max: 1 }, 8, 'symmetric'));
 * ```
 */
export function fakeQuantize(x: Tensor, params: UniformQuantParams, ste: SteMode = 'clipped'): Tensor {
  if (!(x instanceof tf.Tensor)) throw new ArgumentError(`x: expected a tf.Tensor, got ${describeValue(x)}`);
  assertOneOf(ste, ['identity', 'clipped'] as const, 'ste');
  if (params.axis !== null) {
    if (params.axis >= x.rank || x.shape[params.axis] !== params.scale.length) {
      throw new ShapeError(
        `params: ${params.scale.length} channels on axis ${params.axis}, but x has shape [${x.shape.join(', ')}]`,
      );
    }
  } else if (params.scale.length !== 1) {
    throw new ShapeError(`params: per-tensor parameters need one scale, got ${params.scale.length}`);
  }
  const shape = broadcastShape(params, x);
  return tf.tidy(() => {
    const scale = tf.tensor(params.scale, shape.length ? shape : [], 'float32');
    const zero = tf.tensor(params.zeroPoint, shape.length ? shape : [], 'float32');
    const op = customUnary(
      (input) => {
        const q = tf.clipByValue(tf.add(tf.round(tf.div(input, scale)), zero), params.qmin, params.qmax);
        return tf.mul(tf.sub(q, zero), scale);
      },
      (dy, xin) => {
        if (ste === 'identity') return dy;
        const s = tf.tensor(params.scale, shape.length ? shape : [], 'float32');
        const z = tf.tensor(params.zeroPoint, shape.length ? shape : [], 'float32');
        const lo = tf.mul(tf.sub(params.qmin, z), s);
        const hi = tf.mul(tf.sub(params.qmax, z), s);
        const inside = tf.logicalAnd(tf.greaterEqual(xin, lo), tf.lessEqual(xin, hi));
        return tf.mul(dy, tf.cast(inside, 'float32'));
      },
    );
    return op(x);
  });
}
