import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../errors/errors.js';
import { logBinomial, logFactorial } from './factorial.js';

/** Natural logarithm of a positive BigInt, correct to about one ulp (top 60 bits, then a shift). */
function bigLog(value: bigint): number {
  const bits = value.toString(2).length;
  const shift = Math.max(0, bits - 60);
  return Math.log(Number(value >> BigInt(shift))) + shift * Math.LN2;
}

/** C(n, k) as an exact BigInt. */
function bigBinomial(n: number, k: number): bigint {
  const kk = BigInt(Math.min(k, n - k));
  const nn = BigInt(n);
  let result = 1n;
  for (let i = 1n; i <= kk; i++) result = (result * (nn - kk + i)) / i;
  return result;
}

function expectRelative(actual: number, expected: number, rtol: number, atol = 0): void {
  const error = Math.abs(actual - expected);
  if (!(error <= rtol * Math.abs(expected) + atol)) {
    throw new Error(`expected ${expected}, got ${actual} (error ${error}, rtol ${rtol}, atol ${atol})`);
  }
}

describe('logFactorial', () => {
  it('equals ln n! from exact big-integer factorials, through the table and beyond it', () => {
    let factorial = 1n;
    for (let n = 0; n <= 1200; n++) {
      if (n > 0) factorial *= BigInt(n);
      const expected = n <= 1 ? 0 : bigLog(factorial);
      expectRelative(logFactorial(n), expected, 2e-15);
    }
    expect(logFactorial(0)).toBe(0);
    expect(logFactorial(1)).toBe(0);
    expect(Math.exp(logFactorial(10))).toBeCloseTo(3628800, 6);
  });

  it('is finite and increasing for huge n', () => {
    expect(Number.isFinite(logFactorial(1e300))).toBe(true);
    expectRelative(logFactorial(1e7) - logFactorial(1e7 - 1), Math.log(1e7), 1e-7);
  });

  it('rejects negative, fractional and non-number n with ArgumentError', () => {
    expect(() => logFactorial(-1)).toThrow(ArgumentError);
    expect(() => logFactorial(-1)).toThrow(/n: expected a value >= 0, got -1/);
    expect(() => logFactorial(2.5)).toThrow(/n: expected an integer, got 2.5/);
    expect(() => logFactorial(Number.NaN)).toThrow(ArgumentError);
  });
});

describe('logBinomial', () => {
  it('equals ln C(n, k) from exact big-integer binomials for all k, n ≤ 300', () => {
    for (let n = 0; n <= 300; n += n < 40 ? 1 : 13) {
      for (let k = 0; k <= n; k++) {
        const exact = bigBinomial(n, k);
        const expected = exact === 1n ? 0 : bigLog(exact);
        expectRelative(logBinomial(n, k), expected, 2e-15, 1e-300);
      }
    }
  });

  it('keeps full relative accuracy for huge n and small k (no cancelling log-factorials)', () => {
    for (const n of [1e4, 123457, 1e6 + 3, 1e9, 2 ** 40 + 7, 2 ** 52 + 1]) {
      for (const k of [1, 2, 3, 17, 100, 5000]) {
        const expected = bigLog(bigBinomial(n, k));
        expectRelative(logBinomial(n, k), expected, 3e-15);
        expectRelative(logBinomial(n, n - k), expected, 3e-15);
      }
    }
    expectRelative(logBinomial(1e9, 1), Math.log(1e9), 1e-15);
  });

  it('is symmetric, 0 at k ∈ {0, n} and −Infinity for k > n', () => {
    expect(logBinomial(0, 0)).toBe(0);
    expect(logBinomial(7, 0)).toBe(0);
    expect(logBinomial(7, 7)).toBe(0);
    expect(logBinomial(5000, 1234)).toBe(logBinomial(5000, 3766));
    expect(logBinomial(3, 4)).toBe(Number.NEGATIVE_INFINITY);
  });

  it('rejects negative or fractional arguments with ArgumentError naming them', () => {
    expect(() => logBinomial(-3, 1)).toThrow(/n: expected a value >= 0, got -3/);
    expect(() => logBinomial(3, -1)).toThrow(/k: expected a value >= 0, got -1/);
    expect(() => logBinomial(3, 1.5)).toThrow(ArgumentError);
    expect(() => logBinomial(3.5, 1)).toThrow(/n: expected an integer, got 3.5/);
  });
});
