import { ArgumentError, rng, tf } from '@tensorloom/core';
import { useBackend } from '@tensorloom/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import { calibrateRange, quantizationError } from './calibrate.js';

describe('calibrateRange', () => {
  beforeAll(() => useBackend('wasm'));
  it('min-max returns the extremes', () => {
    expect(calibrateRange([0.5, -2, 3, 1])).toEqual({ min: -2, max: 3 });
    const t = tf.tensor([4, -1]);
    expect(calibrateRange(t)).toEqual({ min: -1, max: 4 });
    t.dispose();
  });

  it('percentile interpolates like numpy', () => {
    const xs = Array.from({ length: 101 }, (_, i) => i); // 0..100
    expect(calibrateRange(xs, { method: 'percentile', percentile: 90 })).toEqual({ min: 10, max: 90 });
    // 11 values 0..10: P_95 = 9.5 by linear interpolation
    const r = calibrateRange(
      Array.from({ length: 11 }, (_, i) => i - 10),
      { method: 'percentile', percentile: 95, scheme: 'symmetric' },
    );
    expect(r.max).toBeCloseTo(9.5, 12);
    expect(r.min).toBeCloseTo(-9.5, 12);
  });

  it('MSE clips a heavy outlier and beats min-max and percentile in squared error', () => {
    const g = rng(3);
    const xs = Array.from({ length: 2000 }, () => g.normal());
    xs.push(40);
    const mse = calibrateRange(xs, { method: 'mse', bits: 4, scheme: 'symmetric' });
    const mm = calibrateRange(xs, { method: 'minmax', scheme: 'symmetric' });
    const pc = calibrateRange(xs, { method: 'percentile', percentile: 99.9, scheme: 'symmetric' });
    expect(mse.max).toBeLessThan(10);
    const e = (r: { min: number; max: number }) => quantizationError(xs, r, 4, 'symmetric');
    expect(e(mse)).toBeLessThan(e(mm));
    expect(e(mse)).toBeLessThanOrEqual(e(pc) * 1.05);
  });

  it('quantizationError is zero for values on the grid', () => {
    expect(quantizationError([-1, 0, 1, 2], { min: -1, max: 2 }, 2, 'asymmetric')).toBe(0);
    expect(quantizationError([0.5], { min: -1, max: 2 }, 2, 'asymmetric')).toBeCloseTo(0.25, 12);
  });

  it('rejects empty samples and bad options', () => {
    expect(() => calibrateRange([])).toThrow(ArgumentError);
    expect(() => calibrateRange([])).toThrow(/values: expected a non-empty calibration sample/);
    expect(() => calibrateRange([1, Number.NaN])).toThrow(/values: expected finite numbers/);
    expect(() => calibrateRange([1], { method: 'kl' as never })).toThrow(/method: expected one of/);
    expect(() => calibrateRange([1], { method: 'percentile', percentile: 20 })).toThrow(/percentile/);
    expect(() => calibrateRange([1], { bits: 1 })).toThrow(/bits/);
  });
});
