import { ArgumentError, ShapeError } from '../errors/errors.js';
import { assertInteger, assertNumber, describe } from '../errors/validate.js';

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;
const MASK_64 = (1n << 64n) - 1n;

/** A mutable array-like that {@link Rng.shuffle} can permute in place (arrays and typed arrays). */
export interface MutableArrayLike<T> {
  readonly length: number;
  [index: number]: T;
}

/** SplitMix64 (Steele, Lea & Flood 2014): returns the next 64-bit output and the advanced state. */
function splitMix64(state: bigint): [output: bigint, next: bigint] {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK_64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK_64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK_64;
  return [z ^ (z >> 31n), next];
}

/** Checks a seed: a finite integer whose magnitude is at most 2^53 − 1. */
export function assertSeed(seed: unknown, name = 'seed'): asserts seed is number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new ArgumentError(
      `${name}: expected an integer seed with |seed| ≤ 2^53 − 1, got ${describe(seed)}`,
    );
  }
}

/**
 * A seeded pseudo-random generator: xoshiro128** (Blackman & Vigna) with its 128-bit state seeded by
 * SplitMix64, as its authors recommend. Period 2^128 − 1; passes BigCrush. Everything is float64 and
 * deterministic: the same seed gives the same stream on every platform.
 *
 * Uniform doubles use 53 random bits (two 32-bit outputs). {@link Rng.normal} uses the Marsaglia polar
 * method and caches the spare; {@link Rng.gamma} uses Marsaglia–Tsang. Create one with {@link rng}.
 *
 * @example
 * ```ts
 * const r = rng(42);
 * r.uniform(); // in [0, 1)
 * r.normal(0, 2);
 * const child = r.fork(); // an independent stream
 * ```
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spareNormal = 0;
  private hasSpareNormal = false;

  /**
   * @param seed - any integer with |seed| ≤ 2^53 − 1 (negative seeds are taken modulo 2^64)
   * @throws {@link ArgumentError} when the seed is not such an integer
   */
  constructor(seed: number) {
    assertSeed(seed);
    this.seedFrom(BigInt.asUintN(64, BigInt(seed)));
  }

  /**
   * A generator with the given raw xoshiro128** state (four 32-bit words, not all zero), bypassing
   * SplitMix64 seeding. Meant for reproducing reference test vectors.
   * @throws {@link ArgumentError} when a word is not a 32-bit unsigned integer or all are zero
   */
  static fromState(words: readonly [number, number, number, number]): Rng {
    if (!Array.isArray(words) || words.length !== 4) {
      throw new ArgumentError(`words: expected four 32-bit unsigned integers, got ${describe(words)}`);
    }
    words.forEach((w, i) => {
      assertInteger(w, `words[${i}]`, { min: 0, max: TWO_POW_32 - 1 });
    });
    if (words.every((w) => w === 0)) throw new ArgumentError('words: the all-zero state is not allowed');
    const r = new Rng(0);
    r.s0 = words[0];
    r.s1 = words[1];
    r.s2 = words[2];
    r.s3 = words[3];
    return r;
  }

  private seedFrom(seed: bigint): void {
    const [a, state] = splitMix64(seed);
    const [b] = splitMix64(state);
    this.s0 = Number(a & 0xffffffffn);
    this.s1 = Number(a >> 32n);
    this.s2 = Number(b & 0xffffffffn);
    this.s3 = Number(b >> 32n);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // unreachable in practice
    this.hasSpareNormal = false;
  }

  /** The next raw 32-bit output of xoshiro128**, an integer in [0, 2^32). */
  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform integer in [0, 2^53) from 53 random bits. */
  private nextUint53(): number {
    return (this.nextUint32() >>> 5) * 67108864 + (this.nextUint32() >>> 6);
  }

  /**
   * A uniform double: in [0, 1) with no arguments (a multiple of 2^−53), in [min, max) with two (max itself only
   * through rounding of min + (max − min)·u).
   * @throws {@link ArgumentError} when `min`/`max` are not finite or `min > max`
   */
  uniform(min?: number, max?: number): number {
    const u = this.nextUint53() / TWO_POW_53;
    if (min === undefined && max === undefined) return u;
    checkRange(min, max, 'min', 'max');
    return min! + (max! - min!) * u;
  }

  /**
   * A uniform integer in [0, n), without modulo bias (rejection sampling).
   * @param n - an integer with 1 ≤ n ≤ 2^53
   * @throws {@link ArgumentError} when `n` is out of range
   */
  int(n: number): number {
    assertInteger(n, 'n', { min: 1, max: TWO_POW_53 });
    if (n <= TWO_POW_32) {
      const limit = TWO_POW_32 - (TWO_POW_32 % n); // accept values below the largest multiple of n
      let r = this.nextUint32();
      while (r >= limit) r = this.nextUint32();
      return r % n;
    }
    const limit = TWO_POW_53 - (TWO_POW_53 % n);
    let r = this.nextUint53();
    while (r >= limit) r = this.nextUint53();
    return r % n;
  }

  /**
   * A normal (Gaussian) draw by the Marsaglia polar method; every second call uses the cached spare.
   * @param mean - the mean (default 0)
   * @param std - the standard deviation, ≥ 0 (default 1)
   * @throws {@link ArgumentError} when `mean` is not finite or `std` is negative or not finite
   */
  normal(mean = 0, std = 1): number {
    if (mean !== 0 || std !== 1) checkNormal(mean, std);
    return mean + std * this.standardNormal();
  }

  private standardNormal(): number {
    if (this.hasSpareNormal) {
      this.hasSpareNormal = false;
      return this.spareNormal;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const factor = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * factor;
    this.hasSpareNormal = true;
    return u * factor;
  }

  /**
   * A gamma draw with shape k and scale θ (mean kθ, variance kθ²), by Marsaglia & Tsang (2000); for k < 1 it
   * draws Gamma(k+1) and multiplies by U^{1/k} (which can underflow to 0 for shapes below ~0.01).
   * @throws {@link ArgumentError} when `shape` or `scale` is not positive and finite
   */
  gamma(shape: number, scale = 1): number {
    checkPositive(shape, 'shape');
    if (scale !== 1) checkPositive(scale, 'scale');
    if (shape < 1) return this.gammaAtLeastOne(shape + 1) * this.uniformOpen() ** (1 / shape) * scale;
    return this.gammaAtLeastOne(shape) * scale;
  }

  /** ln of a Gamma(shape, 1) draw, accurate even when the draw underflows (tiny shapes). */
  private logGammaVariate(shape: number): number {
    if (shape < 1) return Math.log(this.gammaAtLeastOne(shape + 1)) + Math.log(this.uniformOpen()) / shape;
    return Math.log(this.gammaAtLeastOne(shape));
  }

  /** Marsaglia–Tsang for shape ≥ 1. */
  private gammaAtLeastOne(shape: number): number {
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.standardNormal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniformOpen();
      const x2 = x * x;
      if (u < 1 - 0.0331 * x2 * x2) return d * v;
      if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** A uniform double in (0, 1): never exactly 0, so its logarithm is finite. */
  private uniformOpen(): number {
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    return u;
  }

  /**
   * A beta draw with shapes a and b (mean a/(a+b)), as X/(X+Y) for X ~ Gamma(a), Y ~ Gamma(b); computed in
   * log space when a shape is below 1 so that tiny shapes do not give 0/0.
   * @throws {@link ArgumentError} when `a` or `b` is not positive and finite
   */
  beta(a: number, b: number): number {
    checkPositive(a, 'a');
    checkPositive(b, 'b');
    if (a >= 1 && b >= 1) {
      const x = this.gammaAtLeastOne(a);
      return x / (x + this.gammaAtLeastOne(b));
    }
    const logX = this.logGammaVariate(a);
    const logY = this.logGammaVariate(b);
    return 1 / (1 + Math.exp(logY - logX));
  }

  /**
   * One draw from a categorical distribution: index i with probability probs[i] / Σ probs. For many draws from
   * the same probabilities use {@link Rng.categoricalSampler} (O(1) per draw).
   * @param probs - non-negative finite weights with a positive sum (they need not sum to 1)
   * @throws {@link ArgumentError} for a negative or non-finite weight or an all-zero list;
   *   {@link ShapeError} for an empty list
   */
  categorical(probs: ArrayLike<number>): number {
    const total = checkProbabilities(probs);
    let target = this.uniform() * total;
    let last = 0;
    for (let i = 0; i < probs.length; i++) {
      const p = probs[i]!;
      if (p === 0) continue;
      if (target < p) return i;
      target -= p;
      last = i;
    }
    return last; // rounding left target ≥ the remaining mass: the last positive weight
  }

  /**
   * A sampler for many draws from one categorical distribution, by Walker's alias method (O(n) setup, O(1) per
   * draw), drawing from this generator.
   * @param probs - non-negative finite weights with a positive sum
   * @throws {@link ArgumentError} as {@link Rng.categorical}
   *
   * @example
   * ```ts
   * const sampler = rng(1).categoricalSampler([0.2, 0.5, 0.3]);
   * const labels = sampler.sampleArray(1000); // Int32Array of indices
   * ```
   */
  categoricalSampler(probs: ArrayLike<number>): CategoricalSampler {
    return new CategoricalSampler(this, probs);
  }

  /**
   * Shuffles an array (or typed array) in place by Fisher–Yates and returns it.
   * @throws {@link ArgumentError} when `array` is not array-like
   */
  shuffle<A extends MutableArrayLike<unknown>>(array: A): A {
    if (array === null || typeof array !== 'object' || typeof array.length !== 'number') {
      throw new ArgumentError(`array: expected an array or typed array, got ${describe(array)}`);
    }
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = array[i];
      array[i] = array[j];
      array[j] = t;
    }
    return array;
  }

  /**
   * A uniformly random permutation of 0, 1, …, n−1.
   * @param n - a non-negative integer < 2^31
   * @throws {@link ArgumentError} when `n` is out of range
   */
  permutation(n: number): Int32Array {
    assertInteger(n, 'n', { min: 0, max: 2 ** 31 - 1 });
    const result = new Int32Array(n);
    for (let i = 0; i < n; i++) result[i] = i;
    return this.shuffle(result);
  }

  /**
   * A child generator seeded from this one's next 64 bits (through SplitMix64), so that parent and child
   * streams are statistically independent. Advances this generator; forking is itself deterministic.
   */
  fork(): Rng {
    const high = BigInt(this.nextUint32());
    const low = BigInt(this.nextUint32());
    const child = new Rng(0);
    // A distinct constant keeps forked seeds apart from the integer seeds users pass in.
    child.seedFrom(((high << 32n) | low) ^ 0x6a09e667f3bcc909n);
    return child;
  }

  /**
   * `count` independent child generators ({@link Rng.fork} applied `count` times).
   * @throws {@link ArgumentError} when `count` is not a non-negative integer
   */
  split(count: number): Rng[] {
    assertInteger(count, 'count', { min: 0 });
    return Array.from({ length: count }, () => this.fork());
  }

  /**
   * `n` uniform doubles in [min, max) (default [0, 1)).
   * @throws {@link ArgumentError} for a bad length or range
   */
  uniformArray(n: number, min = 0, max = 1): Float64Array {
    assertInteger(n, 'n', { min: 0 });
    checkRange(min, max, 'min', 'max');
    const out = new Float64Array(n);
    const width = max - min;
    for (let i = 0; i < n; i++) out[i] = min + width * (this.nextUint53() / TWO_POW_53);
    return out;
  }

  /**
   * `n` normal draws with the given mean and standard deviation (default standard normal).
   * @throws {@link ArgumentError} for a bad length, mean or std
   */
  normalArray(n: number, mean = 0, std = 1): Float64Array {
    assertInteger(n, 'n', { min: 0 });
    checkNormal(mean, std);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = mean + std * this.standardNormal();
    return out;
  }
}

