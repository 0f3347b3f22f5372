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

/** Logits `[n, classes]` as a function of a list of parameter tensors (on fixed inputs). */
export type ParamLogits = (params: Tensor[]) => Tensor;

/**
 * The Gauss–Newton product `G·v = (1/n) Σ_n J_nᵀ (diag p_n − p_n p_nᵀ) J_n v` of the mean softmax
 * cross-entropy, where `J_n` is the Jacobian of example n's logits with respect to `params` and `p_n` its
 * softmax. `J v` is the central difference of the logits along `v` (step `‖h·v‖ = epsilon`); `Jᵀu` is one
 * backward pass. Only first derivatives are needed, so it works where tfjs lacks second derivatives (conv
 * filters).
 *
 * When the logits are piecewise linear in each parameter tensor on its own (dense/conv layers with relu or
 * linear activations, folded batch norm, pooling, additions), `G`'s diagonal blocks equal the Hessian's
 * (almost everywhere), so its block traces are the Hessian block traces; central differences of the
 * *gradient* instead cross relu kinks, whose jumps make finite-difference Hessian products biased and
 * step-dependent there. Otherwise `G` is the (positive semi-definite) Gauss–Newton approximation.
 *
 * @throws {@link ArgumentError} for bad arguments; {@link ShapeError} when `vector` does not match `params`
 *
 * @example
 * ```ts
 * const gv = gaussNewtonVectorProduct(qm.paramLogits(x), qm.kernels(), v);
 * ```
 */
export function gaussNewtonVectorProduct(
  logits: ParamLogits,
  params: Tensor[],
  vector: Tensor[],
  options: { epsilon?: number } = {},
): Tensor[] {
  if (typeof logits !== 'function')
    throw new ArgumentError(`logits: expected a function, got ${describeValue(logits)}`);
  checkParams(params, 'params');
  checkParams(vector, 'vector');
  if (vector.length !== params.length || vector.some((v, i) => v.size !== params[i]!.size)) {
    throw new ShapeError(
      `vector: expected ${params.length} tensors shaped like params ([${params.map((p) => `[${p.shape}]`).join(', ')}]), got [${vector.map((v) => `[${v.shape}]`).join(', ')}]`,
    );
  }
  const epsilon = options.epsilon ?? 1e-2;
  assertNumber(epsilon, 'epsilon', { min: Number.MIN_VALUE });
  return tf.tidy(() => {
    const norm = Math.sqrt(vector.reduce((s, v) => s + (tf.sum(tf.square(v)).dataSync()[0] ?? 0), 0));
    if (norm === 0) return params.map((p) => tf.zerosLike(p));
    const h = epsilon / norm;
    const z = logits(params);
    if (z.rank !== 2) {
      throw new ShapeError(`logits: expected a [n, classes] tensor, got shape [${z.shape}]`);
    }
    const n = z.shape[0]!;
    const plus = logits(params.map((p, i) => tf.add(p, tf.mul(h, vector[i]!))));
    const minus = logits(params.map((p, i) => tf.sub(p, tf.mul(h, vector[i]!))));
    const jv = tf.div(tf.sub(plus, minus), 2 * h);
    const p = tf.softmax(z);
    // u_n = (diag p_n − p_n p_nᵀ) J_n v / n
    const u = tf.div(tf.mul(p, tf.sub(jv, tf.sum(tf.mul(p, jv), -1, true))), n);
    return tf.grads((...ps: Tensor[]) => tf.sum(tf.mul(logits(ps), u)) as never)(params);
  });
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
  /**
   * The estimator: `'hutchinson'` (the default, plain Rademacher probes) or `'hutch++'` (Meyer, Musco, Musco &
   * Woodruff 2021): `maxSamples` is then the whole Hessian-vector-product budget `m`; `sketchSize` (default
   * `⌊m/3⌋`) products `H·S` give an orthonormal basis `Q` of the dominant subspace, `sketchSize` more give `H·Q`,
   * whose part `Σ_j q_jᵀ(H q_j)` (restricted to each block) is computed exactly, and the remaining products run
   * Hutchinson on the deflated rest, `w = (I − QQᵀ)g`, `Tr(H_ii) ≈ Σ_j q_jiᵀ(Hq_j)_i + mean_k w_kiᵀ(H w_k)_i`.
   * Unbiased for every block given `Q`; far lower variance when a few eigenvalues dominate (as they do for
   * trained networks). Not combinable with `blockwise`.
   */
  estimator?: HutchinsonEstimator;
  /**
   * A symmetric operator to estimate the block traces of instead of the loss Hessian (`loss` and `method`
   * are then unused), e.g. the Gauss–Newton product of {@link gaussNewtonVectorProduct}. Returns new tensors
   * shaped like `params` (disposed by the estimator).
   */
  operator?: (vector: Tensor[]) => Tensor[];
  /** `'hutch++'` only: sketch vectors (default `⌊maxSamples/3⌋`; `2·sketchSize < maxSamples` required). */
  sketchSize?: number;
  /** Progress events (`phase: 'hutchinson'`). */
  onProgress?: (event: ProgressEvent) => void;
  /** Aborts between probes (throws the signal's reason). */
  signal?: AbortSignal;
}

