import { ArgumentError, assertInteger } from '@tensorloom/core';

const factorials: bigint[] = [1n];

/** n! as an exact BigInt (cached). */
export function bigFactorial(n: number): bigint {
  for (let k = factorials.length; k <= n; k++) factorials.push((factorials[k - 1] as bigint) * BigInt(k));
  return factorials[n] as bigint;
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** The float64 nearest (to within an ulp or so) to num/den for non-negative BigInts, without overflow. */
export function ratioToNumber(num: bigint, den: bigint): number {
  if (num === 0n) return 0;
  const shift = bitLength(num) - bitLength(den) - 60;
  // Scale so that the quotient has ~60 significant bits, then apply the power of two in float.
  const q = shift >= 0 ? num / (den << BigInt(shift)) : (num << BigInt(-shift)) / den;
  return Number(q) * 2 ** shift;
}

/** Validates a degree/order triple and tells whether the 3j symbol can be non-zero. */
function triangle(l1: number, l2: number, l3: number): boolean {
  return l3 >= Math.abs(l1 - l2) && l3 <= l1 + l2;
}

function checkLm(l: number, m: number, nameL: string, nameM: string): void {
  assertInteger(l, nameL, { min: 0 });
  assertInteger(m, nameM);
  if (Math.abs(m) > l)
    throw new ArgumentError(`${nameM} must satisfy |${nameM}| ≤ ${nameL} = ${l}, got ${m}`);
}

const cache3j = new Map<string, number>();

/**
 * The Wigner 3j symbol (l1 l2 l3; m1 m2 m3) for integer degrees, by Racah's formula in exact BigInt rational
 * arithmetic (only the final square root is taken in float64), cached. Zero unless m1+m2+m3 = 0 and the
 * triangle condition holds.
 *
 * @throws {@link ArgumentError} for non-integer degrees/orders, negative degrees or |m| > l
 *
 * @example
 * ```ts
 * wigner3jSymbol(1, 1, 2, 0, 0, 0); // √(2/15)
 * ```
 */
export function wigner3jSymbol(
  l1: number,
  l2: number,
  l3: number,
  m1: number,
  m2: number,
  m3: number,
): number {
  checkLm(l1, m1, 'l1', 'm1');
  checkLm(l2, m2, 'l2', 'm2');
  checkLm(l3, m3, 'l3', 'm3');
  if (m1 + m2 + m3 !== 0 || !triangle(l1, l2, l3)) return 0;
  const key = `${l1},${l2},${l3},${m1},${m2},${m3}`;
  const hit = cache3j.get(key);
  if (hit !== undefined) return hit;
  const f = bigFactorial;
  // Racah: Σ_k (−1)^k / [k! (l1+l2−l3−k)! (l1−m1−k)! (l2+m2−k)! (l3−l2+m1+k)! (l3−l1−m2+k)!]
  const a = l1 + l2 - l3;
  const b = l1 - m1;
  const c = l2 + m2;
  const d = l3 - l2 + m1;
  const e = l3 - l1 - m2;
  const kmin = Math.max(0, -d, -e);
  const kmax = Math.min(a, b, c);
  let value = 0;
  if (kmin <= kmax) {
    // Common denominator M = a! b! c! (d+kmax)! (e+kmax)!; each M / D_k is an integer.
    let sum = 0n;
    for (let k = kmin; k <= kmax; k++) {
      const term =
        (f(a) / (f(k) * f(a - k))) *
        (f(b) / f(b - k)) *
        (f(c) / f(c - k)) *
        (f(d + kmax) / f(d + k)) *
        (f(e + kmax) / f(e + k));
      sum += k % 2 === 0 ? term : -term;
    }
    const m = f(a) * f(b) * f(c) * f(d + kmax) * f(e + kmax);
    // 3j² = Δ · Π(l±m)! · (sum/M)², Δ = (l1+l2−l3)!(l1−l2+l3)!(−l1+l2+l3)!/(l1+l2+l3+1)!.
    const num =
      f(l1 + l2 - l3) *
      f(l1 - l2 + l3) *
      f(-l1 + l2 + l3) *
      f(l1 + m1) *
      f(l1 - m1) *
      f(l2 + m2) *
      f(l2 - m2) *
      f(l3 + m3) *
      f(l3 - m3) *
      sum *
      sum;
    const den = f(l1 + l2 + l3 + 1) * m * m;
    const magnitude = Math.sqrt(ratioToNumber(num, den));
    const phase = (l1 - l2 - m3) % 2 === 0 ? 1 : -1;
    value = sum === 0n ? 0 : phase * (sum > 0n ? magnitude : -magnitude);
  }
  cache3j.set(key, value);
  return value;
}

/**
 * Complex Clebsch–Gordan coefficient ⟨l1 m1 l2 m2 | l3 m3⟩ (Condon–Shortley convention), integer degrees:
 * `(−1)^(l1−l2+m3) √(2l3+1) (l1 l2 l3; m1 m2 −m3)`.
 *
 * @throws {@link ArgumentError} for invalid degrees/orders
 *
 * @example
 * ```ts
 * clebschGordan(1, 1, 1, -1, 0, 0); // 1/√3
 * ```
 */
export function clebschGordan(
  l1: number,
  m1: number,
  l2: number,
  m2: number,
  l3: number,
  m3: number,
): number {
  checkLm(l3, m3, 'l3', 'm3');
  const w = wigner3jSymbol(l1, l2, l3, m1, m2, -m3);
  const phase = (l1 - l2 + m3) % 2 === 0 ? 1 : -1;
  return phase * Math.sqrt(2 * l3 + 1) * w;
}

/**
 * ∫ Y_{l1 m1} Y_{l2 m2} Y_{l3 m3} dΩ for complex orthonormal spherical harmonics with the Condon–Shortley
 * phase (no conjugation): `√((2l1+1)(2l2+1)(2l3+1)/4π) (l1 l2 l3; 0 0 0)(l1 l2 l3; m1 m2 m3)`.
 * Zero unless m1+m2+m3 = 0, the triangle condition holds and l1+l2+l3 is even.
 *
 * @throws {@link ArgumentError} for invalid degrees/orders
 *
 * @example
 * ```ts
 * complexGaunt(0, 0, 1, 1, 1, -1); // −1/√(4π)
 * ```
 */
export function complexGaunt(l1: number, m1: number, l2: number, m2: number, l3: number, m3: number): number {
  const w = wigner3jSymbol(l1, l2, l3, m1, m2, m3);
  if (w === 0 || (l1 + l2 + l3) % 2 !== 0) return 0;
  const w0 = wigner3jSymbol(l1, l2, l3, 0, 0, 0);
  return Math.sqrt(((2 * l1 + 1) * (2 * l2 + 1) * (2 * l3 + 1)) / (4 * Math.PI)) * w0 * w;
}

/**
 * Real-to-complex expansion of the standard real SH (no Condon–Shortley phase): the terms (coefficient,
 * complex order) with Y^real_{l m} = Σ coefficient · Y^complex_{l, order}.
 */
export function realToComplexTerms(m: number): { re: number; im: number; order: number }[] {
  const s = Math.SQRT1_2;
  const sign = Math.abs(m) % 2 === 0 ? 1 : -1;
  if (m === 0) return [{ re: 1, im: 0, order: 0 }];
  // m > 0: (Y^{−m} + (−1)^m Y^{m})/√2 ; m < 0: i (Y^{m} − (−1)^m Y^{−m})/√2
  if (m > 0)
    return [
      { re: s, im: 0, order: -m },
      { re: sign * s, im: 0, order: m },
    ];
  return [
    { re: 0, im: s, order: m },
    { re: 0, im: -sign * s, order: -m },
  ];
}

const cacheGaunt = new Map<string, number>();

/**
 * ∫ Y_{l1 m1} Y_{l2 m2} Y_{l3 m3} dΩ for the standard real orthonormal spherical harmonics (polar axis z,
 * no Condon–Shortley phase), via the complex Gaunt coefficients; cached. Zero unless the triangle condition
 * holds and l1+l2+l3 is even. Invariant under any rotation of the real basis, so e3nn-basis values are equal.
 *
 * @throws {@link ArgumentError} for invalid degrees/orders
 *
 * @example
 * ```ts
 * gauntCoefficient(1, 1, 1, 1, 0, 0); // 1/√(4π)
 * ```
 */
export function gauntCoefficient(
  l1: number,
  m1: number,
  l2: number,
  m2: number,
  l3: number,
  m3: number,
): number {
  checkLm(l1, m1, 'l1', 'm1');
  checkLm(l2, m2, 'l2', 'm2');
  checkLm(l3, m3, 'l3', 'm3');
  if (!triangle(l1, l2, l3) || (l1 + l2 + l3) % 2 !== 0) return 0;
  // Odd in y (φ → −φ) when an odd number of the orders are negative.
  if ((Number(m1 < 0) + Number(m2 < 0) + Number(m3 < 0)) % 2 === 1) return 0;
  const a1 = Math.abs(m1);
  const a2 = Math.abs(m2);
  const a3 = Math.abs(m3);
  if (a1 + a2 !== a3 && a1 + a3 !== a2 && a2 + a3 !== a1) return 0;
  const key = `${l1},${m1},${l2},${m2},${l3},${m3}`;
  const hit = cacheGaunt.get(key);
  if (hit !== undefined) return hit;
  let re = 0;
  for (const t1 of realToComplexTerms(m1)) {
    for (const t2 of realToComplexTerms(m2)) {
      const order3 = -(t1.order + t2.order);
      if (Math.abs(order3) > l3) continue;
      for (const t3 of realToComplexTerms(m3)) {
        if (t3.order !== order3) continue;
        const g = complexGaunt(l1, t1.order, l2, t2.order, l3, t3.order);
        if (g === 0) continue;
        // real part of t1·t2·t3
        const pr = t1.re * t2.re - t1.im * t2.im;
        const pi = t1.re * t2.im + t1.im * t2.re;
        re += (pr * t3.re - pi * t3.im) * g;
      }
    }
  }
  const value =
    Math.abs(re) < 1e-15 * Math.sqrt(((2 * l1 + 1) * (2 * l2 + 1) * (2 * l3 + 1)) / (4 * Math.PI)) ? 0 : re;
  cacheGaunt.set(key, value);
  return value;
}
