import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../errors/errors.js';
import { gaussLegendre } from './gaussLegendre.js';

/** P_0(x) … P_{degree}(x) by the three-term recurrence (independent of the implementation's helper). */
function legendreValues(degree: number, x: number): Float64Array {
  const values = new Float64Array(degree + 1);
  values[0] = 1;
  if (degree >= 1) values[1] = x;
  for (let k = 2; k <= degree; k++)
    values[k] = ((2 * k - 1) * x * values[k - 1]! - (k - 1) * values[k - 2]!) / k;
  return values;
}

describe('gaussLegendre', () => {
  it('reproduces the closed-form rules for n = 1…4', () => {
    const close = (actual: Float64Array, expected: number[]): void => {
      expect(actual.length).toBe(expected.length);
      for (const [i, e] of expected.entries()) expect(Math.abs(actual[i]! - e)).toBeLessThan(1e-15);
    };
    close(gaussLegendre(1).nodes, [0]);
    close(gaussLegendre(1).weights, [2]);
    close(gaussLegendre(2).nodes, [-1 / Math.sqrt(3), 1 / Math.sqrt(3)]);
    close(gaussLegendre(2).weights, [1, 1]);
    close(gaussLegendre(3).nodes, [-Math.sqrt(0.6), 0, Math.sqrt(0.6)]);
    close(gaussLegendre(3).weights, [5 / 9, 8 / 9, 5 / 9]);
    const inner = Math.sqrt(3 / 7 - (2 / 7) * Math.sqrt(6 / 5));
    const outer = Math.sqrt(3 / 7 + (2 / 7) * Math.sqrt(6 / 5));
    close(gaussLegendre(4).nodes, [-outer, -inner, inner, outer]);
    const wInner = (18 + Math.sqrt(30)) / 36;
    const wOuter = (18 - Math.sqrt(30)) / 36;
    close(gaussLegendre(4).weights, [wOuter, wInner, wInner, wOuter]);
  });

  it('has ascending, symmetric nodes inside (−1, 1) and positive weights summing to 2', () => {
    for (const n of [1, 2, 5, 16, 33, 100, 257, 400]) {
      const { nodes, weights } = gaussLegendre(n);
      let sum = 0;
      for (let i = 0; i < n; i++) {
        expect(nodes[i]).toBeGreaterThan(-1);
        expect(nodes[i]).toBeLessThan(1);
        if (i > 0) expect(nodes[i]).toBeGreaterThan(nodes[i - 1]!);
        expect(nodes[i]! + nodes[n - 1 - i]!).toBe(0);
        expect(weights[i]).toBe(weights[n - 1 - i]);
        expect(weights[i]).toBeGreaterThan(0);
        sum += weights[i]!;
      }
      expect(Math.abs(sum - 2)).toBeLessThan(2e-14);
    }
  });

  it('puts nodes on the roots of P_n (Newton residual |P_n/P_n′| ≤ 1e−15)', () => {
    for (const n of [7, 64, 300]) {
      const { nodes } = gaussLegendre(n);
      for (const x of nodes) {
        const p = legendreValues(n, x);
        const derivative = (n * (x * p[n]! - p[n - 1]!)) / (x * x - 1);
        expect(Math.abs(p[n]! / derivative)).toBeLessThan(1e-15);
      }
    }
  });

  it('integrates P_j·P_k exactly for j + k ≤ 2n − 1 (orthogonality: 2/(2k+1) δ_jk)', () => {
    for (const n of [1, 2, 3, 8, 21, 100]) {
      const { nodes, weights } = gaussLegendre(n);
      const table = Array.from(nodes, (x) => legendreValues(n, x));
      let worst = 0;
      for (let j = 0; j <= n; j++) {
        for (let k = j; k <= n && j + k <= 2 * n - 1; k++) {
          let integral = 0;
          for (let i = 0; i < n; i++) integral += weights[i]! * table[i]![j]! * table[i]![k]!;
          const expected = j === k ? 2 / (2 * k + 1) : 0;
          worst = Math.max(worst, Math.abs(integral - expected));
        }
      }
      expect(worst).toBeLessThan(1e-14);
    }
  });

  it('integrates monomials of degree ≤ 2n − 1 exactly on [a, b], and not degree 2n', () => {
    const a = -0.5;
    const b = 2;
    const n = 5;
    const { nodes, weights } = gaussLegendre(n, a, b);
    for (let d = 0; d <= 2 * n; d++) {
      let integral = 0;
      for (let i = 0; i < n; i++) integral += weights[i]! * nodes[i]! ** d;
      const exact = (b ** (d + 1) - a ** (d + 1)) / (d + 1);
      if (d <= 2 * n - 1)
        expect(Math.abs(integral - exact)).toBeLessThan(1e-13 * Math.max(1, Math.abs(exact)));
      else expect(Math.abs(integral - exact)).toBeGreaterThan(1e-6);
    }
  });

  it('maps to [a, b]: weights sum to b − a, nodes symmetric about the midpoint, ∫₀^π sin = 2', () => {
    const { nodes, weights } = gaussLegendre(20, 0, Math.PI);
    let sum = 0;
    let integral = 0;
    for (let i = 0; i < 20; i++) {
      sum += weights[i]!;
      integral += weights[i]! * Math.sin(nodes[i]!);
      expect(Math.abs(nodes[i]! + nodes[19 - i]! - Math.PI)).toBeLessThan(1e-15);
    }
    expect(Math.abs(sum - Math.PI)).toBeLessThan(1e-14);
    expect(Math.abs(integral - 2)).toBeLessThan(1e-14);
    const reversed = gaussLegendre(3, 1, -1); // an oriented interval: weights sum to b − a = −2
    expect(reversed.weights.reduce((s, w) => s + w, 0)).toBeCloseTo(-2, 14);
  });

  it('returns fresh arrays: mutating a result does not corrupt the cache', () => {
    const first = gaussLegendre(6);
    first.nodes.fill(42);
    first.weights.fill(42);
    const second = gaussLegendre(6);
    expect(second.nodes[0]).toBeLessThan(0);
    expect(second.weights.reduce((s, w) => s + w, 0)).toBeCloseTo(2, 14);
  });

  it('rejects a bad n or non-finite limits with ArgumentError', () => {
    expect(() => gaussLegendre(0)).toThrow(/n: expected a value >= 1, got 0/);
    expect(() => gaussLegendre(2.5)).toThrow(/n: expected an integer, got 2.5/);
    expect(() => gaussLegendre(3, Number.NEGATIVE_INFINITY, 1)).toThrow(ArgumentError);
    expect(() => gaussLegendre(3, 0, Number.NaN)).toThrow(/b: expected a finite number, got NaN/);
  });
});
