/**
 * The engine under every FFT in Tensorloom: transforms of many equally long, strided "lines" (rows,
 * columns, interleaved or split storage) through one cached plan, with the direction, the scale and
 * the half-spectrum weights folded into the gather and scatter loops. Internal; the public surfaces
 * are the typed-array functions (`arrays.ts`) and the tfjs ops and kernels.
 *
 * @module
 */
import { complexPlan, realTwiddles } from './plan.js';

/** Anything indexable as numbers: the typed arrays the engine reads (float32 or float64, or int32 input). */
export type NumericArray = Float32Array | Float64Array | Int32Array | Uint8Array;
/** The typed arrays the engine writes. */
export type FloatArray = Float32Array | Float64Array;

/**
 * Where a family of lines lives in flat arrays: element k of line (b, i), for b < `outer` and
 * i < `inner`, sits at `offset + b·outerStride + i·innerStride + k·stride`.
 */
export interface LineLayout {
  /** Number of outer groups (e.g. batch items). */
  outer: number;
  /** Number of lines in each group (1 for rows; the row width for columns). */
  inner: number;
  outerStride: number;
  innerStride: number;
  /** Distance between consecutive elements of a line. */
  stride: number;
}

/**
 * Complex values to read from flat arrays: split (`re`, `im` separate) or interleaved (`re === im`,
 * offsets 0 and 1, layout strides doubled by {@link interleavedLayout}).
 */
export interface ComplexSource {
  re: NumericArray;
  /** `null` reads as zero (real input to a complex transform). */
  im: NumericArray | null;
  reOffset: number;
  imOffset: number;
}

/** Complex values to write into flat float arrays (split or interleaved, as {@link ComplexSource}). */
export interface ComplexTarget {
  re: FloatArray;
  im: FloatArray;
  reOffset: number;
  imOffset: number;
}

/** Real values to read: element at `offset + layout index`. */
export interface RealSource {
  data: NumericArray;
  offset: number;
}

/** Real values to write: element at `offset + layout index`. */
export interface RealTarget {
  data: FloatArray;
  offset: number;
}

/** Layout of contiguous rows of length `n` (any number of them) in a split or real array. */
export function rowLayout(rows: number, n: number): LineLayout {
  return { outer: rows, inner: 1, outerStride: n, innerStride: 0, stride: 1 };
}

/** Layout of the columns of `batch` row-major `[height, width]` matrices (each column has `height` entries). */
export function columnLayout(batch: number, height: number, width: number): LineLayout {
  return { outer: batch, inner: width, outerStride: height * width, innerStride: 1, stride: width };
}

/** Split complex input (`re`, `im` separate; `im` null for zero). */
export function splitSource(re: NumericArray, im: NumericArray | null): ComplexSource {
  return { re, im, reOffset: 0, imOffset: 0 };
}

/** Split complex output. */
export function splitTarget(re: FloatArray, im: FloatArray): ComplexTarget {
  return { re, im, reOffset: 0, imOffset: 0 };
}

/** Interleaved complex input `[re0, im0, re1, im1, …]`; pair it with {@link interleavedLayout}. */
export function interleavedSource(data: NumericArray): ComplexSource {
  return { re: data, im: data, reOffset: 0, imOffset: 1 };
}

/** Interleaved complex output; pair it with {@link interleavedLayout}. */
export function interleavedTarget(data: FloatArray): ComplexTarget {
  return { re: data, im: data, reOffset: 0, imOffset: 1 };
}

/** Converts a layout in complex elements into one in the physical entries of an interleaved array. */
export function interleavedLayout(layout: LineLayout): LineLayout {
  return {
    outer: layout.outer,
    inner: layout.inner,
    outerStride: 2 * layout.outerStride,
    innerStride: 2 * layout.innerStride,
    stride: 2 * layout.stride,
  };
}

function lineStart(layout: LineLayout, b: number, i: number): number {
  return b * layout.outerStride + i * layout.innerStride;
}

/**
 * Complex DFT of length `n` along every line: `y = scale · Σⱼ xⱼ e^{∓2πi·jk/n}` (− forward, + when
 * `inverse`; no implicit 1/n, pass it in `scale`). Source and destination may be the same arrays with
 * the same layout (each line is gathered into scratch first).
 */
