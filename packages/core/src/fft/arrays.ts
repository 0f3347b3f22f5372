import { ArgumentError, ShapeError } from '../errors/errors.js';
import { assertInteger, describe } from '../errors/validate.js';
import {
  columnLayout,
  type FloatArray,
  halfSpectrumLength,
  halfToRealLines,
  realToHalfLines,
  rowLayout,
  splitSource,
  splitTarget,
  transformComplexLines,
} from './lines.js';

export type { FloatArray };

/** A complex array in split form: real and imaginary parts in two typed arrays of equal length. */
export interface ComplexArrays<T extends FloatArray = FloatArray> {
  re: T;
  im: T;
}

/** Options for {@link fftArray}. */
export interface FftArrayOptions<T extends FloatArray = FloatArray> {
  /** Compute the inverse transform (with the 1/n factor). Default `false`. */
  inverse?: boolean;
  /**
   * Length of each transform. The arrays then hold `re.length / length` transforms back to back
   * (a batch of rows). Default: the whole array is one transform.
   */
  length?: number;
  /**
   * Arrays to write the result into instead of allocating new ones (same length as the input; they
   * may be the input arrays themselves: the transform is safe in place). Returned as the result.
   */
  out?: ComplexArrays<T>;
}

/** Options for {@link rfftArray}. */
export interface RfftArrayOptions<T extends FloatArray = FloatArray> {
  /** Length of each real transform; the input holds `x.length / length` rows. Default: the whole array. */
  length?: number;
  /** Arrays to write the half spectra into instead of allocating (rows·(⌊length/2⌋+1) entries each). */
  out?: ComplexArrays<T>;
}

/** Options for {@link fft2dArray}. */
export interface Fft2dArrayOptions<T extends FloatArray = FloatArray> {
  /** Compute the inverse transform (with the 1/(height·width) factor). Default `false`. */
  inverse?: boolean;
  /** Arrays to write the result into (same length as the input; may be the input arrays). */
  out?: ComplexArrays<T>;
}

/** Options for {@link rfft2dArray}. */
export interface Rfft2dArrayOptions<T extends FloatArray = FloatArray> {
  /** Arrays to write the half spectra into (batch·height·(⌊width/2⌋+1) entries each). */
  out?: ComplexArrays<T>;
}

/** Options for {@link irfftArray} and {@link irfft2dArray}. */
export interface IrfftArrayOptions<T extends FloatArray = FloatArray> {
  /** Array to write the real result into instead of allocating (exactly the output length). */
  out?: T;
}

function assertFloatArray(x: unknown, name: string): asserts x is FloatArray {
  if (!(x instanceof Float64Array) && !(x instanceof Float32Array)) {
    const what =
      x !== null && typeof x === 'object' && ArrayBuffer.isView(x) ? `a ${x.constructor.name}` : describe(x);
    throw new ArgumentError(`${name}: expected a Float64Array or Float32Array, got ${what}`);
  }
}

function assertSameLength(re: FloatArray, im: FloatArray, names = 're and im'): void {
  if (re.length !== im.length) {
    throw new ShapeError(`${names}: expected equal lengths, got ${re.length} and ${im.length}`);
  }
}

function sameKind<T extends FloatArray>(like: T, length: number): T {
  return (like instanceof Float32Array ? new Float32Array(length) : new Float64Array(length)) as T;
}

/** The caller's output array (checked) or a new one of the input's kind. */
function realOutput<T extends FloatArray>(like: T, length: number, out: T | undefined, name: string): T {
  if (out === undefined) return sameKind(like, length);
  assertFloatArray(out, name);
  if (out.length !== length) throw new ShapeError(`${name}: expected length ${length}, got ${out.length}`);
  return out;
}

/** The caller's output pair (checked) or two new arrays of the input's kind. */
function complexOutput<T extends FloatArray>(
  like: T,
  length: number,
  out: ComplexArrays<T> | undefined,
): ComplexArrays<T> {
  if (out === undefined) {
    // One allocation for both parts (typed-array allocation dominates small transforms).
    const both = sameKind(like, 2 * length);
    return { re: both.subarray(0, length) as T, im: both.subarray(length) as T };
  }
  if (out === null || typeof out !== 'object') {
    throw new ArgumentError(`out: expected { re, im } typed arrays, got ${describe(out)}`);
  }
  realOutput(like, length, out.re, 'out.re');
  realOutput(like, length, out.im, 'out.im');
  return out;
}

