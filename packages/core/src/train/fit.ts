import type { LayersModel, Optimizer, Scalar, Tensor, TensorContainer, Variable } from '@tensorflow/tfjs';
import { ArgumentError, NumericalError, ShapeError } from '../errors/errors.js';
import {
  assertInteger,
  assertNumber,
  assertOneOf,
  assertPositive,
  describe,
  formatShape,
} from '../errors/validate.js';
import { tf } from '../setup.js';
import type { ProgressEvent } from '../tour/types.js';
import { type Batch, type BatchTensors, type DataPlan, type FitData, planData } from './data.js';
import { BestEpochTracker, type EarlyStoppingOptions } from './earlyStopping.js';
import {
  createOptimizer,
  normalizeOptimizerSpec,
  type OptimizerFactory,
  type OptimizerName,
  type OptimizerSpec,
} from './optimizers.js';
import { type ParamGroup, type ResolvedParamGroup, resolveParamGroups } from './paramGroups.js';
import { mulberry32, seedToState } from './seededShuffle.js';
import { releaseAbandonedGradientTape } from './tape.js';

/** What a loss or metric function learns about the call. */
export interface StepContext {
  /** `true` on training batches, `false` on validation batches (turn dropout off). */
  training: boolean;
  /** The epoch index, from 0. */
  epoch: number;
}

/**
 * A scalar loss (or metric) of one batch. For losses the usual choice is the mean over the batch's
 * examples: `fit` weights batch values by batch size when it averages them over an epoch. It is
 * called inside `tf.tidy`; it must return a rank-0 tensor that depends on the trained variables.
 */
export type LossFunction<X extends BatchTensors = Tensor, Y extends BatchTensors = Tensor> = (
  inputs: X,
  targets: Y,
  context: StepContext,
) => Tensor;

/**
 * A {@link ProgressEvent} from {@link fit}. `'batch'` events count optimizer steps over the whole run
 * (`total = epochs × batches per epoch` when known) and carry the batch's `loss`, metrics and, with
 * clipping, `gradNorm` (before clipping). `'epoch'` events count finished epochs and carry the epoch
 * means: `loss`, metrics, and `valLoss` and `val_<metric>` when there is validation data.
 */
export interface FitProgressEvent extends ProgressEvent {
  phase: 'batch' | 'epoch';
  metrics: Record<string, number>;
}

