import type { Tensor } from '@tensorflow/tfjs';
import { ArgumentError, assertOneOf, describeValue, type ProgressEvent } from '@tensorloom/core';
import { assertPrecision, type BitConfig, type Precision } from '../model/precision.js';
import type { QuantizedModel } from '../model/quantizedModel.js';
import {
  gaussNewtonVectorProduct,
  type HutchinsonEstimator,
  type HutchinsonOptions,
  HVP_METHODS,
  type HvpMethod,
  hutchinsonTrace,
} from './hessian.js';

/** Calibration data: inputs and one-hot targets. */
export interface CalibrationData {
  /** Model inputs, batch first. */
  inputs: Tensor;
  /** One-hot targets `[n, classes]`. */
  targets: Tensor;
}

/** Checks calibration data. @throws {@link ArgumentError} for a missing or empty set */
export function assertCalibration(
  calibration: unknown,
  name = 'calibration',
): asserts calibration is CalibrationData {
  const c = calibration as CalibrationData | undefined;
  if (c === null || typeof c !== 'object' || !c.inputs || !c.targets) {
    throw new ArgumentError(
      `${name}: expected { inputs, targets } tensors, got ${describeValue(calibration)}`,
    );
  }
  if (c.inputs.shape[0] === 0 || c.inputs.size === 0) {
    throw new ArgumentError(
      `${name}: expected a non-empty calibration set, got inputs of shape [${c.inputs.shape}]`,
    );
  }
  if (c.targets.shape[0] !== c.inputs.shape[0]) {
    throw new ArgumentError(
      `${name}: expected as many targets as inputs, got ${c.targets.shape[0]} and ${c.inputs.shape[0]}`,
    );
  }
}

/** Options of {@link layerHessianTraces}. */
export interface LayerHessianOptions {
  /** Data the loss is evaluated on. */
  calibration: CalibrationData;
  /** Seed of the Rademacher probes. */
  seed: number;
  /** Most Hessian-vector products (default 100). */
  maxSamples?: number;
  /** Relative change of the running mean at which to stop (default 1e-3). */
  tolerance?: number;
  /** Stop once every layer's relative standard error is at most this (see {@link HutchinsonOptions}). */
  targetRelativeError?: number;
  /** One probe per layer instead of one shared probe (see {@link HutchinsonOptions}; L HVPs per sample). */
  blockwise?: boolean;
  /** Trace estimator (default `'hutchinson'`; `'hutch++'`: `maxSamples` is the HVP budget, see {@link HutchinsonOptions}). */
  estimator?: HutchinsonEstimator;
  /**
   * Product method: an {@link HvpMethod} (default double backprop where the model is twice differentiable in
   * tfjs, else finite differences), or `'gauss-newton'`: {@link gaussNewtonVectorProduct} on the model's
   * logits, whose diagonal blocks equal the Hessian's for relu/linear networks (exact block traces in
   * expectation, also for convolutions, where finite differences of the gradient are biased by relu kinks).
   */
  method?: HvpMethod | 'gauss-newton';
  /** Progress events. */
  onProgress?: (event: ProgressEvent) => void;
  /** Abort. */
  signal?: AbortSignal;
}

/** Per-layer Hessian traces of the calibration loss with respect to each quantisable layer's kernel. */
export interface LayerHessianTraces {
  /** `Tr(H_i)` by layer name. */
  traces: Record<string, number>;
  /** `Tr(H_i)/n_i` (average Hessian diagonal, HAWQ-V2's normalisation) by layer name. */
  perParameter: Record<string, number>;
  /** Standard errors of `traces`. */
  standardErrors: Record<string, number>;
  /** Probe rounds used (Hessian-vector products unless `blockwise`). */
  samples: number;
  /** Hessian-vector products used. */
  hessianVectorProducts: number;
  /** Product method used. */
  method: 'double-backprop' | 'finite-difference' | 'gauss-newton';
}

/**
 * Hutchinson estimates of every quantisable layer's Hessian-block trace `Tr(∂²L/∂W_i²)` for the mean softmax
 * cross-entropy of the float model on the calibration data.
 *
 * @throws {@link ArgumentError} for an empty calibration set or bad options
 */
