import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import { ArgumentError, tf } from '@tensorloom/core';

/**
 * Per-group slices of one grouped-conv weight (kernel or bias), kept between calls while the weight's data
 * is unchanged. On WASM, XNNPACK builds (and packs) a convolution operator per filter tensor and caches it
 * by the filter's id: a kernel sliced afresh on every call pays that set-up each time (~0.5 ms per group
 * conv, measured), kept slices pay it once. The cache is keyed by the weight's `dataId`, which changes
 * whenever the variable is assigned (loading, optimiser steps), so stale slices are never used. Owners
 * must call {@link GroupedKernelCache.dispose}.
 */
export class GroupedKernelCache {
  private key: object | null = null;
  private groups = 0;
  private parts: Tensor[] = [];

  /** The `groups` per-group parts of `weight`: kernels `[kh, kw, cin/groups, cout/groups]` or biases `[cout/groups]`. */
  get<T extends Tensor>(weight: T, groups: number): T[] {
    if (this.key !== weight.dataId || this.groups !== groups) {
      this.dispose();
      this.parts = tf.tidy(() => splitOutputs(weight, groups)).map((t) => tf.keep(t));
      this.key = weight.dataId;
      this.groups = groups;
    }
    return this.parts as T[];
  }

  /** Number of kept tensors (for tests). */
  get size(): number {
    return this.parts.length;
  }

  /** Releases the kept slices. */
  dispose(): void {
    tf.dispose(this.parts);
    this.parts = [];
    this.key = null;
    this.groups = 0;
  }
}

/** A weight whose last axis is `G·co` (output channels group by group) → its G per-group parts. */
function splitOutputs<T extends Tensor>(weight: T, groups: number): T[] {
  const shape = weight.shape.slice();
  const cout = shape[shape.length - 1]!;
  const co = cout / groups;
  const rest = weight.size / cout;
  const kt = tf.transpose(tf.reshape(weight, [rest, groups, co]), [1, 0, 2]);
  return leadingParts(kt, [...shape.slice(0, -1), co]) as T[];
}

/**
 * Cuts `t` (`[n, ...]`) into its n leading slices, each reshaped to `shape`. On WASM the Slice kernel
 * copies its whole input per call, so the slices are cut from one read of the data instead.
 */
function leadingParts(t: Tensor, shape: number[]): Tensor[] {
  const n = t.shape[0]!;
  if (tf.getBackend() !== 'wasm') return tf.unstack(t).map((p) => tf.reshape(p, shape));
  const vals = t.dataSync() as Float32Array;
  const size = vals.length / n;
  const parts: Tensor[] = [];
  for (let i = 0; i < n; i++) parts.push(tf.tensor(vals.subarray(i * size, (i + 1) * size), shape, t.dtype));
  return parts;
}

/**
 * Channels-last `x` (`[b, h, w, G·d]`) → G contiguous tensors `[b, h, w, d]`. On WASM a JS loop over one
 * read of the data (WASM's Transpose kernel takes 6–8 ms on a 56×56×96 map, the loop well under 1 ms);
 * elsewhere one transpose and an unstack.
 */
function splitGroups(x: Tensor4D, groups: number): Tensor4D[] {
  const [b, h, w, c] = x.shape;
  const d = c / groups;
  const n = b * h * w;
  if (tf.getBackend() !== 'wasm') {
    return tf
      .unstack(tf.transpose(tf.reshape(x, [n, groups, d]), [1, 0, 2]))
      .map((p) => tf.reshape(p, [b, h, w, d])) as Tensor4D[];
  }
  const v = x.dataSync() as Float32Array;
  const parts: Tensor4D[] = [];
  for (let g = 0; g < groups; g++) {
    const out = new Float32Array(n * d);
    for (let p = 0, src = g * d, dst = 0; p < n; p++, src += c - d) {
      for (let i = 0; i < d; i++) out[dst++] = v[src++]!;
    }
    parts.push(tf.tensor4d(out, [b, h, w, d]));
  }
  return parts;
}

