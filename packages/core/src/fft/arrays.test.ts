import { describe, expect, it } from 'vitest';
import { ArgumentError, ShapeError } from '../errors/errors.js';
import {
  fft2dArray,
  fftArray,
  ifft2dArray,
  ifftArray,
  irfft2dArray,
  irfftArray,
  rfft2dArray,
  rfftArray,
} from './arrays.js';
import { clearFftPlans, complexPlan } from './plan.js';

/** Small seeded generator (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
}

function randomArray(n: number, next: () => number): Float64Array {
  return Float64Array.from({ length: n }, next);
}

/**
 * Reference DFT straight from the definition, in float64, with exact phase reduction ((j·k) mod n)
 * and a cosine table: Xₖ = scale · Σⱼ xⱼ e^{sign·2πi·jk/n}.
 */
function naiveDft(
  re: ArrayLike<number>,
  im: ArrayLike<number>,
  sign: -1 | 1 = -1,
  scale = 1,
): { re: Float64Array; im: Float64Array } {
  const n = re.length;
  const cos = new Float64Array(n);
  const sin = new Float64Array(n);
  for (let m = 0; m < n; m++) {
    cos[m] = Math.cos((2 * Math.PI * m) / n);
    sin[m] = sign * Math.sin((2 * Math.PI * m) / n);
  }
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let j = 0, m = 0; j < n; j++, m = (m + k) % n) {
      sr += re[j]! * cos[m]! - im[j]! * sin[m]!;
      si += re[j]! * sin[m]! + im[j]! * cos[m]!;
    }
    outRe[k] = scale * sr;
    outIm[k] = scale * si;
  }
  return { re: outRe, im: outIm };
}

/** Naive 2-D DFT of one row-major [h, w] matrix: 1-D DFTs of the rows, then of the columns. */
function naiveDft2d(re: ArrayLike<number>, im: ArrayLike<number>, h: number, w: number, sign: -1 | 1 = -1) {
  const outRe = new Float64Array(h * w);
  const outIm = new Float64Array(h * w);
  for (let r = 0; r < h; r++) {
    const row = naiveDft(
      Array.from(re).slice(r * w, r * w + w),
      Array.from(im).slice(r * w, r * w + w),
      sign,
    );
    outRe.set(row.re, r * w);
    outIm.set(row.im, r * w);
  }
  for (let c = 0; c < w; c++) {
    const colRe = Array.from({ length: h }, (_, r) => outRe[r * w + c]!);
    const colIm = Array.from({ length: h }, (_, r) => outIm[r * w + c]!);
    const col = naiveDft(colRe, colIm, sign);
    for (let r = 0; r < h; r++) {
      outRe[r * w + c] = col.re[r]!;
      outIm[r * w + c] = col.im[r]!;
    }
  }
  return { re: outRe, im: outIm };
}

/** Hermitian extension of a half spectrum to length n (imaginary parts of DC and Nyquist dropped). */
function hermitianExtension(re: ArrayLike<number>, im: ArrayLike<number>, n: number) {
  const fullRe = new Float64Array(n);
  const fullIm = new Float64Array(n);
  for (let k = 0; k <= Math.floor(n / 2); k++) {
    const edge = k === 0 || 2 * k === n;
    fullRe[k] = re[k]!;
    fullIm[k] = edge ? 0 : im[k]!;
    if (!edge) {
      fullRe[n - k] = re[k]!;
      fullIm[n - k] = -im[k]!;
    }
  }
  return { re: fullRe, im: fullIm };
}

/** max |actual − expected| / max |expected| over both parts (complex-norm relative error). */
function relativeError(
  actual: { re: ArrayLike<number>; im?: ArrayLike<number> },
  expected: { re: ArrayLike<number>; im?: ArrayLike<number> },
): number {
  expect(actual.re.length).toBe(expected.re.length);
  let err = 0;
  let ref = 0;
  for (let i = 0; i < expected.re.length; i++) {
    const dIm = actual.im && expected.im ? actual.im[i]! - expected.im[i]! : 0;
    err = Math.max(err, Math.hypot(actual.re[i]! - expected.re[i]!, dIm));
    ref = Math.max(ref, Math.hypot(expected.re[i]!, expected.im ? expected.im[i]! : 0));
  }
  return ref === 0 ? err : err / ref;
}

