import FFT from 'fft.js';

/**
 * A reusable forward DFT of one length, on interleaved complex float64 arrays
 * (`[re0, im0, re1, im1, …]`, `2·length` entries): `output[k] = Σⱼ input[j]·e^{−2πi·jk/length}`.
 * `input` and `output` must be distinct arrays; `input` is left unchanged. Plans are cached per length
 * by {@link complexPlan}; they own scratch memory, so a plan must not be re-entered (JavaScript's single
 * thread and the line transforms never do).
 */
export interface ComplexPlan {
  /** Transform length. */
  readonly length: number;
  /** `'radix-4'` (powers of two, through fft.js), `'bluestein'` (other lengths ≥ 3) or `'trivial'` (length 1). */
  readonly kind: 'radix-4' | 'bluestein' | 'trivial';
  /** Scratch input of `2·length` entries that callers may fill before {@link ComplexPlan.forward}. */
  readonly input: Float64Array;
  /** Scratch output of `2·length` entries that callers may pass to {@link ComplexPlan.forward}. */
  readonly output: Float64Array;
  /** Runs the unnormalised forward transform of `input` into `output` (both interleaved, `2·length`). */
  forward(input: Float64Array, output: Float64Array): void;
}

/** Whether `n` is a power of two (1 counts). */
export function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

function trivialPlan(): ComplexPlan {
  return {
    length: 1,
    kind: 'trivial',
    input: new Float64Array(2),
    output: new Float64Array(2),
    forward(input, output) {
      output[0] = input[0]!;
      output[1] = input[1]!;
    },
  };
}

function radix4Plan(n: number): ComplexPlan {
  const engine = new FFT(n);
  return {
    length: n,
    kind: 'radix-4',
    input: new Float64Array(2 * n),
    output: new Float64Array(2 * n),
    forward(input, output) {
      engine.transform(output, input);
    },
  };
}

/**
 * Bluestein's chirp-z algorithm: with wₖ = e^{−iπk²/n}, the DFT is Xₖ = wₖ·Σⱼ (xⱼwⱼ)·conj(w_{k−j}), a
 * convolution evaluated with power-of-two FFTs of length m ≥ 2n − 1. The chirp and the transformed
 * kernel are computed once per length. Angles use k² mod 2n (exact integers) so large k keep full
 * float64 accuracy.
 */
function bluesteinPlan(n: number): ComplexPlan {
  const m = nextPowerOfTwo(2 * n - 1);
  const engine = new FFT(m);
  const chirp = new Float64Array(2 * n);
  let q = 0; // k² mod 2n
  for (let k = 0; k < n; k++) {
    const angle = (Math.PI * q) / n;
    chirp[2 * k] = Math.cos(angle);
    chirp[2 * k + 1] = -Math.sin(angle);
    q = (q + 2 * k + 1) % (2 * n);
  }
  // Convolution kernel b_k = conj(w_k) at k and m − k, zero in between; stored transformed and divided
  // by m so that the inverse below is a plain (unnormalised) conjugate transform.
  const kernel = new Float64Array(2 * m);
  kernel[0] = chirp[0]!;
  kernel[1] = -chirp[1]!;
  for (let k = 1; k < n; k++) {
    kernel[2 * k] = kernel[2 * (m - k)] = chirp[2 * k]!;
    kernel[2 * k + 1] = kernel[2 * (m - k) + 1] = -chirp[2 * k + 1]!;
  }
  const kernelHat = new Float64Array(2 * m);
  engine.transform(kernelHat, kernel);
  for (let i = 0; i < 2 * m; i++) kernelHat[i] = kernelHat[i]! / m;

  const a = new Float64Array(2 * m); // entries past 2n stay zero forever
  const aHat = new Float64Array(2 * m);
  const conv = new Float64Array(2 * m);
  return {
    length: n,
    kind: 'bluestein',
    input: new Float64Array(2 * n),
    output: new Float64Array(2 * n),
    forward(input, output) {
      for (let k = 0; k < 2 * n; k += 2) {
        const xr = input[k]!;
        const xi = input[k + 1]!;
        const wr = chirp[k]!;
        const wi = chirp[k + 1]!;
        a[k] = xr * wr - xi * wi;
        a[k + 1] = xr * wi + xi * wr;
      }
      engine.transform(aHat, a);
      // Multiply by the kernel and conjugate, so that a forward transform computes the inverse.
      for (let k = 0; k < 2 * m; k += 2) {
        const ar = aHat[k]!;
        const ai = aHat[k + 1]!;
        const br = kernelHat[k]!;
        const bi = kernelHat[k + 1]!;
        aHat[k] = ar * br - ai * bi;
        aHat[k + 1] = -(ar * bi + ai * br);
      }
      engine.transform(conv, aHat);
      for (let k = 0; k < 2 * n; k += 2) {
        const cr = conv[k]!;
        const ci = -conv[k + 1]!;
        const wr = chirp[k]!;
        const wi = chirp[k + 1]!;
        output[k] = cr * wr - ci * wi;
        output[k + 1] = cr * wi + ci * wr;
      }
    },
  };
}

/** How many plans (per kind of table) stay cached; older ones are dropped first. */
const CACHE_LIMIT = 64;

function cached<T>(cache: Map<number, T>, n: number, make: (n: number) => T): T {
  const hit = cache.get(n);
  if (hit !== undefined) {
    // Refresh recency: Map iterates in insertion order, so the first key is the least recently used.
    cache.delete(n);
    cache.set(n, hit);
    return hit;
  }
  const made = make(n);
  cache.set(n, made);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  return made;
}

const complexPlans = new Map<number, ComplexPlan>();
let lastPlan: ComplexPlan | undefined;

/**
 * The cached forward DFT plan for `length` (a positive integer): fft.js's radix-4 transform for powers
 * of two, Bluestein's algorithm on a power-of-two convolution otherwise.
 */
export function complexPlan(length: number): ComplexPlan {
  // Repeated transforms of one length (the common case) skip the map.
  if (lastPlan !== undefined && lastPlan.length === length) return lastPlan;
  lastPlan = cached(complexPlans, length, (n) =>
    n === 1 ? trivialPlan() : isPowerOfTwo(n) ? radix4Plan(n) : bluesteinPlan(n),
  );
  return lastPlan;
}

/** Twiddles for packing a real transform of even length n into a complex one of length n/2. */
export interface RealTwiddles {
  /** Interleaved e^{−2πik/n} for k = 0 … n/2. */
  readonly twiddle: Float64Array;
}

const realTwiddleCache = new Map<number, RealTwiddles>();

/** The cached twiddles e^{−2πik/n}, k = 0 … n/2, for an even length `n`. */
export function realTwiddles(n: number): RealTwiddles {
  return cached(realTwiddleCache, n, (len) => {
    const half = len / 2;
    const twiddle = new Float64Array(2 * (half + 1));
    for (let k = 0; k <= half; k++) {
      const angle = (2 * Math.PI * k) / len;
      twiddle[2 * k] = Math.cos(angle);
      twiddle[2 * k + 1] = -Math.sin(angle);
    }
    return { twiddle };
  });
}

/** Drops every cached plan and twiddle table (for tests and memory-sensitive callers). */
export function clearFftPlans(): void {
  lastPlan = undefined;
  complexPlans.clear();
  realTwiddleCache.clear();
}
