import { ArgumentError, rng, tf } from '@tensorloom/core';
import { useBackend } from '@tensorloom/core/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calibrateLatencyModel } from '../model/latency.js';
import type { BitConfig } from '../model/precision.js';
import { type QuantizedModel, quantizeModel } from '../model/quantizedModel.js';
import { cheapestWithinTolerance, frontierOf, paretoFrontier } from './pareto.js';
import { searchMixedPrecision } from './searchMixedPrecision.js';

function chain(L: number, seed: number): tf.Sequential {
  const layers: tf.layers.Layer[] = [];
  for (let i = 0; i < L; i++) {
    layers.push(
      tf.layers.dense({
        units: 4,
        name: `l${i}`,
        activation: i === L - 1 ? 'linear' : 'relu',
        ...(i === 0 ? { inputShape: [4] } : {}),
      }),
    );
  }
  const m = tf.sequential({ layers });
  const g = rng(seed);
  m.setWeights(m.getWeights().map((w) => tf.tensor(Float32Array.from(g.normalArray(w.size)), w.shape)));
  return m;
}

describe('searchMixedPrecision and the exhaustive frontier (wasm)', () => {
  const owned: { dispose(): void }[] = [];
  let inputs: tf.Tensor;
  let targets: tf.Tensor;
  beforeAll(async () => {
    await useBackend('wasm');
    const g = rng(1);
    inputs = tf.tensor2d(Array.from({ length: 12 }, () => Array.from({ length: 4 }, () => g.normal())));
    targets = tf.oneHot(
      Array.from({ length: 12 }, () => g.int(4)),
      4,
    );
  });
  afterAll(() => {
    for (const o of owned) o.dispose();
    tf.dispose([inputs, targets]);
  });

  function model(L: number): QuantizedModel {
    const m = chain(L, L);
    const qm = quantizeModel(m);
    owned.push(m, qm);
    return qm;
  }

  // A monotone synthetic metric: 1 − Σ penalties of the layers at 4 bits.
  function synthetic(penalty: number[]): (config: BitConfig) => number {
    return (config) => 1 - penalty.reduce((s, p, i) => s + (config[`l${i}`] === 4 ? p : 0), 0);
  }

  it('finds the exhaustive optimum on monotone problems within ⌈log₂ L⌉ + 2 evaluations', async () => {
    const g = rng(9);
    for (const L of [1, 2, 3, 5, 6]) {
      const qm = model(L);
      for (let trial = 0; trial < 4; trial++) {
        const penalty = Array.from({ length: L }, () => g.uniform(0.001, 0.05));
        const evaluate = synthetic(penalty);
        const tolerance = g.uniform(0, 0.12);
        // least sensitive first = smallest penalty first; equal layer costs make the greedy prefix optimal
        const order = qm.layerNames.slice().sort((a, b) => penalty[+a.slice(1)]! - penalty[+b.slice(1)]!);
        const r = await searchMixedPrecision(qm, {
          calibration: { inputs, targets },
          evaluate,
          tolerance,
          candidates: [8, 4],
          order,
        });
        expect(r.evaluations).toBeLessThanOrEqual(Math.ceil(Math.log2(L)) + 2);
        const { points } = await paretoFrontier(qm, { evaluate, candidates: [8, 4] });
        const best = cheapestWithinTolerance(points, 1, tolerance)!;
        expect(r.cost).toBe(best.cost);
        expect(r.metric).toBeCloseTo(evaluate(r.config), 12);
        expect(r.metric).toBeGreaterThanOrEqual(1 - tolerance);
      }
    }
  });

  it('walks several precision levels and keeps every layer it cannot lower', async () => {
    const qm = model(4);
    // metric falls by 0.01 per layer at 6 bits and 0.05 per layer at 4 bits
    const evaluate = (c: BitConfig): number =>
      1 - Object.values(c).reduce<number>((s, p) => s + (p === 6 ? 0.01 : p === 4 ? 0.05 : 0), 0);
    const r = await searchMixedPrecision(qm, {
      calibration: { inputs, targets },
      evaluate,
      tolerance: 0.1,
      candidates: [8, 6, 4],
      order: ['l2', 'l0', 'l1', 'l3'],
    });
    // all four to 6 bits costs 0.04; then at most one more to 4 bits (0.04 + 0.04 = 0.08 ≤ 0.1, two would be 0.12)
    expect(r.config).toEqual({ l0: 6, l1: 6, l2: 4, l3: 6 });
    expect(r.orders.map((o) => o.precision)).toEqual([6, 4]);
  });

  it('runs the Hessian and augmented orderings on a real model and stays within tolerance', async () => {
    const qm = model(3);
    const evaluate = (c: BitConfig) => qm.accuracy(inputs, targets, c);
    for (const order of ['hessian', 'augmented'] as const) {
      const events: string[] = [];
      const r = await searchMixedPrecision(qm, {
        calibration: { inputs, targets },
        evaluate,
        tolerance: 0.05,
        candidates: [8, 3],
        order,
        hutchinsonSamples: 10,
        seed: 2,
        onProgress: (e) => events.push(e.phase),
      });
      expect(r.orders[0]!.order.slice().sort()).toEqual(qm.layerNames);
      expect(r.traces?.samples).toBeGreaterThan(0);
      expect(r.metric).toBeGreaterThanOrEqual(r.baseline - 0.05 * r.baseline - 1e-9);
      expect(r.cost).toBeLessThanOrEqual(r.baselineCost);
      expect(events).toContain('hutchinson');
    }
    // Hutch++ with Gauss–Newton products, passed through to layerHessianTraces
    const pp = await searchMixedPrecision(qm, {
      calibration: { inputs, targets },
      evaluate,
      tolerance: 0.05,
      candidates: [8, 3],
      order: 'hessian',
      hutchinsonSamples: 12,
      traceEstimator: 'hutch++',
      traceMethod: 'gauss-newton',
      seed: 2,
    });
    expect(pp.traces?.method).toBe('gauss-newton');
    expect(pp.traces?.hessianVectorProducts).toBe(12);
    expect(pp.traces?.samples).toBe(12 - 2 * 4);
  });

  it('supports size and latency costs; frontier is non-dominated', async () => {
    const qm = model(2);
    const latency = calibrateLatencyModel(qm, inputs, { repeats: 2 });
    expect(Object.keys(latency.baseMs)).toEqual(['l0', 'l1']);
    expect(latency.latency(qm.uniformConfig(8))).toBeCloseTo(latency.latency({}) / 4, 10);
    const evaluate = synthetic([0.01, 0.02]);
    const r = await searchMixedPrecision(qm, {
      calibration: { inputs, targets },
      evaluate,
      tolerance: 0.015,
      cost: 'latency',
      latency,
      order: ['l0', 'l1'],
    });
    expect(r.config).toEqual({ l0: 4, l1: 8 });
    const { frontier, points } = await paretoFrontier(qm, { evaluate, candidates: [8, 4], cost: 'size' });
    expect(points).toHaveLength(4);
    for (const p of frontier) {
      expect(points.some((q) => q.cost <= p.cost && q.metric > p.metric)).toBe(false);
    }
    expect(
      frontierOf([
        { config: {}, cost: 1, metric: 1 },
        { config: {}, cost: 2, metric: 0.5 },
      ]),
    ).toHaveLength(1);
  });

  it('separate weight/activation choices: bisection over items finds the best prefix and beats joint WbAb', async () => {
    const L = 3;
    const qm = model(L);
    const g = rng(13);
    for (let trial = 0; trial < 4; trial++) {
      // weights cheap to quantise in some layers, activations in others
      const pw = Array.from({ length: L }, () => g.uniform(0, 0.04));
      const pa = Array.from({ length: L }, () => g.uniform(0, 0.04));
      const evaluate = (c: BitConfig): number =>
        1 -
        qm.layerNames.reduce((s, n, i) => {
          const e = c[n] as { weights: number; activations: number };
          return s + (e.weights === 4 ? pw[i]! : 0) + (e.activations === 4 ? pa[i]! : 0);
        }, 0);
      const items = qm.layerNames.flatMap((n, i) => [
        { key: `${n}:weights`, p: pw[i]! },
        { key: `${n}:activations`, p: pa[i]! },
      ]);
      items.sort((a, b) => a.p - b.p);
      const tolerance = g.uniform(0.01, 0.1);
      const r = await searchMixedPrecision(qm, {
        calibration: { inputs, targets },
        evaluate,
        tolerance,
        order: items.map((i) => i.key),
        separateActivations: true,
      });
      // expected: the longest prefix of the sorted items whose penalties sum within tolerance
      let k = 0;
      let sum = 0;
      while (k < items.length && sum + items[k]!.p <= tolerance) sum += items[k++]!.p;
      const expected = Object.fromEntries(
        qm.layerNames.map((n) => [
          n,
          {
            weights: items.slice(0, k).some((i) => i.key === `${n}:weights`) ? 4 : 8,
            activations: items.slice(0, k).some((i) => i.key === `${n}:activations`) ? 4 : 8,
          },
        ]),
      );
      expect(r.config).toEqual(expected);
      expect(r.evaluations).toBeLessThanOrEqual(Math.ceil(Math.log2(2 * L)) + 2);
    }
    // activations free, weights expensive: the split search lowers every activation, joint WbAb cannot move
    const evaluate = (c: BitConfig): number =>
      1 - qm.layerNames.reduce((s, n) => s + ((c[n] as { weights: number }).weights === 4 ? 0.05 : 0), 0);
    const split = await searchMixedPrecision(qm, {
      calibration: { inputs, targets },
      evaluate,
      tolerance: 0.01,
      order: [...qm.layerNames.map((n) => `${n}:activations`), ...qm.layerNames.map((n) => `${n}:weights`)],
      separateActivations: true,
    });
    for (const n of qm.layerNames) expect(split.config[n]).toEqual({ weights: 8, activations: 4 });
    expect(split.cost).toBeCloseTo(split.baselineCost / 2, 6);
    const joint = await searchMixedPrecision(qm, {
      calibration: { inputs, targets },
      evaluate: (c) =>
        evaluate(
          Object.fromEntries(
            Object.entries(c).map(([n, p]) => [n, { weights: p as number, activations: p as number }]),
          ),
        ),
      tolerance: 0.01,
      order: qm.layerNames,
    });
    expect(joint.cost).toBe(joint.baselineCost);
    // Hessian ordering in split mode on the real model: activation units get measured scores
    const h = await searchMixedPrecision(qm, {
      calibration: { inputs, targets },
      evaluate: (c) => qm.accuracy(inputs, targets, c),
      tolerance: 0.05,
      candidates: [8, 3],
      order: 'hessian',
      hutchinsonSamples: 6,
      separateActivations: true,
    });
    expect(h.orders[0]!.order.slice().sort()).toEqual(
      qm.layerNames.flatMap((n) => [`${n}:activations`, `${n}:weights`]).sort(),
    );
    expect(h.metric).toBeGreaterThanOrEqual(h.baseline * 0.95 - 1e-9);
    await expect(
      searchMixedPrecision(qm, {
        calibration: { inputs, targets },
        evaluate,
        tolerance: 0.01,
        order: qm.layerNames,
        separateActivations: true,
      }),
    ).rejects.toThrow(/order: item 'l0' does not exist/);
    await expect(
      searchMixedPrecision(qm, {
        calibration: { inputs, targets },
        evaluate,
        tolerance: 0.01,
        separateActivations: 'yes' as never,
      }),
    ).rejects.toThrow(/separateActivations: expected a boolean/);
  });

  it('rejects bad input with typed errors', async () => {
    const qm = model(2);
    const base = {
      calibration: { inputs, targets },
      evaluate: () => 1,
      tolerance: 0.01,
      order: ['l0', 'l1'],
    };
    await expect(searchMixedPrecision(qm, { ...base, tolerance: -0.1 })).rejects.toThrow(
      /tolerance: expected a value >= 0/,
    );
    await expect(searchMixedPrecision(qm, { ...base, candidates: [8, 17] })).rejects.toThrow(
      /candidates\[1\]/,
    );
    await expect(searchMixedPrecision(qm, { ...base, candidates: [4, 8] })).rejects.toThrow(
      /strictly decreasing/,
    );
    await expect(searchMixedPrecision(qm, { ...base, order: ['l0', 'nope'] })).rejects.toThrow(
      /order: layer 'nope' does not exist/,
    );
    await expect(
      searchMixedPrecision(qm, { ...base, calibration: { inputs: tf.zeros([0, 4]), targets } }),
    ).rejects.toThrow(ArgumentError);
    await expect(searchMixedPrecision(qm, { ...base, cost: 'latency' })).rejects.toThrow(
      /needs a latency model/,
    );
    await expect(searchMixedPrecision(qm, { ...base, evaluate: undefined as never })).rejects.toThrow(
      /evaluate/,
    );
    await expect(
      paretoFrontier(qm, { evaluate: () => 1, candidates: [2, 3, 4], maxConfigurations: 8 }),
    ).rejects.toThrow(/exceed maxConfigurations 8/);
    const ac = new AbortController();
    ac.abort();
    await expect(searchMixedPrecision(qm, { ...base, signal: ac.signal })).rejects.toThrow();
  });
});
