import { beforeAll, describe, expect, it } from 'vitest';
import { ShapeError } from '../errors/errors.js';
import { tf } from '../setup.js';
import { expectClose, gradCheck } from '../test/asserts.js';
import { testBackends, useBackend } from '../test/backends.js';
import { lcgValues } from '../test/lcg.js';
import { batchMatMul, matMul } from './matmul.js';

/** Naive float64 product of row-major matrices with optional transposes. */
function naive(
  a: Float32Array,
  ar: number,
  ac: number,
  tA: boolean,
  b: Float32Array,
  br: number,
  bc: number,
  tB: boolean,
) {
  const m = tA ? ac : ar;
  const k = tA ? ar : ac;
  const n = tB ? br : bc;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++)
        s += (tA ? a[p * ac + i]! : a[i * ac + p]!) * (tB ? b[j * bc + p]! : b[p * bc + j]!);
      out[i * n + j] = s;
    }
  return out;
}

describe.each(testBackends())('products on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])('matMul matches the naive product (transposeA=%s, transposeB=%s)', (tA, tB) => {
    const [m, k, n] = [7, 5, 3];
    const av = lcgValues(m * k, 1);
    const bv = lcgValues(k * n, 2);
    const aShape: [number, number] = tA ? [k, m] : [m, k];
    const bShape: [number, number] = tB ? [n, k] : [k, n];
    const before = tf.memory().numTensors;
    const a = tf.tensor2d(av, aShape);
    const b = tf.tensor2d(bv, bShape);
    const c = matMul(a, b, tA, tB);
    expect(c.shape).toEqual([m, n]);
    expectClose(c, naive(av, aShape[0], aShape[1], tA, bv, bShape[0], bShape[1], tB), {
      rtol: 1e-5,
      atol: 1e-6,
    });
    tf.dispose([a, b, c]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([
    [false, false],
    [true, true],
    [false, true],
  ])('matMul gradients match finite differences (transposeA=%s, transposeB=%s)', (tA, tB) => {
    const a = tf.tensor2d(lcgValues(12, 3), tA ? [4, 3] : [3, 4]);
    const b = tf.tensor2d(lcgValues(8, 4), tB ? [2, 4] : [4, 2]);
    const w = tf.tensor2d(lcgValues(6, 5), [3, 2]);
    const before = tf.memory().numTensors;
    gradCheck((x, y) => tf.sum(tf.mul(matMul(x!, y!, tA, tB), w)), [a, b], {
      epsilon: 1e-2,
      rtol: 2e-2,
      atol: 2e-3,
    });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b, w]);
  });

  it.each([
    ['true batch', [2, 3], [2, 3]],
    ['shared right operand', [2, 3], []],
    ['shared left operand', [], [2, 3]],
  ] as const)(
    'batchMatMul (%s) matches per-slice naive products for every transpose',
    (_label, batchA, batchB) => {
      const [m, k, n] = [4, 3, 5];
      for (const tA of [false, true]) {
        for (const tB of [false, true]) {
          const aMat: [number, number] = tA ? [k, m] : [m, k];
          const bMat: [number, number] = tB ? [n, k] : [k, n];
          const batch = batchA.length > 0 ? batchA : batchB;
          const count = batch.reduce((p, d) => p * d, 1);
          const av = lcgValues((batchA.length ? count : 1) * m * k, 7);
          const bv = lcgValues((batchB.length ? count : 1) * k * n, 8);
          const before = tf.memory().numTensors;
          const a = tf.tensor(av, [...batchA, ...aMat]);
          const b = tf.tensor(bv, [...batchB, ...bMat]);
          const c = batchMatMul(a, b, { transposeA: tA, transposeB: tB });
          expect(c.shape).toEqual([...batch, m, n]);
          const expected = new Float64Array(count * m * n);
          for (let i = 0; i < count; i++) {
            const ai = batchA.length ? av.subarray(i * m * k, (i + 1) * m * k) : av;
            const bi = batchB.length ? bv.subarray(i * k * n, (i + 1) * k * n) : bv;
            expected.set(naive(ai, aMat[0], aMat[1], tA, bi, bMat[0], bMat[1], tB), i * m * n);
          }
          expectClose(c, expected, { rtol: 1e-5, atol: 1e-6 });
          tf.dispose([a, b, c]);
          expect(tf.memory().numTensors).toBe(before);
        }
      }
    },
  );

  it('batchMatMul gradients equal tf.matMul gradients for a true batch with transposes', () => {
    const a = tf.tensor3d(lcgValues(2 * 3 * 4, 11), [2, 3, 4]);
    const b = tf.tensor3d(lcgValues(2 * 5 * 4, 12), [2, 5, 4]);
    const w = tf.tensor3d(lcgValues(2 * 3 * 5, 13), [2, 3, 5]);
    const before = tf.memory().numTensors;
    const ours = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.mul(batchMatMul(x, y, { transposeB: true }), w)),
    )([a, b]);
    // Reference gradient in closed form: dA = W·B, dB = Wᵀ·A per batch (float64).
    const av = a.dataSync();
    const bv = b.dataSync();
    const wv = w.dataSync();
    const dA = new Float64Array(24);
    const dB = new Float64Array(40);
    for (let s = 0; s < 2; s++)
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 5; j++)
          for (let p = 0; p < 4; p++) {
            dA[s * 12 + i * 4 + p] += wv[s * 15 + i * 5 + j]! * bv[s * 20 + j * 4 + p]!;
            dB[s * 20 + j * 4 + p] += wv[s * 15 + i * 5 + j]! * av[s * 12 + i * 4 + p]!;
          }
    expectClose(ours[0]!, dA, { rtol: 1e-5, atol: 1e-6 });
    expectClose(ours[1]!, dB, { rtol: 1e-5, atol: 1e-6 });
    tf.dispose(ours);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b, w]);
  });

  it('rejects mismatched shapes with ShapeError naming the argument', () => {
    const a = tf.zeros([3, 4]);
    const b = tf.zeros([5, 2]);
    const c3 = tf.zeros([2, 3, 4]);
    const d3 = tf.zeros([3, 4, 2]);
    expect(() => matMul(a, b)).toThrow(ShapeError);
    expect(() => matMul(a, b)).toThrow(/inner dimensions must agree.*\[3, 4\].*\[5, 2\]/);
    expect(() => matMul(c3, b)).toThrow(/a: expected rank 2, got rank 3/);
    expect(() => batchMatMul(c3, d3)).toThrow(/batch shapes must be equal/);
    expect(() => batchMatMul(tf.zeros([3]), a)).toThrow(/a: expected rank >= 2/);
    tf.dispose([a, b, c3, d3]);
  });
});
