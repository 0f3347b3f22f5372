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
      { models: ['MLP'], trainPerClass: 20, testPerClass: 10, calibration: 16, traceBudget: 40 },
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

  it('is deterministic: the CNN rows do not depend on whether the MLP ran first (or on running twice)', async () => {
    // the suspected nondeterminism: the quick demo's CNN numbers changed between two runs. Cause: the
    // `probes` setting is shared by every model, and with finite-difference Hutchinson traces the CNN's Hessian
    // order was noise-dominated, so a different probe count reordered its layers. No state leaks between
    // models: same settings give the same numbers, alone or after the MLP.
    const tiny = {
      trainPerClass: 20,
      testPerClass: 10,
      calibration: 8,
      epochs: 1,
      cnnEpochs: 1,
      probes: 4,
      probeCap: 4,
      traceBudget: 16,
    };
    const ctx = { quick: true, seed: 3, signal: new AbortController().signal, onProgress: () => {} };
    const cnnRows = async (models: ('MLP' | 'CNN')[]) =>
      (await runMnistQuantizationDemo(ctx, { ...tiny, models })).rows
        .filter((row) => row.metric.startsWith('CNN'))
        .map((row) => `${row.metric} = ${row.value} (${row.setting})`);
    const alone = await cnnRows(['CNN']);
    expect(alone.length).toBeGreaterThan(10);
    expect(await cnnRows(['MLP', 'CNN'])).toEqual(alone);
    expect(await cnnRows(['CNN'])).toEqual(alone);
  });

  it('runs the quick Next-ViT weight-hook demo: 16-bit weights agree with float, 4-bit drift more', async () => {
    expect(demos[1]!.id).toBe('quantization/nextvit-weight-hook');
    const r = await runNextVitWeightHookDemo({
      quick: true,
      seed: 1,
      signal: new AbortController().signal,
      onProgress: () => {},
    });
    expect(r.rows).toHaveLength(6);
    // the weight-only searches (perturbation and HAWQ order): smaller than W8 within the evaluation bound
    expect(r.rows[4]!.pass).toBe(true);
    expect(r.rows[5]!.pass).toBe(true);
    const err = r.rows.slice(0, 4).map((row) => Number(String(row.value).split(' / ')[1]!.replace('%', '')));
    expect(err[0]!).toBeLessThan(0.1); // W16: < 0.1 % logit error
    expect(err[3]!).toBeGreaterThan(err[1]!); // W4 drifts more than W8
  });
});