const LENGTHS = Array.from({ length: 257 }, (_, i) => i + 1);

describe('fftArray and ifftArray against a naive float64 DFT', () => {
  it('match to 1e-10 (float64) for every length 1…257, primes included', () => {
    const next = rng(1);
    let worstForward = 0;
    let worstInverse = 0;
    for (const n of LENGTHS) {
      const re = randomArray(n, next);
      const im = randomArray(n, next);
      const forward = relativeError(fftArray(re, im), naiveDft(re, im));
      const inverse = relativeError(ifftArray(re, im), naiveDft(re, im, 1, 1 / n));
      expect(forward, `forward, n = ${n}`).toBeLessThanOrEqual(1e-10);
      expect(inverse, `inverse, n = ${n}`).toBeLessThanOrEqual(1e-10);
      worstForward = Math.max(worstForward, forward);
      worstInverse = Math.max(worstInverse, inverse);
    }
    // Far inside the target: a broken twiddle or chirp gives O(1) errors, round-off gives ~1e-15.
    expect(worstForward).toBeLessThan(1e-13);
    expect(worstInverse).toBeLessThan(1e-13);
  });

  it('match to 1e-5 (float32 in, float32 out) for every length 1…257', () => {
    const next = rng(2);
    for (const n of LENGTHS) {
      const re = Float32Array.from(randomArray(n, next));
      const im = Float32Array.from(randomArray(n, next));
      const out = fftArray(re, im);
      expect(out.re).toBeInstanceOf(Float32Array);
      expect(out.im).toBeInstanceOf(Float32Array);
      expect(relativeError(out, naiveDft(re, im)), `forward, n = ${n}`).toBeLessThanOrEqual(1e-5);
      const back = fftArray(re, im, { inverse: true });
      expect(relativeError(back, naiveDft(re, im, 1, 1 / n)), `inverse, n = ${n}`).toBeLessThanOrEqual(1e-5);
    }
  });

  it('uses the radix-4 library for powers of two and Bluestein otherwise', () => {
    expect(complexPlan(1).kind).toBe('trivial');
    expect(complexPlan(2).kind).toBe('radix-4');
    expect(complexPlan(1024).kind).toBe('radix-4');
    expect(complexPlan(1031).kind).toBe('bluestein');
    expect(complexPlan(1000).kind).toBe('bluestein');
    expect(complexPlan(1000)).toBe(complexPlan(1000)); // cached
    clearFftPlans();
  });

  it('is accurate at large Bluestein lengths (1000 and the prime 1031)', () => {
    const next = rng(3);
    for (const n of [1000, 1031]) {
      const re = randomArray(n, next);
      const im = randomArray(n, next);
      expect(relativeError(fftArray(re, im), naiveDft(re, im))).toBeLessThan(1e-12);
    }
  });

  it('gives closed forms: impulse → ones, pure tone → two spikes of n/2', () => {
    for (const n of [8, 12, 13]) {
      const impulse = new Float64Array(n);
      impulse[0] = 1;
      const flat = fftArray(impulse, new Float64Array(n));
      for (let k = 0; k < n; k++) {
        expect(flat.re[k]).toBeCloseTo(1, 14);
        expect(flat.im[k]).toBeCloseTo(0, 14);
      }
      const tone = Float64Array.from({ length: n }, (_, j) => Math.cos((2 * Math.PI * 3 * j) / n));
      const spectrum = fftArray(tone, new Float64Array(n));
      for (let k = 0; k < n; k++) {
        expect(spectrum.re[k]).toBeCloseTo(k === 3 || k === n - 3 ? n / 2 : 0, 12);
        expect(spectrum.im[k]).toBeCloseTo(0, 12);
      }
    }
  });

  it('batches rows with `length`, each row equal to its own transform; inputs are not modified', () => {
    const next = rng(4);
    const re = randomArray(3 * 10, next);
    const im = randomArray(3 * 10, next);
    const copy = Float64Array.from(re);
    const out = fftArray(re, im, { length: 10 });
    expect(re).toEqual(copy);
    for (let r = 0; r < 3; r++) {
      const ref = naiveDft(re.subarray(10 * r, 10 * r + 10), im.subarray(10 * r, 10 * r + 10));
      const row = { re: out.re.subarray(10 * r, 10 * r + 10), im: out.im.subarray(10 * r, 10 * r + 10) };
      expect(relativeError(row, ref)).toBeLessThan(1e-13);
    }
    const back = ifftArray(out.re, out.im, { length: 10 });
    expect(relativeError(back, { re, im })).toBeLessThan(1e-14);
  });

  it('rejects bad arguments with typed errors that name the argument', () => {
    const a = new Float64Array(6);
    expect(() => fftArray([1, 2, 3] as never, a)).toThrow(ArgumentError);
    expect(() => fftArray([1, 2, 3] as never, a)).toThrow(
      're: expected a Float64Array or Float32Array, got an array of length 3',
    );
    expect(() => fftArray(a, new Int32Array(6) as never)).toThrow(
      'im: expected a Float64Array or Float32Array, got a Int32Array',
    );
    expect(() => fftArray(a, new Float64Array(5))).toThrow(ShapeError);
    expect(() => fftArray(a, new Float64Array(5))).toThrow('re and im: expected equal lengths, got 6 and 5');
    expect(() => fftArray(a, a, { length: 4 })).toThrow(ShapeError);
    expect(() => fftArray(a, a, { length: 4 })).toThrow(
      're: expected a length that is a multiple of the transform length 4, got 6',
    );
    expect(() => fftArray(a, a, { length: 0 })).toThrow(ArgumentError);
    expect(() => fftArray(a, a, { length: 2.5 })).toThrow('length: expected an integer, got 2.5');
    expect(() => fftArray(new Float64Array(0), new Float64Array(0))).toThrow(ShapeError);
  });
});

