import { readFileSync } from 'node:fs';
import { ArgumentError, ShapeError, type Tensor, tf } from '@tensorloom/core';
import {
  expectClose,
  expectNoLeak,
  gradCheck,
  randomRotation,
  testBackends,
  useBackend,
} from '@tensorloom/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import { gauntCoefficient } from '../coefficients/exact.js';
import { Irreps } from '../irreps/irreps.js';
import { wignerDMatrix } from '../rotation/wignerD.js';
import { shDim, shIndex } from '../sh/sphericalHarmonics.js';
import { gauntSphereGridBlocked } from './blocked.js';
import {
  cgTensorProduct,
  cgTensorProductWeighted,
  fullTensorProductPlan,
  weightedTensorProductPlan,
} from './cg.js';
import { autoMethod, gauntTensorProduct, gauntTensorProductDense } from './gaunt.js';
import { clearGauntCache, gauntCacheSize } from './sphereGrid.js';

/** expectNoLeak with the Gaunt table cache emptied before and inside the window (it keeps tensors by design). */
async function expectNoLeakCleared(fn: () => unknown): Promise<void> {
  clearGauntCache();
  await expectNoLeak(async () => {
    const out = await fn();
    clearGauntCache();
    return out;
  });
}

const ref = JSON.parse(
  readFileSync(new URL('../__fixtures__/e3nn-small-reference.json', import.meta.url), 'utf8'),
).e3nn_full_tensor_product_L2 as {
  irreps_in1: string;
  irreps_in2: string;
  irreps_out: string;
  paths: {
    l1: number;
    l2: number;
    l_out: number;
    p_out: number;
    i_out: number;
    offset: number;
    path_weight: number;
  }[];
  pairs: { x1: number[]; x2: number[]; out: number[] }[];
};

/** Applies a (D × D) float64 matrix to the last axis of a [B, D] tensor. */
function rotate(x: Tensor, D: Float64Array): Tensor {
  const d = x.shape[x.rank - 1] as number;
  return tf.tidy(() =>
    tf.matMul(tf.reshape(x, [-1, d]), tf.tensor2d(Float32Array.from(D), [d, d]), false, true),
  );
}

/** Block-diagonal D over arbitrary irreps (e3nn basis). */
function irrepsD(irreps: Irreps, R: Float64Array): Float64Array {
  const dim = irreps.dim;
  const out = new Float64Array(dim * dim);
  let offset = 0;
  for (const { mul, ir } of irreps.items) {
    const full = wignerDMatrix(ir.l, R, { basis: 'e3nn' });
    const fd = shDim(ir.l);
    const d = 2 * ir.l + 1;
    for (let u = 0; u < mul; u++) {
      for (let a = 0; a < d; a++)
        for (let b = 0; b < d; b++)
          out[(offset + a) * dim + offset + b] = full[(ir.l * ir.l + a) * fd + ir.l * ir.l + b] as number;
      offset += d;
    }
  }
  return out;
}