/** Options of {@link fit}. Only `loss`, `data` and the parameters (`params`, `groups` or `model`) are required. */
export interface FitOptions<X extends BatchTensors = Tensor, Y extends BatchTensors = Tensor> {
  /** The scalar training objective of a batch, over the trained variables. */
  loss: LossFunction<X, Y>;
  /** Training data: the whole dataset as tensors, a list of batches, or a per-epoch batch source. */
  data: FitData<X, Y>;
  /** Variables to train in the default group (scales 1) unless a group claims them. */
  params?: readonly Variable[];
  /** Parameter groups with their own learning-rate and weight-decay scales. */
  groups?: readonly ParamGroup[];
  /** A `tf.LayersModel` whose trainable variables join the default group unless a group claims them. */
  model?: LayersModel;
  /**
   * The optimizer: a name or {@link OptimizerSpec} (default `'adam'`), or a factory
   * `(learningRate) => tf.Optimizer`; both give each group with `lrScale > 0` its own optimizer at rate
   * `learningRate × lrScale`, which `fit` disposes at the end. A `tf.Optimizer` instance is also
   * accepted: it is caller-owned (kept, state included, for the next call), and since it has one rate
   * every group must have `lrScale` 1 (or 0, frozen).
   */
  optimizer?: OptimizerName | OptimizerSpec | OptimizerFactory | Optimizer;
  /** The base learning rate (> 0). Required, except with a `tf.Optimizer` instance, whose rate is used. */
  learningRate?: number;
  /**
   * Decoupled (AdamW-style) weight decay, ≥ 0: every step, before the optimizer update, each variable
   * of a group shrinks as `p ← p − learningRate · lrScale · weightDecay · weightDecayScale · p`.
   * Default 0.01 for `'adamw'`, else 0.
   */
  weightDecay?: number;
  /** Passes over the data, an integer ≥ 1; default 1. */
  epochs?: number;
  /** Examples per batch when `data` is a whole dataset, an integer ≥ 1; default 32. The last batch may be smaller. */
  batchSize?: number;
  /** Reshuffle the examples (or the list of batches) every epoch; default true. */
  shuffle?: boolean;
  /** Seed of the shuffle, a safe integer; default 0. Same seed, same data, same start → same history. */
  seed?: number;
  /** At most this many batches per epoch (needed for endless batch sources to report a total). */
  stepsPerEpoch?: number;
  /** Data evaluated (without gradients, `training: false`, never shuffled) after every epoch. */
  validation?: FitData<X, Y>;
  /** Batch size for `validation` when it is a whole dataset; default `batchSize`. */
  validationBatchSize?: number;
  /**
   * Extra scalar values per batch, averaged over the epoch like the loss (names must not be `loss`,
   * `valLoss`, `gradNorm` or start with `val_`). On training batches they are computed at the same
   * variable values as the loss, before the update.
   */
  metrics?: Record<string, LossFunction<X, Y>>;
  /** Rescale the gradients of all trained variables so that their global L2 norm is at most this (> 0). */
  clipGradNorm?: number;
  /** Stop when a monitored epoch value stops improving, and optionally restore the best variables. */
  earlyStopping?: EarlyStoppingOptions;
  /** Receives {@link FitProgressEvent}s after every batch and every epoch. */
  onProgress?: (event: FitProgressEvent) => void;
  /**
   * Aborts training between batches: the batch in flight finishes, everything `fit` allocated is
   * disposed, and `fit` resolves with `aborted: true` and the epochs completed so far (no partial epoch).
   */
  signal?: AbortSignal;
}

/** The means over one epoch. */
export interface EpochRecord {
  /** The epoch index, from 0. */
  epoch: number;
  /** Mean training loss (batch losses weighted by batch size) at the variable values before each step. */
  loss: number;
  /** Mean loss on the validation data after the epoch, when there is validation data. */
  valLoss?: number;
  /** Mean training metrics. */
  metrics: Record<string, number>;
  /** Mean metrics on the validation data, when there is validation data. */
  valMetrics?: Record<string, number>;
}

/** What {@link fit} resolves with. */
export interface FitHistory {
  /** One record per completed epoch. */
  epochs: EpochRecord[];
  /** Optimizer steps taken. */
  steps: number;
  /** Whether early stopping ended training. */
  stoppedEarly: boolean;
  /** Whether `signal` ended training. */
  aborted: boolean;
  /** The monitored value (`earlyStopping.monitor`, or `'valLoss'`/`'loss'`). */
  monitor: string;
  /** The epoch with the best monitored value (`null` when no epoch completed). */
  bestEpoch: number | null;
}

const FIT_KEYS = [
  'loss',
  'data',
  'params',
  'groups',
  'model',
  'optimizer',
  'learningRate',
  'weightDecay',
  'epochs',
  'batchSize',
  'shuffle',
  'seed',
  'stepsPerEpoch',
  'validation',
  'validationBatchSize',
  'metrics',
  'clipGradNorm',
  'earlyStopping',
  'onProgress',
  'signal',
];
const EARLY_STOPPING_KEYS = ['monitor', 'patience', 'minDelta', 'mode', 'restoreBest'];
const RESERVED_METRIC_NAMES = ['loss', 'valLoss', 'gradNorm'];

/** One optimizer and the groups it updates, in the order of the gradient list. */
interface Updater {
  optimizer: Optimizer;
  owned: boolean;
  groups: { params: Variable[]; decay: number }[];
}

function checkKeys(object: object, allowed: readonly string[], label: string): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) {
      throw new ArgumentError(`${label}: unknown option '${key}' (allowed: ${allowed.join(', ')})`);
    }
  }
}

function checkFunction(value: unknown, label: string, expected: string): void {
  if (typeof value !== 'function')
    throw new ArgumentError(`${label}: expected ${expected}, got ${describe(value)}`);
}

