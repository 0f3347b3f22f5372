import type { Tensor } from '@tensorloom/core';
import { ArgumentError, rng, ShapeError, tf } from '@tensorloom/core';
import { expectClose, expectNoLeak, gradCheck, testBackends, useBackend } from '@tensorloom/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import { softmaxAttention } from '../softmax/softmaxAttention.js';
import { higherOrderAttention, tensorAttention } from './exact.js';

/**
 * Brute-force float64 order-k attention for one batch element: enumerates every key tuple, forms the
 * score, takes max-subtracted softmax and sums Hadamard products of value rows.
 */
function naiveOrderK(
  q: number[][],
  keys: number[][][],
  values: number[][][],
  scale: number,
  keep: (i: number, tuple: number[]) => boolean = () => true,
): number[][] {
  const d = q[0]!.length;
  const dv = values[0]![0]!.length;
  const tuples: number[][] = [[]];
  for (const k of keys) {
    const nextT: number[][] = [];
    for (const tup of tuples) for (let j = 0; j < k.length; j++) nextT.push([...tup, j]);
    tuples.splice(0, tuples.length, ...nextT);
  }
  return q.map((qi, i) => {
    const s = tuples.map((tup) => {
      if (!keep(i, tup)) return Number.NEGATIVE_INFINITY;
      let dot = 0;
      for (let l = 0; l < d; l++) {
        let p = qi[l]!;
        tup.forEach((j, t) => {
          p *= keys[t]![j]![l]!;
        });
        dot += p;
      }
      return scale * dot;
    });
    const m = Math.max(...s);
    const out = new Array<number>(dv).fill(0);
    if (m === Number.NEGATIVE_INFINITY) return out;
    const e = s.map((x) => Math.exp(x - m));
    const z = e.reduce((a, c) => a + c, 0);
    tuples.forEach((tup, u) => {
      for (let c = 0; c < dv; c++) {
        let val = 1;
        tup.forEach((j, t) => {
          val *= values[t]![j]![c]!;
        });
        out[c]! += (e[u]! / z) * val;
      }
    });
    return out;
  });
}

function randMat(r: ReturnType<typeof rng>, n: number, d: number, range = 1): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: d }, () => r.uniform(-range, range)));
}

