import type { LayersModel, Tensor, Variable } from '@tensorflow/tfjs';
import { ArgumentError, ShapeError } from '../errors/errors.js';
import { describe } from '../errors/validate.js';
import { tf } from '../setup.js';
import type { BatchTensors } from './data.js';
import type { LossFunction } from './fit.js';

/**
 * The trainable variables of a built `tf.LayersModel`, in `model.trainableWeights` order. These are
 * the model's own variables: training them trains the model. (`fit`'s `model` option uses this.)
 *
 * @throws {@link ArgumentError} when `model` is not a `tf.LayersModel`
 *
 * @example
 * ```ts
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [3] })] });
 * const [kernel, bias] = modelVariables(model);
 * ```
 */
export function modelVariables(model: LayersModel): Variable[] {
  if (!(model instanceof tf.LayersModel)) {
    throw new ArgumentError(`model: expected a tf.LayersModel, got ${describe(model)}`);
  }
  return model.trainableWeights.map((weight) => weight.read() as Variable);
}

/**
 * A {@link LossFunction} for a single-output `tf.LayersModel`: runs the model on the batch inputs
 * (`training: true` while training, so dropout is active; `false` on validation data) and compares
 * its predictions with the targets through `criterion(targets, predictions)` — the argument order of
 * `tf.losses.*`.
 *
 * @param model - the model whose output is compared
 * @param criterion - a scalar loss of targets and predictions, e.g. `tf.losses.meanSquaredError`
 * @throws {@link ArgumentError} for a non-model or non-function criterion
 *
 * @example
 * ```ts
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [3] })] });
 * const history = await fit({
 *   model,
 *   loss: modelLoss(model, tf.losses.meanSquaredError),
 *   data: { inputs: x, targets: y },
 *   optimizer: 'adam',
 *   learningRate: 1e-2,
 *   epochs: 20,
 * });
 * ```
 */
export function modelLoss<X extends BatchTensors = Tensor>(
  model: LayersModel,
  criterion: (targets: Tensor, predictions: Tensor) => Tensor,
): LossFunction<X, Tensor> {
  if (!(model instanceof tf.LayersModel)) {
    throw new ArgumentError(`model: expected a tf.LayersModel, got ${describe(model)}`);
  }
  if (typeof criterion !== 'function') {
    throw new ArgumentError(
      `criterion: expected a function (targets, predictions) => tf.Scalar, got ${describe(criterion)}`,
    );
  }
  return (inputs, targets, context) => {
    const predictions = model.apply(inputs, { training: context.training });
    if (Array.isArray(predictions)) {
      throw new ShapeError(
        `modelLoss: the model has ${predictions.length} outputs; write a loss over model.apply(inputs) by hand`,
      );
    }
    return criterion(targets, predictions as Tensor);
  };
}