describe.each(testBackends())('tensor products (%s)', (backend) => {
  beforeAll(() => useBackend(backend));

  it('cgTensorProduct reproduces e3nn FullTensorProduct (L = 2): irreps, paths and output', async () => {
    const plan = fullTensorProductPlan({ irreps1: ref.irreps_in1, irreps2: ref.irreps_in2 });
    expect(plan.irrepsOut.toString()).toBe(ref.irreps_out);
    expect(plan.paths.length).toBe(ref.paths.length);
    plan.paths.forEach((p, i) => {
      const r = ref.paths[i] as (typeof ref.paths)[number];
      expect([
        plan.irreps1.items[p.i1]?.ir.l,
        plan.irreps2.items[p.i2]?.ir.l,
        p.irOut.l,
        p.irOut.p,
        p.iOut,
        p.offset,
      ]).toEqual([r.l1, r.l2, r.l_out, r.p_out, r.i_out, r.offset]);
      expect(p.weight).toBeCloseTo(r.path_weight, 14);
    });
    const pair = ref.pairs[0] as (typeof ref.pairs)[number];
    const x1 = tf.tensor2d([pair.x1]);
    const x2 = tf.tensor2d([pair.x2]);
    await expectNoLeak(() => {
      const out = cgTensorProduct(x1, x2, { irreps1: ref.irreps_in1, irreps2: ref.irreps_in2 });
      expectClose(out, pair.out, { atol: 2e-5, rtol: 1e-5 });
      return out;
    });
    tf.dispose([x1, x2]);
  });

  it('cgTensorProduct handles multiplicities (uvuv), norm normalisation, filters, and is equivariant', () => {
    const irreps1 = Irreps.parse('2x0e+1x1o+2x2e');
    const irreps2 = Irreps.parse('1x1o+2x1e');
    const plan = fullTensorProductPlan({ irreps1, irreps2 });
    expect(plan.irrepsOut.dim).toBe(irreps1.dim * irreps2.dim);
    const R = randomRotation(21);
    const x1 = tf.randomNormal([3, irreps1.dim], 0, 1, 'float32', 1);
    const x2 = tf.randomNormal([3, irreps2.dim], 0, 1, 'float32', 2);
    const out = cgTensorProduct(x1, x2, { irreps1, irreps2 });
    const outRot = cgTensorProduct(rotate(x1, irrepsD(irreps1, R)), rotate(x2, irrepsD(irreps2, R)), {
      irreps1,
      irreps2,
    });
    expectClose(outRot, rotate(out, irrepsD(plan.irrepsOut, R)), { atol: 1e-4, rtol: 1e-4 });
    // uvuv layout: block 2x0e ⊗ 1x1o → 2x1o, u-major. With "norm", alpha = 1·3, and wigner3j(0,1,1) = δ/√3.
    const norm = cgTensorProduct(x1, x2, { irreps1, irreps2, irrepNormalization: 'norm' });
    const x1d = x1.arraySync() as number[][];
    const x2d = x2.arraySync() as number[][];
    const nd = norm.arraySync() as number[][];
    const first = plan.paths[0];
    expect(first?.irOut).toEqual({ l: 1, p: -1 });
    for (let u = 0; u < 2; u++)
      for (let k = 0; k < 3; k++) {
        // wigner3j(0,1,1)[0,j,k] = δ_jk/√3
        expect(nd[0]![(first?.offset ?? 0) + u * 3 + k]).toBeCloseTo(x1d[0]![u]! * x2d[0]![k]!, 5);
      }
    const filtered = fullTensorProductPlan({ irreps1, irreps2, filterIrOut: '0e+1o' });
    expect(
      filtered.irrepsOut.items.every(({ ir }) => (ir.l === 0 && ir.p === 1) || (ir.l === 1 && ir.p === -1)),
    ).toBe(true);
    tf.dispose([x1, x2, out, outRot, norm]);
  });

  it('gauntTensorProduct (FFT route) equals the explicit Gaunt contraction and a float64 sum', async () => {
    for (const [l1, l2, lo] of [
      [1, 1, 2],
      [2, 3, 4],
      [4, 4, 8],
      [3, 1, 1],
    ] as const) {
      const x = tf.randomNormal([4, shDim(l1)], 0, 1, 'float32', l1 + 10 * l2);
      const y = tf.randomNormal([4, shDim(l2)], 0, 1, 'float32', 7 + l1);
      await expectNoLeakCleared(() => {
        const fast = gauntTensorProduct(x, y, { lmaxOut: lo });
        const dense = gauntTensorProductDense(x, y, { lmaxOut: lo });
        expectClose(fast, dense, { atol: 2e-5, rtol: 1e-4 });
        for (const method of ['fft', 'separable', 'matrix', 'parity', 'blocked'] as const) {
          const other = gauntTensorProduct(x, y, { lmaxOut: lo, method });
          expectClose(other, dense, { atol: 2e-5, rtol: 1e-4 });
          tf.dispose(other);
        }
        // naive float64 sum for the first sample
        const xd = (x.arraySync() as number[][])[0] as number[];
        const yd = (y.arraySync() as number[][])[0] as number[];
        const expected = new Float64Array(shDim(lo));
        for (let a = 0; a <= l1; a++)
          for (let m1 = -a; m1 <= a; m1++)
            for (let b = 0; b <= l2; b++)
              for (let m2 = -b; m2 <= b; m2++)
                for (let c = 0; c <= lo; c++)
                  for (let m3 = -c; m3 <= c; m3++)
                    expected[shIndex(c, m3)] =
                      (expected[shIndex(c, m3)] as number) +
                      gauntCoefficient(a, m1, b, m2, c, m3) *
                        (xd[shIndex(a, m1)] as number) *
                        (yd[shIndex(b, m2)] as number);
        expectClose((fast.arraySync() as number[][])[0] as number[], expected, { atol: 2e-5, rtol: 1e-4 });
        tf.dispose(dense);
        return fast;
      });
      tf.dispose([x, y]);
    }
  });

  it('auto method on large degrees (parity and blocked routes) equals the dense contraction', () => {
    expect([autoMethod(23), autoMethod(24)]).toEqual(['matrix', 'blocked']);
    tf.tidy(() => {
      const x = tf.randomNormal([2, shDim(10)], 0, 1, 'float32', 1);
      const y = tf.randomNormal([2, shDim(8)], 0, 1, 'float32', 2);
      for (const lmaxOut of [7, 12]) {
        const dense = gauntTensorProductDense(x, y, { lmaxOut });
        expectClose(gauntTensorProduct(x, y, { lmaxOut }), dense, { atol: 5e-5, rtol: 1e-4 });
        expectClose(gauntTensorProduct(x, y, { lmaxOut, method: 'parity' }), dense, {
          atol: 5e-5,
          rtol: 1e-4,
        });
        expectClose(gauntTensorProduct(x, y, { lmaxOut, method: 'separable' }), dense, {
          atol: 5e-5,
          rtol: 1e-4,
        });
      }
    });
  });

  it('blocked route: any number of m blocks per side equals the dense contraction, no leaks', async () => {
    for (const [l1, l2, lo] of [
      [0, 0, 0],
      [1, 0, 1],
      [0, 3, 2],
      [3, 2, 5],
      [6, 5, 9],
      [7, 7, 14],
    ] as const) {
      const x = tf.randomNormal([5, shDim(l1)], 0, 1, 'float32', 3 + l1);
      const y = tf.randomNormal([5, shDim(l2)], 0, 1, 'float32', 4 + l2);
      const dense = gauntTensorProductDense(x, y, { lmaxOut: lo });
      for (const groups of [
        { input: 1, output: 1 },
        { input: 2, output: 3 },
        { input: 99, output: 99 },
        undefined,
      ]) {
        await expectNoLeakCleared(() => {
          const out = tf.tidy(() => gauntSphereGridBlocked(x, y, l1, l2, lo, groups));
          expectClose(out, dense, { atol: 3e-5, rtol: 1e-4 });
          return out;
        });
      }
      tf.dispose([x, y, dense]);
    }
  });

  it('blocked route with several blocks is equivariant and has correct gradients (no leaks)', async () => {
    const R = randomRotation(11);
    const x = tf.randomNormal([3, shDim(6)], 0, 1, 'float32', 1);
    const y = tf.randomNormal([3, shDim(5)], 0, 1, 'float32', 2);
    const groups = { input: 2, output: 3 };
    const run = (a: Tensor, b: Tensor): Tensor =>
      tf.tidy(() => gauntSphereGridBlocked(a, b, 6, 5, 8, groups));
    for (const basis of ['standard', 'e3nn'] as const) {
      const out = run(x, y);
      const xr = rotate(x, wignerDMatrix(6, R, { basis }));
      const yr = rotate(y, wignerDMatrix(5, R, { basis }));
      const rot = run(xr, yr);
      expectClose(rot, rotate(out, wignerDMatrix(8, R, { basis })), { atol: 2e-4, rtol: 1e-4 });
      tf.dispose([out, xr, yr, rot]);
    }
    const xs = tf.randomNormal([2, shDim(3)], 0, 1, 'float32', 5);
    const ys = tf.randomNormal([2, shDim(2)], 0, 1, 'float32', 6);
    const w = tf.randomNormal([2, shDim(4)], 0, 1, 'float32', 7);
    const f = (a: Tensor, b: Tensor): Tensor =>
      tf.sum(tf.mul(gauntSphereGridBlocked(a, b, 3, 2, 4, { input: 2, output: 2 }), w));
    gradCheck(f as (...inputs: Tensor[]) => Tensor, [xs, ys], { epsilon: 1e-2, rtol: 2e-2 });
    await expectNoLeakCleared(() => tf.grads(f as (...inputs: Tensor[]) => Tensor)([xs, ys]));
    tf.dispose([x, y, xs, ys, w]);
  });

  it('keeps constant tables cached between calls, without growth, until clearGauntCache()', () => {
    const x = tf.randomNormal([3, 16], 0, 1, 'float32', 1);
    const y = tf.randomNormal([3, 9], 0, 1, 'float32', 2);
    clearGauntCache();
    expect(gauntCacheSize()).toBe(0);
    const first = gauntTensorProduct(x, y, { method: 'parity' });
    const held = gauntCacheSize();
    expect(held).toBeGreaterThan(0);
    const before = tf.memory().numTensors;
    const second = gauntTensorProduct(x, y, { method: 'parity' });
    expect(tf.memory().numTensors).toBe(before + 1); // only the result: tables reused
    expect(gauntCacheSize()).toBe(held);
    expectClose(second, first, { atol: 0 });
    clearGauntCache();
    expect(gauntCacheSize()).toBe(0);
    expect(tf.memory().numTensors).toBe(before + 1 - held);
    const third = gauntTensorProduct(x, y, { method: 'parity' }); // rebuilt after clearing
    expectClose(third, first, { atol: 0 });
    clearGauntCache();
    tf.dispose([x, y, first, second, third]);
  });

  it('gauntTensorProduct is symmetric, equivariant in both bases, and has correct gradients', () => {
    const R = randomRotation(4);
    const x = tf.randomNormal([3, 16], 0, 1, 'float32', 1);
    const y = tf.randomNormal([3, 9], 0, 1, 'float32', 2);
    const out = gauntTensorProduct(x, y, { lmaxOut: 4 });
    expectClose(gauntTensorProduct(y, x, { lmaxOut: 4 }), out, { atol: 1e-5, rtol: 1e-4 });
    const cases = [
      ['standard', 'matrix'],
      ['e3nn', 'matrix'],
      ['standard', 'fft'],
      ['e3nn', 'separable'],
      ['standard', 'parity'],
      ['standard', 'blocked'],
      ['e3nn', 'blocked'],
    ] as const;
    for (const [basis, method] of cases) {
      const xr = rotate(x, wignerDMatrix(3, R, { basis }));
      const yr = rotate(y, wignerDMatrix(2, R, { basis }));
      const rot = gauntTensorProduct(xr, yr, { lmaxOut: 4, method });
      expectClose(rot, rotate(out, wignerDMatrix(4, R, { basis })), { atol: 1e-4, rtol: 1e-4 });
      tf.dispose([xr, yr, rot]);
    }
    const xs = tf.randomNormal([2, 4], 0, 1, 'float32', 5);
    const ys = tf.randomNormal([2, 9], 0, 1, 'float32', 6);
    const w = tf.randomNormal([2, 16], 0, 1, 'float32', 7);
    for (const method of ['matrix', 'parity', 'separable', 'blocked', 'fft'] as const) {
      const f = (a: Tensor, b: Tensor): Tensor =>
        tf.sum(tf.mul(gauntTensorProduct(a, b, { lmaxOut: 3, method }), w));
      gradCheck(f as (...inputs: Tensor[]) => Tensor, [xs, ys], { epsilon: 1e-2, rtol: 2e-2 });
    }
    tf.dispose([x, y, out, xs, ys, w]);
  });

  it('supports channels and per-degree / per-channel weights (equal to the dense route)', async () => {
    const x = tf.randomNormal([2, 3, 9], 0, 1, 'float32', 1);
    const y = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 2);
    const weights1 = tf.tensor2d([1, 2, 3, 0.5, -1, 2, 1, 1, 0.1], [3, 3]);
    const weights2 = tf.tensor1d([0.3, -2]);
    const weightsOut = tf.randomNormal([3, 4], 0, 1, 'float32', 3);
    await expectNoLeakCleared(() => {
      const options = { lmaxOut: 3, weights1, weights2, weightsOut };
      const fast = gauntTensorProduct(x, y, options);
      for (const method of ['fft', 'separable', 'matrix', 'parity', 'blocked'] as const) {
        const other = gauntTensorProduct(x, y, { ...options, method });
        expectClose(other, fast, { atol: 2e-5, rtol: 1e-4 });
        tf.dispose(other);
      }
      expect(fast.shape).toEqual([2, 3, 16]);
      const dense = gauntTensorProductDense(x, y, options);
      expectClose(fast, dense, { atol: 2e-5, rtol: 1e-4 });
      tf.dispose(dense);
      return fast;
    });
    // weights act per degree: scaling degree 1 of x by 2 equals weights1 = [1, 2, 1]
    tf.tidy(() => {
      const scaled = gauntTensorProduct(x, y, { lmaxOut: 2, weights1: tf.tensor1d([1, 2, 1]) });
      const manual = gauntTensorProduct(tf.mul(x, tf.tensor1d([1, 2, 2, 2, 1, 1, 1, 1, 1])), y, {
        lmaxOut: 2,
      });
      expectClose(scaled, manual, { atol: 1e-5, rtol: 1e-4 });
    });
    tf.dispose([x, y, weights1, weights2, weightsOut]);
  });

  it('rejects bad shapes and options with typed errors', () => {
    const x = tf.zeros([2, 9]);
    const y = tf.zeros([2, 4]);
    expect(() => gauntTensorProduct(tf.zeros([2, 8]), y)).toThrow(ShapeError);
    expect(() => gauntTensorProduct(x, tf.zeros([3, 4]))).toThrow(/agree/);
    expect(() => gauntTensorProduct(x, tf.zeros([2, 1, 4]))).toThrow(ShapeError);
    expect(() => gauntTensorProduct(x, y, { lmaxOut: 4 })).toThrow(ArgumentError);
    expect(() => gauntTensorProduct(x, y, { method: 'conv' as never })).toThrow(/method/);
    expect(() => gauntTensorProduct(x, y, { weights1: tf.ones([2]) })).toThrow(/weights1/);
    expect(() => cgTensorProduct(x, y, { irreps1: '1x0e+1x1o', irreps2: '1x0e+1x1o' })).toThrow(
      /x1 must have last axis 4/,
    );
    expect(() =>
      cgTensorProduct(tf.zeros([2, 4]), tf.zeros([3, 4]), { irreps1: '0e+1o', irreps2: '0e+1o' }),
    ).toThrow(/leading axes/);
    expect(() =>
      fullTensorProductPlan({ irreps1: '1o', irreps2: '1o', irrepNormalization: 'x' as never }),
    ).toThrow(/irrepNormalization/);
    expect(() => cgTensorProduct(x, y, { irreps1: '1x0q', irreps2: '1o' })).toThrow(/malformed/);
    tf.dispose([x, y]);
  });
});

