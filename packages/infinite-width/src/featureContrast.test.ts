import { tf } from '@tensorloom/core';
import { useBackend } from '@tensorloom/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import { runContrast } from './featureContrast.js';

describe('feature-learning contrast (tiny)', () => {
  beforeAll(() => useBackend('wasm'));
  const s = {
    dim: 8,
    trainSize: 48,
    testSize: 64,
    widths: [8, 32],
    epochs: 20,
    learningRate: 0.02,
    seeds: 2,
  };
  it('reports kernels and nets; μP and NTK nets coincide at the base width; no leaks', async () => {
    const before = tf.memory().numTensors;
    let steps = 0;
    const entries = await runContrast(s, 0, new AbortController().signal, () => steps++);
    expect(tf.memory().numTensors).toBe(before);
    expect(steps).toBe(2 * 2 * 2);
    const names = entries.map((e) => `${e.model}|${e.width}`);
    expect(names).toEqual([
      'NNGP limit|null',
      'NTK limit|null',
      'μP net|8',
      'μP net|32',
      'NTK-param. net|8',
      'NTK-param. net|32',
    ]);
    for (const e of entries) {
      expect(e.values).toHaveLength(2);
      for (const v of e.values) expect(Number.isFinite(v) && v > 0).toBe(true);
    }
    // at ρ = width/baseWidth = 1 every abc-parametrization is the same network trained the same way
    const mu = entries.find((e) => e.model === 'μP net' && e.width === 8)!;
    const ntk = entries.find((e) => e.model === 'NTK-param. net' && e.width === 8)!;
    for (const [i, v] of mu.values.entries()) expect(v).toBeCloseTo(ntk.values[i]!, 5);
    // ...and they differ at a larger width
    const mu32 = entries.find((e) => e.model === 'μP net' && e.width === 32)!;
    const ntk32 = entries.find((e) => e.model === 'NTK-param. net' && e.width === 32)!;
    expect(Math.abs(mu32.values[0]! - ntk32.values[0]!)).toBeGreaterThan(1e-4);
    // the kernel limits interpolate, so their relative test error is a sensible number below predicting 2× noise
    for (const e of entries.slice(0, 2)) expect(e.mean).toBeLessThan(2);
    // standard error matches the two-sample formula |a − b| / 2
    expect(mu.se).toBeCloseTo(Math.abs(mu.values[0]! - mu.values[1]!) / 2, 10);
  });
  it('honours an aborted signal', async () => {
    const c = new AbortController();
    c.abort();
    await expect(runContrast(s, 0, c.signal, () => {})).rejects.toThrow(/abort/);
  });
});
