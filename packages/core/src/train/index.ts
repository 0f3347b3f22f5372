/**
 * The Tensorloom fit loop: {@link fit} trains `tf.Variable`s (or a `tf.LayersModel`) on a loss with
 * tfjs optimizers, parameter groups with per-group learning-rate and weight-decay scales, seeded
 * shuffling, validation, early stopping, gradient clipping, progress events and abort.
 *
 * @module
 */
export type { Batch, BatchSource, BatchTensors, FitData } from './data.js';
export type { EarlyStoppingOptions } from './earlyStopping.js';
export {
  type EpochRecord,
  type FitHistory,
  type FitOptions,
  type FitProgressEvent,
  fit,
  type LossFunction,
  type StepContext,
} from './fit.js';
export { modelLoss, modelVariables } from './layersModel.js';
export {
  createOptimizer,
  OPTIMIZER_NAMES,
  type OptimizerFactory,
  type OptimizerName,
  type OptimizerSpec,
} from './optimizers.js';
export type { ParamGroup } from './paramGroups.js';
export { releaseAbandonedGradientTape } from './tape.js';
