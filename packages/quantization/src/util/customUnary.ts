import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '@tensorloom/core';

/**
 * A unary op with a custom gradient: `forward(x)` as the value and `gradient(dy, x)` as the backward pass,
 * where `x` is the saved input (saving the input, not the output, keeps nested gradients connected).
 */
export function customUnary(
  forward: (x: Tensor) => Tensor,
  gradient: (dy: Tensor, x: Tensor) => Tensor,
): (x: Tensor) => Tensor {
  const op = tf.customGrad(((input: Tensor, save: (ts: Tensor[]) => void) => {
    save([input]);
    return { value: forward(input), gradFunc: (dy: Tensor, saved: Tensor[]) => gradient(dy, saved[0]!) };
  }) as never);
  return (x: Tensor) => op(x) as Tensor;
}