/** Resolves and checks the per-row length of a batched 1-D transform; returns the number of rows. */
function rowsOf(total: number, length: number | undefined, name: string, what: string): [number, number] {
  if (length === undefined) {
    if (total === 0) throw new ShapeError(`${name}: expected a non-empty array, got length 0`);
    return [1, total];
  }
  assertInteger(length, 'length', { min: 1 });
  if (total % length !== 0) {
    throw new ShapeError(`${name}: expected a length that is a multiple of ${what} ${length}, got ${total}`);
  }
  return [total / length, length];
}

function assertShape2d(shape: unknown, name: string): asserts shape is readonly [number, number] {
  if (!Array.isArray(shape) || shape.length !== 2) {
    throw new ArgumentError(`${name}: expected [height, width], got ${describe(shape)}`);
  }
  assertInteger(shape[0], `${name}[0] (height)`, { min: 1 });
  assertInteger(shape[1], `${name}[1] (width)`, { min: 1 });
}

/**
 * Discrete Fourier transform of a complex sequence of any length (or a batch of them), in float64
 * arithmetic: `Xₖ = Σⱼ xⱼ e^{−2πi·jk/n}`; with `inverse`, `xⱼ = (1/n) Σₖ Xₖ e^{+2πi·jk/n}` (numpy's
 * default "backward" normalisation). Powers of two run fft.js's radix-4 transform; other lengths
 * (primes included) run Bluestein's algorithm on a power-of-two convolution, O(n log n). Plans are
 * cached per length. The result has the type of `re` (Float32Array input is computed in float64 and
 * rounded once).
 *
 * @param re - real parts
 * @param im - imaginary parts, same length as `re`
 * @param options - `inverse`; `length` to transform consecutive rows of that length; `out` to write
 *   into given arrays (in place allowed) instead of allocating
 * @returns `{ re, im }`: new arrays, or `options.out`
 * @throws {@link ArgumentError} for non-float arrays or a bad `length`
 * @throws {@link ShapeError} for unequal lengths, or a total length that is not a multiple of `length`
 *
 * @example
 * ```ts
 * const { re, im } = fftArray(Float64Array.of(1, 2, 3), new Float64Array(3));
 * // re ≈ [6, −1.5, −1.5], im ≈ [0, 0.866, −0.866]
 * const back = fftArray(re, im, { inverse: true }); // ≈ [1, 2, 3], [0, 0, 0]
 * ```
 */
export function fftArray<T extends FloatArray>(
  re: T,
  im: T,
  options: FftArrayOptions<T> = {},
): ComplexArrays<T> {
  assertFloatArray(re, 're');
  assertFloatArray(im, 'im');
  assertSameLength(re, im);
  const [rows, n] = rowsOf(re.length, options.length, 're', 'the transform length');
  const inverse = options.inverse ?? false;
  const out = complexOutput(re, re.length, options.out);
  const layout = rowLayout(rows, n);
  transformComplexLines(
    n,
    splitSource(re, im),
    layout,
    splitTarget(out.re, out.im),
    layout,
    inverse,
    inverse ? 1 / n : 1,
  );
  return out;
}

/**
 * Inverse discrete Fourier transform, `xⱼ = (1/n) Σₖ Xₖ e^{+2πi·jk/n}`: {@link fftArray} with
 * `inverse: true`.
 *
 * @example
 * ```ts
 * const x = ifftArray(spectrum.re, spectrum.im);
 * ```
 */
export function ifftArray<T extends FloatArray>(
  re: T,
  im: T,
  options: Omit<FftArrayOptions<T>, 'inverse'> = {},
): ComplexArrays<T> {
  return fftArray(re, im, { ...options, inverse: true });
}

/**
 * Real-input DFT: the non-negative-frequency half `Xₖ = Σⱼ xⱼ e^{−2πi·jk/n}`, k = 0 … ⌊n/2⌋ (n/2 + 1
 * bins for even n), as numpy's `rfft`. Even lengths cost one complex transform of length n/2. With
 * `length`, each consecutive row of that length is transformed and the output rows have ⌊length/2⌋+1 bins.
 *
 * @throws {@link ArgumentError} for a non-float array or a bad `length`
 * @throws {@link ShapeError} for an empty array or a total length that is not a multiple of `length`
 *
 * @example
 * ```ts
 * const { re, im } = rfftArray(Float64Array.of(1, 0, -1, 0)); // re = [0, 2, 0], im = [0, 0, 0]
 * ```
 */
