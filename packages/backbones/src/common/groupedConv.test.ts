import type { Tensor, Tensor1D, Tensor4D } from '@tensorflow/tfjs';
import { ArgumentError, rng, tf } from '@tensorloom/core';
import { expectClose, expectNoLeak, gradCheck, testBackends, useBackend } from '@tensorloom/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import { groupedConv2d } from './convOps.js';
import { GroupedKernelCache, groupedConvSame } from './groupedConv.js';

function randn(shape: number[], seed: number): Tensor {
  const r = rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => r.normal()),
    shape,
  );
}

/** Naive float64 grouped "same" convolution (PyTorch semantics: groups, zero padding (k−1)/2), + bias, ReLU. */
function naive(
  x: Float32Array,
  [b, h, w, c]: number[],
  k: Float32Array,
  [kh, kw, d, cout]: number[],
  groups: number,
  bias?: Float32Array,
  relu = false,
): Float64Array {
  const co = cout / groups;
  const out = new Float64Array(b * h * w * cout);
  const ph = (kh - 1) / 2;
  const pw = (kw - 1) / 2;
  for (let n = 0; n < b; n++)
    for (let y = 0; y < h; y++)
      for (let xx = 0; xx < w; xx++)
        for (let o = 0; o < cout; o++) {
          const g = Math.floor(o / co);
          let s = bias ? bias[o]! : 0;
          for (let i = 0; i < kh; i++)
            for (let j = 0; j < kw; j++) {
              const yy = y + i - ph;
              const x2 = xx + j - pw;
              if (yy < 0 || yy >= h || x2 < 0 || x2 >= w) continue;
              for (let e = 0; e < d; e++)
                s += x[((n * h + yy) * w + x2) * c + g * d + e]! * k[((i * kw + j) * d + e) * cout + o]!;
            }
          out[((n * h + y) * w + xx) * cout + o] = relu ? Math.max(0, s) : s;
        }
  return out;
}

