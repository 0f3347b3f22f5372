import { ArgumentError, tf } from '@tensorloom/core';
import { useBackend } from '@tensorloom/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import { match3Experiment, match3Labels } from './match3.js';

describe('Match3 task', () => {
  beforeAll(() => useBackend('wasm'));

  it('labels a position when two other positions complete a zero sum mod m', () => {
    // m = 7: 1 + 2 + 4 = 7 → positions 0, 1, 2 positive; position 3 (value 3): 3 + 2·2 = 7 → positive.
    expect(Array.from(match3Labels(Int32Array.from([1, 2, 4, 3]), 4, 7))).toEqual([1, 1, 1, 1]);
    // 1 + j + k ≡ 0 needs j + k ≡ 6 from {1, 1, 1}: impossible → all negative.
    expect(Array.from(match3Labels(Int32Array.from([1, 1, 1, 1]), 4, 7))).toEqual([0, 0, 0, 0]);
    // 3 + 2 + 2 = 7 (j = k allowed); for 2 and 0 no pair of the other tokens completes a zero sum.
    expect(Array.from(match3Labels(Int32Array.from([3, 2, 0]), 3, 7))).toEqual([1, 0, 0]);
  });

  it('runs both models end to end (tiny setting) without leaking, and validates options', async () => {
    const before = tf.memory().numTensors;
    const r = await match3Experiment({ seed: 1, steps: 3, batch: 8, testSize: 16 });
    for (const acc of [r.tensorAccuracy, r.softmaxAccuracy]) {
      // an accuracy over 16 sequences × 5 positions: a multiple of 1/80 in [0, 1]
      expect(acc).toBeGreaterThanOrEqual(0);
      expect(acc).toBeLessThanOrEqual(1);
      expect(Math.abs(acc * 80 - Math.round(acc * 80))).toBeLessThan(1e-4);
    }
    expect(Number.isFinite(r.tensorLoss) && Number.isFinite(r.softmaxLoss)).toBe(true);
    // seeded: the same seed reproduces the run exactly
    const again = await match3Experiment({ seed: 1, steps: 3, batch: 8, testSize: 16 });
    expect(again).toEqual(r);
    expect(tf.memory().numTensors).toBe(before);
    await expect(match3Experiment({ seed: 1, length: 2 })).rejects.toThrow(ArgumentError);
    const ctrl = new AbortController();
    ctrl.abort(new Error('stop'));
    await expect(match3Experiment({ seed: 1, steps: 3, signal: ctrl.signal })).rejects.toThrow('stop');
    expect(tf.memory().numTensors).toBe(before);
  });
});
