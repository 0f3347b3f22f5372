import { ArgumentError, rng, ShapeError, tf } from '@tensorloom/core';
import { expectClose, expectNoLeak, gradCheck, testBackends, useBackend } from '@tensorloom/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import { softmaxAttention } from './softmaxAttention.js';

/** Naive float64 attention on flat row-major arrays: out[b,i,:] = Σ_j softmax_j(scale·q·k)·v[b,j,:]. */
function naive(
  q: Float64Array,
  k: Float64Array,
  v: Float64Array,
  bsz: number,
  nq: number,
  nk: number,
  d: number,
  dv: number,
  scale: number,
  keep?: (b: number, i: number, j: number) => boolean,
): Float64Array {
  const out = new Float64Array(bsz * nq * dv);
  for (let b = 0; b < bsz; b++) {
    for (let i = 0; i < nq; i++) {
      const s: number[] = [];
      for (let j = 0; j < nk; j++) {
        let dot = 0;
        for (let l = 0; l < d; l++) dot += q[(b * nq + i) * d + l]! * k[(b * nk + j) * d + l]!;
        s.push(keep && !keep(b, i, j) ? Number.NEGATIVE_INFINITY : dot * scale);
      }
      const m = Math.max(...s);
      if (m === Number.NEGATIVE_INFINITY) continue;
      const e = s.map((x) => Math.exp(x - m));
      const z = e.reduce((a, c) => a + c, 0);
      for (let j = 0; j < nk; j++)
        for (let c = 0; c < dv; c++) out[(b * nq + i) * dv + c]! += (e[j]! / z) * v[(b * nk + j) * dv + c]!;
    }
  }
  return out;
}

describe.each(testBackends())('softmaxAttention on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  const r = rng(7);
  const [bsz, nq, nk, d, dv] = [6, 5, 7, 4, 3];
  const qa = Float64Array.from(r.normalArray(bsz * nq * d));
  const ka = Float64Array.from(r.normalArray(bsz * nk * d));
  const va = Float64Array.from(r.normalArray(bsz * nk * dv));
  const t = (a: Float64Array, shape: number[]) => tf.tensor(Float32Array.from(a), shape);

  it('matches a float64 reference, batched over [2, 3] leading axes, default and explicit scale', () => {
    const q = t(qa, [2, 3, nq, d]);
    const k = t(ka, [2, 3, nk, d]);
    const v = t(va, [2, 3, nk, dv]);
    const out = softmaxAttention(q, k, v);
    expect(out.shape).toEqual([2, 3, nq, dv]);
    expectClose(out, naive(qa, ka, va, bsz, nq, nk, d, dv, 1 / Math.sqrt(d)), { rtol: 1e-4, atol: 1e-5 });
    const out2 = softmaxAttention(q, k, v, { scale: 0.9 });
    expectClose(out2, naive(qa, ka, va, bsz, nq, nk, d, dv, 0.9), { rtol: 1e-4, atol: 1e-5 });
    tf.dispose([q, k, v, out, out2]);
  });

  it('applies a broadcast keep-mask; a fully masked query outputs zeros', () => {
    const keep = (_b: number, i: number, j: number) => i > 0 && j <= i + 1;
    const mask = tf.tensor2d(
      Array.from({ length: nq }, (_, i) => Array.from({ length: nk }, (_, j) => (keep(0, i, j) ? 1 : 0))),
    );
    const q = t(qa, [bsz, nq, d]);
    const k = t(ka, [bsz, nk, d]);
    const v = t(va, [bsz, nk, dv]);
    const out = softmaxAttention(q, k, v, { mask });
    expectClose(out, naive(qa, ka, va, bsz, nq, nk, d, dv, 1 / Math.sqrt(d), keep), {
      rtol: 1e-4,
      atol: 1e-5,
    });
    const row0 = tf.slice(out, [0, 0, 0], [bsz, 1, dv]);
    expect(Array.from(row0.dataSync()).every((x) => x === 0)).toBe(true);
    tf.dispose([q, k, v, out, mask, row0]);
  });

  it('stays finite and picks the argmax key for huge scores (max subtraction)', () => {
    const q = tf.tensor3d([[[100, 0]]]);
    const k = tf.tensor3d([
      [
        [1, 0],
        [0.9, 0],
        [-1, 0],
      ],
    ]);
    const v = tf.tensor3d([[[1], [2], [3]]]);
    const out = softmaxAttention(q, k, v, { scale: 10 }); // scores 1000, 900, −1000
    expectClose(out, [1], { rtol: 1e-6 });
    tf.dispose([q, k, v, out]);
  });

  it('has finite-difference gradients in q, k and v (with a mask)', () => {
    const q = t(qa.subarray(0, 2 * 3 * d), [2, 3, d]);
    const k = t(ka.subarray(0, 2 * 4 * d), [2, 4, d]);
    const v = t(va.subarray(0, 2 * 4 * dv), [2, 4, dv]);
    const mask = tf.tensor2d([
      [1, 1, 0, 1],
      [1, 0, 1, 1],
      [1, 1, 1, 1],
    ]);
    const w = tf.tensor(
      Array.from({ length: 2 * 3 * dv }, (_, i) => Math.sin(i + 1)),
      [2, 3, dv],
    );
    gradCheck((a, b, c) => tf.sum(tf.mul(softmaxAttention(a!, b!, c!, { mask }), w)), [q, k, v]);
    tf.dispose([q, k, v, mask, w]);
  });

  it('leaks no tensors (forward and gradient)', async () => {
    const q = t(qa, [bsz, nq, d]);
    const k = t(ka, [bsz, nk, d]);
    const v = t(va, [bsz, nk, dv]);
    await expectNoLeak(() => softmaxAttention(q, k, v));
    await expectNoLeak(() => tf.grads((a, b, c) => tf.sum(softmaxAttention(a!, b!, c!)))([q, k, v]));
    tf.dispose([q, k, v]);
  });

  it('rejects bad input with typed errors naming the argument', () => {
    const q = tf.zeros([2, 3, 4]);
    const k = tf.zeros([2, 5, 4]);
    const v = tf.zeros([2, 5, 2]);
    expect(() => softmaxAttention(q, tf.zeros([2, 5, 3]), v)).toThrow(ShapeError);
    expect(() => softmaxAttention(q, tf.zeros([2, 5, 3]), v)).toThrow(/k: expected feature size 4/);
    expect(() => softmaxAttention(q, k, tf.zeros([2, 6, 2]))).toThrow(/v: expected 5 tokens/);
    expect(() => softmaxAttention(q, tf.zeros([3, 5, 4]), v)).toThrow(
      /k: expected leading \(batch\) shape \[2\]/,
    );
    expect(() => softmaxAttention(tf.zeros([2, 0, 4]), k, v)).toThrow(/q: expected at least one token/);
    expect(() => softmaxAttention(tf.zeros([4]), k, v)).toThrow(/q: expected rank >= 2/);
    expect(() => softmaxAttention(q, k, v, { scale: -1 })).toThrow(ArgumentError);
    expect(() => softmaxAttention(q, k, v, { mask: tf.ones([4, 5]) })).toThrow(
      /mask: expected a shape broadcastable/,
    );
    expect(() => softmaxAttention(q, k, v, { mask: tf.ones([2, 1, 5]) })).not.toThrow();
  });
});