/** The inverse of {@link splitGroups}: G tensors `[b, h, w, co]` → `[b, h, w, G·co]`. */
function mergeGroups(parts: Tensor4D[]): Tensor4D {
  const [b, h, w, co] = parts[0]!.shape;
  const groups = parts.length;
  if (tf.getBackend() !== 'wasm') return tf.concat(parts, 3);
  const c = groups * co;
  const n = b * h * w;
  const out = new Float32Array(n * c);
  parts.forEach((t, g) => {
    const v = t.dataSync() as Float32Array;
    for (let p = 0, dst = g * co, src = 0; p < n; p++, dst += c - co) {
      for (let i = 0; i < co; i++) out[dst++] = v[src++]!;
    }
  });
  return tf.tensor4d(out, [b, h, w, c]);
}

/** The forward pass: split the channels into per-group blocks, G "same" convolutions, merge. */
function forward(
  x: Tensor4D,
  kernels: Tensor4D[],
  groups: number,
  biases?: Tensor[],
  relu = false,
): Tensor4D {
  return tf.tidy(() => {
    const xs = splitGroups(x, groups);
    return mergeGroups(
      xs.map((xi, i) =>
        biases || relu
          ? tf.fused.conv2d({
              x: xi,
              filter: kernels[i]!,
              strides: 1,
              pad: 'same',
              bias: biases?.[i],
              activation: relu ? 'relu' : 'linear',
            })
          : tf.conv2d(xi, kernels[i]!, 1, 'same'),
      ),
    );
  });
}

/** Flipped, in/out-swapped per-group kernels: the kernel of the input gradient (itself a grouped conv). */
function flipKernel(kernel: Tensor4D, groups: number): Tensor4D {
  const [kh, kw, d, cout] = kernel.shape;
  const co = cout / groups;
  // [kh, kw, d, G, co] → flip spatially → [kh, kw, co, G, d] → [kh, kw, co, G·d]
  const k5 = tf.reverse(tf.reshape(kernel, [kh, kw, d, groups, co]), [0, 1]);
  return tf.reshape(tf.transpose(k5, [0, 1, 4, 3, 2]), [kh, kw, co, groups * d]) as Tensor4D;
}

/** dK of a grouped "same" conv: per group, a valid conv of the padded input (batch contracted) with dy. */
function kernelGrad(x: Tensor4D, dy: Tensor4D, kh: number, kw: number, groups: number): Tensor4D {
  return tf.tidy(() => {
    const [b, h, w, c] = x.shape;
    const d = c / groups;
    const co = dy.shape[3] / groups;
    const ph = (kh - 1) / 2;
    const pw = (kw - 1) / 2;
    // xpᵀ per group: [G, d, h+2ph, w+2pw, b]; dyᵀ per group: [G, h, w, b, co].
    const xp = tf.pad(x, [
      [0, 0],
      [ph, ph],
      [pw, pw],
      [0, 0],
    ]);
    const hp = h + 2 * ph;
    const wp = w + 2 * pw;
    const xT = tf.transpose(tf.reshape(xp, [b, hp, wp, groups, d]), [3, 4, 1, 2, 0]);
    const dyT = tf.transpose(tf.reshape(dy, [b, h, w, groups, co]), [3, 1, 2, 0, 4]);
    const xs = leadingParts(xT, [d, hp, wp, b]) as Tensor4D[];
    const gs = leadingParts(dyT, [h, w, b, co]) as Tensor4D[];
    const dks = xs.map((xi, i) => tf.reshape(tf.conv2d(xi, gs[i]!, 1, 'valid'), [1, d, kh, kw, co]));
    // [G, d, kh, kw, co] → [kh, kw, d, G, co]
    const dk = tf.transpose(tf.concat(dks, 0), [2, 3, 1, 0, 4]);
    return tf.reshape(dk, [kh, kw, d, groups * co]) as Tensor4D;
  });
}

/** Options of {@link groupedConvSame}. */
export interface GroupedConvOptions {
  /** Per-output-channel bias `[cout]`, added after the convolution. */
  bias?: Tensor;
  /** Apply ReLU after the bias. */
  relu?: boolean;
  /** Keeps the per-group kernel slices between calls (inference). */
  cache?: GroupedKernelCache;
  /** Keeps the per-group bias slices between calls (inference). */
  biasCache?: GroupedKernelCache;
}

