import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../setup.js';
import { useBackend } from '../../test/backends.js';

/** Naive reference: out[s, j] = Σ_{i: ids[i] = s} x[i, j], ids outside [0, n) dropped. */
function reference(x: number[], ids: number[], inner: number, numSegments: number): number[] {
  const out = new Array<number>(numSegments * inner).fill(0);
  ids.forEach((s, i) => {
    if (s < 0 || s >= numSegments) return;
    for (let j = 0; j < inner; j++) out[s * inner + j]! += x[i * inner + j]!;
  });
  return out;
}

describe('native UnsortedSegmentSum on WASM', () => {
  beforeAll(() => useBackend('wasm'));

  it('sums rows by segment, drops out-of-range ids, keeps inner shape and dtype', () => {
    const x = Array.from({ length: 7 * 2 * 3 }, (_, i) => (i % 5) - 2);
    const ids = [3, 0, -1, 3, 9, 1, 0];
    const before = tf.memory().numTensors;
    for (const dtype of ['float32', 'int32'] as const) {
      const xt = tf.tensor3d(x, [7, 2, 3], dtype);
      const it = tf.tensor1d(ids, 'int32');
      const out = tf.unsortedSegmentSum(xt, it, 4);
      expect(out.shape).toEqual([4, 2, 3]);
      expect(out.dtype).toBe(dtype);
      expect(Array.from(out.dataSync())).toEqual(reference(x, ids, 6, 4));
      tf.dispose([xt, it, out]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('accepts multi-dimensional segment ids (flattened in order)', () => {
    const x = tf.tensor3d(
      Array.from({ length: 12 }, (_, i) => i),
      [2, 3, 2],
    );
    const ids = tf.tensor2d([0, 1, 1, 2, 0, 1], [2, 3], 'int32');
    const out = tf.unsortedSegmentSum(x, ids as unknown as tf.Tensor1D, 3);
    expect(out.shape).toEqual([3, 2]);
    expect(Array.from(out.dataSync())).toEqual(
      reference(
        Array.from({ length: 12 }, (_, i) => i),
        [0, 1, 1, 2, 0, 1],
        2,
        3,
      ),
    );
    tf.dispose([x, ids, out]);
  });

  it('backs the gradient of gather at realistic sizes', () => {
    const table = tf.randomNormal([96, 36], 0, 1, 'float32', 1);
    const idx = tf.tensor1d(
      Array.from({ length: 288 }, (_, i) => (i * 7) % 96),
      'int32',
    );
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, idx)))(table);
    // Each row is gathered exactly 3 times (288 = 3·96 and i ↦ 7i mod 96 is 3-to-1), so every gradient entry is 3.
    expect(new Set(g.dataSync())).toEqual(new Set([3]));
    tf.dispose([table, idx, g]);
  });
});
