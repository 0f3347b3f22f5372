import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '@tensorloom/core';
import { customUnary } from '../util/customUnary.js';

/*
 * tfjs records one shared tape for nested gradients, but ops whose gradient reuses their *saved output*
 * (exp, tanh, sigmoid, sqrt, softmax, pow, …) save a disconnected clone: the outer gradient then misses
 * that path, silently (wrong second derivatives) or with "Cannot compute gradient". These variants save
 * their input and recompute, so Hessian-vector products by double backprop through them are exact.
 */

const exp2Op = customUnary(
  (x) => tf.exp(x),
  (dy, x) => tf.mul(dy, tf.exp(x)),
);
const tanh2Op = customUnary(
  (x) => tf.tanh(x),
  (dy, x) => tf.mul(dy, tf.sub(1, tf.square(tf.tanh(x)))),
);

/** `exp(x)` whose gradient `dy·exp(x)` is recomputed from the input, so it can be differentiated again. */
export function exp2(x: Tensor): Tensor {
  return exp2Op(x);
}

/** `tanh(x)` whose gradient `dy·(1 − tanh²x)` is recomputed from the input (twice differentiable in tfjs). */
export function tanh2(x: Tensor): Tensor {
  return tanh2Op(x);
}
