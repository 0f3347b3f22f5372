import { ready } from '@tensorloom/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { demos } from './tour.js';

describe('tour', () => {
  beforeAll(async () => {
    await ready();
  });

  it('runs the quick Gaunt demo: exact, equivariant, with a plot', async () => {
    const demo = demos[0];
    expect(demo?.id).toBe('equivariant/gaunt-tensor-product');
    const events: string[] = [];
    const result = await demo!.run({
      quick: true,
      seed: 3,
      signal: new AbortController().signal,
      onProgress: (e) => events.push(e.phase),
    });
    expect(events.length).toBeGreaterThan(0);
    expect(result.rows[0]?.pass).toBe(true);
    expect(result.rows[1]?.pass).toBe(true);
    expect(result.artifacts?.[0]?.content).toContain('<svg');
  });

  it('runs the quick training demo: the model learns and stays invariant', async () => {
    const demo = demos[1];
    expect(demo?.id).toBe('equivariant/gaunt-energy-model');
    const result = await demo!.run({
      quick: true,
      seed: 1,
      signal: new AbortController().signal,
      onProgress: () => {},
    });
    expect(result.rows[0]?.pass).toBe(true);
    expect(result.rows[1]?.pass).toBe(true);
  });

  it('honours an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      demos[0]!.run({ quick: true, seed: 1, signal: controller.signal, onProgress: () => {} }),
    ).rejects.toThrow(/abort/);
  });
});
