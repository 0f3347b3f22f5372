import { useBackend } from '@tensorloom/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import { runMnistQuantizationDemo } from './demo/mnistDemo.js';
import { runNextVitWeightHookDemo } from './demo/nextVitDemo.js';
import { demos } from './tour.js';

describe('tour', () => {
  beforeAll(() => useBackend('wasm'));
  it('runs the quick MNIST demo with rows and an SVG', async () => {
    const events: string[] = [];
    expect(demos[0]!.id).toBe('quantization/mnist-mixed-precision');
    // the quick setting, MLP only and fewer digits, to keep the suite fast (the full quick demo takes ~20 s)
    const r = await runMnistQuantizationDemo(
      { quick: true, seed: 1, signal: new AbortController().signal, onProgress: (e) => events.push(e.phase) },
      { models: ['MLP'], trainPerClass: 20, testPerClass: 10 },
    );
    expect(r.rows.length).toBeGreaterThan(10);
    expect(r.artifacts?.[0]?.content).toContain('<svg');
    expect(events).toContain('train');
    const searchRows = r.rows.filter((row) => / (hessian|augmented) search/.test(row.metric));
    expect(searchRows).toHaveLength(6);
    // the bisection's evaluation bound holds on the real models
    for (const row of searchRows) expect(Number(String(row.value).split(' / ')[2])).toBeLessThanOrEqual(4);
    expect(r.rows.some((row) => row.metric.includes('area between ordering curves'))).toBe(true);
    expect(r.rows.some((row) => row.metric.includes('separate W/A search'))).toBe(true);
  });

  it('runs the quick Next-ViT weight-hook demo: 16-bit weights agree with float, 4-bit drift more', async () => {
    expect(demos[1]!.id).toBe('quantization/nextvit-weight-hook');
    const r = await runNextVitWeightHookDemo({
      quick: true,
      seed: 1,
      signal: new AbortController().signal,
      onProgress: () => {},
    });
    expect(r.rows).toHaveLength(4);
    const err = r.rows.map((row) => Number(String(row.value).split(' / ')[1]!.replace('%', '')));
    expect(err[0]!).toBeLessThan(0.1); // W16: < 0.1 % logit error
    expect(err[3]!).toBeGreaterThan(err[1]!); // W4 drifts more than W8
  });
});
