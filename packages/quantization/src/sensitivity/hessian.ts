import type { Tensor } from '@tensorflow/tfjs';
import {
  ArgumentError,
  assertInteger,
  assertNumber,
  assertOneOf,
  describeValue,
  type ProgressEvent,
  releaseAbandonedGradientTape,
  rng,
  ShapeError,
  TensorloomError,
  tf,
} from '@tensorloom/core';

/** A scalar loss of a list of parameter tensors (evaluated on fixed data). */
export type ParamLoss = (params: Tensor[]) => Tensor;

/**
 * How Hessian-vector products are computed: `'double-backprop'` (exact, `∇(∇L·v)` through nested `tf.grads`),
 * `'finite-difference'` (`(∇L(w + hv) − ∇L(w − hv)) / 2h`), or `'auto'` (double backprop, falling back to
 * finite differences when tfjs lacks a second-order gradient, e.g. `Conv2DBackpropFilter`).
 */
export type HvpMethod = 'auto' | 'double-backprop' | 'finite-difference';

/** The HVP methods. */
export const HVP_METHODS: readonly HvpMethod[] = ['auto', 'double-backprop', 'finite-difference'];

/** Options of {@link hessianVectorProduct}. */
export interface HvpOptions {
  /** Default `'auto'`. */
  method?: HvpMethod;
  /** Length of the finite-difference step `‖h·v‖` (default 1e-2, suited to float32). */
  epsilon?: number;
}

function checkParams(params: Tensor[], name: string): void {
  if (!Array.isArray(params) || params.length === 0 || !params.every((p) => p instanceof tf.Tensor)) {
    throw new ArgumentError(
      `${name}: expected a non-empty array of tf.Tensors, got ${describeValue(params)}`,
    );
  }
}

function gradients(loss: ParamLoss, params: Tensor[]): Tensor[] {
  return tf.grads((...ps: Tensor[]) => loss(ps) as never)(params);
}

function doubleBackprop(loss: ParamLoss, params: Tensor[], vector: Tensor[]): Tensor[] {
  return tf.tidy(() =>
    tf.grads((...ps: Tensor[]) => {
      const g = gradients(loss, ps);
      return tf.addN(g.map((gi, i) => tf.sum(tf.mul(gi, vector[i]!)))) as never;
    })(params),
  );
}

function finiteDifference(loss: ParamLoss, params: Tensor[], vector: Tensor[], epsilon: number): Tensor[] {
  return tf.tidy(() => {
    const norm = Math.sqrt(vector.reduce((s, v) => s + (tf.sum(tf.square(v)).dataSync()[0] ?? 0), 0));
    if (norm === 0) return params.map((p) => tf.zerosLike(p));
    const h = epsilon / norm;
    const plus = gradients(
      loss,
      params.map((p, i) => tf.add(p, tf.mul(h, vector[i]!))),
    );
    const minus = gradients(
      loss,
      params.map((p, i) => tf.sub(p, tf.mul(h, vector[i]!))),
    );
    return plus.map((g, i) => tf.div(tf.sub(g, minus[i]!), 2 * h));
  });
}

function isMissingGradient(error: unknown): boolean {
  return (
    error instanceof Error &&
    /gradient function not found|Cannot compute gradient of y=f\(x\)/i.test(error.message)
  );
}

/**
 * The Hessian-vector product `H·v` of a scalar loss at `params`, as tensors shaped like `params`.
 *
 * @throws {@link ArgumentError} for empty params, bad options; {@link ShapeError} when `vector` does not match
 * `params`; {@link TensorloomError} when `'double-backprop'` is forced but tfjs lacks a second derivative
 *
 * @example
 * ```ts
 * const hv = hessianVectorProduct(([w]) => tf.sum(tf.pow(w, 3)), [w], [v]); // 6·w·v
 * ```
 */
export function hessianVectorProduct(
  loss: ParamLoss,
  params: Tensor[],
  vector: Tensor[],
  options: HvpOptions = {},
): Tensor[] {
  return hvpWithMethod(loss, params, vector, options).hv;
}

