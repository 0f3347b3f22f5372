import { assertInteger } from '../errors/validate.js';
import { logGamma } from './logGamma.js';

/** Largest n whose factorial is finite in float64 (170! ≈ 7.3e306). */
const TABLE_SIZE = 171;
const HALF_LOG_TWO_PI = 0.9189385332046728; // ½·ln(2π)

let logFactorialTable: Float64Array | undefined;

/** ln n! for n = 0…170, from the float64 factorial (exact through 22!, one rounding per factor after). */
function table(): Float64Array {
  if (logFactorialTable === undefined) {
    logFactorialTable = new Float64Array(TABLE_SIZE);
    let factorial = 1;
    for (let n = 1; n < TABLE_SIZE; n++) {
      factorial *= n;
      logFactorialTable[n] = Math.log(factorial);
    }
  }
  return logFactorialTable;
}

/**
 * ln n! for a non-negative integer n. Uses a lazily built table of the float64 factorials for n ≤ 170 and
 * {@link logGamma}(n + 1) (Stirling's series) beyond.
 *
 * @param n - a non-negative integer
 * @throws {@link ArgumentError} when `n` is not a non-negative integer
 *
 * @example
 * ```ts
 * logFactorial(5); // ln 120
 * Math.exp(logFactorial(20) - 2 * logFactorial(10)); // C(20, 10) = 184756
 * ```
 */
export function logFactorial(n: number): number {
  assertInteger(n, 'n', { min: 0 });
  return n < TABLE_SIZE ? table()[n]! : logGamma(n + 1);
}

/** Stirling's error δ(n) = ln n! − [(n+½) ln n − n + ½ ln 2π] for integer n ≥ 1. */
function stirlingError(n: number): number {
  if (n < 16) return table()[n]! - ((n + 0.5) * Math.log(n) - n + HALF_LOG_TWO_PI);
  const inv = 1 / n;
  const inv2 = inv * inv;
  // 1/(12n) − 1/(360n³) + 1/(1260n⁵) − 1/(1680n⁷) + 1/(1188n⁹)
  return inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 * (1 / 1680 - inv2 / 1188))));
}

/**
 * ln C(n, k), the logarithm of the binomial coefficient, for non-negative integers n and k.
 *
 * Exact (one rounding, in the logarithm) while C(n, k) < 2^53; beyond, accurate to ~1e−15 relative even when
 * n is huge and k is small, because it never subtracts two large ln-factorials: ln C(n,k) = k ln(n/k) − (n−k) ln(1 − k/n) + ½ ln(n / (2π k (n−k))) + δ(n) − δ(k) − δ(n−k),
 * with δ Stirling's error term and k ≤ n/2 by symmetry.
 *
 * @param n - a non-negative integer
 * @param k - a non-negative integer
 * @returns ln C(n, k); `-Infinity` when k > n (the coefficient is 0)
 * @throws {@link ArgumentError} when `n` or `k` is not a non-negative integer
 *
 * @example
 * ```ts
 * Math.exp(logBinomial(10, 3)); // 120
 * logBinomial(1e9, 2); // ln(1e9·(1e9−1)/2)
 * ```
 */
export function logBinomial(n: number, k: number): number {
  assertInteger(n, 'n', { min: 0 });
  assertInteger(k, 'k', { min: 0 });
  if (k > n) return Number.NEGATIVE_INFINITY;
  if (n - k < k) k = n - k;
  if (k === 0) return 0;
  // Exact multiplicative formula while C(n, i) stays below 2^53 (every product and quotient is exact).
  let exact = 1;
  for (let i = 1; i <= k; i++) {
    const product = exact * (n - k + i);
    if (product > Number.MAX_SAFE_INTEGER) break;
    exact = product / i;
    if (i === k) return Math.log(exact);
  }
  const m = n - k;
  return (
    k * Math.log(n / k) -
    m * Math.log1p(-k / n) +
    0.5 * Math.log(n / (2 * Math.PI * k * m)) +
    stirlingError(n) -
    stirlingError(k) -
    stirlingError(m)
  );
}
