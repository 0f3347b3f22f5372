import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../errors/errors.js';
import { digamma } from './digamma.js';
import { EULER_GAMMA, logGamma } from './logGamma.js';

function expectRelative(actual: number, expected: number, rtol: number, atol = 0): void {
  const error = Math.abs(actual - expected);
  if (!(error <= rtol * Math.abs(expected) + atol)) {
    throw new Error(`expected ${expected}, got ${actual} (error ${error}, rtol ${rtol}, atol ${atol})`);
  }
}

/** ψ(x) computed offline with mpmath 1.3 at 40 significant digits, rounded to the nearest float64 (x is the float64 shown). */
const MPMATH_DIGAMMA: readonly (readonly [number, number])[] = [
  [1e-6, -1000000.5772140201],
  [0.01, -100.56088545786868],
  [0.2, -5.289039896592188],
  [0.5, -1.9635100260214235],
  [0.7, -1.2200235536979347],
  [1.0, -0.5772156649015329],
  [1.3, -0.16919088886679962],
  [1.4, -0.06138454458511624],
  [1.5, 0.03648997397857652],
  [1.9, 0.35618416116405965],
  [2.0, 0.42278433509846713],
  [2.6, 0.7510474527734763],
  [3.7, 1.1671535393615113],
  [5.5, 1.6110931485817512],
  [9.9, 2.2411803166063815],
  [10.1, 2.262214357094148],
  [17.3, 2.821526423539867],
  [100.5, 4.605174352581845],
  [12345.678, 9.421020820741761],
  [10000000000.0, 23.025850929890456],
  [-0.001, 999.4211381978913],
  [-0.5, 0.03648997397857652],
  [-0.9, -9.312643829299969],
  [-1.2, 4.868324766627196],
  [-2.5, 1.103156640645243],
  [-3.9, -8.185090197209119],
  [-10.25, 5.516858419886273],
  [-100.7, 2.334602156719901],
];

describe('digamma', () => {
  it('gives ψ(1) = −γ and the closed forms at ½, ⅓, ¼', () => {
    expectRelative(digamma(1), -EULER_GAMMA, 2e-16);
    expectRelative(digamma(0.5), -EULER_GAMMA - 2 * Math.LN2, 2e-16);
    expectRelative(digamma(1 / 3), -EULER_GAMMA - Math.PI / (2 * Math.sqrt(3)) - 1.5 * Math.log(3), 1e-15);
    expectRelative(digamma(0.25), -EULER_GAMMA - Math.PI / 2 - 3 * Math.LN2, 1e-15);
  });

  it('matches high-precision (mpmath) values', () => {
    for (const [x, expected] of MPMATH_DIGAMMA) expectRelative(digamma(x), expected, x < 0 ? 5e-15 : 1e-15);
  });

  it('is next to zero at its positive root x₀ ≈ 1.4616321449683622 (absolute accuracy)', () => {
    expect(Math.abs(digamma(1.4616321449683622))).toBeLessThan(5e-16);
  });

  it('satisfies ψ(n+1) = ψ(n) + 1/n and ψ(n) = H_{n−1} − γ', () => {
    let harmonic = 0;
    for (let n = 1; n <= 2000; n++) {
      expectRelative(digamma(n), harmonic - EULER_GAMMA, 2e-15, 1e-16);
      expectRelative(digamma(n + 1), digamma(n) + 1 / n, 2e-15, 1e-16);
      harmonic += 1 / n;
    }
  });

  it('satisfies the recurrence and the reflection ψ(1−x) − ψ(x) = π cot(πx) at non-integer points', () => {
    for (let i = 0; i < 500; i++) {
      const x = 0.03 + ((i * 0.6180339887498949) % 1) * 40;
      expectRelative(digamma(x + 1), digamma(x) + 1 / x, 1e-14, 1e-15);
      const y = -x;
      if (Number.isInteger(y)) continue;
      expectRelative(digamma(1 - y) - digamma(y), Math.PI / Math.tan(Math.PI * y), 1e-12, 1e-12);
    }
  });

  it('is the derivative of logGamma (central differences)', () => {
    for (const x of [0.3, 0.9, 1.7, 3.2, 8.8, 25, -0.4, -2.6]) {
      const h = 1e-5;
      const slope = (logGamma(x + h) - logGamma(x - h)) / (2 * h);
      expectRelative(digamma(x), slope, 1e-8, 1e-8);
    }
  });

  it('is NaN at the poles and for NaN, +Infinity at +Infinity', () => {
    for (const x of [0, -1, -7, Number.NEGATIVE_INFINITY, Number.NaN]) expect(digamma(x)).toBeNaN();
    expect(digamma(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
  });

  it('rejects non-numbers with an ArgumentError naming x', () => {
    expect(() => digamma(null as unknown as number)).toThrow(ArgumentError);
    expect(() => digamma(null as unknown as number)).toThrow(/x: expected a number, got null/);
  });
});