/** Checks that a loss or metric returned a scalar tensor, and casts it to float32. */
function scalarOf(value: unknown, label: string): Tensor {
  if (!(value instanceof tf.Tensor)) {
    throw new ArgumentError(
      `${label}: expected the function to return a scalar tf.Tensor, got ${describe(value)}`,
    );
  }
  if (value.rank !== 0) {
    throw new ShapeError(
      `${label}: expected a scalar (rank 0) tensor, got rank ${value.rank} (shape ${formatShape(value.shape)})`,
    );
  }
  return value.dtype === 'float32' ? value : tf.cast(value, 'float32');
}

/**
 * Disposes an optimizer `fit` built. tfjs 4.22's `MomentumOptimizer.dispose` forgets the learning-rate
 * scalar it inherits from `SGDOptimizer` (field `c`), so that one is disposed here too.
 */
function disposeOptimizer(optimizer: Optimizer): void {
  optimizer.dispose();
  if (optimizer instanceof tf.MomentumOptimizer) {
    const rate = (optimizer as unknown as { c?: Tensor }).c;
    if (rate instanceof tf.Tensor && !rate.isDisposed) rate.dispose();
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof setImmediate === 'function') setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}

function createUpdaters(
  groups: ResolvedParamGroup[],
  optimizer: unknown,
  learningRateOption: unknown,
  weightDecayOption: unknown,
): Updater[] {
  const trained = groups.filter((g) => g.lrScale > 0);
  if (trained.length === 0) {
    throw new ArgumentError('groups: every group has lrScale 0, so nothing would be trained');
  }
  const choice = optimizer ?? 'adam';
  const spec =
    choice instanceof tf.Optimizer || typeof choice === 'function' ? null : normalizeOptimizerSpec(choice);
  const weightDecay = weightDecayOption ?? (spec?.name === 'adamw' ? 0.01 : 0);
  assertNumber(weightDecay, 'weightDecay', { min: 0 });
  const decayOf = (learningRate: number, g: ResolvedParamGroup): number =>
    learningRate * g.lrScale * (weightDecay as number) * g.weightDecayScale;

  if (choice instanceof tf.Optimizer) {
    const rate = (choice.getConfig() as { learningRate?: unknown }).learningRate;
    if (typeof rate !== 'number') {
      throw new ArgumentError(
        'optimizer: the tf.Optimizer instance reports no numeric learningRate in getConfig()',
      );
    }
    if (learningRateOption !== undefined && learningRateOption !== rate) {
      throw new ArgumentError(
        `learningRate: the tf.Optimizer instance has learning rate ${rate}, got ${describe(learningRateOption)}; ` +
          'omit learningRate or pass a spec or factory',
      );
    }
    const scaled = trained.find((g) => g.lrScale !== 1);
    if (scaled !== undefined) {
      throw new ArgumentError(
        `groups: '${scaled.name}' has lrScale ${scaled.lrScale}, but a tf.Optimizer instance has one learning rate; ` +
          'pass an optimizer spec or a factory (learningRate) => tf.Optimizer for per-group rates',
      );
    }
    return [
      {
        optimizer: choice,
        owned: false,
        groups: trained.map((g) => ({ params: g.params, decay: decayOf(rate, g) })),
      },
    ];
  }

  assertPositive(learningRateOption, 'learningRate');
  const learningRate = learningRateOption as number;
  const updaters: Updater[] = [];
  try {
    for (const g of trained) {
      const rate = learningRate * g.lrScale;
      let created: unknown;
      if (spec !== null) {
        created = createOptimizer(spec, rate);
      } else {
        created = (choice as OptimizerFactory)(rate);
        if (!(created instanceof tf.Optimizer)) {
          throw new ArgumentError(
            `optimizer: the factory must return a tf.Optimizer, got ${describe(created)}`,
          );
        }
        if (updaters.some((u) => u.optimizer === created)) {
          throw new ArgumentError(
            'optimizer: the factory returned the same tf.Optimizer twice; it must build a new one per call (per group)',
          );
        }
      }
      updaters.push({
        optimizer: created as Optimizer,
        owned: true,
        groups: [{ params: g.params, decay: decayOf(learningRate, g) }],
      });
    }
  } catch (error) {
    for (const u of updaters) disposeOptimizer(u.optimizer);
    throw error;
  }
  return updaters;
}

