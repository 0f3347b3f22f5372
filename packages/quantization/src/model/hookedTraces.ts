import type { LayersModel, Tensor, Variable } from '@tensorflow/tfjs';
import { ArgumentError, assertNumber, describeValue, tf } from '@tensorloom/core';
import { type HutchinsonEstimator, hutchinsonTrace } from '../sensitivity/hessian.js';
import { quantizableWeights, type WeightHookOptions } from './weightHook.js';

/** Options of {@link hookedGaussNewtonTraces}. */
export interface HookedTraceOptions {
  /** Calibration inputs (batch first). */
  inputs: Tensor;
  /** Seed of the probes. */
  seed: number;
  /** Product budget (default 100). */
  maxSamples?: number;
  /** Estimator (default `'hutch++'`). */
  estimator?: HutchinsonEstimator;
  /** Step `‖h·v‖` of the logits' central difference (default 1e-2). */
  epsilon?: number;
  /** The logits of the model on `inputs` (default `model.apply(inputs)`, which must be `[n, classes]` logits). */
  logits?: () => Tensor;
  /** Which weights (as in {@link quantizableWeights}). */
  hook?: WeightHookOptions;
  /** Abort between products. */
  signal?: AbortSignal;
}

/** Per-weight Gauss–Newton block traces of a hook-only model. */
export interface HookedTraces {
  /** `Tr(G_ii)` by weight name. */
  traces: Record<string, number>;
  /** `Tr(G_ii)/n_i` by weight name. */
  perParameter: Record<string, number>;
  /** Standard errors (conditional on the sketch for Hutch++). */
  standardErrors: Record<string, number>;
  /** Products used. */
  hessianVectorProducts: number;
}

/**
 * Gauss–Newton block traces of the mean softmax cross-entropy with respect to every hooked weight of a model
 * that {@link quantizeModel} cannot wrap (custom layers): the product `G·v = (1/n) Σ_n J_nᵀ(diag p_n −
 * p_n p_nᵀ)J_n v` of {@link gaussNewtonVectorProduct}, with `J v` from the logits after writing `W ± h·v` into
 * the weight variables in place (restored afterwards, also on error) and `Jᵀu` from `tf.variableGrads`.
 * `G_ii = H_ii` for relu/linear networks; for GELU, softmax attention or normalisation layers (Next-ViT) it is
 * the Gauss–Newton approximation (positive semi-definite), not the Hessian.
 *
 * @throws {@link ArgumentError} for bad options (including a non-positive `epsilon` or no hooked weights) or
 *   logits that are not `[n, classes]`
 */
export async function hookedGaussNewtonTraces(
  model: LayersModel,
  options: HookedTraceOptions,
): Promise<HookedTraces> {
  if (options === null || typeof options !== 'object' || !(options.inputs instanceof tf.Tensor)) {
    throw new ArgumentError(`options.inputs: expected a tf.Tensor, got ${describeValue(options?.inputs)}`);
  }
  if (options.logits !== undefined && typeof options.logits !== 'function') {
    throw new ArgumentError(`options.logits: expected a function, got ${describeValue(options.logits)}`);
  }
  const epsilon = options.epsilon ?? 1e-2;
  assertNumber(epsilon, 'epsilon', { min: Number.MIN_VALUE });
  const hooked = quantizableWeights(model, options.hook ?? {});
  if (hooked.length === 0) {
    throw new ArgumentError(
      'hook: expected at least one quantisable weight (see quantizableWeights and its filter), got none',
    );
  }
  const byName = new Map(model.trainableWeights.map((w) => [w.name, w]));
  const variables = hooked.map((w) => byName.get(w.name)!);
  const logits = options.logits ?? ((): Tensor => model.apply(options.inputs, { training: false }) as Tensor);
  const values = (): Tensor[] => variables.map((v) => v.read());
  const z0 = tf.tidy(logits);
  if (z0.rank !== 2) {
    z0.dispose();
    throw new ArgumentError(`logits: expected [n, classes] logits, got shape [${z0.shape}]`);
  }
  const p = tf.tidy(() => tf.softmax(z0));
  const n = z0.shape[0]!;
  z0.dispose();
  const operator = (v: Tensor[]): Tensor[] => {
    const norm = Math.sqrt(v.reduce((s, t) => s + tf.tidy(() => tf.sum(tf.square(t)).dataSync()[0]!), 0));
    if (norm === 0) return v.map((t) => tf.zerosLike(t));
    const h = epsilon / norm;
    const originals = values().map((t) => tf.clone(t));
    const at = (sign: number): Tensor => {
      variables.forEach((vr, i) => {
        const w = tf.tidy(() => tf.add(originals[i]!, tf.mul(sign * h, v[i]!)));
        vr.write(w);
        w.dispose();
      });
      return tf.tidy(logits);
    };
    let plus: Tensor | undefined;
    let minus: Tensor | undefined;
    try {
      plus = at(1);
      minus = at(-1);
    } finally {
      variables.forEach((vr, i) => {
        vr.write(originals[i]!);
      });
      tf.dispose(originals);
    }
    const u = tf.tidy(() => {
      const jv = tf.div(tf.sub(plus!, minus!), 2 * h);
      return tf.div(tf.mul(p, tf.sub(jv, tf.sum(tf.mul(p, jv), -1, true))), n);
    });
    tf.dispose([plus, minus]);
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.mul(logits(), u)) as tf.Scalar,
      values() as Variable[],
    );
    value.dispose();
    u.dispose();
    return values().map((t) => grads[(t as Variable).name]!);
  };
  try {
    const r = await hutchinsonTrace(() => tf.scalar(0), values(), {
      seed: options.seed,
      maxSamples: options.maxSamples ?? 100,
      estimator: options.estimator ?? 'hutch++',
      tolerance: 0,
      operator,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return {
      traces: Object.fromEntries(hooked.map((w, i) => [w.name, r.traces[i]!])),
      perParameter: Object.fromEntries(hooked.map((w, i) => [w.name, r.traces[i]! / w.params])),
      standardErrors: Object.fromEntries(hooked.map((w, i) => [w.name, r.standardErrors[i]!])),
      hessianVectorProducts: r.hessianVectorProducts,
    };
  } finally {
    p.dispose();
  }
}
