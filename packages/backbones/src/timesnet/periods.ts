import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import { ArgumentError, assertInteger, rfft1d, rfftArray, ShapeError, tf } from '@tensorloom/core';

/** Periods found by FFT (TimesNet's `FFT_for_Period`). */
export interface PeriodsResult {
  /** The top-k frequency bins, strongest first (bin f means f cycles per window). */
  frequencies: number[];
  /** `⌊T / f⌋` for each bin (the reference code's floor rule). */
  periods: number[];
}

/** {@link fftPeriods}'s result: the periods plus the per-sample amplitude weights. */
export interface FftPeriodsResult extends PeriodsResult {
  /** `[batch, k]`: each sample's amplitude at the chosen bins, averaged over channels (differentiable). */
  weights: Tensor2D;
}

function topK(amplitude: Float64Array | Float32Array, k: number): number[] {
  const idx = Array.from({ length: amplitude.length }, (_, i) => i);
  // Descending amplitude; ties go to the lower bin (a stable order; torch.topk leaves ties unspecified).
  idx.sort((a, b) => amplitude[b]! - amplitude[a]! || a - b);
  return idx.slice(0, k);
}

function checkK(k: unknown, t: number): asserts k is number {
  assertInteger(k, 'k', { min: 1 });
  const bins = Math.floor(t / 2);
  if ((k as number) > bins) {
    throw new ArgumentError(
      `k: a sequence of length ${t} has ${bins} non-DC frequency bins (periods ≥ 2), so at most ${bins} periods; got k = ${k}`,
    );
  }
}

/**
 * TimesNet's period discovery (`FFT_for_Period` in the official code) on a tensor `[batch, time, channels]`:
 * the amplitude spectrum `|rfft(x)|` along time is averaged over batch and channels, the DC bin is zeroed,
 * the `k` strongest bins `fᵢ` are taken and their periods are `pᵢ = ⌊T / fᵢ⌋` (floor, as the reference
 * code). The per-sample weights are the channel-averaged amplitudes at those bins (they carry gradients).
 *
 * @param x - float32 `[batch, time, channels]` with time ≥ 2
 * @param k - number of periods, 1 ≤ k ≤ ⌊time/2⌋
 * @throws {@link ShapeError} for a wrong rank; {@link ArgumentError} for a bad `k`
 *
 * @example
 * ```ts
 * const { periods, weights } = fftPeriods(x, 5); // weights: [batch, 5]
 * ```
 */
export function fftPeriods(x: Tensor, k: number): FftPeriodsResult {
  if (!(x instanceof tf.Tensor) || x.rank !== 3) {
    throw new ShapeError(
      `x: expected a tensor [batch, time, channels], got ${x instanceof tf.Tensor ? `shape [${x.shape.join(', ')}]` : typeof x}`,
    );
  }
  const t = x.shape[1]!;
  checkK(k, t);
  const amp = tf.tidy(() => {
    const { re, im } = rfft1d(tf.transpose(x, [0, 2, 1]));
    // The tiny offset keeps the gradient finite at exactly-zero bins (it moves amplitudes by ≤ 1e-10).
    return tf.mean(tf.sqrt(tf.add(tf.add(tf.square(re), tf.square(im)), 1e-20)), 1); // [b, bins]
  });
  const mean = tf.tidy(() => tf.mean(amp, 0));
  const m = mean.dataSync() as Float32Array;
  mean.dispose();
  const spectrum = Float32Array.from(m);
  spectrum[0] = 0;
  const frequencies = topK(spectrum, k);
  const weights = tf.tidy(() => tf.gather(amp, tf.tensor1d(frequencies, 'int32'), 1)) as Tensor2D;
  amp.dispose();
  return { frequencies, periods: frequencies.map((f) => Math.floor(t / f)), weights };
}

/**
 * The same period discovery in float64 on a plain array (e.g. a whole series, to check which periods a
 * dataset holds): `values` is row-major `[batch, time, channels]` (batch may be 1).
 *
 * @param values - `batch · time · channels` numbers
 * @param shape - `[batch, time, channels]`, or `[time, channels]`
 * @param k - number of periods
 * @returns the bins, the periods (floor rule) and the batch-and-channel-mean amplitude spectrum
 * @throws {@link ShapeError} when `values` does not match `shape`; {@link ArgumentError} for a bad `k`
 */
export function findPeriods(
  values: ArrayLike<number>,
  shape: readonly number[],
  k: number,
): PeriodsResult & { amplitude: Float64Array } {
  if (!Array.isArray(shape) || (shape.length !== 2 && shape.length !== 3)) {
    throw new ShapeError(`shape: expected [batch, time, channels] or [time, channels], got ${String(shape)}`);
  }
  const [b, t, c] = shape.length === 3 ? shape : [1, shape[0]!, shape[1]!];
  for (const [v, n] of [
    [b, 'batch'],
    [t, 'time'],
    [c, 'channels'],
  ] as const)
    assertInteger(v, `shape.${n}`, { min: 1 });
  if (values?.length !== b! * t! * c!) {
    throw new ShapeError(
      `values: expected ${b! * t! * c!} numbers for shape [${b}, ${t}, ${c}], got ${values?.length}`,
    );
  }
  checkK(k, t!);
  const bins = Math.floor(t! / 2) + 1;
  const rows = new Float64Array(b! * c! * t!);
  for (let i = 0; i < b!; i++)
    for (let j = 0; j < t!; j++)
      for (let ch = 0; ch < c!; ch++) rows[(i * c! + ch) * t! + j] = values[(i * t! + j) * c! + ch]!;
  const { re, im } = rfftArray(rows, { length: t! });
  const amplitude = new Float64Array(bins);
  for (let r = 0; r < b! * c!; r++)
    for (let f = 0; f < bins; f++)
      amplitude[f]! += Math.hypot(re[r * bins + f]!, im[r * bins + f]!) / (b! * c!);
  const spectrum = Float64Array.from(amplitude);
  spectrum[0] = 0;
  const frequencies = topK(spectrum, k);
  return { frequencies, periods: frequencies.map((f) => Math.floor(t! / f)), amplitude };
}
