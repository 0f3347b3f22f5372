import {
  ArgumentError,
  matrixF64,
  rng,
  ShapeError,
  type Tensor2D,
  TensorloomError,
  tf,
} from '@tensorloom/core';
import { expectClose, expectNoLeak, testBackends, useBackend } from '@tensorloom/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import { empiricalNtk, randomFcNetwork } from './empirical.js';
import { fcKernels, type KernelActivation } from './fcKernels.js';

const X = matrixF64(4, 3, Float64Array.of(1, 0.5, -0.3, -0.2, 1.1, 0.4, 0.7, -0.8, 0.9, 0.3, 0.3, 0.3));

/** Naive float64 sampler of the output of a random wide network (independent of the library). */
function mcNngp(
  activation: KernelActivation,
  depth: number,
  width: number,
  samples: number,
  sw: number,
  sb: number,
  seed: number,
): { mean: Float64Array; se: Float64Array } {
  const g = rng(seed);
  const phi = (v: number): number =>
    activation === 'relu' ? Math.max(0, v) : activation === 'identity' ? v : erfApprox(v);
  const n = X.rows;
  const d = X.cols;
  const sum = new Float64Array(n * n);
  const sum2 = new Float64Array(n * n);
  for (let s = 0; s < samples; s++) {
    let h: Float64Array[] = [];
    // first layer
    for (let i = 0; i < n; i++) h.push(new Float64Array(width));
    for (let u = 0; u < width; u++) {
      const w = Array.from({ length: d }, () => (g.normal() * sw) / Math.sqrt(d));
      const b = g.normal() * sb;
      for (let i = 0; i < n; i++) {
        let acc = b;
        for (let k = 0; k < d; k++) acc += w[k]! * X.data[i * d + k]!;
        h[i]![u] = acc;
      }
    }
    for (let l = 0; l < depth; l++) {
      const outW = l === depth - 1 ? 1 : width;
      const next = h.map(() => new Float64Array(outW));
      const post = h.map((v) => v.map(phi));
      for (let u = 0; u < outW; u++) {
        const b = g.normal() * sb;
        const w = g.normalArray(width, 0, sw / Math.sqrt(width));
        for (let i = 0; i < n; i++) {
          let acc = b;
          const p = post[i]!;
          for (let k = 0; k < width; k++) acc += w[k]! * p[k]!;
          next[i]![u] = acc;
        }
      }
      h = next;
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const v = h[i]![0]! * h[j]![0]!;
        sum[i * n + j]! += v;
        sum2[i * n + j]! += v * v;
      }
    }
  }
  const mean = sum.map((v) => v / samples);
  const se = sum2.map((v, k) => Math.sqrt(Math.max(0, v / samples - mean[k]! ** 2) / samples));
  return { mean, se };
}

/** Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7), written here so the test does not use the library. */
function erfApprox(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return x >= 0 ? y : -y;
}