function fastGrouped(x: Tensor4D, kernel: Tensor4D, groups: number, o: GroupedConvOptions): Tensor4D {
  const relu = o.relu === true;
  const withBias = o.bias !== undefined;
  const f = tf.customGrad(((...args: unknown[]) => {
    const save = args[args.length - 1] as (t: Tensor[]) => void;
    const [xa, ka] = args as [Tensor4D, Tensor4D];
    const ba = withBias ? (args[2] as Tensor) : undefined;
    const kernels = o.cache ? o.cache.get(ka, groups) : splitOutputs(ka, groups);
    const biases = ba ? (o.biasCache ? o.biasCache.get(ba, groups) : splitOutputs(ba, groups)) : undefined;
    const value = forward(xa, kernels, groups, biases, relu);
    if (!o.cache) tf.dispose(kernels);
    if (biases && !o.biasCache) tf.dispose(biases);
    save(relu ? [xa, ka, value] : [xa, ka]);
    return {
      value,
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
        const d0 = (Array.isArray(dy) ? dy[0]! : dy) as Tensor4D;
        const [xs, ks, ys] = saved as [Tensor4D, Tensor4D, Tensor4D | undefined];
        const g = ys ? (tf.mul(d0, tf.step(ys)) as Tensor4D) : d0;
        const dx = fastGrouped(g, flipKernel(ks, groups), groups, {});
        const dk = kernelGrad(xs, g, ks.shape[0], ks.shape[1], groups);
        return withBias ? [dx, dk, tf.sum(g, [0, 1, 2])] : [dx, dk];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (withBias ? f(x, kernel, o.bias!) : f(x, kernel)) as Tensor4D;
}

/**
 * A grouped 2-D convolution (PyTorch's `groups` argument, which tfjs lacks) on NHWC input, stride 1 with
 * symmetric "same" zero padding (`(k − 1)/2` on each side, odd kernels) — MHCA's grouped 3×3 conv.
 *
 * The channels are cut into contiguous per-group blocks (on WASM by a JS loop over one read of the data),
 * each group is convolved on its own block (XNNPACK), and the outputs are interleaved back. Gradients are grouped
 * convolutions too: dx is this function with the flipped, in/out-swapped kernel, dK a valid convolution
 * per group with the batch contracted. An optional bias and ReLU are fused into each group's convolution
 * (XNNPACK), with their gradients. With `cache` (inference), the per-group kernels are kept between calls
 * (see {@link GroupedKernelCache}). This replaces split + concat over the channel axis, whose WASM kernels
 * copy element rows one by one (see the benchmark).
 *
 * @param x - `[b, h, w, cin]`
 * @param kernel - `[kh, kw, cin/groups, cout]`, output channels ordered group by group (PyTorch's order)
 * @param groups - number of groups; must divide `cin` and `cout`
 * @param options - bias, ReLU and the per-weight caches
 * @throws {@link ArgumentError} when the groups do not divide the channels or the kernel is even-sized
 */
export function groupedConvSame(
  x: Tensor4D,
  kernel: Tensor4D,
  groups: number,
  options: GroupedConvOptions = {},
): Tensor4D {
  const cin = x.shape[3];
  const cout = kernel.shape[3];
  if (
    !Number.isInteger(groups) ||
    groups < 1 ||
    cin % groups !== 0 ||
    cout % groups !== 0 ||
    kernel.shape[2] * groups !== cin
  ) {
    throw new ArgumentError(
      `groups: ${groups} groups need cin ${cin} and cout ${cout} divisible and kernel in-channels ${kernel.shape[2]} = cin/groups`,
    );
  }
  if (kernel.shape[0] % 2 !== 1 || kernel.shape[1] % 2 !== 1) {
    throw new ArgumentError(`kernel: expected odd spatial sizes, got [${kernel.shape.join(', ')}]`);
  }
  if (options.bias !== undefined && (options.bias.rank !== 1 || options.bias.shape[0] !== cout)) {
    throw new ArgumentError(`options.bias: expected shape [${cout}], got [${options.bias.shape.join(', ')}]`);
  }
  if (groups === 1) {
    return tf.fused.conv2d({
      x,
      filter: kernel,
      strides: 1,
      pad: 'same',
      bias: options.bias,
      activation: options.relu ? 'relu' : 'linear',
    });
  }
  return fastGrouped(x, kernel, groups, options);
}
