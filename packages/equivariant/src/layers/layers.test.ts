import { ArgumentError, randomNormalTensor, ShapeError, type Tensor, tf } from '@tensorloom/core';
import {
  expectClose,
  expectNoLeak,
  gradCheck,
  randomRotation,
  testBackends,
  useBackend,
} from '@tensorloom/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import { wignerDMatrix } from '../rotation/wignerD.js';
import { shDim, sphericalHarmonics } from '../sh/sphericalHarmonics.js';
import { gauntTensorProduct } from '../tensor-product/gaunt.js';
import { clearGauntCache } from '../tensor-product/sphereGrid.js';
import { GauntConvolution, GauntFeatureInteraction, GauntManyBody } from './layers.js';

/** expectNoLeak with the Gaunt table cache emptied before and inside the window (it keeps tensors by design). */
async function expectNoLeakCleared(fn: () => unknown): Promise<void> {
  clearGauntCache();
  await expectNoLeak(async () => {
    const out = await fn();
    clearGauntCache();
    return out;
  });
}

/** Rotates features [..., D] (flat SH layout of degree lmax) by the Wigner-D of R. */
function rotateFeatures(x: Tensor, lmax: number, R: Float64Array): Tensor {
  const d = shDim(lmax);
  const D = wignerDMatrix(lmax, R);
  return tf.tidy(() =>
    tf.reshape(
      tf.matMul(tf.reshape(x, [-1, d]), tf.tensor2d(Float32Array.from(D), [d, d]), false, true),
      x.shape,
    ),
  );
}

function rotateVectors(v: Tensor, R: Float64Array): Tensor {
  return tf.tidy(() => tf.matMul(v, tf.tensor2d(Float32Array.from(R), [3, 3]), false, true));
}