describe.each(testBackends())('groupedConvSame on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  const cases = [
    { b: 1, h: 5, w: 4, c: 6, cout: 6, groups: 3, kh: 3, kw: 3 },
    { b: 2, h: 3, w: 7, c: 8, cout: 12, groups: 4, kh: 3, kw: 3 },
    { b: 2, h: 4, w: 4, c: 6, cout: 4, groups: 2, kh: 5, kw: 1 },
    { b: 1, h: 6, w: 5, c: 4, cout: 4, groups: 1, kh: 3, kw: 3 },
  ];

  it.each(cases)(
    'equals a float64 naive grouped conv (b $b, $h×$w, $c→$cout, $groups groups, $kh×$kw), with and without bias + ReLU',
    (t) => {
      const xs = [t.b, t.h, t.w, t.c];
      const ks = [t.kh, t.kw, t.c / t.groups, t.cout];
      const x = randn(xs, 1) as Tensor4D;
      const k = randn(ks, 2) as Tensor4D;
      const bias = randn([t.cout], 3) as Tensor1D;
      const xv = x.dataSync() as Float32Array;
      const kv = k.dataSync() as Float32Array;
      const y = groupedConvSame(x, k, t.groups);
      expectClose(y, naive(xv, xs, kv, ks, t.groups), { rtol: 1e-4, atol: 1e-4 });
      const yb = groupedConvSame(x, k, t.groups, { bias, relu: true });
      const ref = naive(xv, xs, kv, ks, t.groups, bias.dataSync() as Float32Array, true);
      expectClose(yb, ref, { rtol: 1e-4, atol: 1e-4 });
      tf.dispose([x, k, bias, y, yb]);
    },
  );

  it('gradients (x, kernel, bias through ReLU) equal autograd of split + concat and finite differences', () => {
    const x = randn([2, 4, 5, 6], 4) as Tensor4D;
    const k = randn([3, 3, 2, 9], 5) as Tensor4D;
    const bias = randn([9], 6);
    const wts = randn([2, 4, 5, 9], 7);
    const fast = (a: Tensor, b: Tensor, c: Tensor) =>
      tf.sum(tf.mul(groupedConvSame(a as Tensor4D, b as Tensor4D, 3, { bias: c, relu: true }), wts));
    const slow = (a: Tensor, b: Tensor, c: Tensor) =>
      tf.sum(tf.mul(tf.relu(tf.add(groupedConv2d(a as Tensor4D, b as Tensor4D, 3), c)), wts));
    const gFast = tf.grads(fast)([x, k, bias]);
    const gSlow = tf.grads(slow)([x, k, bias]);
    gFast.forEach((g, i) => {
      expect(g.shape).toEqual(gSlow[i]!.shape);
      expectClose(g, gSlow[i]!, { rtol: 1e-4, atol: 1e-4 });
    });
    // Without bias/ReLU, against central differences (no kinks).
    const lin = (a: Tensor, b: Tensor) =>
      tf.sum(tf.mul(groupedConvSame(a as Tensor4D, b as Tensor4D, 3), wts));
    gradCheck(lin, [x, k], { rtol: 2e-2, atol: 2e-2, maxCoordinates: 60 });
    tf.dispose([x, k, bias, wts, ...gFast, ...gSlow]);
  });

  it('the kernel cache reuses slices while the weight is unchanged, re-cuts them after an assign, frees them on dispose', async () => {
    const x = randn([1, 6, 6, 8], 8) as Tensor4D;
    const v = tf.variable(randn([3, 3, 2, 8], 9));
    const bv = tf.variable(randn([8], 10));
    const cache = new GroupedKernelCache();
    const biasCache = new GroupedKernelCache();
    const n0 = tf.memory().numTensors;
    const run = () => groupedConvSame(x, v as unknown as Tensor4D, 4, { cache, biasCache, bias: bv });
    const y1 = run();
    expect(cache.size).toBe(4);
    expect(biasCache.size).toBe(4);
    expect(tf.memory().numTensors).toBe(n0 + 1 + 8);
    await expectNoLeak(run); // a second call keeps nothing new
    const first = cache.get(v as unknown as Tensor4D, 4)[0]!;
    const next = randn([3, 3, 2, 8], 11);
    v.assign(next);
    next.dispose();
    const y2 = run();
    expect(first.isDisposed).toBe(true);
    const uncached = groupedConvSame(x, v as unknown as Tensor4D, 4, { bias: bv });
    expectClose(y2, uncached, { rtol: 1e-6, atol: 1e-6 });
    uncached.dispose();
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(y1, y2))).dataSync()[0])).toBeGreaterThan(1e-2);
    cache.dispose();
    biasCache.dispose();
    tf.dispose([y1, y2]);
    expect(tf.memory().numTensors).toBe(n0);
    tf.dispose([x, v, bv]);
  });

  it('leaks nothing and rejects bad groups, even kernels and wrong bias shapes with ArgumentError', async () => {
    const x = randn([1, 4, 4, 6], 12) as Tensor4D;
    const k = randn([3, 3, 2, 6], 13) as Tensor4D;
    await expectNoLeak(() => groupedConvSame(x, k, 3));
    await expectNoLeak(() =>
      tf.grads((a: Tensor, b: Tensor) => tf.sum(groupedConvSame(a as Tensor4D, b as Tensor4D, 3)))([x, k]),
    );
    expect(() => groupedConvSame(x, k, 4)).toThrow(ArgumentError);
    expect(() => groupedConvSame(x, k, 2)).toThrow(/kernel in-channels 2/);
    tf.tidy(() => {
      expect(() => groupedConvSame(x, randn([2, 3, 2, 6], 1) as Tensor4D, 3)).toThrow(/odd spatial sizes/);
      expect(() => groupedConvSame(x, k, 3, { bias: tf.zeros([5]) })).toThrow(/options.bias/);
    });
    tf.dispose([x, k]);
  });
});
