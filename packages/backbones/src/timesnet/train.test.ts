import { ArgumentError, tf } from '@tensorloom/core';
import { useBackend } from '@tensorloom/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSeasonalSeries, prepareForecastData } from './data.js';
import { timesNet, timesNetConfig } from './model.js';
import { evaluateForecast, trainTimesNet } from './train.js';

beforeAll(() => useBackend('wasm'));

describe('trainTimesNet', () => {
  it('trains a tiny forecaster with core fit (loss falls, validation tracked, no leaks)', async () => {
    const series = generateSeasonalSeries({ length: 240, channels: 2, periods: [12, 6], seed: 4 });
    const data = prepareForecastData(series, 24, 12);
    const model = timesNet(
      timesNetConfig({
        seqLen: 24,
        predLen: 12,
        encIn: 2,
        cOut: 2,
        dModel: 4,
        dFf: 4,
        eLayers: 1,
        topK: 2,
        numKernels: 2,
      }),
      { seed: 2 },
    );
    const before = evaluateForecast(model, data.val);
    const tensors = tf.memory().numTensors;
    const events: string[] = [];
    const history = await trainTimesNet(model, data, {
      epochs: 2,
      stepsPerEpoch: 6,
      batchSize: 8,
      learningRate: 1e-2,
      seed: 1,
      onProgress: (e) => events.push(e.phase),
    });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(history.epochs.length).toBe(2);
    expect(history.epochs[0]!.valLoss).toBeDefined();
    expect(history.epochs[0]!.metrics.mae).toBeGreaterThan(0);
    expect(events.filter((e) => e === 'epoch').length).toBe(2);
    const after = evaluateForecast(model, data.val);
    expect(after.mse).toBeLessThan(before.mse);
    await expect(trainTimesNet(model, data, { learningRate: -1 })).rejects.toThrow(ArgumentError);
    await expect(trainTimesNet({} as never, data)).rejects.toThrow(/model/);
    model.dispose();
    for (const split of [data.train, data.val, data.test]) tf.dispose([...split.inputs, split.targets]);
  });

  it('the quick TimesNet tour demo runs and passes', async () => {
    const { demos } = await import('../tour.js');
    const demo = demos.find((d) => d.id === 'backbones/timesnet')!;
    const res = await demo.run({
      quick: true,
      seed: 1,
      onProgress: () => {},
      signal: new AbortController().signal,
    });
    expect(res.rows.filter((r) => r.pass === false)).toEqual([]);
    expect(res.rows.length).toBeGreaterThanOrEqual(6);
    expect(res.artifacts?.[0]?.content).toContain('<svg');
  });
});
