import type { Tensor } from '@tensorflow/tfjs';
import { ArgumentError, describeValue, ShapeError, tf } from '@tensorloom/core';
import { exp2 } from './secondOrder.js';

/**
 * Mean softmax cross-entropy of logits `[n, k]` against targets `[n, k]` (one-hot or probabilities),
 * `−mean_i Σ_c y_ic · log softmax(z_i)_c`, written so that it is twice differentiable in tfjs (Hessians by
 * double backprop): the stabilising row maximum is read as a constant (log-softmax does not depend on it),
 * because tfjs's `logSumExp`/`max` gradients use `Equal`, which has no gradient, and `exp` is the
 * input-saving variant (tfjs's `exp` gradient reuses a disconnected copy of its output).
 *
 * @throws {@link ShapeError} when the shapes differ or are not rank 2
 *
 * @example
 * ```ts
 * const loss = softmaxCrossEntropy(model.predict(x) as tf.Tensor, tf.oneHot(labels, 10));
 * ```
 */
export function softmaxCrossEntropy(logits: Tensor, targets: Tensor): Tensor {
  if (!(logits instanceof tf.Tensor))
    throw new ArgumentError(`logits: expected a tf.Tensor, got ${describeValue(logits)}`);
  if (!(targets instanceof tf.Tensor)) {
    throw new ArgumentError(`targets: expected a tf.Tensor, got ${describeValue(targets)}`);
  }
  if (logits.rank !== 2 || targets.rank !== 2 || logits.shape.some((s, i) => s !== targets.shape[i])) {
    throw new ShapeError(
      `targets: expected the shape of logits [${logits.shape}] (rank 2), got [${targets.shape}]`,
    );
  }
  return tf.tidy(() => {
    const rowMax = tf.max(logits, -1, true);
    const m = tf.tensor(rowMax.dataSync(), rowMax.shape, 'float32');
    const shifted = tf.sub(logits, m);
    const logp = tf.sub(shifted, tf.log(tf.sum(exp2(shifted), -1, true)));
    return tf.neg(tf.mean(tf.sum(tf.mul(targets, logp), -1)));
  });
}