/**
 * Draws from a fixed categorical distribution in O(1) each, by Walker's alias method. Create one with
 * {@link Rng.categoricalSampler}.
 */
export class CategoricalSampler {
  /** Number of categories. */
  readonly size: number;
  private readonly generator: Rng;
  private readonly threshold: Float64Array;
  private readonly alias: Int32Array;

  /**
   * @param generator - the generator to draw from
   * @param probs - non-negative finite weights with a positive sum
   * @throws {@link ArgumentError} as {@link Rng.categorical}
   */
  constructor(generator: Rng, probs: ArrayLike<number>) {
    if (!(generator instanceof Rng)) {
      throw new ArgumentError(`generator: expected an Rng, got ${describe(generator)}`);
    }
    const total = checkProbabilities(probs);
    const n = probs.length;
    this.size = n;
    this.generator = generator;
    this.threshold = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = new Float64Array(n);
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < n; i++) {
      scaled[i] = (probs[i]! * n) / total;
      (scaled[i]! < 1 ? small : large).push(i);
    }
    while (small.length > 0 && large.length > 0) {
      const s = small.pop()!;
      const l = large[large.length - 1]!;
      this.threshold[s] = scaled[s]!;
      this.alias[s] = l;
      scaled[l] = scaled[l]! + scaled[s]! - 1;
      if (scaled[l]! < 1) {
        large.pop();
        small.push(l);
      }
    }
    // Leftovers are 1 up to rounding. A leftover "small" entry never borrows from a zero-weight entry.
    for (const i of large) this.threshold[i] = 1;
    for (const i of small) this.threshold[i] = probs[i]! > 0 ? 1 : 0;
    for (const i of small) if (probs[i]! === 0) this.alias[i] = firstPositive(probs);
  }

  /** One draw: an index in [0, size). */
  sample(): number {
    const u = this.generator.uniform() * this.size;
    const column = Math.floor(u);
    return u - column < this.threshold[column]! ? column : this.alias[column]!;
  }

  /**
   * `count` draws as an Int32Array.
   * @throws {@link ArgumentError} when `count` is not a non-negative integer
   */
  sampleArray(count: number): Int32Array {
    assertInteger(count, 'count', { min: 0 });
    const out = new Int32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.sample();
    return out;
  }
}

