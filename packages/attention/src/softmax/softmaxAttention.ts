import type { Tensor } from '@tensorloom/core';
import { ArgumentError, batchMatMul, formatShape, ShapeError, tf } from '@tensorloom/core';
import { assertBatch, assertTokens, MASKED_SCORE, resolveScale } from '../shared/inputs.js';

/** Options for {@link softmaxAttention}. */
export interface SoftmaxAttentionOptions {
  /** Multiplies the scores `q·kᵀ` before the softmax. Default `1/√d` (d = feature size of `q`). */
  scale?: number;
  /**
   * Which keys each query may attend to: a tensor broadcastable to `[..., nq, nk]` whose nonzero
   * (or `true`) entries keep a score and whose zeros drop it. A query whose keys are all masked
   * outputs zeros.
   */
  mask?: Tensor;
}

/**
 * Scaled dot-product softmax attention `softmax(scale·q·kᵀ [masked]) · v`, batched over any leading
 * axes (batch, heads), numerically stable (the row maximum is subtracted before `exp`) and
 * differentiable. Products run through core's {@link batchMatMul} (the WASM fast path).
 *
 * @param q - queries `[..., nq, d]`
 * @param k - keys `[..., nk, d]` (same leading shape as `q`)
 * @param v - values `[..., nk, dv]` (same leading shape as `q`)
 * @returns `[..., nq, dv]`
 * @throws {@link ShapeError} when ranks, batch shapes, feature sizes or token counts disagree, or a
 *   tensor has no tokens; {@link ArgumentError} for a non-positive scale or a non-tensor input
 *
 * @example
 * ```ts
 * const out = softmaxAttention(q, k, v, { mask: causal }); // [batch, heads, n, dv]
 * ```
 */
export function softmaxAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  options: SoftmaxAttentionOptions = {},
): Tensor {
  assertTokens(q, 'q');
  assertTokens(k, 'k');
  assertTokens(v, 'v');
  const batch = q.shape.slice(0, -2);
  assertBatch(k, batch, 'k', 'q');
  assertBatch(v, batch, 'v', 'q');
  const d = q.shape[q.rank - 1]!;
  const nq = q.shape[q.rank - 2]!;
  const nk = k.shape[k.rank - 2]!;
  if (k.shape[k.rank - 1] !== d) {
    throw new ShapeError(`k: expected feature size ${d} like q, got shape ${formatShape(k.shape)}`);
  }
  if (v.shape[v.rank - 2] !== nk) {
    throw new ShapeError(`v: expected ${nk} tokens like k, got shape ${formatShape(v.shape)}`);
  }
  const scale = resolveScale(options.scale, 1 / Math.sqrt(d));
  const mask = options.mask;
  if (mask !== undefined) assertBroadcastable(mask, [...batch, nq, nk], 'mask');
  return tf.tidy(() => {
    const scores = tf.mul(batchMatMul(q, k, { transposeB: true }), scale);
    const weights = maskedSoftmax(scores, mask);
    return batchMatMul(weights, v);
  });
}

/**
 * Stable softmax over the last axis with an optional keep-mask: masked entries get weight 0 and
 * fully masked rows get all-zero weights (instead of NaN).
 */
export function maskedSoftmax(scores: Tensor, mask?: Tensor): Tensor {
  return tf.tidy(() => {
    if (mask === undefined) {
      const m = tf.max(scores, -1, true);
      const e = tf.exp(tf.sub(scores, m));
      return tf.div(e, tf.sum(e, -1, true));
    }
    const keep = tf.cast(tf.notEqual(mask, 0), 'float32');
    const keepB = tf.broadcastTo(keep, scores.shape);
    const filled = tf.where(tf.cast(keepB, 'bool'), scores, tf.fill(scores.shape, MASKED_SCORE));
    const m = tf.max(filled, -1, true);
    const e = tf.mul(tf.exp(tf.sub(filled, m)), keepB);
    const z = tf.sum(e, -1, true);
    return tf.div(e, tf.maximum(z, 1e-30));
  });
}

function assertBroadcastable(x: Tensor, target: readonly number[], name: string): void {
  if (!(x instanceof tf.Tensor)) {
    throw new ArgumentError(`${name}: expected a tensor, got ${x === null ? 'null' : typeof x}`);
  }
  const ok =
    x.rank <= target.length &&
    x.shape.every((s, i) => {
      const t = target[target.length - x.rank + i]!;
      return s === t || s === 1;
    });
  if (!ok) {
    throw new ShapeError(
      `${name}: expected a shape broadcastable to ${formatShape(target)}, got ${formatShape(x.shape)}`,
    );
  }
}

export { assertBroadcastable };
