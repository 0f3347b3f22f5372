import { ArgumentError } from '@tensorloom/core';
import { describe, expect, it } from 'vitest';
import { compareMethods, discretize } from '../eval/compare.js';
import { officialSynthetic, spatioTemporalField } from './generators.js';

describe('data generators', () => {
  it('officialSynthetic: 1,350 entries, 90 distinct coordinates per mode, min-max normalised, 50/50 split, the product field', () => {
    const { all, train, test } = officialSynthetic({ seed: 3 });
    expect(all.values.length).toBe(1350);
    expect(train.values.length + test.values.length).toBe(1350);
    expect(train.values.length).toBe(675);
    for (let k = 0; k < 2; k++) {
      const vals = all.indexes.map((r) => r[k]!);
      expect(new Set(vals).size).toBe(90);
      expect(Math.min(...vals)).toBe(0);
      expect(Math.max(...vals)).toBe(1);
    }
    // rank one: the 15×15 block of one grid is an outer product g(x) h(t) ⇒ every 2×2 minor vanishes
    const block = (i: number, j: number) => all.values[i * 15 + j]!;
    expect(block(0, 0) * block(3, 7) - block(0, 7) * block(3, 0)).toBeCloseTo(0, 14);
    expect(() => officialSynthetic({ gridSize: 1 })).toThrow(ArgumentError);
  });

  it('spatioTemporalField: every test entry has an index value never seen in training', () => {
    const { train, test } = spatioTemporalField({ seed: 2, sites: 12, times: 15 });
    const seen = [0, 1, 2].map((k) => new Set(train.indexes.map((r) => r[k]!)));
    expect(test.values.length).toBeGreaterThan(0);
    for (const row of test.indexes) expect(row.some((v, k) => !seen[k]!.has(v))).toBe(true);
    expect(() => spatioTemporalField({ noise: -1 })).toThrow(/noise/);
  });

  it('discretize averages the training values per cell; compareMethods scores all methods', async () => {
    const train = {
      indexes: [
        [0, 0],
        [0.1, 0.05],
        [1, 1],
      ],
      values: Float64Array.of(1, 3, 5),
    };
    const grid = discretize(train, 2);
    expect(Array.from(grid.tensor.data)).toEqual([2, 0, 0, 5]);
    expect(Array.from(grid.mask.data)).toEqual([1, 0, 0, 1]);
    expect(grid.cellOf([5, -5])).toBe(2); // clamped
    expect(() => discretize(train, [2])).toThrow(/bins/);
    const split = spatioTemporalField({ seed: 1, sites: 8, times: 10 });
    const rows = await compareMethods(split, { ranks: [2], epochs: 3, alsIterations: 5, lengthscale: 0.3 });
    expect(rows.map((r) => r.method).sort()).toEqual(['CP-ALS', 'FunBaT', 'FunBaT-CP', 'Tucker-ALS', 'mean']);
    for (const r of rows) expect(r.rmse).toBeGreaterThan(0);
    // the mean predictor's RMSE is the test values' RMS deviation from the training mean (independent recomputation)
    const trainMean = split.train.values.reduce((a, b) => a + b, 0) / split.train.values.length;
    const meanRmse = Math.sqrt(
      split.test.values.reduce((a, v) => a + (v - trainMean) ** 2, 0) / split.test.values.length,
    );
    expect(rows.find((r) => r.method === 'mean')!.rmse).toBeCloseTo(meanRmse, 10);
    await expect(compareMethods(split, { methods: ['SVM' as never] })).rejects.toThrow(/methods\[0\]/);
    await expect(compareMethods(split, { ranks: [0] })).rejects.toThrow(/ranks\[0\]/);
    await expect(compareMethods({} as never)).rejects.toThrow(/split: expected/);
  });
});
