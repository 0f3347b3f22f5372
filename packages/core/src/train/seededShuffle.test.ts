import { describe, expect, it } from 'vitest';
import { mulberry32, randomPermutation, seedToState } from './seededShuffle.js';

describe('seeded shuffle (float64, no backend)', () => {
  it('mulberry32 gives floats in [0, 1) with mean 1/2 and variance 1/12', () => {
    const random = mulberry32(123);
    const n = 20000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const u = random();
      expect(u >= 0 && u < 1).toBe(true);
      sum += u;
      sumSq += u * u;
    }
    const mean = sum / n;
    const variance = sumSq / n - mean * mean;
    // Standard error of the mean is sqrt(1/12/n) ≈ 0.002.
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.005);
  });

  it('is deterministic per seed and differs between seeds', () => {
    const a = mulberry32(seedToState(7));
    const b = mulberry32(seedToState(7));
    const c = mulberry32(seedToState(8));
    const sa = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(sa);
    expect(Array.from({ length: 5 }, c)).not.toEqual(sa);
  });

  it('seedToState keeps the high bits of large seeds and folds negative seeds', () => {
    expect(seedToState(5)).toBe(5);
    expect(seedToState(5 + 2 ** 32)).not.toBe(seedToState(5));
    expect(seedToState(-1)).not.toBe(seedToState(2 ** 32 - 1));
    for (const s of [0, -1, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
      const state = seedToState(s);
      expect(Number.isInteger(state) && state >= 0 && state < 2 ** 32).toBe(true);
    }
  });

  it('randomPermutation returns a permutation', () => {
    const random = mulberry32(1);
    for (const n of [0, 1, 2, 17]) {
      const p = Array.from(randomPermutation(n, random));
      expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
    }
  });

  it('randomPermutation is uniform over the 6 permutations of 3 (chi-square)', () => {
    const random = mulberry32(99);
    const draws = 6000;
    const counts = new Map<string, number>();
    for (let i = 0; i < draws; i++) {
      const key = Array.from(randomPermutation(3, random)).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    const expected = draws / 6;
    let chi2 = 0;
    for (const c of counts.values()) chi2 += (c - expected) ** 2 / expected;
    // 5 degrees of freedom: P(chi2 > 20.5) ≈ 0.001.
    expect(chi2).toBeLessThan(20.5);
  });
});
