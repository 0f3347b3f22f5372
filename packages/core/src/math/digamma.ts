import { ArgumentError } from '../errors/errors.js';
import { describe } from '../errors/validate.js';
import { EULER_GAMMA } from './logGamma.js';
import { ZETA_MINUS_ONE } from './zeta.js';

/** Coefficients B_{2k} / (2k) for k = 1…7 of the asymptotic series ψ(x) ~ ln x − 1/(2x) − Σ B_{2k}/(2k x^{2k}). */
const ASYMPTOTIC: readonly number[] = [1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12];

/** cot(πx) with exact argument reduction (period 1). */
function cotPi(x: number): number {
  const r = x - Math.round(x); // exact; r ∈ [−½, ½]
  return 1 / Math.tan(Math.PI * r);
}

/**
 * The digamma function ψ(x) = d/dx ln Γ(x), in float64.
 *
 * For x ≥ 10 the asymptotic series; for 0 < x < 10 the Taylor series of ψ(1+z) (−½ ≤ z ≤ ¾) with the
 * recurrence ψ(x+1) = ψ(x) + 1/x; negative x use the reflection ψ(x) = ψ(1−x) − π cot(πx). Relative error
 * ≲ 1e−15 on x > 0 except right next to the root x₀ ≈ 1.4616 (absolute error ~1e−16 there); on x < 0
 * absolute error ~1e−15·max(1, |ψ(x)|).
 *
 * @param x - any real number
 * @returns ψ(x); `NaN` at the poles x = 0, −1, −2, … and for `NaN`; `Infinity` for `Infinity`
 * @throws {@link ArgumentError} when `x` is not a number
 *
 * @example
 * ```ts
 * digamma(1); // −γ ≈ −0.5772156649015329
 * digamma(0.5); // −γ − 2 ln 2
 * ```
 */
export function digamma(x: number): number {
  if (typeof x !== 'number') throw new ArgumentError(`x: expected a number, got ${describe(x)}`);
  if (Number.isNaN(x)) return Number.NaN;
  if (x === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
  if (x <= 0) {
    if (Number.isInteger(x)) return Number.NaN; // poles at 0, −1, −2, … (and −∞)
    return digammaPositive(1 - x) - Math.PI * cotPi(x);
  }
  return digammaPositive(x);
}

/** Series coefficients (−1)^k (ζ(k) − 1), k = 2…41, of ψ(1+z) + γ − z/(1+z) in powers z^{k−1}. */
const DIGAMMA_1P_SERIES: Float64Array = ZETA_MINUS_ONE.map((value, i) => (i % 2 === 0 ? value : -value));

/**
 * ψ(1+z) for −½ ≤ z ≤ ¾ with full relative accuracy away from the root: the Taylor series
 * ψ(1+z) = −γ + Σ_{k≥2} (−1)^k ζ(k) z^{k−1}, rewritten as −γ + z/(1+z) + Σ_{k≥2} (−1)^k (ζ(k)−1) z^{k−1}.
 */
function digamma1p(z: number): number {
  let power = z;
  let series = 0;
  for (let i = 0; i < DIGAMMA_1P_SERIES.length; i++) {
    const term = DIGAMMA_1P_SERIES[i]! * power;
    series += term;
    if (Math.abs(term) <= 1e-17 * Math.abs(series)) break;
    power *= z;
  }
  return -EULER_GAMMA + z / (1 + z) + series;
}

/** Asymptotic series ψ(x) ~ ln x − 1/(2x) − Σ B_{2k}/(2k x^{2k}), accurate to < 1 ulp for x ≥ 10. */
function digammaAsymptotic(x: number): number {
  const inv2 = 1 / (x * x);
  let series = 0;
  for (let k = ASYMPTOTIC.length - 1; k >= 0; k--) series = series * inv2 + ASYMPTOTIC[k]!;
  series *= inv2;
  return Math.log(x) - 0.5 / x - series;
}

/** ψ(x) for x > 0 (no validation). */
function digammaPositive(x: number): number {
  if (x >= 10) return digammaAsymptotic(x);
  if (x < 0.5) return digamma1p(x) - 1 / x; // ψ(x) = ψ(1+x) − 1/x
  if (x < 1.75) return digamma1p(x - 1); // covers the root x₀ ≈ 1.4616 without cancelling terms
  // x ∈ [1.75, 10): ψ(x) = ψ(y) + Σ 1/(x−i) down to y ∈ [1.75, 2.75), ψ(y) = ψ(y−1) + 1/(y−1); all terms ≥ 0.
  let y = x;
  let sum = 0;
  while (y >= 2.75) {
    y -= 1;
    sum += 1 / y;
  }
  return digamma1p(y - 2) + 1 / (y - 1) + sum;
}