export function rfftArray<T extends FloatArray>(x: T, options: RfftArrayOptions<T> = {}): ComplexArrays<T> {
  assertFloatArray(x, 'x');
  const [rows, n] = rowsOf(x.length, options.length, 'x', 'the transform length');
  const bins = halfSpectrumLength(n);
  const out = complexOutput(x, rows * bins, options.out);
  realToHalfLines(
    n,
    { data: x, offset: 0 },
    rowLayout(rows, n),
    splitTarget(out.re, out.im),
    rowLayout(rows, bins),
    1,
    1,
  );
  return out;
}

/**
 * Inverse of {@link rfftArray}: the real sequence of length `length` whose half spectrum is given,
 * `xⱼ = (1/n) Σₖ Yₖ e^{+2πi·jk/n}` over the Hermitian extension Y (Y_{n−k} = conj Xₖ), as numpy's
 * `irfft(X, n=length)`. The imaginary parts of the DC bin and (even `length`) the Nyquist bin are
 * ignored. The input holds rows of ⌊length/2⌋+1 bins; the output rows have `length` samples. The
 * output length must be given because even and odd lengths share a bin count.
 *
 * @param length - output length n of each row (a positive integer)
 * @throws {@link ArgumentError} for non-float arrays or a bad `length`
 * @throws {@link ShapeError} when the lengths differ or are not a multiple of ⌊length/2⌋+1
 *
 * @example
 * ```ts
 * const spectrum = rfftArray(signal);
 * const back = irfftArray(spectrum.re, spectrum.im, signal.length); // ≈ signal
 * ```
 */
export function irfftArray<T extends FloatArray>(
  re: T,
  im: T,
  length: number,
  options: IrfftArrayOptions<T> = {},
): T {
  assertFloatArray(re, 're');
  assertFloatArray(im, 'im');
  assertSameLength(re, im);
  assertInteger(length, 'length', { min: 1 });
  const bins = halfSpectrumLength(length);
  if (re.length % bins !== 0 || re.length === 0) {
    throw new ShapeError(
      `re: expected a non-zero multiple of ${bins} bins (⌊length/2⌋+1 for length ${length}), got ${re.length}`,
    );
  }
  const rows = re.length / bins;
  const out = realOutput(re, rows * length, options.out, 'out');
  halfToRealLines(
    length,
    splitSource(re, im),
    rowLayout(rows, bins),
    { data: out, offset: 0 },
    rowLayout(rows, length),
    1 / length,
    2,
  );
  return out;
}

/**
 * Two-dimensional DFT of row-major `[height, width]` complex arrays (or a batch of them, back to
 * back): rows, then columns. Forward `X = Σ x e^{−2πi(uh/H + vw/W)}`; `inverse` uses + and the factor
 * 1/(H·W), as numpy's `fft2`/`ifft2`.
 *
 * @param shape - `[height, width]` of each matrix; `re.length` must be a multiple of height·width
 * @throws {@link ArgumentError} for non-float arrays or a bad shape
 * @throws {@link ShapeError} for unequal lengths or a length that is not a multiple of height·width
 *
 * @example
 * ```ts
 * const spectrum = fft2dArray(re, im, [64, 64]);
 * ```
 */
export function fft2dArray<T extends FloatArray>(
  re: T,
  im: T,
  shape: readonly [number, number],
  options: Fft2dArrayOptions<T> = {},
): ComplexArrays<T> {
  assertFloatArray(re, 're');
  assertFloatArray(im, 'im');
  assertSameLength(re, im);
  assertShape2d(shape, 'shape');
  const [height, width] = shape;
  const batch = batchOf(re.length, height * width, 're');
  const inverse = options.inverse ?? false;
  const out = complexOutput(re, re.length, options.out);
  const dst = splitTarget(out.re, out.im);
  const rows = rowLayout(batch * height, width);
  transformComplexLines(width, splitSource(re, im), rows, dst, rows, inverse, 1);
  const columns = columnLayout(batch, height, width);
  transformComplexLines(height, dst, columns, dst, columns, inverse, inverse ? 1 / (height * width) : 1);
  return out;
}

