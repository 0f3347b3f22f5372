import type { Tensor } from '@tensorloom/core';
import { ArgumentError, NumericalError, rng, ShapeError, tf } from '@tensorloom/core';
import { expectClose, expectNoLeak, gradCheck, testBackends, useBackend } from '@tensorloom/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import { softmaxAttention } from '../softmax/softmaxAttention.js';
import { higherOrderAttentionApprox, tensorAttentionApprox } from './approx.js';
import { tensorAttention } from './exact.js';
import { binomial, monomialBasis, monomialFeatures } from './features.js';

/** Brute-force float64 order-k attention (one batch element), optional keep predicate. */
function naive(
  q: number[][],
  keys: number[][][],
  values: number[][][],
  scale: number,
  keep: (i: number, tuple: number[]) => boolean = () => true,
): number[][] {
  let tuples: number[][] = [[]];
  for (const k of keys) tuples = tuples.flatMap((tup) => k.map((_, j) => [...tup, j]));
  const dv = values[0]![0]!.length;
  return q.map((qi, i) => {
    const s = tuples.map((tup) =>
      keep(i, tup)
        ? scale * qi.reduce((acc, ql, l) => acc + tup.reduce((p, j, t) => p * keys[t]![j]![l]!, ql), 0)
        : Number.NEGATIVE_INFINITY,
    );
    const m = Math.max(...s);
    const out = new Array<number>(dv).fill(0);
    if (m === Number.NEGATIVE_INFINITY) return out;
    const e = s.map((x) => Math.exp(x - m));
    const z = e.reduce((a, c) => a + c, 0);
    tuples.forEach((tup, u) => {
      for (let c = 0; c < dv; c++)
        out[c]! += (e[u]! / z) * tup.reduce((p, j, t) => p * values[t]![j]![c]!, 1);
    });
    return out;
  });
}