/** Options checked and defaults filled, everything but the parameters and the optimizer. */
function readOptions<X extends BatchTensors, Y extends BatchTensors>(options: FitOptions<X, Y>) {
  if (typeof options !== 'object' || options === null) {
    throw new ArgumentError(`options: expected an options object, got ${describe(options)}`);
  }
  checkKeys(options, FIT_KEYS, 'fit');
  checkFunction(options.loss, 'loss', 'a function (inputs, targets, context) => tf.Scalar');
  if (options.data === undefined) throw new ArgumentError('data: expected training data, got undefined');
  const epochs = options.epochs ?? 1;
  const batchSize = options.batchSize ?? 32;
  const seed = options.seed ?? 0;
  const shuffle = options.shuffle ?? true;
  assertInteger(epochs, 'epochs', { min: 1 });
  assertInteger(batchSize, 'batchSize', { min: 1 });
  assertInteger(seed, 'seed', { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
  if (typeof shuffle !== 'boolean')
    throw new ArgumentError(`shuffle: expected a boolean, got ${describe(shuffle)}`);
  if (options.stepsPerEpoch !== undefined) assertInteger(options.stepsPerEpoch, 'stepsPerEpoch', { min: 1 });
  const validationBatchSize = options.validationBatchSize ?? batchSize;
  assertInteger(validationBatchSize, 'validationBatchSize', { min: 1 });
  if (options.clipGradNorm !== undefined) assertPositive(options.clipGradNorm, 'clipGradNorm');
  if (options.onProgress !== undefined)
    checkFunction(options.onProgress, 'onProgress', 'a function (event) => void');
  const signal = options.signal;
  if (
    signal !== undefined &&
    (typeof signal !== 'object' || signal === null || typeof signal.aborted !== 'boolean')
  ) {
    throw new ArgumentError(`signal: expected an AbortSignal, got ${describe(signal)}`);
  }
  if (options.model !== undefined && !(options.model instanceof tf.LayersModel)) {
    throw new ArgumentError(`model: expected a tf.LayersModel, got ${describe(options.model)}`);
  }

  const metrics = options.metrics ?? {};
  if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics)) {
    throw new ArgumentError(
      `metrics: expected an object of named metric functions, got ${describe(metrics)}`,
    );
  }
  const metricNames = Object.keys(metrics);
  for (const name of metricNames) {
    if (RESERVED_METRIC_NAMES.includes(name) || name.startsWith('val_')) {
      throw new ArgumentError(
        `metrics: the name '${name}' is reserved (loss, valLoss, gradNorm and val_* are)`,
      );
    }
    checkFunction(metrics[name], `metrics.${name}`, 'a function (inputs, targets, context) => tf.Scalar');
  }

  const hasValidation = options.validation !== undefined;
  const early = options.earlyStopping;
  if (early !== undefined && (typeof early !== 'object' || early === null)) {
    throw new ArgumentError(`earlyStopping: expected an options object, got ${describe(early)}`);
  }
  if (early !== undefined) checkKeys(early, EARLY_STOPPING_KEYS, 'earlyStopping');
  const monitor = early?.monitor ?? (hasValidation ? 'valLoss' : 'loss');
  const monitorable = ['loss', ...metricNames];
  if (hasValidation) monitorable.push('valLoss', ...metricNames.map((n) => `val_${n}`));
  if (!monitorable.includes(monitor as string)) {
    const hint =
      !hasValidation && typeof monitor === 'string' && (monitor === 'valLoss' || monitor.startsWith('val_'))
        ? ' (validation values need the validation option)'
        : '';
    throw new ArgumentError(
      `earlyStopping.monitor: expected one of ${monitorable.map((m) => `'${m}'`).join(', ')}, got ${describe(monitor)}${hint}`,
    );
  }
  const patience = early?.patience ?? 0;
  const minDelta = early?.minDelta ?? 0;
  const mode = early?.mode ?? 'min';
  const restoreBest = early?.restoreBest ?? false;
  assertInteger(patience, 'earlyStopping.patience', { min: 0 });
  assertNumber(minDelta, 'earlyStopping.minDelta', { min: 0 });
  assertOneOf(mode, ['min', 'max'] as const, 'earlyStopping.mode');
  if (typeof restoreBest !== 'boolean') {
    throw new ArgumentError(`earlyStopping.restoreBest: expected a boolean, got ${describe(restoreBest)}`);
  }
  return {
    epochs,
    batchSize,
    seed,
    shuffle,
    stepsPerEpoch: options.stepsPerEpoch ?? Number.POSITIVE_INFINITY,
    validationBatchSize,
    metrics: metricNames.map((name) => [name, metrics[name]!] as const),
    monitor,
    earlyStopping: early === undefined ? null : { patience, restoreBest },
    tracker: new BestEpochTracker(mode, minDelta),
  };
}

