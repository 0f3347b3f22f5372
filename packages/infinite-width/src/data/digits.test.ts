import { ArgumentError } from '@tensorloom/core';
import { describe, expect, it } from 'vitest';
import { mnistDigits } from './digits.js';

describe('mnistDigits', () => {
  it('gives seeded, class-balanced, disjoint train/test sets of 784 pixels in [0, 1]', async () => {
    const a = await mnistDigits({ trainPerClass: 5, testPerClass: 3, classes: [1, 7, 3], seed: 2 });
    const b = await mnistDigits({ trainPerClass: 5, testPerClass: 3, classes: [1, 7, 3], seed: 2 });
    const c = await mnistDigits({ trainPerClass: 5, testPerClass: 3, classes: [1, 7, 3], seed: 3 });
    expect(a.train.n).toBe(15);
    expect(a.test.n).toBe(9);
    expect(a.train.x.length).toBe(15 * 784);
    for (const d of [1, 7, 3]) {
      expect(Array.from(a.train.labels).filter((l) => l === d)).toHaveLength(5);
      expect(Array.from(a.test.labels).filter((l) => l === d)).toHaveLength(3);
    }
    expect(Array.from(a.train.x)).toEqual(Array.from(b.train.x));
    expect(Array.from(a.train.x)).not.toEqual(Array.from(c.train.x));
    expect(a.train.x.every((v) => v >= 0 && v <= 1)).toBe(true);
    // each image has ink, and no test image repeats a training image
    const rows = (s: typeof a.train) =>
      Array.from({ length: s.n }, (_, i) => s.x.subarray(i * 784, (i + 1) * 784).join(','));
    const train = new Set(rows(a.train));
    expect(train.size).toBe(15);
    for (const r of rows(a.test)) expect(train.has(r)).toBe(false);
  });

  it('rejects bad options with typed errors', async () => {
    await expect(mnistDigits({ trainPerClass: 0, seed: 0 })).rejects.toThrow(/options\.trainPerClass/);
    await expect(mnistDigits({ trainPerClass: 1, classes: [1, 1], seed: 0 })).rejects.toThrow(
      /options\.classes/,
    );
    await expect(mnistDigits({ trainPerClass: 1, classes: [10], seed: 0 })).rejects.toThrow(ArgumentError);
    await expect(mnistDigits({ trainPerClass: 5000, seed: 0 })).rejects.toThrow(/expected at most/);
    await expect(mnistDigits(null as never)).rejects.toThrow(ArgumentError);
  });
});