describe.each(testBackends())('exact tensor attention on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  const r = rng(11);
  const [nq, n1, n2, d, dv] = [5, 4, 6, 3, 2];
  const batches = [0, 1].map(() => ({
    q: randMat(r, nq, d, 2),
    k1: randMat(r, n1, d, 2),
    k2: randMat(r, n2, d, 2),
    v1: randMat(r, n1, dv),
    v2: randMat(r, n2, dv),
  }));
  const stack = (key: 'q' | 'k1' | 'k2' | 'v1' | 'v2'): Tensor => tf.tensor(batches.map((b) => b[key]));

  it('matches the float64 n³ brute force (batched), paper scale 1/d and 1/√d', () => {
    const [q, k1, k2, v1, v2] = (['q', 'k1', 'k2', 'v1', 'v2'] as const).map(stack) as Tensor[];
    for (const [scale, blockSize] of [
      [1 / d, undefined], // materialised (fits one block)
      [1 / Math.sqrt(d), undefined],
      [1 / d, 7], // streamed
      [1 / Math.sqrt(d), 11],
    ] as const) {
      const out = tensorAttention(q!, k1!, k2!, v1!, v2!, {
        ...(scale === 1 / d ? {} : { scale }),
        ...(blockSize ? { blockSize } : {}),
      });
      expect(out.shape).toEqual([2, nq, dv]);
      const ref = batches.map((b) => naiveOrderK(b.q, [b.k1, b.k2], [b.v1, b.v2], scale));
      expectClose(out, ref.flat(2), { rtol: 1e-4, atol: 1e-5 });
      out.dispose();
    }
    tf.dispose([q!, k1!, k2!, v1!, v2!]);
  });

  it('streaming equals the materialised form for every block size', () => {
    const [q, k1, k2, v1, v2] = (['q', 'k1', 'k2', 'v1', 'v2'] as const).map(stack) as Tensor[];
    const full = tensorAttention(q!, k1!, k2!, v1!, v2!); // materialised (all scores at once)
    for (const blockSize of [1, 5, 7, 13, 24, 50]) {
      const out = tensorAttention(q!, k1!, k2!, v1!, v2!, { blockSize });
      expectClose(out, full, { rtol: 1e-5, atol: 1e-6 });
      out.dispose();
    }
    tf.dispose([full, q!, k1!, k2!, v1!, v2!]);
  });

  it('streamed gradients equal the materialised (autodiff) gradients', () => {
    const [q, k1, k2, v1, v2] = (['q', 'k1', 'k2', 'v1', 'v2'] as const).map(stack) as Tensor[];
    const w = tf.randomNormal([2, nq, dv], 0, 1, 'float32', 3);
    const grads = (blockSize?: number) =>
      tf.grads((a, b, c, e, f) =>
        tf.sum(tf.mul(tensorAttention(a!, b!, c!, e!, f!, blockSize ? { blockSize, causal: false } : {}), w)),
      )([q!, k1!, k2!, v1!, v2!]);
    const full = grads();
    const streamed = grads(7);
    full.forEach((g, i) => {
      expectClose(streamed[i]!, g, { rtol: 1e-4, atol: 1e-5 });
    });
    tf.dispose([...full, ...streamed, q!, k1!, k2!, v1!, v2!, w]);
  });

  it('streams in O(n·d + block) memory: the high-water mark stays far below n³', () => {
    const n = 48;
    const mk = (seed: number) => tf.randomUniform([n, d], -1, 1, 'float32', seed);
    const xs = [1, 2, 3, 4, 5].map(mk);
    const base = tf.memory().numBytes;
    let peak = base;
    const blockSize = 512;
    const out = tensorAttention(xs[0]!, xs[1]!, xs[2]!, xs[3]!, xs[4]!, {
      blockSize,
      onProgress: () => {
        peak = Math.max(peak, tf.memory().numBytes);
      },
    });
    const used = peak - base;
    expect(used).toBeGreaterThan(0);
    expect(used).toBeLessThan(4 * (16 * blockSize + 16 * n * d)); // a few tiles + O(n·d) state
    expect(used).toBeLessThan((4 * n ** 3) / 10); // never the n × n² score matrix
    tf.dispose([...xs, out]);
  });

  it('applies factorised masks and causal masking like the brute force; fully masked rows give 0', () => {
    const b = batches[0]!;
    const m1 = b.q.map((_, i) => b.k1.map((__, j) => ((i + j) % 3 === 0 ? 0 : 1)));
    m1[0] = m1[0]!.map(() => 0); // query 0 sees nothing
    const m2 = b.q.map((_, i) => b.k2.map((__, j) => (j === i ? 0 : 1)));
    const [q, k1, k2, v1, v2] = [b.q, b.k1, b.k2, b.v1, b.v2].map((x) => tf.tensor2d(x));
    const mk1 = tf.tensor2d(m1);
    const mk2 = tf.tensor2d(m2);
    const out = tensorAttention(q!, k1!, k2!, v1!, v2!, { mask: { k1: mk1, k2: mk2 }, blockSize: 7 });
    const ref = naiveOrderK(
      b.q,
      [b.k1, b.k2],
      [b.v1, b.v2],
      1 / d,
      (i, [j1, j2]) => m1[i]![j1!]! * m2[i]![j2!]! > 0,
    );
    expectClose(out, ref.flat(), { rtol: 1e-4, atol: 1e-5 });
    expect(Array.from(out.dataSync().slice(0, dv))).toEqual([0, 0]);
    // causal (square case)
    const kc = tf.tensor2d(b.k2.slice(0, nq));
    const vc = tf.tensor2d(b.v2.slice(0, nq));
    const q5 = tf.tensor2d(b.q);
    const causal = tensorAttention(q5, kc, kc, vc, vc, { causal: true, blockSize: 6 });
    const causalM = tensorAttention(q5, kc, kc, vc, vc, { causal: true });
    const maskedM = tensorAttention(q!, k1!, k2!, v1!, v2!, { mask: { k1: mk1, k2: mk2 } });
    const refC = naiveOrderK(
      b.q,
      [b.k2.slice(0, nq), b.k2.slice(0, nq)],
      [b.v2.slice(0, nq), b.v2.slice(0, nq)],
      1 / d,
      (i, tup) => tup.every((j) => j <= i),
    );
    expectClose(causal, refC.flat(), { rtol: 1e-4, atol: 1e-5 });
    expectClose(causalM, refC.flat(), { rtol: 1e-4, atol: 1e-5 });
    expectClose(maskedM, ref.flat(), { rtol: 1e-4, atol: 1e-5 });
    tf.dispose([q!, k1!, k2!, v1!, v2!, mk1, mk2, out, kc, vc, q5, causal, causalM, maskedM]);
  });

  it('reduces to softmax attention: one key, or a constant second key/value', () => {
    const b = batches[1]!;
    const [q, k1, v1] = [b.q, b.k1, b.v1].map((x) => tf.tensor2d(x));
    const soft = softmaxAttention(q!, k1!, v1!, { scale: 1 / d });
    const order1 = higherOrderAttention(q!, [k1!], [v1!]);
    expectClose(order1, soft, { rtol: 1e-5, atol: 1e-6 });
    const ones = tf.ones([n2, d]);
    const onesV = tf.ones([n2, dv]);
    const pair = tensorAttention(q!, k1!, ones, v1!, onesV);
    expectClose(pair, soft, { rtol: 1e-5, atol: 1e-6 });
    tf.dispose([q!, k1!, v1!, soft, order1, ones, onesV, pair]);
  });

  it('order 3 (four-way scores) matches the brute force', () => {
    const [a, b, c] = [randMat(r, 3, d, 1.5), randMat(r, 4, d, 1.5), randMat(r, 2, d, 1.5)];
    const [va, vb, vc] = [randMat(r, 3, dv), randMat(r, 4, dv), randMat(r, 2, dv)];
    const qq = randMat(r, 4, d, 1.5);
    const qt = tf.tensor2d(qq);
    const ks = [a, b, c].map((x) => tf.tensor2d(x));
    const vs = [va, vb, vc].map((x) => tf.tensor2d(x));
    const ref = naiveOrderK(qq, [a, b, c], [va, vb, vc], 1 / d).flat();
    for (const blockSize of [5, undefined]) {
      // streamed (several tiles) and materialised
      const out = higherOrderAttention(qt, ks, vs, blockSize ? { blockSize } : {});
      expectClose(out, ref, { rtol: 1e-4, atol: 1e-5 });
      out.dispose();
    }
    tf.dispose([qt, ...ks, ...vs]);
  });

  it('has finite-difference gradients in all five inputs (several tiles, with a mask)', () => {
    const b = batches[0]!;
    const xs = [b.q.slice(0, 3), b.k1.slice(0, 3), b.k2.slice(0, 4), b.v1.slice(0, 3), b.v2.slice(0, 4)].map(
      (x) => tf.tensor2d(x),
    );
    const mk2 = tf.tensor2d([
      [1, 0, 1, 1],
      [1, 1, 1, 0],
      [0, 1, 1, 1],
    ]);
    const w = tf.tensor2d([
      [0.3, -1.2],
      [0.8, 0.5],
      [-0.4, 1.1],
    ]);
    for (const blockSize of [5, undefined]) {
      gradCheck(
        (q, k1, k2, v1, v2) =>
          tf.sum(
            tf.mul(
              tensorAttention(q!, k1!, k2!, v1!, v2!, {
                mask: { k2: mk2 },
                ...(blockSize ? { blockSize } : {}),
              }),
              w,
            ),
          ),
        xs,
      );
    }
    tf.dispose([...xs, mk2, w]);
  });

  it('has finite-difference gradients for order 3 and batched inputs', () => {
    const keys = [randMat(r, 2, d), randMat(r, 3, d), randMat(r, 2, d)].map((x) =>
      tf.tensor3d([x, x.map((row) => row.map((v) => -v))]),
    );
    const values = [randMat(r, 2, dv), randMat(r, 3, dv), randMat(r, 2, dv)].map((x) => tf.tensor3d([x, x]));
    const q = tf.tensor3d([randMat(r, 2, d, 2), randMat(r, 2, d, 2)]);
    const w = tf.tensor3d([
      [
        [1, -0.5],
        [0.2, 0.7],
      ],
      [
        [-0.3, 0.9],
        [0.6, 0.1],
      ],
    ]);
    gradCheck(
      (qq, a, b2, c, va, vb, vc) =>
        tf.sum(tf.mul(higherOrderAttention(qq!, [a!, b2!, c!], [va!, vb!, vc!], { blockSize: 3 }), w)),
      [q, ...keys, ...values],
    );
    tf.dispose([q, ...keys, ...values, w]);
  });

  it('leaks no tensors, forward or backward', async () => {
    const [q, k1, k2, v1, v2] = (['q', 'k1', 'k2', 'v1', 'v2'] as const).map(stack) as Tensor[];
    await expectNoLeak(() => tensorAttention(q!, k1!, k2!, v1!, v2!, { blockSize: 9, causal: false }));
    await expectNoLeak(() => tf.grads((a, b) => tf.sum(tensorAttention(a!, b!, k2!, v1!, v2!)))([q!, k1!]));
    const mask = tf.ones([nq, n2]);
    await expectNoLeak(() =>
      tf.grads((a, b, c, e, f) =>
        tf.sum(tensorAttention(a!, b!, c!, e!, f!, { blockSize: 9, mask: { k2: mask } })),
      )([q!, k1!, k2!, v1!, v2!]),
    );
    tf.dispose([q!, k1!, k2!, v1!, v2!, mask]);
  });

  it('reports progress and honours an abort signal', () => {
    const q = tf.ones([4, 2]);
    const events: number[] = [];
    const out = tensorAttention(q, q, q, q, q, { blockSize: 4, onProgress: (e) => events.push(e.step) });
    expect(events).toEqual(Array.from({ length: 16 }, (_, i) => i + 1)); // tiles of 1 query × 1 key1 row × 4 key2 rows
    const ctrl = new AbortController();
    ctrl.abort(new Error('stop'));
    expect(() => tensorAttention(q, q, q, q, q, { signal: ctrl.signal })).toThrow('stop');
    tf.dispose([q, out]);
  });

  it('rejects bad input with typed errors', () => {
    const q = tf.zeros([2, 4, 3]);
    const k = tf.zeros([2, 5, 3]);
    const v = tf.zeros([2, 5, 2]);
    expect(() => tensorAttention(q, k, tf.zeros([2, 5, 4]), v, v)).toThrow(
      /keys\[1\]: expected feature size 3/,
    );
    expect(() => tensorAttention(q, k, k, v, tf.zeros([2, 5, 3]))).toThrow(
      /values\[1\]: expected shape \[2, 5, 2\]/,
    );
    expect(() => tensorAttention(q, tf.zeros([1, 5, 3]), k, v, v)).toThrow(ShapeError);
    expect(() => tensorAttention(tf.zeros([2, 0, 3]), k, k, v, v)).toThrow(/q: expected at least one token/);
    expect(() => tensorAttention(q, tf.zeros([2, 0, 3]), k, v, v)).toThrow(
      /keys\[0\]: expected at least one token/,
    );
    expect(() => tensorAttention(q, k, k, v, v, { scale: 0 })).toThrow(ArgumentError);
    expect(() => tensorAttention(q, k, k, v, v, { blockSize: 0 })).toThrow(/blockSize/);
    expect(() => tensorAttention(q, k, k, v, v, { causal: true })).toThrow(
      /causal: expected every key to have 4/,
    );
    expect(() => tensorAttention(q, k, k, v, v, { mask: { k1: tf.ones([4, 4]) } })).toThrow(/masks\[0\]/);
    expect(() => higherOrderAttention(q, [], [])).toThrow(/keys: expected a non-empty array/);
    expect(() => higherOrderAttention(q, [k, k], [v])).toThrow(/values: expected 2 tensors/);
    expect(() => tensorAttention(q, k, k, v, v, { mask: { k1: 'x' as never } })).toThrow(
      /masks\[0\]: expected a tensor, got string/,
    );
    expect(() => tensorAttention(q, k, k, 'v' as never, v)).toThrow(/values\[0\]: expected a tensor/);
    tf.dispose([q, k, v]);
  });
});
