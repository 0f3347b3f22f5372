import type { Tensor, Tensor2D, Tensor4D } from '@tensorflow/tfjs';
import { ArgumentError, matMul, tf } from '@tensorloom/core';

/**
 * A 1×1 convolution on channels-last `x` (`[..., cin]`) as one flag-free 2-D product (WASM's fast
 * path), plus an optional bias.
 *
 * @param kernel - `[1, 1, cin, cout]` (conv layout) or `[cin, cout]`
 */
export function pointwiseConv(x: Tensor, kernel: Tensor, bias?: Tensor): Tensor {
  const cin = x.shape[x.rank - 1]!;
  const cout = kernel.shape[kernel.rank - 1]!;
  const k2 = kernel.rank === 2 ? kernel : tf.reshape(kernel, [cin, cout]);
  const y = matMul(tf.reshape(x, [-1, cin]), k2);
  const yb = bias ? tf.add(y, bias) : y;
  return tf.reshape(yb, [...x.shape.slice(0, -1), cout]);
}

/**
 * {@link pointwiseConv} with bias and an optional ReLU fused into one product kernel (`tf.fused.matMul`;
 * on WASM one XNNPACK fully-connected operator, cached by weight). For inference: its gradients exist
 * but run on WASM's slow transposed-product path, so training code uses {@link pointwiseConv}.
 *
 * @param kernel - `[1, 1, cin, cout]` (conv layout) or `[cin, cout]`
 * @param bias - `[cout]`
 */
export function pointwiseConvFused(x: Tensor, kernel: Tensor, bias?: Tensor, relu = false): Tensor {
  const cin = x.shape[x.rank - 1]!;
  const cout = kernel.shape[kernel.rank - 1]!;
  const k2 = (kernel.rank === 2 ? kernel : tf.reshape(kernel, [cin, cout])) as Tensor2D;
  const y = tf.fused.matMul({
    a: tf.reshape(x, [-1, cin]) as Tensor2D,
    b: k2,
    bias,
    activation: relu ? 'relu' : 'linear',
  });
  return tf.reshape(y, [...x.shape.slice(0, -1), cout]);
}

/**
 * A grouped 2-D convolution (PyTorch's `groups` argument, which tfjs lacks) on NHWC input with PyTorch-style
 * symmetric zero padding. The channels are split into `groups` slices, each convolved with its own
 * `[kh, kw, cin/groups, cout/groups]` kernel, and the results concatenated. Any stride and padding; the
 * models use the faster `groupedConvSame` (stride 1), and the benchmark compares the two.
 *
 * @param x - `[b, h, w, cin]`
 * @param kernel - `[kh, kw, cin/groups, cout]`, output channels ordered group by group (PyTorch's order)
 * @param groups - number of groups; must divide `cin` and `cout`
 * @param stride - spatial stride
 * @param padding - zero padding on each side of both spatial axes
 */
export function groupedConv2d(
  x: Tensor4D,
  kernel: Tensor4D,
  groups: number,
  stride = 1,
  padding = 1,
): Tensor4D {
  const cin = x.shape[3];
  const cout = kernel.shape[3];
  if (cin % groups !== 0 || cout % groups !== 0 || kernel.shape[2] * groups !== cin) {
    throw new ArgumentError(
      `groups: ${groups} groups need cin ${cin} and cout ${cout} divisible and kernel in-channels ${kernel.shape[2]} = cin/groups`,
    );
  }
  const pad: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [padding, padding],
    [padding, padding],
    [0, 0],
  ];
  if (groups === 1) return tf.conv2d(x, kernel, stride, padding === 0 ? 'valid' : pad);
  const xs = tf.split(x, groups, 3) as Tensor4D[];
  const ks = tf.split(kernel, groups, 3) as Tensor4D[];
  const ys = xs.map((xi, i) => tf.conv2d(xi, ks[i]!, stride, padding === 0 ? 'valid' : pad));
  return tf.concat(ys, 3) as Tensor4D;
}

/**
 * PyTorch's `AvgPool2d(2, stride=2, ceil_mode=True, count_include_pad=False)` on NHWC input: a trailing
 * odd row/column forms its own window, averaged over the values it holds.
 */
