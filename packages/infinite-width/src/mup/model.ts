import type { ParamGroup, Tensor } from '@tensorloom/core';

/** Named intermediate tensors of a forward pass. */
export interface MuForward {
  /** The network output `[N, outputDim]`. */
  output: Tensor;
  /** Recorded intermediate tensors in order, the last one named `output` (read by {@link coordCheck}). */
  activations: { name: string; value: Tensor }[];
}

/**
 * What {@link coordCheck}, {@link muSGD} and {@link muAdam} need from a network: a recording forward pass and its μP
 * parameter groups. {@link muMLP}, `abcMLP` and {@link muTransformer} return models of this shape.
 */
export interface MuModel {
  /** Shape of one example (`[inputDim]` for an MLP, `[tokens, inputDim]` for a transformer; −1 = any length). */
  readonly inputShape: readonly number[];
  /** Output dimension: `apply(x)` is `[N, outputDim]`. */
  readonly outputDim: number;
  /** The output for a batch `x` (`[N, …inputShape]`). */
  apply(x: Tensor): Tensor;
  /** The output and the recorded intermediate tensors (call inside `tf.tidy`). */
  forward(x: Tensor): MuForward;
  /** One parameter group per weight/bias with its μP learning-rate multiplier for SGD or Adam. */
  paramGroups(optimizer: 'sgd' | 'adam'): ParamGroup[];
  /** Disposes the variables. */
  dispose(): void;
}