/** Like {@link hessianVectorProduct} but also says which method ran (for `'auto'`). */
export function hvpWithMethod(
  loss: ParamLoss,
  params: Tensor[],
  vector: Tensor[],
  options: HvpOptions = {},
): { hv: Tensor[]; method: 'double-backprop' | 'finite-difference' } {
  if (typeof loss !== 'function')
    throw new ArgumentError(`loss: expected a function, got ${describeValue(loss)}`);
  checkParams(params, 'params');
  checkParams(vector, 'vector');
  if (vector.length !== params.length || vector.some((v, i) => v.size !== params[i]!.size)) {
    throw new ShapeError(
      `vector: expected ${params.length} tensors shaped like params ([${params.map((p) => `[${p.shape}]`).join(', ')}]), got [${vector.map((v) => `[${v.shape}]`).join(', ')}]`,
    );
  }
  const method = options.method ?? 'auto';
  assertOneOf(method, HVP_METHODS, 'method');
  const epsilon = options.epsilon ?? 1e-2;
  assertNumber(epsilon, 'epsilon', { min: Number.MIN_VALUE });
  if (method === 'finite-difference') {
    return { hv: finiteDifference(loss, params, vector, epsilon), method };
  }
  try {
    return { hv: doubleBackprop(loss, params, vector), method: 'double-backprop' };
  } catch (error) {
    releaseAbandonedGradientTape();
    if (!isMissingGradient(error)) throw error;
    if (method === 'double-backprop') {
      throw new TensorloomError(
        `method: 'double-backprop' needs second derivatives that tfjs lacks here (${(error as Error).message}); use 'auto' or 'finite-difference'`,
      );
    }
    return { hv: finiteDifference(loss, params, vector, epsilon), method: 'finite-difference' };
  }
}

/** Options of {@link hutchinsonTrace}. */
export interface HutchinsonOptions extends HvpOptions {
  /** Seed of the Rademacher probes. */
  seed: number;
  /** Most probes (Hessian-vector products), default 100. */
  maxSamples?: number;
  /** Fewest probes before the tolerance test applies, default 10. */
  minSamples?: number;
  /** Stop when the running mean of the total trace changes by less than this relative amount (default 1e-3, PyHessian's rule). */
  tolerance?: number;
  /**
   * Also stop (after `minSamples`) as soon as every block's relative standard error `se_i/|Tr_i|` is at most
   * this value; with `tolerance: 0` this makes the probe count adaptive to a target precision, capped by
   * `maxSamples`. Default: not used.
   */
  targetRelativeError?: number;
  /**
   * Draw a separate probe for each parameter tensor (zero on the others) instead of one probe over all:
   * `Tr(H_ii) ≈ mean_k u_kᵀ H_ii u_k`, free of the cross-block terms `v_iᵀ H_ij v_j` that add variance to the
   * shared-probe block estimates, at `params.length` Hessian-vector products per sample (default `false`).
   */
  blockwise?: boolean;
  /** Progress events (`phase: 'hutchinson'`). */
  onProgress?: (event: ProgressEvent) => void;
  /** Aborts between probes (throws the signal's reason). */
  signal?: AbortSignal;
}

/** Result of {@link hutchinsonTrace}. */
export interface HutchinsonResult {
  /** Estimated `Tr(H_ii)` of each parameter tensor's diagonal block. */
  traces: number[];
  /** Estimated trace of the whole Hessian (the sum of `traces`). */
  trace: number;
  /** Standard error of each block estimate (sample std / √samples). */
  standardErrors: number[];
  /** Standard error of the total. */
  standardError: number;
  /** Probe rounds used (samples per block). */
  samples: number;
  /** Hessian-vector products used (`samples`, or `samples × params.length` with `blockwise`). */
  hessianVectorProducts: number;
  /** Which HVP method ran. */
  method: 'double-backprop' | 'finite-difference';
}

function rademacher(shapes: number[][], g: ReturnType<typeof rng>): Tensor[] {
  return shapes.map((shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = g.nextUint32() & 1 ? 1 : -1;
    return tf.tensor(values, shape);
  });
}