export function transformComplexLines(
  n: number,
  src: ComplexSource,
  srcLayout: LineLayout,
  dst: ComplexTarget,
  dstLayout: LineLayout,
  inverse: boolean,
  scale: number,
): void {
  const plan = complexPlan(n);
  const buf = plan.input;
  const out = plan.output;
  const sign = inverse ? -1 : 1;
  const { re: sre, im: sim } = src;
  const { re: dre, im: dim } = dst;
  const ss = srcLayout.stride;
  const ds = dstLayout.stride;
  for (let b = 0; b < srcLayout.outer; b++) {
    for (let i = 0; i < srcLayout.inner; i++) {
      const s0 = lineStart(srcLayout, b, i);
      let p = s0 + src.reOffset;
      if (sim === null) {
        for (let k = 0; k < 2 * n; k += 2, p += ss) {
          buf[k] = sre[p]!;
          buf[k + 1] = 0;
        }
      } else {
        let q = s0 + src.imOffset;
        for (let k = 0; k < 2 * n; k += 2, p += ss, q += ss) {
          buf[k] = sre[p]!;
          buf[k + 1] = sign * sim[q]!;
        }
      }
      plan.forward(buf, out);
      // Conjugating before and after a forward transform gives the (unnormalised) inverse.
      const d0 = lineStart(dstLayout, b, i);
      let r = d0 + dst.reOffset;
      let t = d0 + dst.imOffset;
      const imScale = sign * scale;
      for (let k = 0; k < 2 * n; k += 2, r += ds, t += ds) {
        dre[r] = scale * out[k]!;
        dim[t] = imScale * out[k + 1]!;
      }
    }
  }
}

/** Number of bins a real transform of length `n` keeps: ⌊n/2⌋ + 1. */
export function halfSpectrumLength(n: number): number {
  return Math.floor(n / 2) + 1;
}

/**
 * Real-to-half-spectrum DFT of length `n` along every line: for k = 0 … ⌊n/2⌋,
 * `Yₖ = scale · cₖ · Σⱼ xⱼ e^{−2πi·jk/n}`, where cₖ = 1 at DC and (even n) Nyquist and
 * cₖ = `interiorWeight` in between (1 for the plain rfft; 2 for the adjoint of the inverse).
 * Even lengths run a complex transform of length n/2 on the packed pairs (x₂ₘ + i·x₂ₘ₊₁).
 */
export function realToHalfLines(
  n: number,
  src: RealSource,
  srcLayout: LineLayout,
  dst: ComplexTarget,
  dstLayout: LineLayout,
  scale: number,
  interiorWeight: number,
): void {
  const bins = halfSpectrumLength(n);
  const x = src.data;
  const ss = srcLayout.stride;
  const ds = dstLayout.stride;
  const { re: dre, im: dim } = dst;
  const interior = scale * interiorWeight;
  if (n % 2 === 1 || n === 2) {
    // Odd lengths (and n = 2): a full complex transform of the real line, first ⌊n/2⌋+1 bins kept.
    const plan = complexPlan(n);
    const buf = plan.input;
    const out = plan.output;
    for (let b = 0; b < srcLayout.outer; b++) {
      for (let i = 0; i < srcLayout.inner; i++) {
        let p = lineStart(srcLayout, b, i) + src.offset;
        for (let k = 0; k < 2 * n; k += 2, p += ss) {
          buf[k] = x[p]!;
          buf[k + 1] = 0;
        }
        plan.forward(buf, out);
        const d0 = lineStart(dstLayout, b, i);
        let r = d0 + dst.reOffset;
        let t = d0 + dst.imOffset;
        for (let k = 0; k < bins; k++, r += ds, t += ds) {
          const c = k === 0 || 2 * k === n ? scale : interior;
          dre[r] = c * out[2 * k]!;
          dim[t] = c * out[2 * k + 1]!;
        }
      }
    }
    return;
  }
  const half = n / 2;
  const plan = complexPlan(half);
  const buf = plan.input;
  const z = plan.output;
  const tw = realTwiddles(n).twiddle;
  for (let b = 0; b < srcLayout.outer; b++) {
    for (let i = 0; i < srcLayout.inner; i++) {
      let p = lineStart(srcLayout, b, i) + src.offset;
      for (let k = 0; k < n; k++, p += ss) buf[k] = x[p]!;
      plan.forward(buf, z);
      const d0 = lineStart(dstLayout, b, i);
      let r = d0 + dst.reOffset;
      let t = d0 + dst.imOffset;
      for (let k = 0; k <= half; k++, r += ds, t += ds) {
        // E = (Z_k + conj Z_{h−k})/2 (transform of the even samples), O = (Z_k − conj Z_{h−k})/(2i) (odd).
        const k1 = k === half ? 0 : k;
        const k2 = k === 0 ? 0 : half - k;
        const ar = z[2 * k1]!;
        const ai = z[2 * k1 + 1]!;
        const br = z[2 * k2]!;
        const bi = -z[2 * k2 + 1]!;
        const er = 0.5 * (ar + br);
        const ei = 0.5 * (ai + bi);
        const or = 0.5 * (ai - bi);
        const oi = -0.5 * (ar - br);
        const wr = tw[2 * k]!;
        const wi = tw[2 * k + 1]!;
        const c = k === 0 || k === half ? scale : interior;
        dre[r] = c * (er + wr * or - wi * oi);
        dim[t] = c * (ei + wr * oi + wi * or);
      }
    }
  }
}