describe('fcKernels (closed form)', () => {
  it('one ReLU layer equals the degree-1 arc-cosine kernel (Cho & Saul) and its NTK', () => {
    const { nngp, ntk } = fcKernels(X, undefined, { depth: 1, activation: 'relu', weightStd: 1.3 });
    const d = X.cols;
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        const xi = Array.from(X.data.subarray(i * d, i * d + d));
        const xj = Array.from(X.data.subarray(j * d, j * d + d));
        const dot = xi.reduce((s, v, k) => s + v * xj[k]!, 0) / d;
        const ni = Math.sqrt(xi.reduce((s, v) => s + v * v, 0) / d);
        const nj = Math.sqrt(xj.reduce((s, v) => s + v * v, 0) / d);
        const t = Math.acos(Math.min(1, Math.max(-1, dot / (ni * nj))));
        const s1 = 1.69 * ni * nj; // σ_w² |x||x'|/d
        const k1 = (s1 / Math.PI) * (Math.sin(t) + (Math.PI - t) * Math.cos(t));
        const nngpRef = 1.69 * (k1 / 2);
        expectClose(nngp.data[i * 4 + j]!, nngpRef, { rtol: 1e-7 });
        expectClose(ntk.data[i * 4 + j]!, nngpRef + 1.69 * 1.69 * dot * ((Math.PI - t) / (2 * Math.PI)), {
          rtol: 1e-7,
        });
      }
    }
  });

  it('identity activation gives the linear kernels: Σ = σ^(2(L+1)) q, Θ = (L+1)Σ', () => {
    const { nngp, ntk } = fcKernels(X, undefined, { depth: 3, activation: 'identity', weightStd: 0.9 });
    const { nngp: lin } = fcKernels(X, undefined, { depth: 0, weightStd: 1 });
    expectClose(
      nngp.data,
      lin.data.map((v) => v * 0.9 ** 8),
      { rtol: 1e-12 },
    );
    expectClose(
      ntk.data,
      nngp.data.map((v) => v * 4),
      { rtol: 1e-12 },
    );
  });

  it('is symmetric, and x2 = x1 gives the same result as the default', () => {
    const k1 = fcKernels(X, undefined, { depth: 4, activation: 'erf', biasStd: 0.3 });
    const k2 = fcKernels(X, X, { depth: 4, activation: 'erf', biasStd: 0.3 });
    expectClose(k1.ntk.data, k2.ntk.data, { rtol: 1e-14 });
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++) expect(k1.nngp.data[i * 4 + j]).toBe(k1.nngp.data[j * 4 + i]);
  });

  it('a rectangular block agrees with the square kernel', () => {
    const x2 = matrixF64(2, 3, X.data.slice(3, 9));
    const full = fcKernels(X, undefined, { depth: 2, biasStd: 0.2 });
    const block = fcKernels(X, x2, { depth: 2, biasStd: 0.2 });
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 2; j++) {
        expect(block.ntk.data[i * 2 + j]).toBeCloseTo(full.ntk.data[i * 4 + j + 1]!, 12);
        expect(block.nngp.data[i * 2 + j]).toBeCloseTo(full.nngp.data[i * 4 + j + 1]!, 12);
      }
    }
  });

  it.each([
    ['relu', 2, 1.4, 0.2],
    ['erf', 2, 1.5, 0.3],
    ['identity', 1, 1, 0.5],
  ] as const)(
    'NNGP of %s (depth %i) matches Monte Carlo over wide random nets within error',
    (act, depth, sw, sb) => {
      const { nngp } = fcKernels(X, undefined, { depth, activation: act, weightStd: sw, biasStd: sb });
      const { mean, se } = mcNngp(act, depth, 128, 400, sw, sb, 7);
      for (let k = 0; k < 16; k++) {
        // 4 standard errors plus an O(1/width) finite-width allowance
        expect(Math.abs(mean[k]! - nngp.data[k]!)).toBeLessThan(
          4 * se[k]! + 0.02 * Math.abs(nngp.data[k]!) + 1e-3,
        );
      }
    },
  );

  it('reports progress per row block and stops on an aborted signal', () => {
    const g = rng(5);
    const x = matrixF64(600, 3, g.normalArray(1800));
    const steps: [number, number][] = [];
    const plain = fcKernels(x, undefined, { depth: 2 });
    const tracked = fcKernels(x, undefined, { depth: 2, onProgress: (e) => steps.push([e.step, e.total]) });
    // 1 (Gram) + 2 layers × ⌈600/256⌉ = 3 blocks
    expect(steps).toEqual(Array.from({ length: 7 }, (_, i) => [i + 1, 7]));
    expect(Array.from(tracked.ntk.data)).toEqual(Array.from(plain.ntk.data));
    const controller = new AbortController();
    let seen = 0;
    expect(() =>
      fcKernels(x, undefined, {
        depth: 2,
        signal: controller.signal,
        onProgress: () => {
          if (++seen === 2) controller.abort();
        },
      }),
    ).toThrow(TensorloomError);
    expect(seen).toBe(2);
    const aborted = new AbortController();
    aborted.abort();
    expect(() => fcKernels(x, undefined, { depth: 1, signal: aborted.signal })).toThrow(/aborted/);
    expect(() => fcKernels(x, undefined, { depth: 1, onProgress: 3 as never })).toThrow(/options.onProgress/);
    expect(() => fcKernels(x, undefined, { depth: 1, signal: {} as never })).toThrow(/options.signal/);
  });

  it('rejects bad inputs and options with typed errors', () => {
    expect(() => fcKernels(X, matrixF64(2, 2), { depth: 1 })).toThrow(ShapeError);
    expect(() => fcKernels(X, undefined, { depth: -1 })).toThrow(/options\.depth/);
    expect(() => fcKernels(X, undefined, { depth: 1, activation: 'tanh' as never })).toThrow(
      /options\.activation/,
    );
    expect(() => fcKernels(X, undefined, { depth: 1, weightStd: 0 })).toThrow(/options\.weightStd/);
    expect(() => fcKernels(X, undefined, { depth: 1, biasStd: -1 })).toThrow(/options\.biasStd/);
    expect(() => fcKernels(X, undefined, { depth: 1, parametrization: 'mup' as never })).toThrow(
      ArgumentError,
    );
    expect(() => fcKernels({ rows: 1, cols: 1, data: [1] } as never, undefined, { depth: 1 })).toThrow(
      /x1: expected a MatrixF64/,
    );
    expect(() => fcKernels(matrixF64(1, 1, Float64Array.of(Number.NaN)), undefined, { depth: 1 })).toThrow(
      /not finite/,
    );
  });
});

