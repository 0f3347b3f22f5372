import type { Variable } from '@tensorflow/tfjs';
import type { Tensor } from '@tensorloom/core';
import {
  ArgumentError,
  assertInteger,
  formatShape,
  matMul,
  ShapeError,
  tf,
  truncatedNormalTensor,
} from '@tensorloom/core';
import { assertTokens } from '../shared/inputs.js';
import { softmaxAttention } from './softmaxAttention.js';

/** Weights of a multi-head attention layer; matrices act on the right (`x · W`). */
export interface MultiHeadAttentionWeights {
  /** Query projection `[C, C]`. */
  wq: Tensor;
  /** Key projection `[C, C]`. */
  wk: Tensor;
  /** Value projection `[C, C]`. */
  wv: Tensor;
  /** Output projection `[C, C]`. */
  wo: Tensor;
  /** Optional biases `[C]`. */
  bq?: Tensor;
  bk?: Tensor;
  bv?: Tensor;
  bo?: Tensor;
}

/** Options for {@link multiHeadAttention}. */
export interface MultiHeadAttentionOptions {
  /** Number of heads; must divide the channel count `C`. */
  heads: number;
  /** Score scale; default `1/√(C/heads)`. */
  scale?: number;
  /** Keep-mask broadcastable to `[B, heads, N, M]` (M = key tokens after reduction). */
  mask?: Tensor;
  /**
   * Key/value spatial reduction: keys and values are computed from the context after averaging
   * `kvReduction` consecutive tokens (kernel = stride, the remainder dropped, like PyTorch's
   * `AvgPool1d`). Next-ViT's E-MHSA uses `sr²`. Default 1 (none).
   */
  kvReduction?: number;
  /** Applied to the (reduced) context `[B, M, C]` before the key/value projections (Next-ViT: BatchNorm). */
  kvNorm?: (tokens: Tensor) => Tensor;
}

/**
 * Average of `r` consecutive tokens (kernel = stride = r) over the token axis of `[B, N, C]`; the
 * last `N mod r` tokens are dropped (PyTorch `AvgPool1d` default, as in Next-ViT's E-MHSA).
 *
 * @throws {@link ArgumentError} when `r` is not a positive integer; {@link ShapeError} when `N < r`
 */
export function poolTokens(x: Tensor, r: number): Tensor {
  assertInteger(r, 'kvReduction', { min: 1 });
  if (x.rank !== 3) throw new ShapeError(`x: expected rank 3 [B, N, C], got shape ${formatShape(x.shape)}`);
  if (r === 1) return tf.clone(x);
  const [b, n, c] = x.shape as [number, number, number];
  const m = Math.floor(n / r);
  if (m === 0) throw new ShapeError(`kvReduction: expected at most ${n} (the token count), got ${r}`);
  return tf.tidy(() => {
    const cut = m * r === n ? x : tf.slice(x, [0, 0, 0], [b, m * r, c]);
    return tf.mean(tf.reshape(cut, [b, m, r, c]), 2);
  });
}

function linear(x: Tensor, w: Tensor, bias: Tensor | undefined): Tensor {
  const [b, n, c] = x.shape as [number, number, number];
  const y = matMul(tf.reshape(x, [b * n, c]), w);
  const yb = bias ? tf.add(y, bias) : y;
  return tf.reshape(yb, [b, n, w.shape[1]!]);
}

function splitHeads(x: Tensor, heads: number): Tensor {
  const [b, n, c] = x.shape as [number, number, number];
  return tf.transpose(tf.reshape(x, [b, n, heads, c / heads]), [0, 2, 1, 3]);
}

/**
 * Multi-head softmax attention over tokens `[B, N, C]`: per-head projections, {@link softmaxAttention}
 * on `[B, heads, N, C/heads]`, heads concatenated and projected. With `kvReduction` the keys and
 * values come from a token-pooled (and optionally normalised) context, Next-ViT's E-MHSA.
 *
 * @param x - query tokens `[B, N, C]`
 * @param weights - projections (see {@link MultiHeadAttentionWeights})
 * @param options - heads, scale, mask, key/value reduction
 * @param context - key/value tokens `[B, M, C]`; default `x` (self-attention)
 * @returns `[B, N, C]`
 * @throws {@link ShapeError} on shape mismatch; {@link ArgumentError} for bad `heads` or `kvReduction`
 *
 * @example
 * ```ts
 * const y = multiHeadAttention(tokens, weights, { heads: 4, kvReduction: 4 });
 * ```
 */