/**
 * Hutchinson's estimator of Hessian traces: `Tr(H) ≈ mean_k v_kᵀ H v_k` with Rademacher probes `v_k`.
 * One probe over all parameters also estimates every diagonal block, `Tr(H_ii) ≈ mean_k v_kiᵀ (H v_k)_i`
 * (the cross terms have mean zero), as PyHessian does for per-layer traces.
 *
 * @throws {@link ArgumentError} for bad options; aborts with the signal's reason
 *
 * @example
 * ```ts
 * const { traces } = await hutchinsonTrace(loss, kernels, { seed: 1, maxSamples: 50 });
 * ```
 */
export async function hutchinsonTrace(
  loss: ParamLoss,
  params: Tensor[],
  options: HutchinsonOptions,
): Promise<HutchinsonResult> {
  checkParams(params, 'params');
  const maxSamples = options.maxSamples ?? 100;
  assertInteger(maxSamples, 'maxSamples', { min: 1 });
  const minSamples = Math.min(options.minSamples ?? 10, maxSamples);
  assertInteger(minSamples, 'minSamples', { min: 1 });
  const tolerance = options.tolerance ?? 1e-3;
  assertNumber(tolerance, 'tolerance', { min: 0 });
  const target = options.targetRelativeError;
  if (target !== undefined) assertNumber(target, 'targetRelativeError', { min: 0 });
  const g = rng(options.seed);
  const shapes = params.map((p) => p.shape);
  let method: HvpMethod = options.method ?? 'auto';
  const sums = new Float64Array(params.length);
  const squares = new Float64Array(params.length);
  let totalSum = 0;
  let totalSquares = 0;
  let previousMean = Number.NaN;
  let samples = 0;
  let used: 'double-backprop' | 'finite-difference' = 'double-backprop';
  const blockwise = options.blockwise ?? false;
  if (typeof blockwise !== 'boolean') {
    throw new ArgumentError(`blockwise: expected a boolean, got ${describeValue(blockwise)}`);
  }
  let hvps = 0;
  const se = (sum: number, sq: number): number => {
    if (samples < 2) return Number.POSITIVE_INFINITY;
    const mean = sum / samples;
    const variance = Math.max(0, (sq - samples * mean * mean) / (samples - 1));
    return Math.sqrt(variance / samples);
  };
  for (let k = 0; k < maxSamples; k++) {
    options.signal?.throwIfAborted();
    let values: Float32Array | Float64Array;
    if (!blockwise) {
      const v = rademacher(shapes, g);
      const { hv, method: ran } = hvpWithMethod(loss, params, v, {
        method,
        ...(options.epsilon === undefined ? {} : { epsilon: options.epsilon }),
      });
      used = ran;
      method = ran;
      hvps++;
      const dots = tf.tidy(() => tf.stack(hv.map((h, i) => tf.sum(tf.mul(h, v[i]!)))));
      values = dots.dataSync() as Float32Array;
      tf.dispose([dots, ...hv, ...v]);
    } else {
      // one probe per block, zero elsewhere: no cross-block terms in the block estimates
      values = new Float64Array(params.length);
      for (let b = 0; b < params.length; b++) {
        const full = rademacher(shapes, g);
        const v = full.map((t, i) => (i === b ? t : tf.zerosLike(t)));
        const { hv, method: ran } = hvpWithMethod(loss, params, v, {
          method,
          ...(options.epsilon === undefined ? {} : { epsilon: options.epsilon }),
        });
        used = ran;
        method = ran;
        hvps++;
        const dot = tf.tidy(() => tf.sum(tf.mul(hv[b]!, v[b]!)));
        values[b] = dot.dataSync()[0]!;
        tf.dispose([dot, ...hv, ...v, ...full.filter((_, i) => i !== b)]);
      }
    }
    let total = 0;
    for (let i = 0; i < params.length; i++) {
      const x = values[i]!;
      sums[i] = sums[i]! + x;
      squares[i] = squares[i]! + x * x;
      total += x;
    }
    totalSum += total;
    totalSquares += total * total;
    samples = k + 1;
    const mean = totalSum / samples;
    options.onProgress?.({ phase: 'hutchinson', step: samples, total: maxSamples, metrics: { trace: mean } });
    if (samples >= minSamples && Math.abs(mean - previousMean) / (Math.abs(previousMean) + 1e-6) < tolerance)
      break;
    if (
      target !== undefined &&
      samples >= Math.max(2, minSamples) &&
      Array.from(sums).every((sm, i) => se(sm, squares[i]!) <= target * Math.abs(sm / samples))
    )
      break;
    previousMean = mean;
    if (k % 8 === 7) await Promise.resolve();
  }
  const traces = Array.from(sums, (s) => s / samples);
  return {
    traces,
    trace: totalSum / samples,
    standardErrors: Array.from(sums, (s, i) => se(s, squares[i]!)),
    standardError: se(totalSum, totalSquares),
    samples,
    hessianVectorProducts: hvps,
    method: used,
  };
}