describe('rfftArray and irfftArray against the naive DFT', () => {
  it('rfft returns ⌊n/2⌋+1 bins equal to the DFT to 1e-10 (float64) / 1e-5 (float32), n = 1…257', () => {
    const next = rng(5);
    for (const n of LENGTHS) {
      const x = randomArray(n, next);
      const full = naiveDft(x, new Float64Array(n));
      const bins = Math.floor(n / 2) + 1;
      const expected = { re: full.re.subarray(0, bins), im: full.im.subarray(0, bins) };
      const ours = rfftArray(x);
      expect(ours.re.length).toBe(bins);
      expect(relativeError(ours, expected), `n = ${n}`).toBeLessThanOrEqual(1e-10);
      const x32 = Float32Array.from(x);
      const full32 = naiveDft(x32, new Float64Array(n));
      const ours32 = rfftArray(x32);
      expect(ours32.re).toBeInstanceOf(Float32Array);
      const expected32 = { re: full32.re.subarray(0, bins), im: full32.im.subarray(0, bins) };
      expect(relativeError(ours32, expected32), `float32, n = ${n}`).toBeLessThanOrEqual(1e-5);
    }
  });

  it('irfft equals the inverse DFT of the Hermitian extension (DC/Nyquist imaginary parts ignored), n = 1…257', () => {
    const next = rng(6);
    for (const n of LENGTHS) {
      const bins = Math.floor(n / 2) + 1;
      const re = randomArray(bins, next);
      const im = randomArray(bins, next); // includes non-zero imaginary DC / Nyquist parts
      const full = hermitianExtension(re, im, n);
      const expected = naiveDft(full.re, full.im, 1, 1 / n);
      const ours = irfftArray(re, im, n);
      expect(ours.length).toBe(n);
      expect(relativeError({ re: ours }, { re: expected.re }), `n = ${n}`).toBeLessThanOrEqual(1e-10);
      const ours32 = irfftArray(Float32Array.from(re), Float32Array.from(im), n);
      expect(ours32).toBeInstanceOf(Float32Array);
      const ref32 = hermitianExtension(Float32Array.from(re), Float32Array.from(im), n);
      const expected32 = naiveDft(ref32.re, ref32.im, 1, 1 / n);
      expect(relativeError({ re: ours32 }, { re: expected32.re }), `float32, n = ${n}`).toBeLessThanOrEqual(
        1e-5,
      );
    }
  });

  it('round-trips batched rows: irfft(rfft(x), n) = x', () => {
    const next = rng(7);
    for (const n of [6, 7, 16]) {
      const x = randomArray(4 * n, next);
      const spectrum = rfftArray(x, { length: n });
      expect(spectrum.re.length).toBe(4 * (Math.floor(n / 2) + 1));
      const back = irfftArray(spectrum.re, spectrum.im, n);
      expect(relativeError({ re: back }, { re: x })).toBeLessThan(1e-14);
    }
  });

  it('rejects an output length inconsistent with the bin count', () => {
    const re = new Float64Array(4);
    expect(() => irfftArray(re, re, 8)).toThrow(ShapeError);
    expect(() => irfftArray(re, re, 8)).toThrow(
      're: expected a non-zero multiple of 5 bins (⌊length/2⌋+1 for length 8), got 4',
    );
    expect(() => irfftArray(re, re, 0)).toThrow(ArgumentError);
    expect(() => rfftArray(new Float64Array(6), { length: 4 })).toThrow(ShapeError);
  });
});