/**
 * Trains variables by minimising a loss over batches with tfjs optimizers — the Tensorloom fit loop.
 *
 * Per step: the loss and its gradients with respect to the trained variables are computed at the
 * current values (a variable the loss does not reach gets a zero gradient); the metrics are evaluated
 * at the same values; a non-finite loss throws before anything changes; gradients are clipped by
 * global norm if asked; then, group by group, the decoupled weight decay shrinks the variables and the
 * group's optimizer applies its update. Between batches the loop yields to the event loop, so
 * `signal` and progress displays stay live.
 *
 * Parameter groups: tfjs optimizers have one learning rate, so each group gets its own optimizer
 * instance (built from the spec or factory at `learningRate × lrScale`); their states are independent,
 * which is exactly per-parameter Adam/momentum state. Groups with `lrScale` 0 are frozen.
 *
 * Memory: batch slices, gradients, optimizers built here and best-weight snapshots are disposed, also
 * on errors and aborts; the caller's variables, data and `tf.Optimizer` instance are left alone.
 *
 * @returns the per-epoch history; see {@link FitHistory}
 * @throws {@link ArgumentError} for invalid options (a variable in two groups, a bad optimizer, an
 *   unknown option key, a monitor without data, a loss that reaches no trained variable, …)
 * @throws {@link ShapeError} for datasets whose tensors disagree on the number of examples, or a
 *   loss or metric that is not a scalar
 * @throws {@link NumericalError} when a batch loss is NaN or infinite (no update is applied)
 *
 * @example
 * ```ts
 * // μP-style groups: hidden weights under Adam at lr × baseWidth / width.
 * const history = await fit({
 *   loss: (x, y) => tf.losses.meanSquaredError(y, forward(x)),
 *   data: { inputs: x, targets: y },
 *   groups: [
 *     { name: 'hidden', params: [w1], lrScale: baseWidth / width },
 *     { name: 'biases', params: [b1, b2], weightDecayScale: 0 },
 *   ],
 *   params: [w0, w2],                      // default group, scales 1
 *   optimizer: 'adamw',
 *   learningRate: 3e-3,
 *   epochs: 20,
 *   batchSize: 64,
 *   seed: 7,
 *   validation: { inputs: xVal, targets: yVal },
 *   earlyStopping: { patience: 3, restoreBest: true },
 *   onProgress: (e) => console.log(e.phase, e.step, e.metrics.loss),
 *   signal: controller.signal,
 * });
 * ```
 */
