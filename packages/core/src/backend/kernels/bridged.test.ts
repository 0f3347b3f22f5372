import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../setup.js';
import { expectClose } from '../../test/asserts.js';
import { useBackend } from '../../test/backends.js';

function values(shape: number[], seed: number): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return tf.tensor(out, shape);
}

/** Runs `f` on fresh copies of `inputs` on a backend and returns the outputs' values. */
async function on(
  backend: 'wasm' | 'cpu',
  inputs: () => Tensor[],
  f: (...xs: Tensor[]) => Tensor | Tensor[],
) {
  await useBackend(backend);
  const before = tf.memory().numTensors;
  const xs = inputs();
  const out = f(...xs);
  const outs = Array.isArray(out) ? out : [out];
  const vals = outs.map((o) => ({ shape: o.shape, data: Array.from(o.dataSync() as Float32Array) }));
  tf.dispose([...xs, ...outs]);
  expect(tf.memory().numTensors).toBe(before);
  return vals;
}

/** The same computation on WASM (through the filled kernels) and on CPU (tfjs' own kernels) must agree. */
async function sameOnBoth(inputs: () => Tensor[], f: (...xs: Tensor[]) => Tensor | Tensor[]) {
  const w = await on('wasm', inputs, f);
  const c = await on('cpu', inputs, f);
  expect(w.length).toBe(c.length);
  for (let i = 0; i < w.length; i++) {
    expect(w[i]!.shape).toEqual(c[i]!.shape);
    expectClose(w[i]!.data, c[i]!.data, { rtol: 1e-4, atol: 1e-5 });
  }
}

describe('kernels filled on WASM (bridged to the CPU backend, or native)', () => {
  beforeAll(() => useBackend('wasm'));

  it('Einsum', async () => {
    await sameOnBoth(
      () => [values([3, 4], 1), values([4, 5], 2), values([2, 3, 4], 3)],
      (a, b, c) => [
        tf.einsum('ij,jk->ik', a!, b!),
        tf.einsum('bij,jk->bik', c!, b!),
        tf.einsum('ij->ji', a!),
      ],
    );
  });

  it('UnsortedSegmentSum and its use in gather gradients', async () => {
    await sameOnBoth(
      () => [values([6, 3], 4), tf.tensor1d([0, 2, 2, 1, 0, 2], 'int32'), values([3, 3], 9)],
      (x, ids, t) => [
        tf.unsortedSegmentSum(x!, ids as tf.Tensor1D, 3),
        tf.grad((u: Tensor) => tf.sum(tf.mul(tf.gather(u, ids!), x!)))(t!),
      ],
    );
  });

  it('Conv2D gradients (Conv2DBackpropFilter) — conv nets train on WASM', async () => {
    await sameOnBoth(
      () => [values([2, 6, 6, 3], 5), values([3, 3, 3, 4], 6)],
      (x, w) => {
        const g = tf.grads((a: Tensor, b: Tensor) =>
          tf.sum(tf.square(tf.conv2d(a as Tensor4D, b as Tensor4D, 1, 'same'))),
        );
        return g([x!, w!]);
      },
    );
  });

  it('depthwise conv gradients (filter and input backprops)', async () => {
    await sameOnBoth(
      () => [values([1, 5, 5, 2], 7), values([3, 3, 2, 2], 8)],
      (x, w) => {
        const g = tf.grads((a: Tensor, b: Tensor) =>
          tf.sum(tf.square(tf.depthwiseConv2d(a as Tensor4D, b as Tensor4D, [2, 2], 'valid'))),
        );
        return g([x!, w!]);
      },
    );
  });

  it('LRN and its gradient', async () => {
    await sameOnBoth(
      () => [values([1, 3, 3, 5], 9)],
      (x) => [
        tf.localResponseNormalization(x as Tensor4D, 2),
        tf.grad((a: Tensor) => tf.sum(tf.localResponseNormalization(a as Tensor4D, 2)))(x!),
      ],
    );
  });
});