describe('2-D transforms against the naive 2-D DFT', () => {
  const SHAPES: [number, number][] = [
    [1, 1],
    [3, 5],
    [4, 8],
    [7, 6],
    [5, 2],
  ];

  it('fft2dArray / ifft2dArray match per matrix of a batch of 2', () => {
    const next = rng(8);
    for (const [h, w] of SHAPES) {
      const size = h * w;
      const re = randomArray(2 * size, next);
      const im = randomArray(2 * size, next);
      const out = fft2dArray(re, im, [h, w]);
      const inv = ifft2dArray(re, im, [h, w]);
      for (let b = 0; b < 2; b++) {
        const part = (x: Float64Array) => x.subarray(b * size, (b + 1) * size);
        const ref = naiveDft2d(part(re), part(im), h, w);
        expect(relativeError({ re: part(out.re), im: part(out.im) }, ref), `[${h}, ${w}]`).toBeLessThan(
          1e-12,
        );
        const refInv = naiveDft2d(part(re), part(im), h, w, 1);
        const scaled = { re: refInv.re.map((v) => v / size), im: refInv.im.map((v) => v / size) };
        expect(relativeError({ re: part(inv.re), im: part(inv.im) }, scaled)).toBeLessThan(1e-12);
      }
    }
  });

  it('rfft2dArray keeps the first ⌊w/2⌋+1 columns of the full 2-D DFT; irfft2dArray inverts it', () => {
    const next = rng(9);
    for (const [h, w] of SHAPES) {
      const x = randomArray(2 * h * w, next);
      const bins = Math.floor(w / 2) + 1;
      const half = rfft2dArray(Float32Array.from(x), [h, w]);
      const half64 = rfft2dArray(x, [h, w]);
      expect(half.re.length).toBe(2 * h * bins);
      for (let b = 0; b < 2; b++) {
        const ref = naiveDft2d(x.subarray(b * h * w, (b + 1) * h * w), new Float64Array(h * w), h, w);
        const expected = { re: new Float64Array(h * bins), im: new Float64Array(h * bins) };
        for (let r = 0; r < h; r++) {
          for (let c = 0; c < bins; c++) {
            expected.re[r * bins + c] = ref.re[r * w + c]!;
            expected.im[r * bins + c] = ref.im[r * w + c]!;
          }
        }
        const slice = (a: ArrayLike<number> & { subarray(s: number, e: number): ArrayLike<number> }) =>
          a.subarray(b * h * bins, (b + 1) * h * bins);
        expect(relativeError({ re: slice(half64.re), im: slice(half64.im) }, expected)).toBeLessThan(1e-12);
        expect(relativeError({ re: slice(half.re), im: slice(half.im) }, expected)).toBeLessThan(1e-5);
      }
      const back = irfft2dArray(half64.re, half64.im, [h, w]);
      expect(relativeError({ re: back }, { re: x })).toBeLessThan(1e-13);
    }
  });

  it('irfft2dArray equals the real part of the 2-D inverse DFT of the Hermitian-symmetric spectrum', () => {
    const next = rng(10);
    const [h, w] = [4, 6];
    const x = randomArray(h * w, next);
    const spectrum = naiveDft2d(x, new Float64Array(h * w), h, w);
    const bins = w / 2 + 1;
    const re = new Float64Array(h * bins);
    const im = new Float64Array(h * bins);
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < bins; c++) {
        re[r * bins + c] = spectrum.re[r * w + c]!;
        im[r * bins + c] = spectrum.im[r * w + c]!;
      }
    }
    expect(relativeError({ re: irfft2dArray(re, im, [h, w]) }, { re: x })).toBeLessThan(1e-13);
  });

  it('rejects bad shapes with typed errors', () => {
    const a = new Float64Array(12);
    expect(() => fft2dArray(a, a, [5, 3])).toThrow(ShapeError);
    expect(() => fft2dArray(a, a, [5, 3])).toThrow('re: expected a non-zero multiple of 15 values, got 12');
    expect(() => fft2dArray(a, a, [3] as never)).toThrow(ArgumentError);
    expect(() => fft2dArray(a, a, [3] as never)).toThrow(
      'shape: expected [height, width], got an array of length 1',
    );
    expect(() => rfft2dArray(a, [0, 12])).toThrow('shape[0] (height): expected a value >= 1, got 0');
    expect(() => irfft2dArray(a, a, [3, 4])).toThrow('re: expected a non-zero multiple of 9 values, got 12');
  });
});