export async function fit<X extends BatchTensors = Tensor, Y extends BatchTensors = Tensor>(
  options: FitOptions<X, Y>,
): Promise<FitHistory> {
  const config = readOptions(options);
  const groups = resolveParamGroups(options.groups, options.params, options.model);
  const random = mulberry32(seedToState(config.seed));
  const train: DataPlan<X, Y> = planData(options.data, 'data', {
    batchSize: config.batchSize,
    shuffle: config.shuffle,
    random,
    limit: config.stepsPerEpoch,
  });
  const validation: DataPlan<X, Y> | null =
    options.validation === undefined
      ? null
      : planData(options.validation, 'validation', {
          batchSize: config.validationBatchSize,
          shuffle: false,
          random,
          limit: Number.POSITIVE_INFINITY,
        });
  const updaters = createUpdaters(groups, options.optimizer, options.learningRate, options.weightDecay);
  const trainedVariables = updaters.flatMap((u) => u.groups.flatMap((g) => g.params));
  const { epochs, metrics, tracker, earlyStopping } = config;
  const metricNames = metrics.map(([name]) => name);
  const clip = options.clipGradNorm;
  const signal = options.signal;
  const emit = (event: FitProgressEvent): void => options.onProgress?.(event);
  const totalSteps = train.batchesPerEpoch === undefined ? undefined : train.batchesPerEpoch * epochs;

  const history: EpochRecord[] = [];
  let steps = 0;
  let aborted = false;
  let stoppedEarly = false;
  let snapshot: Tensor[] | null = null;
  let stepsAtSnapshot = -1;

  /** Loss, metrics and (with clipping) the gradient norm of one batch, plus the gradients. */
  const computeGradients = (batch: Batch<X, Y>, context: StepContext): { stats: Tensor; grads: Tensor[] } =>
    tf.tidy(() => {
      let result: { value: Tensor; grads: Record<string, Tensor | null> };
      try {
        result = tf.variableGrads(
          () => scalarOf(options.loss(batch.inputs, batch.targets, context), 'loss') as Scalar,
          trainedVariables,
        );
      } catch (error) {
        releaseAbandonedGradientTape();
        if (error instanceof Error && error.message.includes('Cannot find a connection')) {
          throw new ArgumentError('loss: the loss does not depend on any of the trained variables', {
            cause: error,
          });
        }
        throw error;
      }
      const grads = trainedVariables.map((v) => result.grads[v.name] ?? tf.zerosLike(v));
      const parts = [result.value];
      for (const [name, metric] of metrics)
        parts.push(scalarOf(metric(batch.inputs, batch.targets, context), `metrics.${name}`));
      if (clip !== undefined) {
        parts.push(tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))));
      }
      return { stats: tf.stack(parts), grads };
    });

  const applyUpdate = (grads: Tensor[], gradNorm: number): void =>
    tf.tidy(() => {
      // torch.nn.utils.clip_grad_norm_: scale by maxNorm / (norm + 1e-6) when that is below 1.
      const factor = clip === undefined ? 1 : Math.min(1, clip / (gradNorm + 1e-6));
      let k = 0;
      for (const updater of updaters) {
        const named: { name: string; tensor: Tensor }[] = [];
        for (const group of updater.groups) {
          for (const v of group.params) {
            const grad = grads[k++]!;
            if (group.decay !== 0) v.assign(tf.mul(v, 1 - group.decay));
            named.push({ name: v.name, tensor: factor < 1 ? tf.mul(grad, factor) : grad });
          }
        }
        updater.optimizer.applyGradients(named);
      }
    });

  const trainStep = async (
    batch: Batch<X, Y>,
    context: StepContext,
    label: string,
  ): Promise<Float32Array> => {
    const { stats, grads } = computeGradients(batch, context);
    try {
      let values: Float32Array;
      try {
        values = (await stats.data()) as Float32Array;
      } finally {
        stats.dispose();
      }
      if (!Number.isFinite(values[0]!)) {
        throw new NumericalError(
          `loss: expected a finite value, got ${values[0]} at ${label}; no update was applied`,
        );
      }
      applyUpdate(grads, clip === undefined ? 0 : values[values.length - 1]!);
      return values;
    } finally {
      tf.dispose(grads);
    }
  };

  const evaluate = async (
    plan: DataPlan<X, Y>,
    epoch: number,
  ): Promise<{ loss: number; metrics: Record<string, number> }> => {
    const context: StepContext = { training: false, epoch };
    const sums = new Float64Array(1 + metrics.length);
    let count = 0;
    for await (const { batch, size, owned } of plan.batches(epoch)) {
      try {
        const stats = tf.tidy(() =>
          tf.stack([
            scalarOf(options.loss(batch.inputs, batch.targets, context), 'loss'),
            ...metrics.map(([name, metric]) =>
              scalarOf(metric(batch.inputs, batch.targets, context), `metrics.${name}`),
            ),
          ]),
        );
        let values: Float32Array;
        try {
          values = (await stats.data()) as Float32Array;
        } finally {
          stats.dispose();
        }
        for (let i = 0; i < sums.length; i++) sums[i]! += values[i]! * size;
        count += size;
      } finally {
        if (owned) tf.dispose(batch as unknown as TensorContainer);
      }
      await yieldToEventLoop();
    }
    return {
      loss: sums[0]! / count,
      metrics: Object.fromEntries(metricNames.map((n, i) => [n, sums[i + 1]! / count])),
    };
  };

  try {
    for (let epoch = 0; epoch < epochs && !stoppedEarly; epoch++) {
      if (signal?.aborted) {
        aborted = true;
        break;
      }
      const context: StepContext = { training: true, epoch };
      const sums = new Float64Array(1 + metrics.length);
      let count = 0;
      let batchIndex = 0;
      for await (const { batch, size, owned } of train.batches(epoch)) {
        let values: Float32Array;
        try {
          values = await trainStep(batch, context, `epoch ${epoch} batch ${batchIndex} (step ${steps + 1})`);
        } finally {
          if (owned) tf.dispose(batch as unknown as TensorContainer);
        }
        steps++;
        batchIndex++;
        for (let i = 0; i < sums.length; i++) sums[i]! += values[i]! * size;
        count += size;
        const batchMetrics: Record<string, number> = { loss: values[0]! };
        metricNames.forEach((name, i) => {
          batchMetrics[name] = values[i + 1]!;
        });
        if (clip !== undefined) batchMetrics.gradNorm = values[values.length - 1]!;
        const event: FitProgressEvent = {
          phase: 'batch',
          step: steps,
          metrics: batchMetrics,
          message: `epoch ${epoch + 1}/${epochs}`,
        };
        if (totalSteps !== undefined) event.total = totalSteps;
        emit(event);
        await yieldToEventLoop();
        if (signal?.aborted) {
          aborted = true;
          break;
        }
      }
      if (aborted) break;

      const record: EpochRecord = {
        epoch,
        loss: sums[0]! / count,
        metrics: Object.fromEntries(metricNames.map((n, i) => [n, sums[i + 1]! / count])),
      };
      const flat: Record<string, number> = { loss: record.loss, ...record.metrics };
      if (validation !== null) {
        const v = await evaluate(validation, epoch);
        record.valLoss = v.loss;
        record.valMetrics = v.metrics;
        flat.valLoss = v.loss;
        for (const n of metricNames) flat[`val_${n}`] = v.metrics[n]!;
      }
      history.push(record);
      emit({
        phase: 'epoch',
        step: epoch + 1,
        total: epochs,
        metrics: flat,
        message: `epoch ${epoch + 1}/${epochs}`,
      });

      const improved = tracker.update(epoch, flat[config.monitor]!);
      if (improved && earlyStopping?.restoreBest) {
        if (snapshot !== null) tf.dispose(snapshot);
        snapshot = trainedVariables.map((v) => tf.clone(v));
        stepsAtSnapshot = steps;
      }
      if (earlyStopping !== null && !improved && tracker.exhausted(earlyStopping.patience))
        stoppedEarly = true;
    }
    if (snapshot !== null && stepsAtSnapshot !== steps) {
      const best = snapshot;
      trainedVariables.forEach((v, i) => {
        v.assign(best[i]!);
      });
    }
  } finally {
    if (snapshot !== null) tf.dispose(snapshot);
    for (const updater of updaters) if (updater.owned) disposeOptimizer(updater.optimizer);
  }
  return {
    epochs: history,
    steps,
    stoppedEarly,
    aborted,
    monitor: config.monitor,
    bestEpoch: tracker.bestEpoch,
  };
}
