import { ArgumentError, assertInteger, assertNumber, assertOneOf } from '@tensorloom/core';

/** Which polynomial approximates `exp` on `[−R, R]`. */
export type ExpPolynomialKind = 'taylor' | 'chebyshev';

/** A polynomial approximation of `exp` on `[−radius, radius]` with a certified relative error. */
export interface ExpPolynomial {
  /** Taylor (at 0) or Chebyshev interpolation. */
  kind: ExpPolynomialKind;
  /** Degree g. */
  degree: number;
  /** Half-width R of the approximation interval `[−R, R]`. */
  radius: number;
  /** Monomial coefficients `c_0 … c_g`: `P(s) = Σ c_t s^t`. */
  coefficients: Float64Array;
  /**
   * Certified `η = max_{|s| ≤ R} |P(s)·e^{−s} − 1|`: the maximum over a fine grid plus the grid
   * spacing times a bound on the derivative (a rigorous bound up to float64 rounding).
   */
  relativeError: number;
  /**
   * The closed-form bound: Taylor `e^R·R^{g+1}/(g+1)!`; Chebyshev interpolation
   * `e^{2R}·R^{g+1}/(2^g·(g+1)!)`. Always ≥ `relativeError` (up to rounding).
   */
  analyticRelativeError: number;
}

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}

/** Monomial coefficients of the degree-g Taylor polynomial of exp at 0. */
function taylorCoefficients(g: number): Float64Array {
  return Float64Array.from({ length: g + 1 }, (_, t) => 1 / factorial(t));
}

/** Monomial coefficients (in s) of the interpolant of exp at the g+1 Chebyshev points of [−R, R]. */
function chebyshevCoefficients(g: number, radius: number): Float64Array {
  const m = g + 1;
  const a = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    let sum = 0;
    for (let i = 0; i < m; i++) {
      const theta = (Math.PI * (i + 0.5)) / m;
      sum += Math.exp(radius * Math.cos(theta)) * Math.cos(j * theta);
    }
    a[j] = (2 / m) * sum;
  }
  a[0] = a[0]! / 2;
  // Σ a_j T_j(x) → monomials in x, via T_{j+1} = 2x·T_j − T_{j−1}.
  const coeffX = new Float64Array(m);
  let prev = new Float64Array(m);
  let cur = new Float64Array(m);
  prev[0] = 1; // T_0
  coeffX[0] = a[0]!;
  if (m > 1) {
    cur[1] = 1; // T_1
    coeffX[1] = coeffX[1]! + a[1]!;
  }
  for (let j = 2; j < m; j++) {
    const next = new Float64Array(m);
    for (let t = 0; t < m; t++) {
      if (t > 0) next[t] = next[t]! + 2 * cur[t - 1]!;
      next[t] = next[t]! - prev[t]!;
    }
    for (let t = 0; t < m; t++) coeffX[t] = coeffX[t]! + a[j]! * next[t]!;
    prev = cur;
    cur = next;
  }
  // x = s / R.
  return Float64Array.from(coeffX, (c, t) => c / radius ** t);
}

function evaluate(c: Float64Array, s: number): number {
  let y = 0;
  for (let t = c.length - 1; t >= 0; t--) y = y * s + c[t]!;
  return y;
}

/** Certified max relative error of `P` against exp on `[−R, R]` (grid maximum + derivative bound × half-spacing). */
function certifiedRelativeError(c: Float64Array, radius: number): number {
  if (radius === 0) return Math.abs(c[0]! - 1);
  const points = 20_001;
  const h = (2 * radius) / (points - 1);
  let worst = 0;
  for (let i = 0; i < points; i++) {
    const s = -radius + i * h;
    worst = Math.max(worst, Math.abs(evaluate(c, s) * Math.exp(-s) - 1));
  }
  // |d/ds (P(s)e^{−s})| = |P'(s) − P(s)|·e^{−s} ≤ e^R·Σ_t |(t+1)c_{t+1} − c_t|·R^t (small when P ≈ exp).
  let lipschitz = 0;
  for (let t = 0; t < c.length; t++) {
    const next = t + 1 < c.length ? (t + 1) * c[t + 1]! : 0;
    lipschitz += Math.abs(next - c[t]!) * radius ** t;
  }
  lipschitz *= Math.exp(radius);
  const eta = worst + (lipschitz * h) / 2;
  // Overflow (huge radius) gives ∞ or NaN: either way nothing is certified.
  return Number.isFinite(eta) ? eta : Number.POSITIVE_INFINITY;
}

/**
 * A degree-g polynomial approximation of `exp` on `[−radius, radius]`, Taylor (at 0) or Chebyshev
 * interpolation, with its certified relative error `η` (see {@link ExpPolynomial}).
 *
 * @throws {@link ArgumentError} for a negative or non-integer degree, a negative radius or an unknown kind
 *
 * @example
 * ```ts
 * expPolynomial(4, 1, 'chebyshev').relativeError; // ≈ 6e-4
 * ```
 */
export function expPolynomial(degree: number, radius: number, kind: ExpPolynomialKind): ExpPolynomial {
  assertInteger(degree, 'degree', { min: 0, max: 40 });
  assertNumber(radius, 'radius', { min: 0 });
  assertOneOf(kind, ['taylor', 'chebyshev'], 'kind');
  const g = degree;
  const coefficients =
    kind === 'taylor' || radius === 0 ? taylorCoefficients(g) : chebyshevCoefficients(g, radius);
  const tail = radius ** (g + 1) / factorial(g + 1);
  const analyticRelativeError =
    kind === 'taylor' ? Math.exp(radius) * tail : (Math.exp(2 * radius) * tail) / 2 ** g;
  return {
    kind,
    degree: g,
    radius,
    coefficients,
    relativeError: certifiedRelativeError(coefficients, radius),
    analyticRelativeError,
  };
}

/**
 * The best of the Taylor and Chebyshev approximations of a given degree, chosen by their certified
 * (measured on a fine grid, then bounded) relative error.
 */
export function bestExpPolynomial(degree: number, radius: number): ExpPolynomial {
  const a = expPolynomial(degree, radius, 'taylor');
  const b = expPolynomial(degree, radius, 'chebyshev');
  return b.relativeError < a.relativeError ? b : a;
}

/**
 * The ℓ∞ output bound of the polynomial method: if every approximate score weight is `A·(1+E)` with
 * `|E| ≤ η < 1`, then `‖D̃⁻¹ÃV − D⁻¹AV‖_∞ ≤ 2η/(1−η)·‖V‖_∞` (and `‖V‖_∞ ≤ Π_t ‖V_t‖_∞`).
 * Returns `Infinity` when `η ≥ 1`.
 */
export function outputErrorBound(relativeError: number, valueBound: number): number {
  if (!(relativeError >= 0)) throw new ArgumentError(`relativeError: expected ≥ 0, got ${relativeError}`);
  if (relativeError >= 1) return Number.POSITIVE_INFINITY;
  return ((2 * relativeError) / (1 - relativeError)) * valueBound;
}