/** Trace estimators of {@link hutchinsonTrace}. */
export type HutchinsonEstimator = 'hutchinson' | 'hutch++';

/** The trace estimators. */
export const HUTCHINSON_ESTIMATORS: readonly HutchinsonEstimator[] = ['hutchinson', 'hutch++'];

/** Result of {@link hutchinsonTrace}. */
export interface HutchinsonResult {
  /** Estimated `Tr(H_ii)` of each parameter tensor's diagonal block. */
  traces: number[];
  /** Estimated trace of the whole Hessian (the sum of `traces`). */
  trace: number;
  /**
   * Standard error of each block estimate (sample std / √samples). For `'hutch++'`, of the deflated-rest
   * Hutchinson part, i.e. conditional on the sketch (the exact part has no error given `Q`).
   */
  standardErrors: number[];
  /** Standard error of the total. */
  standardError: number;
  /** Probe rounds used (samples per block; for `'hutch++'`, the deflated-rest probes). */
  samples: number;
  /**
   * Hessian-vector products used (`samples`, `samples × params.length` with `blockwise`, or
   * `2·sketchSize + samples` (less any dropped rank-deficient sketch columns) with `'hutch++'`).
   */
  hessianVectorProducts: number;
  /** Rank of the `'hutch++'` sketch basis `Q` (0 for plain Hutchinson). */
  sketchRank: number;
  /** Which HVP method ran (`'operator'` with {@link HutchinsonOptions.operator}). */
  method: 'double-backprop' | 'finite-difference' | 'operator';
}

function rademacher(shapes: number[][], g: ReturnType<typeof rng>): Tensor[] {
  return shapes.map((shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = g.nextUint32() & 1 ? 1 : -1;
    return tf.tensor(values, shape);
  });
}

/** Splits a flat float64 vector into float32 tensors shaped like `shapes` (block `b` at `offsets[b]`). */
function unflatten(flat: Float64Array, shapes: number[][], offsets: number[]): Tensor[] {
  return shapes.map((shape, b) =>
    tf.tensor(Float32Array.from(flat.subarray(offsets[b]!, offsets[b + 1]!)), shape),
  );
}

/** Concatenates (and disposes) tensors into one float64 vector. */
function flattenAndDispose(ts: Tensor[], total: number): Float64Array {
  const out = new Float64Array(total);
  let at = 0;
  for (const t of ts) {
    out.set(t.dataSync(), at);
    at += t.size;
    t.dispose();
  }
  return out;
}

function dot(a: Float64Array, b: Float64Array, from = 0, to = a.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i]! * b[i]!;
  return s;
}

/** `x ← x − Σ_j (q_jᵀx) q_j` in place. */
function deflate(x: Float64Array, basis: Float64Array[]): void {
  for (const q of basis) {
    const c = dot(q, x);
    for (let i = 0; i < x.length; i++) x[i] = x[i]! - c * q[i]!;
  }
}

function rademacherFlat(n: number, g: ReturnType<typeof rng>): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = g.nextUint32() & 1 ? 1 : -1;
  return out;
}

