import { ArgumentError, type MatrixF64, rng, ShapeError } from '@tensorloom/core';
import { expectClose } from '@tensorloom/core/test';
import { describe, expect, it } from 'vitest';
import {
  infiniteLinear1,
  type LinearTwoLayer,
  linearLimitConvergence,
  predictLinear,
  sampleFiniteLinear1,
  sgdStepLinear,
} from './linear1.js';

const g = rng(3);
const X: MatrixF64 = { rows: 10, cols: 4, data: g.normalArray(40) };
const Y: MatrixF64 = { rows: 10, cols: 2, data: g.normalArray(20) };

const clone = (n: LinearTwoLayer): LinearTwoLayer => ({
  w1: { ...n.w1, data: n.w1.data.slice() },
  w2: { ...n.w2, data: n.w2.data.slice() },
  alpha: n.alpha,
});

function loss(net: LinearTwoLayer): number {
  const f = predictLinear(net, X).data;
  return f.reduce((s, v, i) => s + (v - Y.data[i]!) ** 2, 0) / (2 * X.rows);
}

describe('exact infinite-width 1-hidden-layer linear network (μP, TP4)', () => {
  it('has the TP4 initial state: A = [σ1 I; 0], B = [0, σ2 I], f ≡ 0', () => {
    const net = infiniteLinear1({ inputDim: 4, outputDim: 2, sigma1: 2, sigma2: 3 });
    expect(net.w1.rows).toBe(6);
    expect(Array.from(net.w1.data.slice(0, 4))).toEqual([2, 0, 0, 0]);
    expect(net.w2.data[4]).toBe(3);
    expect(net.w2.data[11]).toBe(3);
    expect(Array.from(predictLinear(net, X).data).every((v) => v === 0)).toBe(true);
  });

  it('SGD step matches a finite-difference gradient of the MSE loss (float64)', () => {
    const net = sampleFiniteLinear1(infiniteLinear1({ inputDim: 4, outputDim: 2, alpha: 1.5 }), 5, 1);
    const before = clone(net);
    const lr = 1e-3;
    const l0 = sgdStepLinear(net, X, Y, lr);
    expect(l0).toBeCloseTo(loss(before), 12);
    for (const key of ['w1', 'w2'] as const) {
      for (let i = 0; i < before[key].data.length; i++) {
        const p = clone(before);
        const m = clone(before);
        p[key].data[i]! += 1e-6;
        m[key].data[i]! -= 1e-6;
        const grad = (loss(p) - loss(m)) / 2e-6;
        expectClose((before[key].data[i]! - net[key].data[i]!) / lr, grad, { rtol: 1e-5, atol: 1e-7 });
      }
    }
  });

  it('a finite net built from an exactly orthogonal Ω (ΩᵀΩ/n = I) follows the limit exactly under SGD', () => {
    const limit = infiniteLinear1({ inputDim: 4, outputDim: 2 });
    const n = 9;
    // Ω = √n·[e_1 … e_6]: U = Ω A/√n pads A with zero rows, V = B Ωᵀ/√n pads B with zero columns.
    const u = new Float64Array(n * 4);
    u.set(limit.w1.data);
    const v = new Float64Array(2 * n);
    for (let c = 0; c < 2; c++) for (let j = 0; j < 6; j++) v[c * n + j] = limit.w2.data[c * 6 + j]!;
    const finite: LinearTwoLayer = {
      w1: { rows: n, cols: 4, data: u },
      w2: { rows: 2, cols: n, data: v },
      alpha: 1,
    };
    for (let t = 0; t < 15; t++) {
      sgdStepLinear(limit, X, Y, 0.05);
      sgdStepLinear(finite, X, Y, 0.05);
    }
    expectClose(predictLinear(finite, X).data, predictLinear(limit, X).data, { rtol: 1e-10, atol: 1e-12 });
    expect(loss(limit)).toBeLessThan(0.9 * (Y.data.reduce((s, y) => s + y * y, 0) / 20));
  });

  it('sampled finite networks converge to the limit with rate ≈ n^−1/2 (fitted slope within 0.1)', () => {
    const r = linearLimitConvergence({ widths: [64, 256, 1024, 4096], seeds: 8, steps: 10, seed: 5 });
    expect(r.errors[3]!).toBeLessThan(r.errors[0]!);
    expect(Math.abs(r.slope + 0.5)).toBeLessThan(0.1);
  });

  it('rejects bad arguments with typed errors', () => {
    const limit = infiniteLinear1({ inputDim: 4, outputDim: 2 });
    expect(() => sampleFiniteLinear1(limit, 0, 1)).toThrow(/width: expected a value >= 1/);
    expect(() => sampleFiniteLinear1({} as never, 4, 1)).toThrow(/limit: expected a LinearTwoLayer/);
    expect(() => predictLinear(limit, { rows: 1, cols: 3, data: new Float64Array(3) })).toThrow(ShapeError);
    expect(() => sgdStepLinear(limit, X, { rows: 10, cols: 3, data: new Float64Array(30) }, 0.1)).toThrow(
      /y: expected a 10×2/,
    );
    expect(() => sgdStepLinear(limit, X, Y, 0)).toThrow(/learningRate/);
    expect(() => infiniteLinear1({ inputDim: 0, outputDim: 2 })).toThrow(ArgumentError);
    expect(() => linearLimitConvergence({ widths: [8], seed: 1 })).toThrow(/at least two widths/);
  });
});