/**
 * A new seeded generator ({@link Rng}).
 *
 * @param seed - any integer with |seed| ≤ 2^53 − 1
 * @throws {@link ArgumentError} when the seed is not such an integer
 *
 * @example
 * ```ts
 * const r = rng(7);
 * const xs = r.normalArray(1000);
 * r.shuffle([1, 2, 3, 4]);
 * ```
 */
export function rng(seed: number): Rng {
  return new Rng(seed);
}

/**
 * The generator behind a `seed` option: a number seeds a new {@link Rng}; an `Rng` is used as is (and advanced),
 * so that several calls can draw from one stream.
 * @throws {@link ArgumentError} when `seed` is neither
 */
export function resolveRng(seed: number | Rng, name = 'seed'): Rng {
  if (seed instanceof Rng) return seed;
  assertSeed(seed, name);
  return new Rng(seed);
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function checkRange(min: unknown, max: unknown, minName: string, maxName: string): void {
  assertNumber(min, minName);
  assertNumber(max, maxName);
  if ((min as number) > (max as number)) {
    throw new ArgumentError(`${maxName}: expected ${maxName} ≥ ${minName} (${min}), got ${max}`);
  }
}

function checkNormal(mean: unknown, std: unknown): void {
  assertNumber(mean, 'mean');
  assertNumber(std, 'std', { min: 0 });
}

function checkPositive(value: unknown, name: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ArgumentError(`${name}: expected a positive finite number, got ${describe(value)}`);
  }
}

/** Validates categorical weights and returns their sum. */
function checkProbabilities(probs: ArrayLike<number>): number {
  if (probs === null || typeof probs !== 'object' || typeof probs.length !== 'number') {
    throw new ArgumentError(`probs: expected an array of non-negative weights, got ${describe(probs)}`);
  }
  if (probs.length === 0) throw new ShapeError('probs: expected at least one weight, got an empty array');
  let total = 0;
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i];
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0) {
      throw new ArgumentError(
        `probs: expected non-negative finite weights, got ${describe(p)} at index ${i}`,
      );
    }
    total += p;
  }
  if (!(total > 0) || !Number.isFinite(total)) {
    throw new ArgumentError(`probs: expected weights with a positive finite sum, got sum ${total}`);
  }
  return total;
}

function firstPositive(probs: ArrayLike<number>): number {
  for (let i = 0; i < probs.length; i++) if (probs[i]! > 0) return i;
  return 0;
}
