import type { Tensor, Tensor3D, Tensor4D } from '@tensorflow/tfjs';
import { ArgumentError, ShapeError, tf } from '@tensorloom/core';
import { conv2dSame, pointwiseConv } from '../common/convOps.js';
import { fftPeriods } from './periods.js';

/**
 * The exact GELU `x·Φ(x) = ½x(1 + erf(x/√2))` (PyTorch's `nn.GELU()` default).
 */
export function gelu(x: Tensor): Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)));
}

/**
 * The one kernel equal to the average of Inception branches: each odd `k×k` kernel is zero-padded to the
 * largest size (centred) and the padded kernels are averaged. Since every branch uses "same" padding
 * (`padding = (k−1)/2`), `mean_i conv(x, Kᵢ) = conv(x, mean_i pad(Kᵢ))` exactly; this needs Σk² → max k²
 * taps (286 → 121 for six branches) and one convolution instead of six.
 *
 * @param kernels - `[kᵢ, kᵢ, cin, cout]` with odd kᵢ
 */
export function mergedInceptionKernel(kernels: readonly Tensor[]): Tensor4D {
  if (kernels.length === 0) throw new ArgumentError('kernels: expected at least one kernel, got none');
  const big = Math.max(...kernels.map((k) => k.shape[0]!));
  for (const k of kernels) {
    if (k.rank !== 4 || k.shape[0] !== k.shape[1] || k.shape[0]! % 2 !== 1) {
      throw new ShapeError(
        `kernels: expected odd square kernels [k, k, cin, cout], got [${k.shape.join(', ')}]`,
      );
    }
  }
  return tf.tidy(() => {
    const padded = kernels.map((k) => {
      const p = (big - k.shape[0]!) / 2;
      return p === 0
        ? k
        : tf.pad(k, [
            [p, p],
            [p, p],
            [0, 0],
            [0, 0],
          ]);
    });
    return tf.div(tf.addN(padded), kernels.length) as Tensor4D;
  });
}

/**
 * TimesNet's `Inception_Block_V1` on NHWC input: parallel stride-1 convolutions with kernels 1, 3, …,
 * 2n−1 (zero "same" padding, with bias), averaged. Computed as one convolution with the merged kernel
 * ({@link mergedInceptionKernel}); the 1×1-only case is a plain product.
 *
 * @param x - `[b, h, w, cin]`
 * @param kernels - branch kernels `[2i+1, 2i+1, cin, cout]`
 * @param biases - branch biases `[cout]`
 */
export function inceptionBlock(x: Tensor4D, kernels: readonly Tensor[], biases: readonly Tensor[]): Tensor4D {
  return tf.tidy(() => {
    const bias = tf.div(tf.addN(biases as Tensor[]), biases.length);
    if (kernels.length === 1 && kernels[0]!.shape[0] === 1)
      return pointwiseConv(x, kernels[0]!, bias) as Tensor4D;
    const k = mergedInceptionKernel(kernels);
    return tf.add(conv2dSame(x, k), bias) as Tensor4D;
  });
}

/** The weights of one TimesBlock: the two Inception blocks of `conv = [Inception, GELU, Inception]`. */
export interface TimesBlockWeights {
  /** Inception `d_model → d_ff`: kernels and biases per branch. */
  conv0: { kernels: Tensor[]; biases: Tensor[] };
  /** Inception `d_ff → d_model`. */
  conv2: { kernels: Tensor[]; biases: Tensor[] };
}

/** What {@link timesBlock} returns besides the output: the periods it used. */
export interface TimesBlockResult {
  /** `[batch, time, channels]`. */
  output: Tensor3D;
  /** The discovered periods (strongest first). */
  periods: number[];
}

/**
 * One TimesBlock (TimesNet, Wu et al. 2023): find the top-k periods of `x` by FFT; for each period p,
 * zero-pad time to a multiple of p, fold to a 2-D map `[batch, ⌈T/p⌉, p, channels]` (rows = period
 * index, columns = phase), apply the shared 2-D conv (Inception → GELU → Inception), unfold and truncate to
 * T; combine the k results with the softmax of the per-sample amplitudes, and add `x` (residual).
 *
 * @param x - `[batch, time, channels]`
 * @param weights - the shared Inception weights
 * @param k - number of periods (`top_k`)
 */
export function timesBlock(x: Tensor3D, weights: TimesBlockWeights, k: number): TimesBlockResult {
  const [b, t, n] = x.shape;
  const found = fftPeriods(x, k);
  const output = tf.tidy(() => {
    const outs = found.periods.map((p) => {
      const length = Math.ceil(t / p) * p;
      const padded =
        length === t
          ? x
          : tf.pad(x, [
              [0, 0],
              [0, length - t],
              [0, 0],
            ]);
      const grid = tf.reshape(padded, [b, length / p, p, n]) as Tensor4D;
      let y = inceptionBlock(grid, weights.conv0.kernels, weights.conv0.biases);
      y = gelu(y) as Tensor4D;
      y = inceptionBlock(y, weights.conv2.kernels, weights.conv2.biases);
      return tf.slice(tf.reshape(y, [b, length, n]), [0, 0, 0], [b, t, n]);
    });
    // Σᵢ softmax(amplitudes)ᵢ · outᵢ, without stacking (Pack/Unpack are slow on WASM).
    const w = tf.softmax(found.weights, 1); // [b, k]
    const parts = outs.map((o, i) => tf.mul(o, tf.reshape(tf.slice(w, [0, i], [b, 1]), [b, 1, 1])));
    return tf.add(parts.length === 1 ? parts[0]! : tf.addN(parts), x) as Tensor3D;
  });
  found.weights.dispose();
  return { output, periods: found.periods };
}

/**
 * The fixed sinusoidal positional embedding of the reference `PositionalEmbedding`:
 * `pe[t, 2i] = sin(t·e^{−2i·ln(10⁴)/d})`, `pe[t, 2i+1] = cos(…)`, as `[length, d]` float32.
 */
export function positionalEmbedding(length: number, d: number): Float32Array {
  const out = new Float32Array(length * d);
  for (let i = 0; i < d; i += 2) {
    const div = Math.fround(Math.exp(Math.fround(i * -(Math.log(10000) / d))));
    for (let t = 0; t < length; t++) {
      const a = Math.fround(t * div);
      out[t * d + i] = Math.sin(a);
      if (i + 1 < d) out[t * d + i + 1] = Math.cos(a);
    }
  }
  return out;
}

/**
 * Conv1d with kernel 3, circular padding and no bias (the reference `TokenEmbedding`) on `[b, t, cin]`,
 * as one product: `[x_{t−1}, x_t, x_{t+1}] · W` with the kernel `[3, cin, d]` flattened.
 */
export function circularTokenConv(x: Tensor3D, kernel: Tensor): Tensor3D {
  return tf.tidy(() => {
    const [b, t, c] = x.shape;
    const prev = tf.concat([tf.slice(x, [0, t - 1, 0], [b, 1, c]), tf.slice(x, [0, 0, 0], [b, t - 1, c])], 1);
    const next = tf.concat([tf.slice(x, [0, 1, 0], [b, t - 1, c]), tf.slice(x, [0, 0, 0], [b, 1, c])], 1);
    const stacked = tf.concat([prev, x, next], 2);
    return pointwiseConv(stacked, tf.reshape(kernel, [3 * c, kernel.shape[2]!])) as Tensor3D;
  });
}