describe('cgTensorProductWeighted (uvw)', () => {
  it('equals the weighted sum of full-product paths and is equivariant', () => {
    const options = { irreps1: '2x0e+1x1o', irreps2: '1x1o+1x2e', irrepsOut: '2x1o+1x1e+1x0e' };
    const plan = weightedTensorProductPlan(options);
    // paths into 2x1o: 0e⊗1o, 1o⊗2e; into 1x1e: 1o⊗1o; into 0e: 1o⊗1o
    expect(plan.paths.length).toBe(4);
    expect(plan.weightNumel).toBe(2 * 1 * 2 + 1 * 1 * 2 + 1 * 1 * 1 + 1 * 1 * 1);
    const x1 = tf.randomNormal([3, 5], 0, 1, 'float32', 1);
    const x2 = tf.randomNormal([3, 8], 0, 1, 'float32', 2);
    const w = tf.randomNormal([plan.weightNumel], 0, 1, 'float32', 3);
    tf.tidy(() => {
      const out = cgTensorProductWeighted(x1, x2, w, options);
      expect(out.shape).toEqual([3, 10]);
      // Output 0e equals c·W·(x1_1o · x2_1o)/√3·… : compare with the full product's 1o⊗1o→0e block.
      const full = cgTensorProduct(x1, x2, {
        irreps1: '2x0e+1x1o',
        irreps2: '1x1o+1x2e',
        irrepNormalization: 'none',
      });
      const fp = fullTensorProductPlan({ irreps1: '2x0e+1x1o', irreps2: '1x1o+1x2e' });
      const scalarPath = fp.paths.find((p) => p.i1 === 1 && p.i2 === 0 && p.irOut.l === 0);
      const scalarWeighted = plan.paths.find((p) => p.iOut === 2);
      const w0 = (w.dataSync() as Float32Array)[scalarWeighted?.weightOffset ?? -1] as number;
      const expected = tf.mul(tf.slice(full, [0, scalarPath?.offset ?? 0], [-1, 1]), w0);
      expectClose(tf.slice(out, [0, 9], [-1, 1]), expected, { atol: 1e-5, rtol: 1e-4 });
      const R = randomRotation(2);
      const D1 = irrepsD(Irreps.parse(options.irreps1), R);
      const D2 = irrepsD(Irreps.parse(options.irreps2), R);
      const Do = irrepsD(Irreps.parse(options.irrepsOut), R);
      const rot = cgTensorProductWeighted(rotate(x1, D1), rotate(x2, D2), w, options);
      expectClose(rot, rotate(out, Do), { atol: 1e-4, rtol: 1e-4 });
    });
    expect(() => cgTensorProductWeighted(x1, x2, tf.zeros([3]), options)).toThrow(
      /weights must have shape \[8\]/,
    );
    expect(() => cgTensorProductWeighted(x2, x1, w, options)).toThrow(ShapeError);
    tf.dispose([x1, x2, w]);
  });
});
