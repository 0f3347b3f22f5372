import { describe, expect, it } from 'vitest';
import { ArgumentError, ShapeError } from '../errors/errors.js';
import { CategoricalSampler, Rng, resolveRng, rng } from './rng.js';

const MASK_64 = (1n << 64n) - 1n;

/** Reference SplitMix64 written from the published algorithm (checked below against its known vector). */
function splitMix64Stream(seed: bigint): () => bigint {
  let state = seed & MASK_64;
  return () => {
    state = (state + 0x9e3779b97f4a7c15n) & MASK_64;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK_64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK_64;
    return z ^ (z >> 31n);
  };
}

function moments(values: ArrayLike<number>): { mean: number; variance: number } {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i]!;
  mean /= values.length;
  let variance = 0;
  for (let i = 0; i < values.length; i++) variance += (values[i]! - mean) ** 2;
  return { mean, variance: variance / (values.length - 1) };
}

/** Asserts |actual − expected| ≤ z standard errors. */
function expectWithin(actual: number, expected: number, standardError: number, z = 5): void {
  if (!(Math.abs(actual - expected) <= z * standardError)) {
    throw new Error(`expected ${expected} ± ${z}·${standardError}, got ${actual}`);
  }
}

const N = 100_000;

describe('Rng: the core generator', () => {
  it('reproduces the published xoshiro128** vector from state (1, 2, 3, 4)', () => {
    const r = Rng.fromState([1, 2, 3, 4]);
    expect(Array.from({ length: 10 }, () => r.nextUint32())).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804,
    ]);
  });

  it('seeds the state from two SplitMix64 outputs (low word first)', () => {
    const check = splitMix64Stream(1234567n);
    expect([check(), check(), check()]).toEqual([
      6457827717110365317n,
      3203168211198807973n,
      9817491932198370423n,
    ]);
    for (const seed of [0, 1, 42, -1, 2 ** 53 - 1, -(2 ** 40)]) {
      const next = splitMix64Stream(BigInt.asUintN(64, BigInt(seed)));
      const a = next();
      const b = next();
      const words: [number, number, number, number] = [
        Number(a & 0xffffffffn),
        Number(a >> 32n),
        Number(b & 0xffffffffn),
        Number(b >> 32n),
      ];
      const expected = Rng.fromState(words);
      const actual = rng(seed);
      for (let i = 0; i < 20; i++) expect(actual.nextUint32()).toBe(expected.nextUint32());
    }
  });

  it('is deterministic per seed, and different seeds give different streams', () => {
    const draw = (seed: number): number[] => {
      const r = rng(seed);
      return Array.from({ length: 50 }, () => r.uniform());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    expect(draw(0)).not.toEqual(draw(-1));
    expect(draw(2 ** 32)).not.toEqual(draw(0)); // seeds differing above bit 31
  });

  it('rejects seeds that are not safe integers with ArgumentError', () => {
    for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '3', undefined]) {
      expect(() => rng(bad as number)).toThrow(ArgumentError);
    }
    expect(() => rng(0.5)).toThrow(/seed: expected an integer seed with \|seed\| ≤ 2\^53 − 1, got 0.5/);
    expect(() => Rng.fromState([0, 0, 0, 0])).toThrow(/all-zero state/);
    expect(() => Rng.fromState([1, 2, 3, 2 ** 32])).toThrow(/words\[3\]: expected a value <= 4294967295/);
  });
});

