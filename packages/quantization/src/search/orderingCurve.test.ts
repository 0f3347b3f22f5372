import { ArgumentError, rng, tf } from '@tensorloom/core';
import { useBackend } from '@tensorloom/core/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BitConfig } from '../model/precision.js';
import { quantizeModel } from '../model/quantizedModel.js';
import { areaBetweenCurves, curveArea, orderingCurve, pathArea } from './orderingCurve.js';

const pt = (cost: number, metric: number) => ({ config: {}, cost, metric });

describe('ordering curves and the area between them (wasm)', () => {
  let model: tf.Sequential;
  beforeAll(async () => {
    await useBackend('wasm');
    const g = rng(3);
    model = tf.sequential({
      layers: [
        tf.layers.dense({ units: 6, inputShape: [4], name: 'a', activation: 'relu' }),
        tf.layers.dense({ units: 5, name: 'b', activation: 'relu' }),
        tf.layers.dense({ units: 3, name: 'c' }),
      ],
    });
    model.setWeights(
      model.getWeights().map((w) => tf.tensor(Float32Array.from(g.normalArray(w.size)), w.shape)),
    );
  });
  afterAll(() => model.dispose());

  it('curveArea integrates the best-within-budget step function (hand-computed)', () => {
    // budgets 1..5: best metric 0.5 on [1,3), 0.9 on [3,5]
    expect(curveArea([pt(3, 0.9), pt(1, 0.5)], 1, 5)).toBeCloseTo(0.5 * 2 + 0.9 * 2, 12);
    // a dominated point (dearer, worse) does not lower the curve
    expect(curveArea([pt(1, 0.5), pt(3, 0.9), pt(4, 0.2)], 1, 5)).toBeCloseTo(2.8, 12);
    // before the cheapest point its metric counts
    expect(curveArea([pt(2, 0.6)], 0, 4)).toBeCloseTo(2.4, 12);
    expect(areaBetweenCurves([pt(1, 0.5), pt(3, 0.9)], [pt(1, 0.5), pt(5, 0.9)])).toBeCloseTo(
      (0.9 * 2 - 0.5 * 2) / 4,
      12,
    );
    expect(() => areaBetweenCurves([pt(1, 0.7)], [pt(1, 0.7)])).toThrow(ArgumentError); // zero cost range
    // path: trapezoids through (1, .5), (3, .9), (4, .2), constant .2 to 5: 1.4 + 0.55 + 0.2
    expect(pathArea([pt(1, 0.5), pt(3, 0.9), pt(4, 0.2)], 1, 5)).toBeCloseTo(1.4 + 0.55 + 0.2, 12);
    expect(
      areaBetweenCurves([pt(1, 0.5), pt(3, 0.9)], [pt(1, 0.5), pt(3, 0.9), pt(2, 0.1)], 'path'),
    ).toBeCloseTo(
      // a: (0.5 + 0.9)/2·2 = 1.4; b: (0.5 + 0.1)/2 + (0.1 + 0.9)/2 = 0.8; over the range 2
      (1.4 - 0.8) / 2,
      12,
    );
    expect(() => areaBetweenCurves([pt(1, 1)], [pt(2, 1)], 'odd' as never)).toThrow(/mode/);
    expect(() => pathArea([], 0, 1)).toThrow(ArgumentError);
    expect(() => curveArea([], 0, 1)).toThrow(ArgumentError);
    expect(() => curveArea([pt(1, 1)], 1, 1)).toThrow(/hi: expected a value > lo/);
    expect(() => areaBetweenCurves([], [pt(1, 1)])).toThrow(ArgumentError);
  });

  it('orderingCurve walks the prefixes of an order; a better order has a larger area', async () => {
    const qm = quantizeModel(model);
    const penalty: Record<string, number> = { a: 0.05, b: 0.01, c: 0.02 };
    const evaluate = (c: BitConfig): number =>
      1 - Object.entries(c).reduce((s, [n, p]) => s + (p === 4 ? penalty[n]! : 0), 0);
    const good = await orderingCurve(qm, { evaluate, order: [['b'], ['c'], ['a']] });
    expect(good.map((p) => p.metric)).toEqual([1, 0.99, 0.97, 0.92].map((v) => expect.closeTo(v, 12)));
    expect(good[0]!.cost).toBe(qm.bops(qm.uniformConfig(8)));
    expect(good[3]!.cost).toBe(qm.bops(qm.uniformConfig(4)));
    const bad = await orderingCurve(qm, { evaluate, order: [['a'], ['c'], ['b']] });
    expect(areaBetweenCurves(good, bad)).toBeGreaterThan(0);
    await expect(orderingCurve(qm, { evaluate, order: [['a'], ['b']] })).rejects.toThrow(
      /order: expected groups covering every layer/,
    );
    await expect(orderingCurve(qm, { evaluate, order: [['a'], ['b'], ['c']], to: 1 })).rejects.toThrow(/to:/);
    await expect(orderingCurve(qm, { evaluate: 1 as never, order: [] })).rejects.toThrow(/evaluate/);
    qm.dispose();
  });
});