export function multiHeadAttention(
  x: Tensor,
  weights: MultiHeadAttentionWeights,
  options: MultiHeadAttentionOptions,
  context?: Tensor,
): Tensor {
  assertTokens(x, 'x');
  if (x.rank !== 3) throw new ShapeError(`x: expected rank 3 [B, N, C], got shape ${formatShape(x.shape)}`);
  const ctx = context ?? x;
  assertTokens(ctx, 'context');
  const [b, , c] = x.shape as [number, number, number];
  if (ctx.rank !== 3 || ctx.shape[0] !== b || ctx.shape[2] !== c) {
    throw new ShapeError(`context: expected shape [${b}, M, ${c}] like x, got ${formatShape(ctx.shape)}`);
  }
  if (options === null || typeof options !== 'object') {
    throw new ArgumentError('options: expected an object with heads');
  }
  const heads = options.heads;
  assertInteger(heads, 'heads', { min: 1 });
  if (c % heads !== 0)
    throw new ArgumentError(`heads: expected a divisor of the channel count ${c}, got ${heads}`);
  const r = options.kvReduction ?? 1;
  assertInteger(r, 'kvReduction', { min: 1 });
  for (const key of ['wq', 'wk', 'wv', 'wo'] as const) {
    const w = weights[key];
    if (!(w instanceof tf.Tensor) || w.rank !== 2 || w.shape[0] !== c || w.shape[1] !== c) {
      throw new ShapeError(
        `weights.${key}: expected shape [${c}, ${c}], got ${w instanceof tf.Tensor ? formatShape(w.shape) : String(w)}`,
      );
    }
  }
  for (const key of ['bq', 'bk', 'bv', 'bo'] as const) {
    const bias = weights[key];
    if (bias === undefined) continue;
    if (!(bias instanceof tf.Tensor)) {
      throw new ArgumentError(`weights.${key}: expected a tensor of shape [${c}], got ${typeof bias}`);
    }
    if (bias.rank !== 1 || bias.shape[0] !== c) {
      throw new ShapeError(`weights.${key}: expected shape [${c}], got ${formatShape(bias.shape)}`);
    }
  }
  const scale = options.scale ?? 1 / Math.sqrt(c / heads);
  return tf.tidy(() => {
    let kvSource = r > 1 ? poolTokens(ctx, r) : ctx;
    if (options.kvNorm) kvSource = options.kvNorm(kvSource);
    const q = splitHeads(linear(x, weights.wq, weights.bq), heads);
    const k = splitHeads(linear(kvSource, weights.wk, weights.bk), heads);
    const v = splitHeads(linear(kvSource, weights.wv, weights.bv), heads);
    const attended = softmaxAttention(q, k, v, { scale, ...(options.mask ? { mask: options.mask } : {}) });
    const merged = tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [b, x.shape[1]!, c]);
    return linear(merged, weights.wo, weights.bo);
  });
}

/** Constructor options for {@link MultiHeadAttention}. */
export interface MultiHeadAttentionLayerOptions {
  /** Channel count `C`. */
  dim: number;
  /** Number of heads (divides `dim`). */
  heads: number;
  /** Seed for the truncated-normal (std 0.02) initialisation. */
  seed: number;
  /** Whether the projections have biases (default true). */
  bias?: boolean;
  /** Key/value token reduction (see {@link MultiHeadAttentionOptions.kvReduction}). */
  kvReduction?: number;
  /** Normalisation of the reduced context (see {@link MultiHeadAttentionOptions.kvNorm}). */
  kvNorm?: (tokens: Tensor) => Tensor;
  /** Score scale (default `1/√(dim/heads)`). */
  scale?: number;
  /** Initial weight standard deviation (default 0.02, truncated normal, as in Next-ViT). */
  initStd?: number;
}

/**
 * A multi-head attention layer holding its weights as trainable `tf.Variable`s; `apply` runs
 * {@link multiHeadAttention}. Reusable as Next-ViT's E-MHSA (`kvReduction: sr²`, `kvNorm`: BatchNorm).
 *
 * @example
 * ```ts
 * const mha = new MultiHeadAttention({ dim: 64, heads: 2, seed: 0 });
 * const y = mha.apply(tokens); // [B, N, 64]
 * mha.dispose();
 * ```
 */
export class MultiHeadAttention {
  /** The layer's weights (variables). */
  readonly weights: MultiHeadAttentionWeights;
  /** The options passed at construction. */
  readonly options: MultiHeadAttentionLayerOptions;

  constructor(options: MultiHeadAttentionLayerOptions) {
    if (options === null || typeof options !== 'object') {
      throw new ArgumentError('options: expected an object with dim, heads and seed');
    }
    assertInteger(options.dim, 'dim', { min: 1 });
    assertInteger(options.heads, 'heads', { min: 1 });
    if (options.dim % options.heads !== 0) {
      throw new ArgumentError(`heads: expected a divisor of dim ${options.dim}, got ${options.heads}`);
    }
    assertInteger(options.seed, 'seed');
    assertInteger(options.kvReduction ?? 1, 'kvReduction', { min: 1 });
    for (const key of ['initStd', 'scale'] as const) {
      const v = options[key];
      if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)) {
        throw new ArgumentError(`${key}: expected a positive finite number, got ${String(v)}`);
      }
    }
    this.options = options;
    const c = options.dim;
    const seed = options.seed;
    const make = (i: number): Variable =>
      tf.tidy(() =>
        tf.variable(truncatedNormalTensor([c, c], { seed: seed * 8 + i, std: options.initStd ?? 0.02 })),
      );
    const zeros = (): Variable => tf.tidy(() => tf.variable(tf.zeros([c])));
    const bias = options.bias ?? true;
    this.weights = {
      wq: make(0),
      wk: make(1),
      wv: make(2),
      wo: make(3),
      ...(bias ? { bq: zeros(), bk: zeros(), bv: zeros(), bo: zeros() } : {}),
    };
  }

  /**
   * Runs the layer on `x` `[B, N, C]` (keys/values from `context`, default `x`).
   * @param mask - optional keep-mask broadcastable to `[B, heads, N, M]`
   */
  apply(x: Tensor, context?: Tensor, mask?: Tensor): Tensor {
    const o = this.options;
    return multiHeadAttention(
      x,
      this.weights,
      {
        heads: o.heads,
        ...(o.scale !== undefined ? { scale: o.scale } : {}),
        ...(o.kvReduction !== undefined ? { kvReduction: o.kvReduction } : {}),
        ...(o.kvNorm ? { kvNorm: o.kvNorm } : {}),
        ...(mask ? { mask } : {}),
      },
      context,
    );
  }

  /** The trainable variables (for an optimizer). */
  get trainableVariables(): Variable[] {
    return Object.values(this.weights) as Variable[];
  }

  /** Disposes the weights. */
  dispose(): void {
    tf.dispose(Object.values(this.weights));
  }
}