describe('Rng: uniform and integer draws', () => {
  it('uniform() lies in [0, 1) with mean ½ and variance 1/12', () => {
    const r = rng(1);
    const values = Array.from({ length: N }, () => r.uniform());
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const { mean, variance } = moments(values);
    expectWithin(mean, 0.5, Math.sqrt(1 / 12 / N));
    expectWithin(variance, 1 / 12, Math.sqrt(1 / 180 / N)); // Var((U − ½)²) = 1/80 − 1/144 = 1/180
  });

  it('uniform(a, b) lies in [a, b) with mean (a+b)/2; uniformArray matches successive uniform() calls', () => {
    const r = rng(2);
    const values = Array.from({ length: N }, () => r.uniform(-3, 5));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(-3);
    expect(Math.max(...values)).toBeLessThan(5);
    expectWithin(moments(values).mean, 1, 8 * Math.sqrt(1 / 12 / N));
    const a = rng(3);
    const b = rng(3);
    const array = a.uniformArray(100, -1, 2);
    expect(array).toBeInstanceOf(Float64Array);
    for (let i = 0; i < 100; i++) expect(array[i]).toBe(b.uniform(-1, 2));
    expect(rng(4).uniform(2, 2)).toBe(2);
  });

  it('int(n) is uniform on {0, …, n−1} (frequencies within 5 standard errors)', () => {
    const r = rng(5);
    const n = 7;
    const counts = new Array<number>(n).fill(0);
    for (let i = 0; i < N; i++) counts[r.int(n)]! += 1;
    const p = 1 / n;
    for (const c of counts) expectWithin(c, N * p, Math.sqrt(N * p * (1 - p)));
    const big = 2 ** 40 + 3;
    const draws = Array.from({ length: 20000 }, () => r.int(big));
    expect(draws.every((d) => Number.isInteger(d) && d >= 0 && d < big)).toBe(true);
    expectWithin(moments(draws).mean / big, 0.5, Math.sqrt(1 / 12 / 20000));
    expect(r.int(1)).toBe(0);
  });

  it('rejects bad ranges and counts with ArgumentError', () => {
    const r = rng(6);
    expect(() => r.uniform(2, 1)).toThrow(/max: expected max ≥ min \(2\), got 1/);
    expect(() => r.uniform(0, Number.POSITIVE_INFINITY)).toThrow(ArgumentError);
    expect(() => r.int(0)).toThrow(/n: expected a value >= 1, got 0/);
    expect(() => r.int(2.5)).toThrow(/n: expected an integer, got 2.5/);
    expect(() => r.int(2 ** 53 + 2)).toThrow(ArgumentError);
    expect(() => r.uniformArray(-1)).toThrow(ArgumentError);
  });
});

describe('Rng: continuous distributions', () => {
  it('normal() has mean 0, variance 1, zero skew and kurtosis 3; normalArray matches successive calls', () => {
    const values = rng(10).normalArray(N);
    const { mean, variance } = moments(values);
    expectWithin(mean, 0, Math.sqrt(1 / N));
    expectWithin(variance, 1, Math.sqrt(2 / N));
    let skew = 0;
    let kurtosis = 0;
    for (const v of values) {
      skew += v ** 3;
      kurtosis += v ** 4;
    }
    expectWithin(skew / N, 0, Math.sqrt(15 / N));
    expectWithin(kurtosis / N, 3, Math.sqrt(96 / N));
    const a = rng(11);
    const b = rng(11);
    const array = a.normalArray(101, 2, 3);
    for (let i = 0; i < 101; i++) expect(array[i]).toBe(b.normal(2, 3));
  });

  it('normal(mean, std) shifts and scales; std = 0 gives the mean', () => {
    const r = rng(12);
    const values = Array.from({ length: N }, () => r.normal(-4, 0.5));
    const { mean, variance } = moments(values);
    expectWithin(mean, -4, 0.5 / Math.sqrt(N));
    expectWithin(variance, 0.25, 0.25 * Math.sqrt(2 / N));
    expect(r.normal(3, 0)).toBe(3);
    expect(() => r.normal(0, -1)).toThrow(/std: expected a value >= 0, got -1/);
    expect(() => r.normal(Number.NaN, 1)).toThrow(/mean: expected a finite number, got NaN/);
  });

  it('gamma(k, θ) has mean kθ and variance kθ² for shapes below and above 1', () => {
    const r = rng(13);
    for (const [k, theta] of [
      [0.3, 2],
      [1, 1],
      [2.5, 0.5],
      [10, 3],
    ] as const) {
      const values = Array.from({ length: N }, () => r.gamma(k, theta));
      expect(values.every((v) => v >= 0 && Number.isFinite(v))).toBe(true);
      const { mean, variance } = moments(values);
      const sigma2 = k * theta * theta;
      expectWithin(mean, k * theta, Math.sqrt(sigma2 / N));
      expectWithin(variance, sigma2, sigma2 * Math.sqrt((2 + 6 / k) / N), 6);
    }
    expect(() => r.gamma(0)).toThrow(/shape: expected a positive finite number, got 0/);
    expect(() => r.gamma(1, -2)).toThrow(/scale: expected a positive finite number, got -2/);
  });

  it('beta(a, b) lies in [0, 1] with mean a/(a+b) and variance ab/((a+b)²(a+b+1)), tiny shapes included', () => {
    const r = rng(14);
    for (const [a, b] of [
      [2, 5],
      [0.5, 0.5],
      [0.05, 0.2],
      [30, 1],
    ] as const) {
      const values = Array.from({ length: N }, () => r.beta(a, b));
      expect(values.every((v) => v >= 0 && v <= 1)).toBe(true);
      const { mean, variance } = moments(values);
      const s = a + b;
      const expectedVariance = (a * b) / (s * s * (s + 1));
      expectWithin(mean, a / s, Math.sqrt(expectedVariance / N));
      expectWithin(variance, expectedVariance, expectedVariance * Math.sqrt(3 / N) * 3, 6);
    }
    expect(() => r.beta(0, 1)).toThrow(/a: expected a positive finite number, got 0/);
  });
});

