import type { Tensor } from '@tensorflow/tfjs';
import { ArgumentError, assertOneOf, describeValue, tf } from '@tensorloom/core';
import { customUnary } from '../util/customUnary.js';

/** Narrow floating-point formats that {@link roundToFloat} emulates in float32 arithmetic. */
export type FloatFormat = 'float16' | 'bfloat16';

/** The emulated formats. */
export const FLOAT_FORMATS: readonly FloatFormat[] = ['float16', 'bfloat16'];

const FORMATS: Record<FloatFormat, { mantissa: number; minExponent: number; overflow: number }> = {
  // IEEE binary16: 10 stored mantissa bits, normal exponents from −14, max 65504; 65520 rounds to ∞.
  float16: { mantissa: 10, minExponent: -14, overflow: 65520 },
  // bfloat16: 7 stored mantissa bits, float32's exponent range; (2 − 2^−8)·2^127 rounds to ∞.
  bfloat16: { mantissa: 7, minExponent: -126, overflow: (2 - 2 ** -8) * 2 ** 127 },
};

/**
 * Rounds every element to the nearest value of a narrow float format (ties to even, subnormals kept,
 * overflow to ±∞, NaN kept), returning float32 values — the same numbers as converting to the format's
 * bits and back (core's `float32ToFloat16Bits`/`float16BitsToFloat32`), but as a differentiable tensor op.
 *
 * Method: `e = ⌊log₂|x|⌋` (corrected by one step where float32 `log` is off at powers of two), clamped below
 * at the format's smallest normal exponent, unit in the last place `u = 2^(e − mantissaBits)`, and
 * `round(|x| / u) · u` with tfjs's half-to-even `round`; division by a power of two is exact.
 * The gradient is the straight-through estimator (identity).
 *
 * @throws {@link ArgumentError} for a non-tensor or an unknown format
 *
 * @example
 * ```ts
 * roundToFloat(tf.tensor([1 + 2 ** -11]), 'float16'); // [1] (tie to even)
 * ```
 */
export function roundToFloat(x: Tensor, format: FloatFormat): Tensor {
  if (!(x instanceof tf.Tensor)) throw new ArgumentError(`x: expected a tf.Tensor, got ${describeValue(x)}`);
  assertOneOf(format, FLOAT_FORMATS, 'format');
  const { mantissa, minExponent, overflow } = FORMATS[format];
  return tf.tidy(() => {
    const op = customUnary(
      (input: Tensor) => {
        const a = tf.abs(input);
        const safe = tf.maximum(a, 2 ** minExponent);
        let e = tf.floor(tf.div(tf.log(safe), Math.LN2));
        // Correct float32 log rounding at powers of two: want 2^e <= a < 2^(e+1).
        const p = tf.pow(tf.scalar(2), e);
        e = tf.where(tf.less(safe, p), tf.sub(e, 1), e);
        e = tf.where(tf.greaterEqual(safe, tf.mul(tf.pow(tf.scalar(2), e), 2)), tf.add(e, 1), e);
        e = tf.maximum(e, minExponent);
        const ulp = tf.pow(tf.scalar(2), tf.sub(e, mantissa));
        const rounded = tf.mul(tf.round(tf.div(a, ulp)), ulp);
        const inf = tf.fill(a.shape, Number.POSITIVE_INFINITY);
        const magnitude = tf.where(tf.greaterEqual(a, overflow), inf, rounded);
        const signed = tf.where(tf.less(input, 0), tf.neg(magnitude), magnitude);
        return tf.where(tf.isNaN(input), input, signed);
      },
      (dy) => dy,
    );
    return op(x);
  });
}
