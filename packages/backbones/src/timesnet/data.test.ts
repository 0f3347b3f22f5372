import type { Tensor3D } from '@tensorflow/tfjs';
import { ArgumentError, ShapeError, tf } from '@tensorloom/core';
import { expectClose, useBackend } from '@tensorloom/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  applyScaler,
  fitScaler,
  forecastWindows,
  generateSeasonalSeries,
  hourlyTimeFeatures,
  type MultivariateSeries,
  prepareForecastData,
  splitSeries,
} from './data.js';
import { findPeriods } from './periods.js';
import {
  evaluateForecast,
  fitLinearForecaster,
  lastValueForecast,
  maeLoss,
  mseLoss,
  seasonalNaiveForecast,
} from './train.js';

beforeAll(() => useBackend('wasm'));

function ramp(length: number, channels: number): MultivariateSeries {
  const values = new Float64Array(length * channels);
  for (let t = 0; t < length; t++) for (let c = 0; c < channels; c++) values[t * channels + c] = t * 10 + c;
  return { values, length, channels };
}

describe('TimesNet data pipeline', () => {
  it('splits like TSLib Dataset_Custom (70/10/20, val/test start seqLen early)', () => {
    expect(splitSeries(1000, 96, 96)).toEqual({ train: [0, 700], val: [604, 800], test: [704, 1000] });
    expect(() => splitSeries(200, 96, 96)).toThrow(/too few for one window/);
    expect(() => splitSeries(1000, 96, 96, { train: 0.8, test: 0.2 })).toThrow(ArgumentError);
  });

  it('windows: count len − seq − pred + 1, inputs and targets in place', () => {
    const s = ramp(20, 2);
    const w = forecastWindows(s, 5, 3, [2, 20]);
    expect(w.inputs[0]!.shape).toEqual([11, 5, 2]);
    expect(w.targets.shape).toEqual([11, 3, 2]);
    // Window 4 starts at row 6: input rows 6..10, target rows 11..13; channel 1 adds 1.
    const x = w.inputs[0]!.arraySync() as number[][][];
    const y = w.targets.arraySync() as number[][][];
    expect(x[4]![0]).toEqual([60, 61]);
    expect(y[4]![2]).toEqual([130, 131]);
    expect(() => forecastWindows(s, 15, 6)).toThrow(/sequence too short/);
    expect(() => forecastWindows({ ...s, values: new Float64Array(3) }, 2, 2)).toThrow(ShapeError);
    tf.dispose([...w.inputs, w.targets]);
  });

  it('scaler is fitted on the train split only (population std)', () => {
    const s = ramp(10, 1);
    const sc = fitScaler(s, 0, 4); // rows 0, 10, 20, 30
    expectClose(sc.mean, [15]);
    expectClose(sc.std, [Math.sqrt(125)]);
    const z = applyScaler(s, sc);
    expectClose(z.values[9]!, (90 - 15) / Math.sqrt(125));
    const data = prepareForecastData(ramp(400, 2), 24, 12);
    expectClose(data.scaler.mean, [1395, 1396]); // mean of 10·t + c over t < 280
    for (const split of [data.train, data.val, data.test]) tf.dispose([...split.inputs, split.targets]);
  });

  it('hourly time features follow time_features(freq="h")', () => {
    // 2016-07-01 was a Friday (weekday 4); 13:00 UTC; day 183 of a leap year.
    const f = hourlyTimeFeatures([Date.UTC(2016, 6, 1, 13)]);
    expectClose(f, [13 / 23 - 0.5, 4 / 6 - 0.5, 0 / 30 - 0.5, 182 / 365 - 0.5], { rtol: 1e-6 });
    expect(() => hourlyTimeFeatures([Number.NaN])).toThrow(/timestamps\[0\]/);
  });

  it('the generator plants its periods, is seeded, and carries time features', () => {
    const a = generateSeasonalSeries({ length: 480, channels: 3, periods: [24, 12], seed: 1 });
    const b = generateSeasonalSeries({ length: 480, channels: 3, periods: [24, 12], seed: 1 });
    expect(a.values).toEqual(b.values);
    expect(a.timeFeatures!.length).toBe(480 * 4);
    expect(findPeriods(a.values, [480, 3], 2).periods.sort((x, y) => x - y)).toEqual([12, 24]);
    expect(() => generateSeasonalSeries({ length: 10, periods: [1], seed: 1 })).toThrow(
      /options\.periods\[0\]/,
    );
  });
});

describe('forecast metrics and baselines', () => {
  it('MSE/MAE, last value, seasonal naive and the least-squares linear forecaster', () => {
    const p = tf.tensor1d([1, 2, 3]);
    const q = tf.tensor1d([2, 2, 5]);
    expectClose(mseLoss(p, q).dataSync()[0]!, 5 / 3, { rtol: 1e-6 });
    expectClose(maeLoss(p, q).dataSync()[0]!, 1, { rtol: 1e-6 });
    expect(() => mseLoss(p, tf.zeros([2]))).toThrow(ShapeError);
    const x = tf.tensor3d([1, 2, 3, 4, 5, 6], [1, 6, 1]) as Tensor3D;
    expect(Array.from(lastValueForecast(x, 3).dataSync())).toEqual([6, 6, 6]);
    expect(Array.from(seasonalNaiveForecast(x, 5, 2).dataSync())).toEqual([5, 6, 5, 6, 5]);
    expect(() => seasonalNaiveForecast(x, 2, 7)).toThrow(ArgumentError);
    // Sums of two sinusoids obey an exact order-4 linear recurrence, so future steps are linear in the
    // window: the least-squares forecaster reproduces them (a tiny ridge handles the rank deficiency).
    const values = new Float64Array(80 * 2);
    for (let t = 0; t < 80; t++)
      for (let c = 0; c < 2; c++) values[t * 2 + c] = Math.sin(0.3 * t + c) + 0.5 * Math.cos(0.7 * t - c);
    const w = forecastWindows({ values, length: 80, channels: 2 }, 8, 3);
    const lin = fitLinearForecaster(w, 1e-7);
    expect(evaluateForecast((inp) => lin.predict(inp[0] as Tensor3D), w).mse).toBeLessThan(1e-6);
    const r = forecastWindows(ramp(30, 1), 5, 2);
    expect(evaluateForecast((inp) => lastValueForecast(inp[0] as Tensor3D, 2), r).mae).toBeCloseTo(15, 4);
    tf.dispose([...r.inputs, r.targets]);
    tf.dispose([p, q, x, ...w.inputs, w.targets]);
  });
});