describe('Rng: discrete draws, shuffles and streams', () => {
  it('categorical and its alias sampler match the normalised weights and never pick zero weights', () => {
    const weights = [1, 2, 0, 7, 0.5];
    const total = 10.5;
    const r = rng(20);
    const direct = new Array<number>(weights.length).fill(0);
    for (let i = 0; i < N; i++) direct[r.categorical(weights)]! += 1;
    const sampler = r.categoricalSampler(new Float64Array(weights));
    expect(sampler).toBeInstanceOf(CategoricalSampler);
    expect(sampler.size).toBe(5);
    const draws = sampler.sampleArray(N);
    const aliased = new Array<number>(weights.length).fill(0);
    for (const d of draws) aliased[d]! += 1;
    weights.forEach((w, i) => {
      const p = w / total;
      const se = Math.sqrt(N * p * (1 - p));
      expectWithin(direct[i]!, N * p, se);
      expectWithin(aliased[i]!, N * p, se);
    });
    expect(direct[2]).toBe(0);
    expect(aliased[2]).toBe(0);
    expect(rng(0).categorical([0, 0, 3])).toBe(2);
    expect(rng(0).categoricalSampler([5]).sample()).toBe(0);
  });

  it('rejects invalid categorical weights', () => {
    const r = rng(21);
    expect(() => r.categorical([])).toThrow(ShapeError);
    expect(() => r.categorical([0.5, -0.1])).toThrow(
      /probs: expected non-negative finite weights, got -0.1 at index 1/,
    );
    expect(() => r.categorical([0, 0])).toThrow(/positive finite sum, got sum 0/);
    expect(() => r.categoricalSampler([1, Number.NaN])).toThrow(ArgumentError);
    expect(() => new CategoricalSampler({} as Rng, [1])).toThrow(/generator: expected an Rng/);
  });

  it('shuffle permutes in place, returns its argument, and is uniform over the 6 orders of 3 items', () => {
    const r = rng(22);
    const items = ['a', 'b', 'c', 'd', 'e'];
    const shuffled = r.shuffle(items);
    expect(shuffled).toBe(items);
    expect([...items].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    const typed = r.shuffle(new Float64Array([1, 2, 3, 4]));
    expect(Array.from(typed).sort()).toEqual([1, 2, 3, 4]);
    const counts = new Map<string, number>();
    const trials = 60_000;
    for (let i = 0; i < trials; i++) {
      const key = r.shuffle([0, 1, 2]).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    for (const c of counts.values()) expectWithin(c, trials / 6, Math.sqrt((trials * 5) / 36));
    expect(() => r.shuffle(null as unknown as number[])).toThrow(
      /array: expected an array or typed array, got null/,
    );
  });

  it('permutation(n) contains each of 0…n−1 once', () => {
    const p = rng(23).permutation(1000);
    expect(p).toBeInstanceOf(Int32Array);
    expect(Array.from(p).sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(p)).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(rng(23).permutation(0).length).toBe(0);
    expect(() => rng(23).permutation(-2)).toThrow(ArgumentError);
  });

  it('fork() and split() give deterministic, mutually uncorrelated child streams', () => {
    const a = rng(30);
    const b = rng(30);
    const childA = a.fork();
    const childB = b.fork();
    const seqA = childA.uniformArray(1000);
    expect(seqA).toEqual(childB.uniformArray(1000));
    const parent = a.uniformArray(N);
    const child = childA.uniformArray(N);
    const children = rng(31).split(4);
    expect(children).toHaveLength(4);
    const firsts = children.map((c) => c.nextUint32());
    expect(new Set(firsts).size).toBe(4);
    // Pearson correlation of parent and child streams ≈ 0 (standard error 1/√N).
    const mp = moments(parent);
    const mc = moments(child);
    let covariance = 0;
    for (let i = 0; i < N; i++) covariance += (parent[i]! - mp.mean) * (child[i]! - mc.mean);
    const correlation = covariance / (N - 1) / Math.sqrt(mp.variance * mc.variance);
    expectWithin(correlation, 0, 1 / Math.sqrt(N));
    expect(() => rng(1).split(-1)).toThrow(/count: expected a value >= 0, got -1/);
  });

  it('resolveRng passes generators through and seeds new ones from numbers', () => {
    const r = rng(40);
    expect(resolveRng(r)).toBe(r);
    expect(resolveRng(40).nextUint32()).toBe(rng(40).nextUint32());
    expect(() => resolveRng(Number.NaN, 'options.seed')).toThrow(/options.seed: expected an integer seed/);
  });
});
