import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../setup.js';
import { expectClose, expectNoLeak } from '../test/asserts.js';
import { useBackend } from '../test/backends.js';
import { lcgValues } from '../test/lcg.js';
import { canUseHeapBatch, heapBatchedProducts } from './heapBatch.js';

/** Float64 reference: c[i] = a[i]·b[i] for row-major [size, m, k] × [size, k, n]. */
function naiveBatch(a: Float32Array, b: Float32Array, size: number, m: number, k: number, n: number) {
  const out = new Float64Array(size * m * n);
  for (let s = 0; s < size; s++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let p = 0; p < k; p++) acc += a[s * m * k + i * k + p]! * b[s * k * n + p * n + j]!;
        out[s * m * n + i * n + j] = acc;
      }
  return out;
}

describe('heapBatchedProducts (WASM heap views)', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('is available on the WASM backend', () => {
    expect(canUseHeapBatch()).toBe(true);
  });

  it.each([
    [1, 1, 1, 1],
    [3, 5, 7, 2],
    [8, 49, 32, 49],
    [5, 1, 64, 1],
    [2, 33, 1, 17],
  ])('equals per-slice float64 products for size %i, m %i, k %i, n %i', (size, m, k, n) => {
    const av = lcgValues(size * m * k, 11 + size);
    const bv = lcgValues(size * k * n, 23 + m);
    const a = tf.tensor3d(av, [size, m, k]);
    const b = tf.tensor3d(bv, [size, k, n]);
    const c = heapBatchedProducts(a, b);
    expect(c).not.toBeNull();
    expect(c!.shape).toEqual([size, m, n]);
    expectClose(c!.dataSync(), naiveBatch(av, bv, size, m, k, n), { atol: 1e-5, rtol: 1e-5 });
    tf.dispose([a, b, c!]);
  });

  it('reads each call’s own right operand (no stale XNNPACK weights cached across calls)', () => {
    const a = tf.tensor3d(lcgValues(4 * 6 * 5, 1), [4, 6, 5]);
    const b1 = tf.tensor3d(lcgValues(4 * 5 * 3, 2), [4, 5, 3]);
    const b2 = tf.tensor3d(lcgValues(4 * 5 * 3, 3), [4, 5, 3]);
    const c1 = heapBatchedProducts(a, b1)!;
    const c2 = heapBatchedProducts(a, b2)!;
    const c1again = heapBatchedProducts(a, b1)!;
    expectClose(
      c2.dataSync(),
      naiveBatch(a.dataSync() as Float32Array, b2.dataSync() as Float32Array, 4, 6, 5, 3),
      {
        atol: 1e-5,
      },
    );
    expect(Array.from(c1again.dataSync())).toEqual(Array.from(c1.dataSync()));
    tf.dispose([a, b1, b2, c1, c2, c1again]);
  });

  it('handles a zero inner dimension and leaves no tensors behind', async () => {
    const a = tf.zeros([2, 3, 0]) as tf.Tensor3D;
    const b = tf.zeros([2, 0, 4]) as tf.Tensor3D;
    const c = heapBatchedProducts(a, b)!;
    expect(Array.from(c.dataSync())).toEqual(new Array(24).fill(0));
    tf.dispose([a, b, c]);
    const x = tf.tensor3d(lcgValues(60, 5), [3, 4, 5]);
    const y = tf.tensor3d(lcgValues(45, 6), [3, 5, 3]);
    await expectNoLeak(() => {
      tf.dispose(heapBatchedProducts(x, y)!);
    });
    tf.dispose([x, y]);
  });

  it('returns null off WASM', async () => {
    await useBackend('cpu');
    const a = tf.zeros([2, 2, 2]) as tf.Tensor3D;
    expect(heapBatchedProducts(a, a)).toBeNull();
    a.dispose();
    await useBackend('wasm');
  });
});
