/** Bernoulli numbers B₂, B₄, …, B₁₈ (B_{2k} at index k−1). Internal. */
export const BERNOULLI_EVEN: readonly number[] = [
  1 / 6,
  -1 / 30,
  1 / 42,
  -1 / 30,
  5 / 66,
  -691 / 2730,
  7 / 6,
  -3617 / 510,
  43867 / 798,
];

/**
 * ζ(k) − 1 = Σ_{n≥2} n^{−k} for integer k ≥ 2, by direct summation to N−1 plus an Euler–Maclaurin tail at N
 * (error far below one ulp for N = 16 and six Bernoulli corrections). Internal.
 */
export function zetaMinusOne(k: number): number {
  const N = 16;
  let sum = 0;
  for (let n = N - 1; n >= 2; n--) sum += n ** -k;
  let tail = N ** (1 - k) / (k - 1) + 0.5 * N ** -k;
  // Σ_j B_{2j}/(2j)! · k(k+1)…(k+2j−2) · N^{−k−2j+1}
  let rising = k; // k(k+1)…(k+2j−2) for j = 1
  let factorial = 2; // (2j)!
  for (let j = 1; j <= 6; j++) {
    tail += (BERNOULLI_EVEN[j - 1]! / factorial) * rising * N ** (-k - 2 * j + 1);
    rising *= (k + 2 * j - 1) * (k + 2 * j);
    factorial *= (2 * j + 1) * (2 * j + 2);
  }
  return sum + tail;
}

/** ζ(k) − 1 for k = 2…41 (index k − 2). Internal. */
export const ZETA_MINUS_ONE: Float64Array = Float64Array.from({ length: 40 }, (_, i) => zetaMinusOne(i + 2));