describe.each(testBackends())('empirical NTK on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(['ntk', 'standard'] as const)(
    'of wide %s-parametrised nets converges to the analytic NTK (error shrinks with width)',
    async (parametrization) => {
      const opts = { depth: 2, activation: 'relu' as const, weightStd: 1.2, biasStd: 0.4, parametrization };
      const analytic = fcKernels(X, undefined, opts).ntk.data;
      const x = tf.tensor2d(Float32Array.from(X.data), [4, 3], 'float32') as Tensor2D;
      const relErr = async (width: number): Promise<number> => {
        let err = 0;
        for (let seed = 0; seed < 3; seed++) {
          const net = randomFcNetwork({ ...opts, inputDim: 3, width, seed });
          const emp = await empiricalNtk(net.apply, net.params, x, net.lrScales);
          net.dispose();
          let num = 0;
          let den = 0;
          for (let k = 0; k < 16; k++) {
            num += (emp.data[k]! - analytic[k]!) ** 2;
            den += analytic[k]! ** 2;
          }
          err += Math.sqrt(num / den) / 3;
        }
        return err;
      };
      const small = await relErr(16);
      const large = await relErr(512);
      expect(large).toBeLessThan(0.12);
      expect(large).toBeLessThan(small / 2);
      x.dispose();
    },
  );

  it('does not leak and validates its arguments', async () => {
    const net = randomFcNetwork({ depth: 1, inputDim: 3, width: 8, seed: 1 });
    const x = tf.tensor2d(Float32Array.from(X.data), [4, 3], 'float32') as Tensor2D;
    await expectNoLeak(async () => {
      await empiricalNtk(net.apply, net.params, x);
    });
    await expect(empiricalNtk(net.apply, net.params, x, [1])).rejects.toThrow(/lrScales: expected 2 values/);
    await expect(empiricalNtk(net.apply, [], x)).rejects.toThrow(ArgumentError);
    await expect(empiricalNtk(net.apply, net.params, tf.ones([3]) as never)).rejects.toThrow(ShapeError);
    await expect(empiricalNtk(() => tf.ones([3]), net.params, x)).rejects.toThrow(/one output per example/);
    expect(() => randomFcNetwork({ depth: 1, inputDim: 3, width: 0, seed: 1 })).toThrow(/options\.width/);
    net.dispose();
    x.dispose();
  });
});