/**
 * Half-spectrum-to-real transform of length `n` along every line (input lines have ⌊n/2⌋+1 bins):
 * `xⱼ = scale · Re Σ_{k≤n/2} mₖ Xₖ e^{+2πi·jk/n}` with mₖ = 1 at
 * DC and (even n) Nyquist and mₖ = `interiorWeight` in between. `interiorWeight = 2` is the usual
 * inverse real FFT times n (the Hermitian extension; imaginary parts of DC and Nyquist are ignored);
 * `interiorWeight = 1` is the adjoint of the plain real-to-half-spectrum transform.
 */
export function halfToRealLines(
  n: number,
  src: ComplexSource,
  srcLayout: LineLayout,
  dst: RealTarget,
  dstLayout: LineLayout,
  scale: number,
  interiorWeight: number,
): void {
  const ss = srcLayout.stride;
  const ds = dstLayout.stride;
  const { re: sre, im: sim } = src;
  const x = dst.data;
  // Interior bins enter the Hermitian extension twice (k and n−k), so a weight m becomes m/2 per copy.
  const a = interiorWeight / 2;
  if (n % 2 === 1 || n === 2) {
    const plan = complexPlan(n);
    const buf = plan.input;
    const out = plan.output;
    const bins = halfSpectrumLength(n);
    for (let b = 0; b < srcLayout.outer; b++) {
      for (let i = 0; i < srcLayout.inner; i++) {
        const s0 = lineStart(srcLayout, b, i);
        let p = s0 + src.reOffset;
        let q = s0 + src.imOffset;
        // Build the conjugate of the Hermitian spectrum, so that a forward transform gives the inverse
        // (the result is real, so its conjugation is free).
        for (let k = 0; k < bins; k++, p += ss, q += ss) {
          const edge = k === 0 || 2 * k === n;
          const w = edge ? 1 : a;
          const vr = w * sre[p]!;
          const vi = edge || sim === null ? 0 : w * sim[q]!;
          buf[2 * k] = vr;
          buf[2 * k + 1] = -vi;
          if (!edge) {
            buf[2 * (n - k)] = vr;
            buf[2 * (n - k) + 1] = vi;
          }
        }
        plan.forward(buf, out);
        let r = lineStart(dstLayout, b, i) + dst.offset;
        for (let j = 0; j < n; j++, r += ds) x[r] = scale * out[2 * j]!;
      }
    }
    return;
  }
  const half = n / 2;
  const plan = complexPlan(half);
  const buf = plan.input;
  const z = plan.output;
  const tw = realTwiddles(n).twiddle;
  for (let b = 0; b < srcLayout.outer; b++) {
    for (let i = 0; i < srcLayout.inner; i++) {
      const s0 = lineStart(srcLayout, b, i);
      const reBase = s0 + src.reOffset;
      const imBase = s0 + src.imOffset;
      for (let k = 0; k < half; k++) {
        // Hermitian spectrum Y (Y₀, Y_{n/2} real; interior weighted by a), then
        // E = (Y_k + conj Y_{h−k})/2, O = (Y_k − conj Y_{h−k})·e^{+2πik/n}/2, Z = E + i·O.
        const p1 = reBase + k * ss;
        const q1 = imBase + k * ss;
        const p2 = reBase + (half - k) * ss;
        const q2 = imBase + (half - k) * ss;
        const w1 = k === 0 ? 1 : a;
        const yr = w1 * sre[p1]!;
        const yi = k === 0 || sim === null ? 0 : w1 * sim[q1]!;
        // Y_{h−k}: at k = 0 this is the Nyquist bin (real, weight 1).
        const w2 = k === 0 ? 1 : a;
        const ur = w2 * sre[p2]!;
        const ui = k === 0 || sim === null ? 0 : -w2 * sim[q2]!; // conj
        const er = 0.5 * (yr + ur);
        const ei = 0.5 * (yi + ui);
        const dr = 0.5 * (yr - ur);
        const di = 0.5 * (yi - ui);
        const wr = tw[2 * k]!;
        const wi = -tw[2 * k + 1]!; // e^{+2πik/n}
        const or = dr * wr - di * wi;
        const oi = dr * wi + di * wr;
        // Z = E + i·O, conjugated so that the forward plan computes the inverse transform.
        buf[2 * k] = er - oi;
        buf[2 * k + 1] = -(ei + or);
      }
      plan.forward(buf, z);
      // z_m = x_{2m} + i·x_{2m+1} (times n/2 from the unnormalised half-length inverse, conjugated).
      const s = 2 * scale;
      let r = lineStart(dstLayout, b, i) + dst.offset;
      for (let m = 0; m < half; m++) {
        x[r] = s * z[2 * m]!;
        r += ds;
        x[r] = -s * z[2 * m + 1]!;
        r += ds;
      }
    }
  }
}
