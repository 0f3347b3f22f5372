import { ArgumentError } from '../errors/errors.js';
import { describe } from '../errors/validate.js';
import { BERNOULLI_EVEN, ZETA_MINUS_ONE } from './zeta.js';

/** Euler–Mascheroni constant γ. */
export const EULER_GAMMA: number = 0.5772156649015329;

const HALF_LOG_TWO_PI = 0.9189385332046728; // ½·ln(2π)

/** Stirling series coefficients B_{2k} / (2k(2k−1)) for k = 1…8. */
const STIRLING: Float64Array = Float64Array.from({ length: 8 }, (_, i) => {
  const k = i + 1;
  return BERNOULLI_EVEN[i]! / (2 * k * (2 * k - 1));
});

/** Coefficients (−1)^k (ζ(k) − 1) / k, k = 2…41, of the series of ln Γ(1+z) + γz − z + ln(1+z). */
const LOG_GAMMA_1P_SERIES: Float64Array = ZETA_MINUS_ONE.map(
  (value, i) => ((i % 2 === 0 ? 1 : -1) * value) / (i + 2),
);

/**
 * ln Γ(1+z) for |z| ≤ ½ with full relative accuracy, from the Taylor series
 * ln Γ(1+z) = −γz + Σ_{k≥2} (−1)^k ζ(k) z^k / k, rewritten as
 * (1−γ)z − ln(1+z) + Σ_{k≥2} (−1)^k (ζ(k)−1) z^k / k so that the remaining terms fall like (z/2)^k.
 */
function logGamma1p(z: number): number {
  let power = z * z;
  let series = 0;
  for (let i = 0; i < LOG_GAMMA_1P_SERIES.length; i++) {
    const term = LOG_GAMMA_1P_SERIES[i]! * power;
    series += term;
    if (Math.abs(term) <= 1e-17 * Math.abs(series)) break;
    power *= z;
  }
  return -EULER_GAMMA * z + (z - Math.log1p(z)) + series;
}

/** Stirling's asymptotic series for ln Γ(x), accurate to < 1 ulp for x ≥ 10. */
function logGammaStirling(x: number): number {
  const inv = 1 / x;
  const inv2 = inv * inv;
  let correction = 0;
  let power = inv;
  for (let i = 0; i < STIRLING.length; i++) {
    correction += STIRLING[i]! * power;
    power *= inv2;
  }
  return (x - 0.5) * Math.log(x) - x + HALF_LOG_TWO_PI + correction;
}

/** sin(πx) with exact argument reduction, so that it is accurate even for large |x|. */
export function sinPi(x: number): number {
  let r = x - 2 * Math.round(x / 2); // exact; r ∈ [−1, 1]
  if (r > 0.5) r = 1 - r;
  else if (r < -0.5) r = -1 - r;
  return Math.sin(Math.PI * r);
}

/** ln Γ(x) for x > 0 (no validation). */
function logGammaPositive(x: number): number {
  if (x >= 10) return logGammaStirling(x);
  if (x < 0.5) return logGamma1p(x) - Math.log(x); // Γ(x) = Γ(1+x)/x
  if (x < 1.5) return logGamma1p(x - 1);
  if (x < 2.5) return Math.log1p(x - 2) + logGamma1p(x - 2); // Γ(2+z) = (1+z)Γ(1+z)
  // x ∈ [2.5, 10): Γ(x) = (x−1)(x−2)…(x−k)·Γ(x−k) with x−k ∈ [1.5, 2.5); every term is positive.
  let product = 1;
  let y = x;
  while (y >= 2.5) {
    y -= 1;
    product *= y;
  }
  return Math.log(product) + Math.log1p(y - 2) + logGamma1p(y - 2);
}

/**
 * Natural logarithm of the absolute value of the gamma function, ln |Γ(x)|, in float64.
 *
 * Near x = 1 and x = 2 (where ln Γ vanishes) it uses the Taylor series of ln Γ(1+z), so relative accuracy
 * holds there too; elsewhere on x > 0 the recurrence and Stirling's series give ≲ 1e−15 relative error.
 * For x < 0 it uses the reflection formula ln|Γ(x)| = ln(π / |sin πx|) − ln Γ(1−x) (absolute error ~1e−15 near
 * the zeros of ln|Γ| on the negative axis).
 *
 * @param x - any real number
 * @returns ln |Γ(x)|; `Infinity` at the poles x = 0, −1, −2, … and at ±∞; `NaN` for `NaN`
 * @throws {@link ArgumentError} when `x` is not a number
 *
 * @example
 * ```ts
 * logGamma(0.5); // ln √π ≈ 0.5723649429247001
 * logGamma(101); // ln 100! ≈ 363.73937555556347
 * ```
 */
export function logGamma(x: number): number {
  if (typeof x !== 'number') throw new ArgumentError(`x: expected a number, got ${describe(x)}`);
  if (Number.isNaN(x)) return Number.NaN;
  if (x === Number.POSITIVE_INFINITY || x === Number.NEGATIVE_INFINITY) return Number.POSITIVE_INFINITY;
  if (x > 0) return logGammaPositive(x);
  if (Number.isInteger(x)) return Number.POSITIVE_INFINITY; // poles at 0, −1, −2, …
  // Reflection: Γ(x)Γ(1−x) = π / sin(πx).
  return Math.log(Math.PI / Math.abs(sinPi(x))) - logGammaPositive(1 - x);
}
