import { ArgumentError } from '@tensorloom/core';
import { describe, expect, it } from 'vitest';
import { bestExpPolynomial, expPolynomial, outputErrorBound } from './polynomial.js';

function evalPoly(c: Float64Array, s: number): number {
  return c.reduce((acc, ct, t) => acc + ct * s ** t, 0);
}

describe('exp polynomial approximations', () => {
  it('Taylor coefficients are 1/t! and Chebyshev interpolates exp at the Chebyshev points', () => {
    const t = expPolynomial(5, 1.5, 'taylor');
    expect(Array.from(t.coefficients)).toEqual([1, 1, 1 / 2, 1 / 6, 1 / 24, 1 / 120]);
    const c = expPolynomial(5, 1.5, 'chebyshev');
    for (let i = 0; i < 6; i++) {
      const s = 1.5 * Math.cos((Math.PI * (i + 0.5)) / 6);
      expect(Math.abs(evalPoly(c.coefficients, s) - Math.exp(s))).toBeLessThan(1e-12);
    }
  });

  it('certified relative error bounds a dense independent check and sits below the closed form', () => {
    for (const kind of ['taylor', 'chebyshev'] as const) {
      for (const [g, r] of [
        [1, 1],
        [3, 0.5],
        [4, 1],
        [8, 2],
      ] as const) {
        const p = expPolynomial(g, r, kind);
        let worst = 0;
        for (let i = 0; i <= 100_000; i++) {
          const s = -r + (2 * r * i) / 100_000;
          worst = Math.max(worst, Math.abs(evalPoly(p.coefficients, s) / Math.exp(s) - 1));
        }
        expect(worst).toBeLessThanOrEqual(p.relativeError * (1 + 1e-9));
        expect(p.relativeError).toBeLessThan(p.analyticRelativeError * 1.01 + 1e-12);
      }
    }
  });

  it('error shrinks with degree like R^{g+1}/(g+1)!, and Chebyshev beats Taylor for g ≥ 2 at R = 1', () => {
    let prev = Number.POSITIVE_INFINITY;
    for (let g = 1; g <= 8; g++) {
      const b = bestExpPolynomial(g, 1);
      expect(b.relativeError).toBeLessThan(prev);
      prev = b.relativeError;
      if (g >= 2) expect(b.kind).toBe('chebyshev');
    }
    expect(prev).toBeLessThan(1e-7);
  });

  it('certifies nothing (η = ∞, never NaN) when exp overflows on a huge radius', () => {
    for (const kind of ['taylor', 'chebyshev'] as const) {
      for (const r of [800, 1e4])
        expect(expPolynomial(2, r, kind).relativeError).toBe(Number.POSITIVE_INFINITY);
    }
    expect(outputErrorBound(expPolynomial(2, 1e4, 'chebyshev').relativeError, 1)).toBe(
      Number.POSITIVE_INFINITY,
    );
  });

  it('the output bound is 2η/(1−η)·‖V‖ and infinite once η ≥ 1', () => {
    expect(outputErrorBound(0.25, 2)).toBeCloseTo(4 / 3, 12);
    expect(outputErrorBound(1, 1)).toBe(Number.POSITIVE_INFINITY);
    expect(() => outputErrorBound(-1, 1)).toThrow(ArgumentError);
  });

  it('rejects bad arguments', () => {
    expect(() => expPolynomial(-1, 1, 'taylor')).toThrow(/degree: expected a value >= 0/);
    expect(() => expPolynomial(1.5, 1, 'taylor')).toThrow(ArgumentError);
    expect(() => expPolynomial(2, -1, 'taylor')).toThrow(/radius/);
    expect(() => expPolynomial(2, 1, 'remez' as 'taylor')).toThrow(/kind: expected one of/);
  });
});