export async function layerHessianTraces(
  model: QuantizedModel,
  options: LayerHessianOptions,
): Promise<LayerHessianTraces> {
  assertCalibration(options.calibration);
  const method = options.method ?? (model.secondOrderSafe ? 'auto' : 'finite-difference');
  assertOneOf(method, [...HVP_METHODS, 'gauss-newton'] as const, 'method');
  const loss = model.paramLoss(options.calibration.inputs, options.calibration.targets);
  const kernels = model.kernels();
  const logits = model.paramLogits(options.calibration.inputs);
  const r = await hutchinsonTrace(loss, kernels, {
    seed: options.seed,
    ...(method === 'gauss-newton'
      ? { operator: (v: Tensor[]) => gaussNewtonVectorProduct(logits, kernels, v) }
      : { method }),
    ...(options.maxSamples === undefined ? {} : { maxSamples: options.maxSamples }),
    ...(options.tolerance === undefined ? {} : { tolerance: options.tolerance }),
    ...(options.targetRelativeError === undefined
      ? {}
      : { targetRelativeError: options.targetRelativeError }),
    ...(options.blockwise === undefined ? {} : { blockwise: options.blockwise }),
    ...(options.estimator === undefined ? {} : { estimator: options.estimator }),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const names = model.layerNames;
  return {
    traces: Object.fromEntries(names.map((n, i) => [n, r.traces[i]!])),
    perParameter: Object.fromEntries(names.map((n, i) => [n, r.traces[i]! / model.layers[i]!.params])),
    standardErrors: Object.fromEntries(names.map((n, i) => [n, r.standardErrors[i]!])),
    samples: r.samples,
    hessianVectorProducts: r.hessianVectorProducts,
    method: r.method === 'operator' ? 'gauss-newton' : r.method,
  };
}

/**
 * The HAWQ sensitivity of each layer at `precision`: `Ω_i = (Tr(H_i)/n_i) · ‖Q(W_i) − W_i‖²` (HAWQ-V2/V3: average
 * Hessian trace times the weight quantisation perturbation). Half of it, `½Ω_i`, is the second-order prediction
 * of the loss increase from quantising layer i alone when the perturbation is isotropic.
 *
 * @throws {@link ArgumentError} for a bad precision
 */
export function hawqScores(
  model: QuantizedModel,
  traces: LayerHessianTraces,
  precision: Precision,
): Record<string, number> {
  assertPrecision(precision, 'precision');
  return Object.fromEntries(
    model.layerNames.map((n) => [n, traces.perParameter[n]! * model.weightPerturbation(n, precision)]),
  );
}

/** Context passed to a {@link DependencyMeasure}. */
export interface DependencyContext {
  /** The precision being considered. */
  precision: Precision;
  /** Calibration data. */
  calibration: CalibrationData;
  /** Abort. */
  signal?: AbortSignal;
}

/** The inter-layer dependency measure: a symmetric matrix `D` (layers in `model.layerNames` order, zero diagonal). */
export type DependencyMeasure = (
  model: QuantizedModel,
  context: DependencyContext,
) => number[][] | Promise<number[][]>;

/** Options of {@link measureDependencies}. */
export interface MeasureDependenciesOptions {
  /** Data the loss is evaluated on. */
  calibration: CalibrationData;
  /** Precision of the quantised layers (weights and activations). */
  precision: Precision;
  /** Which pairs to measure: `'all'` (L(L−1)/2 pairs, default) or `'adjacent'` (consecutive layers only; others 0). */
  pairs?: 'all' | 'adjacent';
  /** Progress events (`phase: 'dependencies'`). */
  onProgress?: (event: ProgressEvent) => void;
  /** Abort. */
  signal?: AbortSignal;
}

/** Measured single-layer loss changes and pairwise interactions. */
export interface Dependencies {
  /** Layer names (matrix order). */
  names: string[];
  /** `ΔL_i = L(Q_i) − L(float)`: calibration loss change when only layer i is quantised. */
  single: number[];
  /** `D_ij = ΔL_ij − ΔL_i − ΔL_j` (0 on the diagonal and for unmeasured pairs). */
  interaction: number[][];
  /** Loss evaluations used. */
  evaluations: number;
}

/**
 * Measures inter-layer dependencies on calibration data: with `ΔL(S)` the increase of the calibration loss
 * when exactly the layers in `S` are quantised (weights and input activations at `precision`, others float32),
 * the pairwise interaction is `D_ij = ΔL({i, j}) − ΔL({i}) − ΔL({j})` — zero when the two layers' errors add
 * up independently, positive when they compound, negative when they cancel. This is our concrete choice (the
 * paper's formula is not public); it is the empirical analogue of the off-diagonal Hessian term
 * `δW_iᵀ H_ij δW_j` of the second-order expansion, including activation quantisation and higher orders.
 *
 * @throws {@link ArgumentError} for an empty calibration set or bad options
 */
export async function measureDependencies(
  model: QuantizedModel,
  options: MeasureDependenciesOptions,
): Promise<Dependencies> {
  assertCalibration(options.calibration);
  assertPrecision(options.precision, 'precision');
  const pairs = options.pairs ?? 'all';
  assertOneOf(pairs, ['all', 'adjacent'] as const, 'pairs');
  const names = model.layerNames;
  const L = names.length;
  const { inputs, targets } = options.calibration;
  const lossOf = (config: BitConfig): number => model.loss(inputs, targets, config);
  const base = lossOf({});
  const single = names.map((n) => lossOf({ [n]: options.precision }) - base);
  let evaluations = 1 + L;
  const interaction = names.map(() => new Array<number>(L).fill(0));
  const todo: [number, number][] = [];
  for (let i = 0; i < L; i++)
    for (let j = i + 1; j < L; j++) if (pairs === 'all' || j === i + 1) todo.push([i, j]);
  for (const [step, [i, j]] of todo.entries()) {
    options.signal?.throwIfAborted();
    const d =
      lossOf({ [names[i]!]: options.precision, [names[j]!]: options.precision }) -
      base -
      single[i]! -
      single[j]!;
    interaction[i]![j] = d;
    interaction[j]![i] = d;
    evaluations++;
    options.onProgress?.({ phase: 'dependencies', step: step + 1, total: todo.length });
    if (step % 8 === 7) await Promise.resolve();
  }
  return { names, single, interaction, evaluations };
}

/** The default {@link DependencyMeasure}: {@link measureDependencies} with all pairs. */
export const pairwiseLossInteraction: DependencyMeasure = async (model, context) =>
  (
    await measureDependencies(model, {
      calibration: context.calibration,
      precision: context.precision,
      ...(context.signal ? { signal: context.signal } : {}),
    })
  ).interaction;

/**
 * The augmented sensitivity `S_i = ½Ω_i + ½ Σ_{j≠i} D_ij`: the second-order (HAWQ) prediction of layer i's own
 * loss increase plus half of every measured pairwise interaction it takes part in (each pair's interaction
 * split evenly between its two layers, so that `Σ_i S_i` approximates the loss increase of quantising all).
 *
 * @throws {@link ArgumentError} when the matrix does not match the layers
 */
export function augmentedSensitivity(
  names: readonly string[],
  hawq: Record<string, number>,
  interaction: number[][],
): Record<string, number> {
  if (
    !Array.isArray(interaction) ||
    interaction.length !== names.length ||
    interaction.some((r) => r.length !== names.length)
  ) {
    throw new ArgumentError(
      `interaction: expected a ${names.length}×${names.length} matrix, got ${describeValue(interaction)}`,
    );
  }
  return Object.fromEntries(
    names.map((n, i) => {
      const omega = hawq[n];
      if (typeof omega !== 'number') throw new ArgumentError(`hawq: missing the score of layer '${n}'`);
      const row = interaction[i]!.reduce((s, d, j) => (j === i ? s : s + d), 0);
      return [n, 0.5 * omega + 0.5 * row];
    }),
  );
}

/** Layer names sorted from least to most sensitive (ties keep model order). */
export function sensitivityOrder(names: readonly string[], scores: Record<string, number>): string[] {
  return names
    .map((n, i) => ({ n, i, s: scores[n]! }))
    .sort((a, b) => a.s - b.s || a.i - b.i)
    .map((e) => e.n);
}
