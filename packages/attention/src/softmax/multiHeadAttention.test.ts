import { ArgumentError, rng, ShapeError, tf } from '@tensorloom/core';
import { expectClose, expectNoLeak, gradCheck, testBackends, useBackend } from '@tensorloom/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import { MultiHeadAttention, multiHeadAttention, poolTokens } from './multiHeadAttention.js';

type M = number[][];
const mm = (a: M, b: M): M => a.map((r) => b[0]!.map((_, j) => r.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
const addB = (a: M, b: number[]): M => a.map((r) => r.map((v, j) => v + b[j]!));

/** Float64 multi-head attention for one sequence, with 1-D token pooling for keys/values. */
function naiveMha(x: M, w: Record<string, M>, bias: Record<string, number[]>, heads: number, r: number): M {
  const c = x[0]!.length;
  const dh = c / heads;
  const m = Math.floor(x.length / r);
  const pooled: M = Array.from({ length: m }, (_, i) =>
    Array.from({ length: c }, (_, j) => x.slice(i * r, i * r + r).reduce((s, row) => s + row[j]!, 0) / r),
  );
  const q = addB(mm(x, w.wq!), bias.bq!);
  const k = addB(mm(pooled, w.wk!), bias.bk!);
  const v = addB(mm(pooled, w.wv!), bias.bv!);
  const merged: M = x.map(() => new Array<number>(c).fill(0));
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < x.length; i++) {
      const s = k.map((kj) => {
        let dot = 0;
        for (let l = h * dh; l < (h + 1) * dh; l++) dot += q[i]![l]! * kj[l]!;
        return dot / Math.sqrt(dh);
      });
      const mx = Math.max(...s);
      const e = s.map((z) => Math.exp(z - mx));
      const zsum = e.reduce((a, b) => a + b, 0);
      for (let l = h * dh; l < (h + 1) * dh; l++) {
        merged[i]![l] = e.reduce((acc, ej, j) => acc + (ej / zsum) * v[j]![l]!, 0);
      }
    }
  }
  return addB(mm(merged, w.wo!), bias.bo!);
}

describe.each(testBackends())('multiHeadAttention on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  const r = rng(3);
  const [b, n, c, heads] = [2, 7, 6, 3];
  const rand = (rows: number, cols: number): M =>
    Array.from({ length: rows }, () => Array.from({ length: cols }, () => r.normal() * 0.5));
  const xs = [rand(n, c), rand(n, c)];
  const w = { wq: rand(c, c), wk: rand(c, c), wv: rand(c, c), wo: rand(c, c) };
  const bias = { bq: rand(1, c)[0]!, bk: rand(1, c)[0]!, bv: rand(1, c)[0]!, bo: rand(1, c)[0]! };

  it('matches a float64 reference, with and without key/value token reduction (remainder dropped)', () => {
    const x = tf.tensor3d(xs);
    const weights = {
      ...Object.fromEntries(Object.entries(w).map(([k, v]) => [k, tf.tensor2d(v)])),
      ...Object.fromEntries(Object.entries(bias).map(([k, v]) => [k, tf.tensor1d(v)])),
    } as never;
    for (const red of [1, 2, 3]) {
      const out = multiHeadAttention(x, weights, { heads, kvReduction: red });
      expect(out.shape).toEqual([b, n, c]);
      expectClose(
        out,
        xs.flatMap((xi) => naiveMha(xi, w, bias, heads, red)),
        { rtol: 1e-4, atol: 1e-5 },
      );
      out.dispose();
    }
    tf.dispose([x, ...Object.values(weights as Record<string, tf.Tensor>)]);
  });

  it('poolTokens averages consecutive tokens and applies kvNorm to the pooled context', () => {
    const x = tf.tensor3d([[[1], [3], [5], [7], [9]]]);
    const p = poolTokens(x, 2);
    expectClose(p, [2, 6]);
    let seen: number[] = [];
    const layer = new MultiHeadAttention({
      dim: 1,
      heads: 1,
      seed: 1,
      kvReduction: 2,
      kvNorm: (t) => {
        seen = t.shape;
        return t;
      },
    });
    tf.dispose(layer.apply(x));
    expect(seen).toEqual([1, 2, 1]);
    expect(() => poolTokens(x, 6)).toThrow(/kvReduction: expected at most 5/);
    tf.dispose([x, p]);
    layer.dispose();
  });

  it('layer: trainable variables, gradients (finite differences) and no leaks', async () => {
    const layer = new MultiHeadAttention({ dim: c, heads, seed: 4, initStd: 0.3 });
    expect(layer.trainableVariables).toHaveLength(8);
    const x = tf.tensor3d(xs);
    const mask = tf.linalg.bandPart(tf.ones([n, n]), -1, 0);
    await expectNoLeak(() => layer.apply(x, undefined, mask));
    gradCheck((xx) => tf.sum(tf.square(layer.apply(xx!, undefined, mask))), [x], { maxCoordinates: 12 });
    const g = tf.grads((wq) => tf.sum(multiHeadAttention(x, { ...layer.weights, wq: wq! }, { heads })))([
      layer.weights.wq,
    ]);
    expect(Number.isFinite(g[0]!.dataSync()[0]!)).toBe(true);
    tf.dispose([x, mask, ...g]);
    layer.dispose();
  });

  it('rejects bad input with typed errors', () => {
    const x = tf.zeros([1, 4, 6]);
    const layer = new MultiHeadAttention({ dim: 6, heads: 2, seed: 0 });
    expect(() => new MultiHeadAttention({ dim: 6, heads: 4, seed: 0 })).toThrow(
      /heads: expected a divisor of dim 6/,
    );
    expect(() => multiHeadAttention(x, layer.weights, { heads: 5 })).toThrow(ArgumentError);
    expect(() => multiHeadAttention(tf.zeros([4, 6]), layer.weights, { heads: 2 })).toThrow(
      /x: expected rank 3/,
    );
    expect(() => multiHeadAttention(x, { ...layer.weights, wk: tf.zeros([6, 5]) }, { heads: 2 })).toThrow(
      /weights.wk: expected shape \[6, 6\]/,
    );
    expect(() => multiHeadAttention(x, layer.weights, { heads: 2, kvReduction: 0 })).toThrow(/kvReduction/);
    expect(() => layer.apply(x, tf.zeros([1, 3, 5]))).toThrow(ShapeError);
    expect(() => multiHeadAttention(x, { ...layer.weights, bq: 'b' as never }, { heads: 2 })).toThrow(
      /weights.bq: expected a tensor of shape \[6\], got string/,
    );
    expect(() => multiHeadAttention(x, { ...layer.weights, bq: tf.zeros([5]) }, { heads: 2 })).toThrow(
      /weights.bq: expected shape \[6\], got \[5\]/,
    );
    expect(() => multiHeadAttention(x, layer.weights, { heads: 2, scale: -1 })).toThrow(/scale/);
    expect(() => new MultiHeadAttention({ dim: 6, heads: 2, seed: 0.5 })).toThrow(/seed/);
    expect(() => new MultiHeadAttention({ dim: 6, heads: 2, seed: 0, initStd: 0 })).toThrow(
      /initStd: expected a positive finite number, got 0/,
    );
    layer.dispose();
  });
});