describe('output arrays (`out`)', () => {
  it('writes into given arrays, in place included, with the same result as allocating', () => {
    const next = rng(11);
    const re = randomArray(2 * 12, next);
    const im = randomArray(2 * 12, next);
    const expected = fftArray(re, im, { length: 12 });
    const out = { re: new Float64Array(24), im: new Float64Array(24) };
    expect(fftArray(re, im, { length: 12, out })).toBe(out);
    expect(out.re).toEqual(expected.re);
    const inPlace = { re: Float64Array.from(re), im: Float64Array.from(im) };
    fftArray(inPlace.re, inPlace.im, { length: 12, out: inPlace });
    expect(relativeError(inPlace, expected)).toBeLessThan(1e-15);
    const image = { re: Float64Array.from(re), im: Float64Array.from(im) };
    ifft2dArray(image.re, image.im, [4, 6], { out: image });
    expect(relativeError(image, ifft2dArray(re, im, [4, 6]))).toBeLessThan(1e-15);
    const half = rfftArray(re, { length: 12 });
    const real = new Float64Array(24);
    expect(irfftArray(half.re, half.im, 12, { out: real })).toBe(real);
    expect(relativeError({ re: real }, { re })).toBeLessThan(1e-14);
  });

  it('rejects output arrays of the wrong length or kind', () => {
    const a = new Float64Array(8);
    expect(() => fftArray(a, a, { out: { re: new Float64Array(7), im: a } })).toThrow(ShapeError);
    expect(() => fftArray(a, a, { out: { re: new Float64Array(7), im: a } })).toThrow(
      'out.re: expected length 8, got 7',
    );
    expect(() => rfftArray(a, { out: { re: new Float64Array(5), im: [] as never } })).toThrow(
      'out.im: expected a Float64Array or Float32Array, got an array of length 0',
    );
    expect(() => irfft2dArray(a, a, [2, 6], { out: new Float64Array(3) })).toThrow(
      'out: expected length 12, got 3',
    );
  });
});