/**
 * Hutchinson's estimator of Hessian traces: `Tr(H) ≈ mean_k v_kᵀ H v_k` with Rademacher probes `v_k`.
 * One probe over all parameters also estimates every diagonal block, `Tr(H_ii) ≈ mean_k v_kiᵀ (H v_k)_i`
 * (the cross terms have mean zero), as PyHessian does for per-layer traces. `estimator: 'hutch++'` deflates
 * the dominant subspace first (see {@link HutchinsonOptions.estimator}).
 *
 * @throws {@link ArgumentError} for bad options; aborts with the signal's reason
 *
 * @example
 * ```ts
 * const { traces } = await hutchinsonTrace(loss, kernels, { seed: 1, maxSamples: 50 });
 * const pp = await hutchinsonTrace(loss, kernels, { seed: 1, maxSamples: 100, estimator: 'hutch++', tolerance: 0 });
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
  const tolerance = options.tolerance ?? 1e-3;
  assertNumber(tolerance, 'tolerance', { min: 0 });
  const target = options.targetRelativeError;
  if (target !== undefined) assertNumber(target, 'targetRelativeError', { min: 0 });
  if (options.minSamples !== undefined) assertInteger(options.minSamples, 'minSamples', { min: 1 });
  const blockwise = options.blockwise ?? false;
  if (typeof blockwise !== 'boolean') {
    throw new ArgumentError(`blockwise: expected a boolean, got ${describeValue(blockwise)}`);
  }
  const estimator = options.estimator ?? 'hutchinson';
  assertOneOf(estimator, HUTCHINSON_ESTIMATORS, 'estimator');
  let sketchSize = 0;
  if (estimator === 'hutch++') {
    if (blockwise) {
      throw new ArgumentError(
        "blockwise: expected false with estimator 'hutch++' (the sketch spans all blocks), got true",
      );
    }
    sketchSize = options.sketchSize ?? Math.floor(maxSamples / 3);
    assertInteger(sketchSize, 'sketchSize', { min: 0 });
    if (2 * sketchSize >= maxSamples) {
      throw new ArgumentError(
        `sketchSize: expected 2·sketchSize < maxSamples (${maxSamples}) so that some products are left for the deflated rest, got ${sketchSize}`,
      );
    }
  } else if (options.sketchSize !== undefined) {
    throw new ArgumentError(
      `sketchSize: only used with estimator 'hutch++', got ${describeValue(options.sketchSize)} with '${estimator}'`,
    );
  }
  const g = rng(options.seed);
  const shapes = params.map((p) => p.shape);
  const offsets = [0];
  for (const p of params) offsets.push(offsets[offsets.length - 1]! + p.size);
  const totalSize = offsets[offsets.length - 1]!;
  let method: HvpMethod = options.method ?? 'auto';
  let used: HutchinsonResult['method'] = options.operator ? 'operator' : 'double-backprop';
  let hvps = 0;
  const operator = options.operator;
  if (operator !== undefined && typeof operator !== 'function') {
    throw new ArgumentError(`operator: expected a function, got ${describeValue(operator)}`);
  }
  const hvp = (v: Tensor[]): Tensor[] => {
    if (operator) {
      hvps++;
      return operator(v);
    }
    const { hv, method: ran } = hvpWithMethod(loss, params, v, {
      method,
      ...(options.epsilon === undefined ? {} : { epsilon: options.epsilon }),
    });
    used = ran;
    method = ran;
    hvps++;
    return hv;
  };
  const flatHvp = (x: Float64Array): Float64Array => {
    const v = unflatten(x, shapes, offsets);
    const hv = hvp(v);
    tf.dispose(v);
    return flattenAndDispose(hv, totalSize);
  };

  // Hutch++: the exact part Σ_j q_jᵀ(H q_j) per block over an orthonormal basis Q of H·S
  const exact = new Float64Array(params.length);
  const basis: Float64Array[] = [];
  if (sketchSize > 0) {
    const sketch: Float64Array[] = [];
    for (let j = 0; j < sketchSize; j++) {
      options.signal?.throwIfAborted();
      sketch.push(flatHvp(rademacherFlat(totalSize, g)));
      options.onProgress?.({ phase: 'hutchinson', step: hvps, total: maxSamples, message: 'sketch' });
      if (j % 8 === 7) await Promise.resolve();
    }
    // modified Gram–Schmidt, twice (re-orthogonalisation). A remainder below 1e-4 of the largest sketch
    // column is float32 round-off of a direction already spanned (H·S has rank < sketchSize): dropped.
    // (Any orthonormal Q keeps the estimate unbiased; dropping only saves products.)
    const largest = Math.max(...sketch.map((y) => Math.sqrt(dot(y, y))));
    for (const y of sketch) {
      deflate(y, basis);
      deflate(y, basis);
      const norm = Math.sqrt(dot(y, y));
      if (!(norm > 1e-4 * largest)) continue;
      for (let i = 0; i < y.length; i++) y[i] = y[i]! / norm;
      basis.push(y);
    }
    for (const q of basis) {
      options.signal?.throwIfAborted();
      const hq = flatHvp(q);
      for (let b = 0; b < params.length; b++) {
        exact[b] = exact[b]! + dot(q, hq, offsets[b], offsets[b + 1]);
      }
      options.onProgress?.({ phase: 'hutchinson', step: hvps, total: maxSamples, message: 'sketch' });
      if (hvps % 8 === 7) await Promise.resolve();
    }
  }
  const exactTotal = exact.reduce((a, b) => a + b, 0);
  const rounds = maxSamples - hvps;
  const minSamples = Math.min(options.minSamples ?? 10, rounds);

  const sums = new Float64Array(params.length);
  const squares = new Float64Array(params.length);
  let totalSum = 0;
  let totalSquares = 0;
  let previousMean = Number.NaN;
  let samples = 0;
  const se = (sum: number, sq: number): number => {
    if (samples < 2) return Number.POSITIVE_INFINITY;
    const mean = sum / samples;
    const variance = Math.max(0, (sq - samples * mean * mean) / (samples - 1));
    return Math.sqrt(variance / samples);
  };
  for (let k = 0; k < rounds; k++) {
    options.signal?.throwIfAborted();
    let values: Float32Array | Float64Array;
    if (estimator === 'hutch++') {
      // deflated probe w = (I − QQᵀ) g; block values w_iᵀ (H w)_i
      const w = rademacherFlat(totalSize, g);
      deflate(w, basis);
      const z = flatHvp(w);
      values = Float64Array.from(params, (_, b) => dot(w, z, offsets[b], offsets[b + 1]));
    } else if (!blockwise) {
      const v = rademacher(shapes, g);
      const hv = hvp(v);
      const dots = tf.tidy(() => tf.stack(hv.map((h, i) => tf.sum(tf.mul(h, v[i]!)))));
      values = dots.dataSync() as Float32Array;
      tf.dispose([dots, ...hv, ...v]);
    } else {
      // one probe per block, zero elsewhere: no cross-block terms in the block estimates
      values = new Float64Array(params.length);
      for (let b = 0; b < params.length; b++) {
        const full = rademacher(shapes, g);
        const v = full.map((t, i) => (i === b ? t : tf.zerosLike(t)));
        const hv = hvp(v);
        const d = tf.tidy(() => tf.sum(tf.mul(hv[b]!, v[b]!)));
        values[b] = d.dataSync()[0]!;
        tf.dispose([d, ...hv, ...v, ...full.filter((_, i) => i !== b)]);
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
    const mean = exactTotal + totalSum / samples;
    options.onProgress?.({
      phase: 'hutchinson',
      step: estimator === 'hutch++' ? hvps : samples,
      total: maxSamples,
      metrics: { trace: mean },
    });
    if (samples >= minSamples && Math.abs(mean - previousMean) / (Math.abs(previousMean) + 1e-6) < tolerance)
      break;
    if (
      target !== undefined &&
      samples >= Math.max(2, minSamples) &&
      Array.from(sums).every((sm, i) => se(sm, squares[i]!) <= target * Math.abs(exact[i]! + sm / samples))
    )
      break;
    previousMean = mean;
    if (k % 8 === 7) await Promise.resolve();
  }
  return {
    traces: Array.from(sums, (s, i) => exact[i]! + s / samples),
    trace: exactTotal + totalSum / samples,
    standardErrors: Array.from(sums, (s, i) => se(s, squares[i]!)),
    standardError: se(totalSum, totalSquares),
    samples,
    hessianVectorProducts: hvps,
    sketchRank: basis.length,
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
