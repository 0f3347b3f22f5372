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
import { tensorAttentionApprox } from './approx.js';
import { tensorAttention } from './exact.js';

/** Constructor options for {@link TensorAttention}. */
export interface TensorAttentionLayerOptions {
  /** Channel count `C` of the tokens. */
  dim: number;
  /** Number of heads (divides `dim`). */
  heads: number;
  /** Seed for the truncated-normal initialisation. */
  seed: number;
  /** Initial weight standard deviation (default `1/√dim`). */
  initStd?: number;
  /** Score scale (default `1/headDim`, the paper's). */
  scale?: number;
  /** Causal masking (every key index ≤ the query index). */
  causal?: boolean;
  /** Projection biases (default true). */
  bias?: boolean;
  /** Streaming block size of the exact form. */
  blockSize?: number;
  /** Use the polynomial approximation with this degree instead of the exact form. */
  approxDegree?: number;
}

const NAMES = ['wq', 'wk1', 'wk2', 'wv1', 'wv2', 'wo'] as const;

/**
 * A multi-head third-order (tensor) attention layer for tokens `[B, N, C]`, usable in a
 * transformer block: per head, `q`, `k1`, `k2`, `v1`, `v2` are linear projections of the tokens and
 * the head output is {@link tensorAttention} (or {@link tensorAttentionApprox} with `approxDegree`);
 * heads are concatenated and projected. Weights are trainable `tf.Variable`s.
 *
 * @example
 * ```ts
 * const layer = new TensorAttention({ dim: 16, heads: 2, seed: 0 });
 * const y = layer.apply(tokens); // [B, N, 16]
 * layer.dispose();
 * ```
 */
export class TensorAttention {
  /** Projections (`wq, wk1, wk2, wv1, wv2, wo` `[C, C]`, biases `b…` `[C]`). */
  readonly weights: Record<string, Variable>;
  /** The options passed at construction. */
  readonly options: TensorAttentionLayerOptions;

  constructor(options: TensorAttentionLayerOptions) {
    if (options === null || typeof options !== 'object') {
      throw new ArgumentError('options: expected an object with dim, heads and seed');
    }
    assertInteger(options.dim, 'dim', { min: 1 });
    assertInteger(options.heads, 'heads', { min: 1 });
    assertInteger(options.seed, 'seed');
    if (options.dim % options.heads !== 0) {
      throw new ArgumentError(`heads: expected a divisor of dim ${options.dim}, got ${options.heads}`);
    }
    if (options.approxDegree !== undefined) assertInteger(options.approxDegree, 'approxDegree', { min: 0 });
    if (options.blockSize !== undefined) assertInteger(options.blockSize, 'blockSize', { min: 1 });
    for (const key of ['initStd', 'scale'] as const) {
      const v = options[key];
      if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)) {
        throw new ArgumentError(`${key}: expected a positive finite number, got ${String(v)}`);
      }
    }
    this.options = options;
    const c = options.dim;
    const std = options.initStd ?? 1 / Math.sqrt(c);
    const weights: Record<string, Variable> = {};
    NAMES.forEach((name, i) => {
      weights[name] = tf.tidy(() =>
        tf.variable(truncatedNormalTensor([c, c], { seed: options.seed * 16 + i, std })),
      );
      if (options.bias ?? true) weights[`b${name.slice(1)}`] = tf.tidy(() => tf.variable(tf.zeros([c])));
    });
    this.weights = weights;
  }

  /**
   * Runs the layer.
   * @param x - tokens `[B, N, C]`
   * @param mask - optional factorised keep-mask (see {@link TensorAttentionOptions.mask}), broadcastable
   *   per key to `[B, heads, N, N]`
   * @returns `[B, N, C]`
   */
  apply(x: Tensor, mask?: { k1?: Tensor; k2?: Tensor }): Tensor {
    assertTokens(x, 'x');
    const o = this.options;
    if (x.rank !== 3 || x.shape[2] !== o.dim) {
      throw new ShapeError(`x: expected shape [B, N, ${o.dim}], got ${formatShape(x.shape)}`);
    }
    if (mask && o.approxDegree !== undefined) {
      throw new ArgumentError(
        'mask: query-dependent masks are not supported by the approximate mode (approxDegree); use causal',
      );
    }
    const [b, n, c] = x.shape as [number, number, number];
    const h = o.heads;
    const w = this.weights;
    return tf.tidy(() => {
      const x2 = tf.reshape(x, [b * n, c]);
      const proj = (name: string): Tensor => {
        const y = matMul(x2, w[`w${name}`]!);
        const yb = w[`b${name}`] ? tf.add(y, w[`b${name}`]!) : y;
        return tf.transpose(tf.reshape(yb, [b, n, h, c / h]), [0, 2, 1, 3]);
      };
      const [q, k1, k2, v1, v2] = ['q', 'k1', 'k2', 'v1', 'v2'].map(proj) as [
        Tensor,
        Tensor,
        Tensor,
        Tensor,
        Tensor,
      ];
      const common = {
        ...(o.scale !== undefined ? { scale: o.scale } : {}),
        ...(o.causal ? { causal: true } : {}),
      };
      const att =
        o.approxDegree !== undefined
          ? tensorAttentionApprox(q, k1, k2, v1, v2, { ...common, degree: o.approxDegree }).output
          : tensorAttention(q, k1, k2, v1, v2, {
              ...common,
              ...(mask ? { mask } : {}),
              ...(o.blockSize !== undefined ? { blockSize: o.blockSize } : {}),
            });
      const merged = tf.reshape(tf.transpose(att, [0, 2, 1, 3]), [b * n, c]);
      const out = matMul(merged, w.wo!);
      return tf.reshape(w.bo ? tf.add(out, w.bo) : out, [b, n, c]);
    });
  }

  /** The trainable variables. */
  get trainableVariables(): Variable[] {
    return Object.values(this.weights);
  }

  /** Disposes the weights. */
  dispose(): void {
    tf.dispose(Object.values(this.weights));
  }
}