describe.each(testBackends())('Gaunt layers (%s)', (backend) => {
  beforeAll(() => useBackend(backend));

  it('GauntFeatureInteraction: weighted Gaunt product, equivariant, trainable', async () => {
    const layer = new GauntFeatureInteraction({ channels: 3, lmax1: 2, lmax2: 1, lmaxOut: 2, seed: 1 });
    const x = randomNormalTensor([4, 3, 9], { seed: 2 });
    const y = randomNormalTensor([4, 3, 4], { seed: 3 });
    await expectNoLeakCleared(() =>
      tf.tidy(() => {
        const out = layer.apply(x, y);
        const expected = gauntTensorProduct(x, y, {
          lmaxOut: 2,
          weights1: layer.weights1,
          weights2: layer.weights2,
          weightsOut: layer.weightsOut,
        });
        expectClose(out, expected, { atol: 1e-6 });
        const R = randomRotation(5);
        const rotated = layer.apply(rotateFeatures(x, 2, R), rotateFeatures(y, 1, R));
        expectClose(rotated, rotateFeatures(out, 2, R), { atol: 1e-4, rtol: 1e-4 });
        const { grads } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(x, y))) as tf.Scalar);
        expect(Object.keys(grads).length).toBe(3);
        for (const g of Object.values(grads)) expect(tf.max(tf.abs(g)).dataSync()[0]).toBeGreaterThan(0);
      }),
    );
    expect(() => layer.apply(y, y)).toThrow(ShapeError);
    expect(() => layer.apply(tf.zeros([4, 2, 9]), y)).toThrow(/\[batch, 3/);
    expect(() => new GauntFeatureInteraction({ channels: 0, lmax1: 1, lmax2: 1, seed: 0 })).toThrow(
      ArgumentError,
    );
    tf.dispose([x, y]);
    layer.dispose();
  });

  it('GauntConvolution: matches a hand-built message, respects the cutoff, is equivariant', () => {
    const conv = new GauntConvolution({
      channels: 2,
      lmaxIn: 1,
      lmaxFilter: 2,
      lmaxOut: 2,
      cutoff: 2.5,
      seed: 4,
    });
    const positions = tf.tensor2d([0, 0, 0, 1, 0.2, -0.3, -0.4, 0.9, 0.5, 0.3, -0.8, 1.1], [4, 3]);
    const src = tf.tensor1d([1, 2, 3, 0, 0, 2], 'int32');
    const dst = tf.tensor1d([0, 0, 0, 1, 2, 3], 'int32');
    const nodes = randomNormalTensor([4, 2, 4], { seed: 6 });
    tf.tidy(() => {
      const vectors = tf.sub(tf.gather(positions, src), tf.gather(positions, dst));
      const out = conv.apply(nodes, src, dst, vectors);
      expect(out.shape).toEqual([4, 2, 9]);
      // node 1 receives one message from node 0 along edge 3
      const v = tf.slice(vectors, [3, 0], [1, 3]);
      const w = tf.gather(
        conv.radial(tf.norm(v, 'euclidean', 1)),
        tf.tensor1d([0, 1, 1, 1, 2, 2, 2, 2, 2], 'int32'),
        2,
      );
      const filter = tf.mul(w, tf.expandDims(sphericalHarmonics(2, v, { normalization: 'component' }), 1));
      const manual = gauntTensorProduct(tf.slice(nodes, [0, 0, 0], [1, -1, -1]), filter, { lmaxOut: 2 });
      expectClose(tf.slice(out, [1, 0, 0], [1, -1, -1]), manual, { atol: 1e-5, rtol: 1e-4 });
      // an edge beyond the cutoff contributes nothing
      const far = conv.apply(
        nodes,
        tf.tensor1d([1], 'int32'),
        tf.tensor1d([0], 'int32'),
        tf.tensor2d([[3, 0, 0]]),
      );
      expectClose(far, tf.zerosLike(far), { atol: 1e-7 });
      // equivariance: rotate positions and input features
      const R = randomRotation(8);
      const outR = conv.apply(rotateFeatures(nodes, 1, R), src, dst, rotateVectors(vectors, R));
      expectClose(outR, rotateFeatures(out, 2, R), { atol: 1e-4, rtol: 1e-4 });
      // gradients reach the radial MLP, and position gradients (forces) match finite differences
      const { grads } = tf.variableGrads(
        () => tf.sum(tf.square(conv.apply(nodes, src, dst, vectors))) as tf.Scalar,
      );
      expect(Object.keys(grads).length).toBe(4);
      const probe = randomNormalTensor([4, 2, 9], { seed: 11 });
      gradCheck((v) => tf.sum(tf.mul(conv.apply(nodes, src, dst, v as Tensor), probe)), [vectors], {
        epsilon: 1e-2,
        rtol: 3e-2,
      });
    });
    expect(() =>
      conv.apply(nodes, tf.tensor1d([1], 'int32'), tf.tensor1d([0], 'int32'), tf.tensor2d([[0, 0, 0]])),
    ).toThrow(ArgumentError);
    expect(() =>
      conv.apply(nodes, tf.tensor1d([7], 'int32'), tf.tensor1d([0], 'int32'), tf.tensor2d([[1, 0, 0]])),
    ).toThrow(/src\[0\] = 7/);
    expect(() => conv.apply(nodes, src, dst, tf.zeros([6, 2]))).toThrow(ShapeError);
    expect(
      () => new GauntConvolution({ channels: 2, lmaxIn: 1, lmaxFilter: 1, lmaxOut: 3, cutoff: 1, seed: 0 }),
    ).toThrow(/lmaxOut/);
    tf.dispose([positions, src, dst, nodes]);
    conv.dispose();
  });

  it('GauntManyBody: equals chained Gaunt products order by order and is equivariant', () => {
    const mb = new GauntManyBody({ channels: 2, lmax: 1, correlation: 3, lmaxOut: 3, seed: 2 });
    const a = randomNormalTensor([3, 2, 4], { seed: 9 });
    tf.tidy(() => {
      const out = mb.apply(a);
      const a2 = gauntTensorProduct(a, a);
      const a3 = gauntTensorProduct(a2, a);
      const expand = (w: Tensor): Tensor =>
        tf.gather(
          w,
          tf.tensor1d(
            Int32Array.from({ length: 16 }, (_, i) => Math.floor(Math.sqrt(i))),
            'int32',
          ),
          1,
        );
      const a1 = tf.pad(a, [
        [0, 0],
        [0, 0],
        [0, 12],
      ]);
      const expected = tf.addN([
        tf.mul(a1, expand(mb.weights[0] as Tensor)),
        tf.mul(
          tf.pad(a2, [
            [0, 0],
            [0, 0],
            [0, 7],
          ]),
          expand(mb.weights[1] as Tensor),
        ),
        tf.mul(a3, expand(mb.weights[2] as Tensor)),
      ]);
      expectClose(out, expected, { atol: 5e-5, rtol: 1e-4 });
      const R = randomRotation(3);
      expectClose(mb.apply(rotateFeatures(a, 1, R)), rotateFeatures(out, 3, R), { atol: 1e-4, rtol: 1e-4 });
    });
    expect(() => mb.apply(tf.zeros([3, 2, 9]))).toThrow(/degree 1/);
    expect(() => new GauntManyBody({ channels: 2, lmax: 1, correlation: 0, seed: 0 })).toThrow(ArgumentError);
    tf.dispose(a);
    mb.dispose();
  });

  it('GauntManyBody method fourier (divide and conquer on Fourier grids) equals chained Gaunt products', async () => {
    // ν = 5 exercises f5 = f2 ∗ f3 with f3 = f1 ∗ f2; lmaxOut > lmax pads the ν = 1 grid.
    const opts = { channels: 2, lmax: 2, correlation: 5, lmaxOut: 3, seed: 4 };
    const dc = new GauntManyBody({ ...opts, method: 'fourier' });
    const grid = new GauntManyBody(opts);
    const a = randomNormalTensor([2, 2, 9], { seed: 11, std: 0.5 });
    await expectNoLeakCleared(() =>
      tf.tidy(() => {
        const out = dc.apply(a);
        // reference: chained exact Gaunt products, each truncated only at the end (full degree in between)
        const powers: Tensor[] = [a];
        for (let nu = 2; nu <= 5; nu++) powers.push(gauntTensorProduct(powers[nu - 2] as Tensor, a));
        const expand = (w: Tensor): Tensor =>
          tf.gather(
            w,
            tf.tensor1d(
              Int32Array.from({ length: 16 }, (_, i) => Math.floor(Math.sqrt(i))),
              'int32',
            ),
            1,
          );
        const crop = (t: Tensor): Tensor => {
          const d = t.shape[2] as number;
          return d >= 16
            ? tf.slice(t, [0, 0, 0], [-1, -1, 16])
            : tf.pad(t, [
                [0, 0],
                [0, 0],
                [0, 16 - d],
              ]);
        };
        const expected = tf.addN(powers.map((p, i) => tf.mul(crop(p), expand(dc.weights[i] as Tensor))));
        expectClose(out, expected, { atol: 2e-4, rtol: 1e-3 });
        // same weights (same seed) → the grid method agrees too
        expectClose(grid.apply(a), out, { atol: 2e-4, rtol: 1e-3 });
        return out;
      }),
    );
    expect(() => new GauntManyBody({ ...opts, method: 'fft' as never })).toThrow(/options.method/);
    tf.dispose(a);
    dc.dispose();
    grid.dispose();
  });
});