function maxAbsDiff(a: ArrayLike<number>, b: number[]): number {
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const rand = (r: ReturnType<typeof rng>, n: number, d: number, range = 1): number[][] =>
  Array.from({ length: n }, () => Array.from({ length: d }, () => r.uniform(-range, range)));

describe('symmetric monomial features', () => {
  it('have rank C(d+g, g) and reproduce (scale·⟨q, a∘b⟩)^t through the weighted inner product', async () => {
    await import('@tensorloom/core').then((c) => c.ready({ backend: 'wasm' }));
    // C(d+g, g): C(4,3) = 4, C(7,4) = 35, C(12,8) = 495
    for (const [d, g, rank] of [
      [1, 3, 4],
      [3, 4, 35],
      [4, 8, 495],
    ] as const) {
      expect(monomialBasis(d, g).rank).toBe(rank);
      expect(binomial(d + g, g)).toBe(rank);
    }
    // every monomial is distinct and of the stated degree (exponent vectors via the parent chain)
    const mb = monomialBasis(3, 4);
    const exps: number[][] = [[0, 0, 0]];
    let prevLevel: number[][] = [[0, 0, 0]];
    for (const { parent, variable } of mb.levels) {
      const level = Array.from(parent, (p, i) => {
        const e = prevLevel[p]!.slice();
        e[variable[i]!]! += 1;
        return e;
      });
      exps.push(...level);
      prevLevel = level;
    }
    expect(new Set(exps.map((e) => e.join(','))).size).toBe(35);
    exps.forEach((e, i) => {
      expect(e.reduce((a, c) => a + c, 0)).toBe(mb.degrees[i]);
      // multinomial |α|!/Π α_l!
      const f = (m: number): number => (m <= 1 ? 1 : m * f(m - 1));
      expect(mb.multinomials[i]).toBe(f(mb.degrees[i]!) / e.reduce((a, c) => a * f(c), 1));
    });
    expect(() => binomial(3, 4)).toThrow(/k: expected a value <= 3/);
    const x5 = tf.zeros([2, 5]);
    expect(() => monomialFeatures(x5, mb)).toThrow(/x: expected shape \[N, 3\]/);
    expect(() => monomialFeatures('x' as never, mb)).toThrow(/x: expected a tensor/);
    x5.dispose();
    const r = rng(3);
    const d = 3;
    const g = 5;
    const basis = monomialBasis(d, g);
    const [q, a, b] = [rand(r, 1, d)[0]!, rand(r, 1, d)[0]!, rand(r, 1, d)[0]!];
    const [fq, fa, fb] = [q, a, b].map((x) => monomialFeatures(tf.tensor2d([x]), basis).dataSync());
    const s = 0.7 * q.reduce((acc, ql, l) => acc + ql * a[l]! * b[l]!, 0);
    for (let t = 0; t <= g; t++) {
      let sum = 0;
      for (let i = 0; i < basis.rank; i++) {
        if (basis.degrees[i] !== t) continue;
        sum += 0.7 ** t * basis.multinomials[i]! * fq![i]! * fa![i]! * fb![i]!;
      }
      expect(sum).toBeCloseTo(s ** t, 5);
    }
  });
});

describe.each(testBackends())('tensorAttentionApprox on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  const r = rng(5);
  const [n, d, dv] = [9, 3, 2];
  const data = [0, 1].map(() => ({
    q: rand(r, n, d),
    k1: rand(r, n, d),
    k2: rand(r, n, d),
    v1: rand(r, n, dv),
    v2: rand(r, n, dv),
  }));
  const ref = data.map((b) => naive(b.q, [b.k1, b.k2], [b.v1, b.v2], 1 / d)).flat(2);
  const tensors = (): Tensor[] =>
    (['q', 'k1', 'k2', 'v1', 'v2'] as const).map((key) => tf.tensor(data.map((b) => b[key])));

  it('measured ℓ∞ error is within the reported bound for degrees 1–8 and shrinks with degree', () => {
    const [q, k1, k2, v1, v2] = tensors();
    const errors: number[] = [];
    const bounds: number[] = [];
    for (let g = 1; g <= 8; g++) {
      const res = tensorAttentionApprox(q!, k1!, k2!, v1!, v2!, { degree: g, bound: 1 });
      expect(res.rank).toBe(binomial(d + g, g));
      const err = maxAbsDiff(res.output.dataSync(), ref);
      // Exact-arithmetic guarantee plus float32 rounding (documented as ≈1e-6·‖V‖∞).
      expect(err).toBeLessThanOrEqual(res.bound + 2e-6 * res.valueBound);
      errors.push(err);
      bounds.push(res.bound);
      res.output.dispose();
    }
    for (let g = 1; g < 8; g++) expect(bounds[g]!).toBeLessThan(bounds[g - 1]!);
    expect(errors[7]!).toBeLessThan(errors[3]!);
    expect(errors[3]!).toBeLessThan(errors[1]!);
    expect(errors[1]!).toBeLessThan(errors[0]!);
    expect(errors[5]!).toBeLessThan(1e-5);
    tf.dispose([q!, k1!, k2!, v1!, v2!]);
  });

  it('Taylor and Chebyshev both hold their bounds; epsilon picks the smallest certifying degree', () => {
    const [q, k1, k2, v1, v2] = tensors();
    for (const polynomial of ['taylor', 'chebyshev'] as const) {
      const res = tensorAttentionApprox(q!, k1!, k2!, v1!, v2!, { degree: 4, polynomial });
      expect(res.polynomial).toBe(polynomial);
      expect(maxAbsDiff(res.output.dataSync(), ref)).toBeLessThanOrEqual(res.bound + 2e-6);
      res.output.dispose();
    }
    const eps = 1e-3;
    const res = tensorAttentionApprox(q!, k1!, k2!, v1!, v2!, { epsilon: eps });
    expect(res.bound).toBeLessThanOrEqual(eps);
    expect(maxAbsDiff(res.output.dataSync(), ref)).toBeLessThanOrEqual(eps);
    const lower = tensorAttentionApprox(q!, k1!, k2!, v1!, v2!, { degree: res.degree - 1 });
    expect(lower.bound).toBeGreaterThan(eps);
    tf.dispose([q!, k1!, k2!, v1!, v2!, res.output, lower.output]);
  });

  it('agrees with the exact streamed form within its bound', () => {
    const [q, k1, k2, v1, v2] = tensors();
    const exact = tensorAttention(q!, k1!, k2!, v1!, v2!);
    const res = tensorAttentionApprox(q!, k1!, k2!, v1!, v2!, { degree: 5 });
    expectClose(res.output, exact, { rtol: 0, atol: res.bound + 2e-6 });
    tf.dispose([q!, k1!, k2!, v1!, v2!, exact, res.output]);
  });

  it('key padding masks and causal masking match the masked brute force', () => {
    const b = data[0]!;
    const [q, k1, k2, v1, v2] = [b.q, b.k1, b.k2, b.v1, b.v2].map((x) => tf.tensor2d(x));
    const m1 = Array.from({ length: n }, (_, j) => (j % 3 === 1 ? 0 : 1));
    const m2 = Array.from({ length: n }, (_, j) => (j > 6 ? 0 : 1));
    const mk1 = tf.tensor1d(m1);
    const mk2 = tf.tensor1d(m2);
    const masked = tensorAttentionApprox(q!, k1!, k2!, v1!, v2!, { degree: 6, mask: { k1: mk1, k2: mk2 } });
    const refM = naive(
      b.q,
      [b.k1, b.k2],
      [b.v1, b.v2],
      1 / d,
      (_i, [j1, j2]) => m1[j1!]! * m2[j2!]! > 0,
    ).flat();
    expect(maxAbsDiff(masked.output.dataSync(), refM)).toBeLessThanOrEqual(masked.bound + 2e-6);
    const causal = tensorAttentionApprox(q!, k1!, k2!, v1!, v2!, { degree: 6, causal: true });
    const refC = naive(b.q, [b.k1, b.k2], [b.v1, b.v2], 1 / d, (i, tup) => tup.every((j) => j <= i)).flat();
    expect(maxAbsDiff(causal.output.dataSync(), refC)).toBeLessThanOrEqual(causal.bound + 2e-6);
    expect(maxAbsDiff(causal.output.dataSync(), refC)).toBeLessThan(1e-4);
    tf.dispose([q!, k1!, k2!, v1!, v2!, mk1, mk2, masked.output, causal.output]);
  });

  it('order 1 approximates softmax attention; order 3 matches the four-way brute force', () => {
    const b = data[1]!;
    const [q, k1, v1] = [b.q, b.k1, b.v1].map((x) => tf.tensor2d(x));
    const soft = softmaxAttention(q!, k1!, v1!, { scale: 1 / d });
    const one = higherOrderAttentionApprox(q!, [k1!], [v1!], { degree: 6 });
    expectClose(one.output, soft, { rtol: 0, atol: one.bound + 2e-6 });
    const small = (x: number[][]) => tf.tensor2d(x.slice(0, 5));
    const res = higherOrderAttentionApprox(
      small(b.q),
      [small(b.k1), small(b.k2), small(b.q)],
      [small(b.v1), small(b.v2), small(b.v1)],
      {
        degree: 6,
      },
    );
    const ref3 = naive(
      b.q.slice(0, 5),
      [b.k1.slice(0, 5), b.k2.slice(0, 5), b.q.slice(0, 5)],
      [b.v1.slice(0, 5), b.v2.slice(0, 5), b.v1.slice(0, 5)],
      1 / d,
    );
    expect(maxAbsDiff(res.output.dataSync(), ref3.flat())).toBeLessThanOrEqual(res.bound + 2e-6);
  });

  it('is differentiable (finite differences)', () => {
    const b = data[0]!;
    const xs = [b.q, b.k1, b.k2, b.v1, b.v2].map((x) => tf.tensor2d(x.slice(0, 4)));
    gradCheck(
      (q, k1, k2, v1, v2) =>
        tf.sum(
          tf.mul(tensorAttentionApprox(q!, k1!, k2!, v1!, v2!, { degree: 3 }).output, tf.tensor1d([1, -0.6])),
        ),
      xs,
    );
    tf.dispose(xs);
  });

  it('leaks no tensors', async () => {
    const xs = tensors();
    await expectNoLeak(
      () => tensorAttentionApprox(xs[0]!, xs[1]!, xs[2]!, xs[3]!, xs[4]!, { degree: 4, causal: true }).output,
    );
    await expectNoLeak(() =>
      tf.grads((a, b2, c, e, f) =>
        tf.sum(tensorAttentionApprox(a!, b2!, c!, e!, f!, { epsilon: 1e-2 }).output),
      )(xs),
    );
    tf.dispose(xs);
  });

  it('rejects bad input with typed errors', () => {
    const x = tf.zeros([4, 3]);
    const v = tf.zeros([4, 2]);
    expect(() => tensorAttentionApprox(x, x, x, v, v, {})).toThrow(
      /exactly one of degree and epsilon, got neither/,
    );
    expect(() => tensorAttentionApprox(x, x, x, v, v, { degree: 2, epsilon: 1e-3 })).toThrow(/got both/);
    expect(() => tensorAttentionApprox(x, x, x, v, v, { degree: -1 })).toThrow(
      /degree: expected a value >= 0/,
    );
    expect(() => tensorAttentionApprox(x, x, x, v, v, { epsilon: 0 })).toThrow(ArgumentError);
    const big = tf.fill([4, 3], 3);
    expect(() => tensorAttentionApprox(big, big, big, v, v, { degree: 4, bound: 1 })).toThrow(
      /bound: expected every entry of q and the keys to satisfy \|x\| ≤ 1, got an entry of size 3/,
    );
    expect(() => tensorAttentionApprox(big, big, big, v, v, { epsilon: 1e-3 })).toThrow(NumericalError);
    expect(() => tensorAttentionApprox(big, big, big, v, v, { degree: 2 })).toThrow(/cannot certify/);
    const huge = tf.fill([4, 3], 40); // score radius 40³ = 64000: exp overflows in float64
    for (const polynomial of ['taylor', 'chebyshev'] as const) {
      expect(() => tensorAttentionApprox(huge, huge, huge, v, v, { degree: 2, polynomial })).toThrow(
        NumericalError,
      );
      expect(() => tensorAttentionApprox(huge, huge, huge, v, v, { epsilon: 1e-3, polynomial })).toThrow(
        NumericalError,
      );
    }
    huge.dispose();
    expect(() => tensorAttentionApprox(x, x, x, v, v, { degree: 8, maxRank: 10 })).toThrow(/exceeds maxRank/);
    expect(() => tensorAttentionApprox(tf.zeros([0, 3]), x, x, v, v, { degree: 2 })).toThrow(ShapeError);
    expect(() => tensorAttentionApprox(x, tf.zeros([4, 2]), x, v, v, { degree: 2 })).toThrow(
      /keys\[0\]: expected feature size 3/,
    );
    expect(() => tensorAttentionApprox(x, x, x, v, v, { degree: 2, mask: { k1: tf.ones([5]) } })).toThrow(
      /keyMasks\[0\]/,
    );
    expect(() =>
      tensorAttentionApprox(x, x, tf.zeros([5, 3]), v, tf.zeros([5, 2]), { degree: 2, causal: true }),
    ).toThrow(/causal/);
    expect(() => tensorAttentionApprox(x, x, x, 'v' as never, v, { degree: 2 })).toThrow(
      /values\[0\]: expected a tensor, got string/,
    );
    expect(() => tensorAttentionApprox(x, x, x, v, tf.zeros([5, 2]), { degree: 2 })).toThrow(
      /values\[1\]: expected shape \[4, 2\]/,
    );
    expect(() => tensorAttentionApprox(x, tf.zeros([0, 3]), x, v, v, { degree: 2 })).toThrow(
      /keys\[0\]: expected at least one token/,
    );
    expect(() =>
      tensorAttentionApprox(x, x, x, v, v, { degree: 2, mask: { k1: [1, 1, 1, 1] as never } }),
    ).toThrow(/keyMasks\[0\]: expected a tensor/);
    expect(() => tensorAttentionApprox(x, x, x, v, v, { degree: 2, bound: 0 })).toThrow(
      /bound: expected a positive number, got 0/,
    );
    const nan = tf.fill([4, 3], Number.NaN);
    expect(() => tensorAttentionApprox(nan, x, x, v, v, { degree: 2 })).toThrow(NumericalError);
    tf.dispose([x, v, big, nan]);
  });
});