/** Options of {@link topHessianEigenvalue}. */
export interface PowerIterationOptions extends HvpOptions {
  /** Seed of the starting vector. */
  seed: number;
  /** Most iterations (default 100). */
  maxIterations?: number;
  /** Stop when the Rayleigh quotient changes by less than this relative amount (default 1e-3). */
  tolerance?: number;
  /** Aborts between iterations. */
  signal?: AbortSignal;
}

/**
 * The Hessian eigenvalue of largest magnitude, by power iteration on Hessian-vector products (PyHessian's
 * `eigenvalues(top_n=1)`): `v ← Hv/‖Hv‖`, eigenvalue estimate `vᵀHv`.
 *
 * @throws {@link ArgumentError} for bad options
 *
 * @example
 * ```ts
 * const { eigenvalue } = await topHessianEigenvalue(loss, [w], { seed: 0 });
 * ```
 */
export async function topHessianEigenvalue(
  loss: ParamLoss,
  params: Tensor[],
  options: PowerIterationOptions,
): Promise<{ eigenvalue: number; iterations: number; converged: boolean }> {
  checkParams(params, 'params');
  const maxIterations = options.maxIterations ?? 100;
  assertInteger(maxIterations, 'maxIterations', { min: 1 });
  const tolerance = options.tolerance ?? 1e-3;
  assertNumber(tolerance, 'tolerance', { min: 0 });
  const g = rng(options.seed);
  let v = params.map((p) => tf.tensor(Float32Array.from(g.normalArray(p.size)), p.shape));
  const normalize = (xs: Tensor[]): Tensor[] =>
    tf.tidy(() => {
      const norm = tf.sqrt(tf.addN(xs.map((x) => tf.sum(tf.square(x)))));
      return xs.map((x) => tf.div(x, tf.maximum(norm, 1e-30)));
    });
  let next = normalize(v);
  tf.dispose(v);
  v = next;
  let method: HvpMethod = options.method ?? 'auto';
  let eigenvalue = Number.NaN;
  let iterations = 0;
  let converged = false;
  for (let k = 0; k < maxIterations; k++) {
    options.signal?.throwIfAborted();
    const { hv, method: ran } = hvpWithMethod(loss, params, v, {
      method,
      ...(options.epsilon === undefined ? {} : { epsilon: options.epsilon }),
    });
    method = ran;
    const rq = tf.tidy(() => tf.addN(hv.map((h, i) => tf.sum(tf.mul(h, v[i]!)))));
    const value = rq.dataSync()[0]!;
    rq.dispose();
    next = normalize(hv);
    tf.dispose([...hv, ...v]);
    v = next;
    iterations = k + 1;
    if (k > 0 && Math.abs(value - eigenvalue) / (Math.abs(eigenvalue) + 1e-6) < tolerance) {
      eigenvalue = value;
      converged = true;
      break;
    }
    eigenvalue = value;
    if (k % 8 === 7) await Promise.resolve();
  }
  tf.dispose(v);
  return { eigenvalue, iterations, converged };
}