/**
 * Two-dimensional inverse DFT with the 1/(height·width) factor: {@link fft2dArray} with `inverse: true`.
 *
 * @example
 * ```ts
 * const image = ifft2dArray(spectrum.re, spectrum.im, [64, 64]);
 * ```
 */
export function ifft2dArray<T extends FloatArray>(
  re: T,
  im: T,
  shape: readonly [number, number],
  options: Omit<Fft2dArrayOptions<T>, 'inverse'> = {},
): ComplexArrays<T> {
  return fft2dArray(re, im, shape, { ...options, inverse: true });
}

function batchOf(total: number, per: number, name: string): number {
  if (total % per !== 0 || total === 0) {
    throw new ShapeError(`${name}: expected a non-zero multiple of ${per} values, got ${total}`);
  }
  return total / per;
}

/**
 * Two-dimensional real-input DFT of row-major `[height, width]` arrays (batched back to back): a real
 * transform along rows (⌊width/2⌋+1 bins), then complex transforms along columns, as numpy's `rfft2`.
 * The output is `[height, ⌊width/2⌋+1]` per matrix.
 *
 * @throws {@link ArgumentError} for a non-float array or a bad shape
 * @throws {@link ShapeError} for a length that is not a multiple of height·width
 *
 * @example
 * ```ts
 * const { re, im } = rfft2dArray(image, [32, 32]); // 32 × 17 bins
 * ```
 */
export function rfft2dArray<T extends FloatArray>(
  x: T,
  shape: readonly [number, number],
  options: Rfft2dArrayOptions<T> = {},
): ComplexArrays<T> {
  assertFloatArray(x, 'x');
  assertShape2d(shape, 'shape');
  const [height, width] = shape;
  const batch = batchOf(x.length, height * width, 'x');
  const bins = halfSpectrumLength(width);
  const out = complexOutput(x, batch * height * bins, options.out);
  const dst = splitTarget(out.re, out.im);
  realToHalfLines(
    width,
    { data: x, offset: 0 },
    rowLayout(batch * height, width),
    dst,
    rowLayout(batch * height, bins),
    1,
    1,
  );
  const columns = columnLayout(batch, height, bins);
  transformComplexLines(height, dst, columns, dst, columns, false, 1);
  return out;
}

/**
 * Inverse of {@link rfft2dArray}, as numpy's `irfft2(X, s=shape)`: inverse complex transforms along
 * columns, then inverse real transforms along rows, with the factor 1/(height·width). The input is
 * `[height, ⌊width/2⌋+1]` per matrix; `shape` is the OUTPUT `[height, width]` (the width cannot be
 * inferred from the bin count).
 *
 * @throws {@link ArgumentError} for non-float arrays or a bad shape
 * @throws {@link ShapeError} for unequal lengths or a length that is not a multiple of height·(⌊width/2⌋+1)
 *
 * @example
 * ```ts
 * const image = irfft2dArray(spectrum.re, spectrum.im, [32, 32]);
 * ```
 */
export function irfft2dArray<T extends FloatArray>(
  re: T,
  im: T,
  shape: readonly [number, number],
  options: IrfftArrayOptions<T> = {},
): T {
  assertFloatArray(re, 're');
  assertFloatArray(im, 'im');
  assertSameLength(re, im);
  assertShape2d(shape, 'shape');
  const [height, width] = shape;
  const bins = halfSpectrumLength(width);
  const batch = batchOf(re.length, height * bins, 're');
  const work = { re: new Float64Array(re.length), im: new Float64Array(re.length) };
  const workArrays = splitTarget(work.re, work.im);
  const columns = columnLayout(batch, height, bins);
  transformComplexLines(height, splitSource(re, im), columns, workArrays, columns, true, 1);
  const out = realOutput(re, batch * height * width, options.out, 'out');
  halfToRealLines(
    width,
    workArrays,
    rowLayout(batch * height, bins),
    { data: out, offset: 0 },
    rowLayout(batch * height, width),
    1 / (height * width),
    2,
  );
  return out;
}