export function avgPool2x2Ceil(x: Tensor4D): Tensor4D {
  const [b, h, w, c] = x.shape;
  if (h % 2 === 0 && w % 2 === 0) return tf.avgPool(x, 2, 2, 'valid');
  // Pad to even size with zeros and divide by the number of real values in each window.
  const padded = tf.pad(x, [
    [0, 0],
    [0, h % 2],
    [0, w % 2],
    [0, 0],
  ]) as Tensor4D;
  const sums = tf.mul(tf.avgPool(padded, 2, 2, 'valid'), 4);
  const ho = Math.ceil(h / 2);
  const wo = Math.ceil(w / 2);
  const counts = new Float32Array(ho * wo);
  for (let i = 0; i < ho; i++) {
    for (let j = 0; j < wo; j++) {
      counts[i * wo + j] = Math.min(2, h - 2 * i) * Math.min(2, w - 2 * j);
    }
  }
  void b;
  void c;
  return tf.div(sums, tf.tensor4d(counts, [1, ho, wo, 1])) as Tensor4D;
}

const conv2dSameGrad = tf.customGrad(((x: Tensor, kernel: Tensor, save: (t: Tensor[]) => void) => {
  save([x, kernel]);
  return {
    value: tf.conv2d(x as Tensor4D, kernel as Tensor4D, 1, 'same'),
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
      const g = (Array.isArray(dy) ? dy[0]! : dy) as Tensor4D;
      const [xs, ks] = saved as [Tensor4D, Tensor4D];
      const p = (ks.shape[0] - 1) / 2;
      const q = (ks.shape[1] - 1) / 2;
      // dx: correlation of dy with the flipped kernel, in/out swapped (a forward conv).
      const flipped = tf.transpose(tf.reverse(ks, [0, 1]), [0, 1, 3, 2]) as Tensor4D;
      const dx = tf.conv2d(g, flipped, 1, 'same');
      // dK[i, j, c, o] = Σ_{b,h,w} xpad[b, h+i, w+j, c]·dy[b, h, w, o]: a valid conv with the batch as
      // the contracted channel axis.
      const xp = tf.pad(xs, [
        [0, 0],
        [p, p],
        [q, q],
        [0, 0],
      ]);
      const dk = tf.transpose(
        tf.conv2d(
          tf.transpose(xp, [3, 1, 2, 0]) as Tensor4D,
          tf.transpose(g, [1, 2, 0, 3]) as Tensor4D,
          1,
          'valid',
        ),
        [1, 2, 0, 3],
      );
      return [dx, dk];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

/**
 * A stride-1 2-D convolution with odd kernels and symmetric "same" zero padding (NHWC), whose gradients
 * are themselves forward convolutions on XNNPACK: dx = conv(dy, flipped kernelᵀ), dK = conv(xpadᵀ, dyᵀ)
 * with the batch contracted. Measured against plain `tf.conv2d` with core's WASM `Conv2DBackpropFilter`
 * (itself a forward convolution) on TimesNet's layer shapes, this is still up to ~2.5× faster per gradient
 * step (on par on one-row/one-column maps; see the benchmark), so TimesNet keeps it.
 * Kernel taps that can only meet the zero padding (more than `h − 1` rows or `w − 1` columns from the
 * centre, e.g. most of an 11×11 kernel on TimesNet's 2-row or 2-column period grids) are cropped first —
 * exact, and up to (k / (2h − 1))× less work.
 *
 * @param x - `[b, h, w, cin]`
 * @param kernel - `[kh, kw, cin, cout]`, kh and kw odd
 */
export function conv2dSame(x: Tensor4D, kernel: Tensor4D): Tensor4D {
  if (kernel.shape[0] % 2 !== 1 || kernel.shape[1] % 2 !== 1) {
    throw new ArgumentError(`kernel: expected odd spatial sizes, got [${kernel.shape.join(', ')}]`);
  }
  // Taps more than h−1 rows (w−1 columns) from the centre only ever meet the zero padding: crop them
  // (exact, and the slice's gradient pads the kernel gradient back with zeros).
  const [kh, kw] = kernel.shape;
  const ch = Math.min(kh, 2 * x.shape[1] - 1);
  const cw = Math.min(kw, 2 * x.shape[2] - 1);
  if (ch === kh && cw === kw) return conv2dSameGrad(x, kernel) as Tensor4D;
  return tf.tidy(() => {
    const k = tf.slice(kernel, [(kh - ch) / 2, (kw - cw) / 2, 0, 0], [ch, cw, -1, -1]);
    return conv2dSameGrad(x, k) as Tensor4D;
  });
}
