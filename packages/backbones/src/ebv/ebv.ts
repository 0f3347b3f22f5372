import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs';
import {
  ArgumentError,
  assertInteger,
  assertNumber,
  assertOneOf,
  describeValue,
  matMul,
  type ProgressEvent,
  randomNormalTensor,
  ShapeError,
  tf,
} from '@tensorloom/core';

/** Options of {@link generateEBV}; defaults are the official `Generate_EBV.py` constants where it has them. */
export interface GenerateEbvOptions {
  /** Target maximum |cos| between distinct vectors (the script's `threshold`, default 0.002). */
  alpha?: number;
  /** Seed (default 42, as the script). */
  seed?: number;
  /** (Initial) learning rate (default 1e-3, the script's SGD rate). */
  learningRate?: number;
  /**
   * `'sgd'`: the script's fixed-rate step. `'adaptive'` (default): the same projected gradient step on the
   * same objective, with the rate grown 1.2× after every step that lowers the loss and halved (step
   * rejected) after one that raises it — reaches the script's results in far fewer steps.
   */
  stepRule?: 'adaptive' | 'sgd';
  /** Step limit (default 100,000, as the script). */
  maxSteps?: number;
  /** Rows per block of the `|W_s Wᵀ|` products (default 1024; the script's 130 was a GPU-memory workaround). */
  sliceSize?: number;
  /** Progress every `progressEvery` steps (default 10), with `maxCos` and `loss`. */
  onProgress?: (event: ProgressEvent) => void;
  /** Stops between steps (the current vectors are returned, `converged: false`). */
  signal?: AbortSignal;
}

/** {@link generateEBV}'s result. */
export interface EbvResult {
  /** `numClasses × dim` unit vectors, row-major float32. */
  vectors: Float32Array;
  numClasses: number;
  dim: number;
  /** Achieved max |cos| over distinct pairs. */
  maxCos: number;
  /** Mean |cos| over distinct pairs. */
  meanCos: number;
  /** Steps taken (rejected adaptive steps included). */
  steps: number;
  /** Whether `maxCos ≤ alpha + 1e-4` (the script's stopping rule). */
  converged: boolean;
}

/**
 * The Welch lower bound on the largest |cos| among `n` unit vectors in `d` dimensions:
 * `√((n − d) / (d (n − 1)))` for n > d, else 0. No set of vectors does better.
 */
export function welchBound(n: number, d: number): number {
  assertInteger(n, 'n', { min: 1 });
  assertInteger(d, 'd', { min: 1 });
  return n <= d ? 0 : Math.sqrt((n - d) / (d * (n - 1)));
}

/**
 * Equiangular basis vectors (Shen et al., CVPR 2023): `numClasses` unit vectors in `dim` dimensions that
 * are as close to orthogonal as asked. The official optimisation: start from row-normalised N(0, 1), then
 * repeat — renormalise the rows (projection onto the sphere), take `L = Σ_{i≠j} ReLU(|wᵢ·wⱼ| − α)` and an
 * gradient step — until `max |cos| ≤ α + 1e-4`. The Gram matrix is never formed: its rows are processed in
 * blocks of `sliceSize` (`∂L/∂W = 2 G W` with `G = sign(C)·[|C| > α]`, off-diagonal, per block), so memory
 * is O(sliceSize · numClasses) beyond W itself; `2 G W` is a product while violations are dense and a
 * direct sum over violating pairs once they are sparse. The default `stepRule: 'adaptive'` only accepts
 * steps that lower L (rate ×1.2 after each, ×0.5 and retry after a rejected one); `'sgd'` is the script's
 * fixed rate. 1000 × 512 reaches α = 0.045 in about 11 s on WASM.
 *
 * @throws {@link ArgumentError} for bad sizes or options, and when `alpha` is below the
 *   {@link welchBound} — no `numClasses` vectors in `dim` dimensions can reach it
 *
 * @example
 * ```ts
 * const { vectors, maxCos } = await generateEBV(1000, 512, { alpha: 0.05 });
 * ```
 */
export async function generateEBV(
  numClasses: number,
  dim: number,
  options: GenerateEbvOptions = {},
): Promise<EbvResult> {
  assertInteger(numClasses, 'numClasses', { min: 2 });
  assertInteger(dim, 'dim', { min: 1 });
  if (options === null || typeof options !== 'object') {
    throw new ArgumentError(`options: expected an options object, got ${describeValue(options)}`);
  }
  const alpha = options.alpha ?? 0.002;
  assertNumber(alpha, 'options.alpha', { min: 0, max: 1 });
  const seed = options.seed ?? 42;
  assertInteger(seed, 'options.seed');
  let lr = options.learningRate ?? 1e-3;
  assertNumber(lr, 'options.learningRate', { min: Number.MIN_VALUE });
  const maxSteps = options.maxSteps ?? 100_000;
  assertInteger(maxSteps, 'options.maxSteps', { min: 0 });
  const sliceSize = options.sliceSize ?? 1024;
  assertInteger(sliceSize, 'options.sliceSize', { min: 1 });
  const welch = welchBound(numClasses, dim);
  if (alpha + 1e-4 < welch) {
    throw new ArgumentError(
      `numClasses: ${numClasses} unit vectors in ${dim} dimensions always have some |cos| ≥ ${welch.toFixed(5)} (Welch bound), ` +
        `so alpha = ${alpha} cannot be reached; raise alpha or dim, or lower numClasses`,
    );
  }
  const rule = options.stepRule ?? 'adaptive';
  assertOneOf(rule, ['adaptive', 'sgd'] as const, 'options.stepRule');
  const n = numClasses;
  // W lives in a typed array; each step forms |W_s Wᵀ| per row block with core's matMul, reads it once
  // to build the sign/violation pattern and the statistics, and forms ∂L/∂W = 2 G W either with one more
  // product (dense violations) or by summing the few violating rows directly (sparse violations).
  let W = new Float32Array(n * dim);
  {
    const init = randomNormalTensor([n, dim], { seed });
    W.set(init.dataSync());
    init.dispose();
    normaliseRows(W, n, dim);
  }
  let grad = new Float32Array(n * dim);
  let spareW = new Float32Array(n * dim);
  let spareGrad = new Float32Array(n * dim);
  const G = new Float32Array(Math.min(sliceSize, n) * n);
  const viol = new Int32Array(Math.min(sliceSize, n) * n);
  const stats = (w: Float32Array, out: Float32Array): { maxCos: number; sumCos: number; loss: number } => {
    let maxCos = 0;
    let sumCos = 0;
    let loss = 0;
    out.fill(0);
    const wt = tf.tensor2d(w, [n, dim]);
    try {
      for (let r0 = 0; r0 < n; r0 += sliceSize) {
        const s = Math.min(sliceSize, n - r0);
        const cT = tf.tidy(() => matMul(tf.slice(wt, [r0, 0], [s, dim]), wt, false, true));
        const c = cT.dataSync();
        cT.dispose();
        let nv = 0;
        for (let i = 0; i < s; i++) {
          const row = i * n;
          const self = r0 + i;
          for (let j = 0; j < n; j++) {
            if (j === self) continue;
            const v = c[row + j]!;
            const a = v < 0 ? -v : v;
            sumCos += a;
            if (a > maxCos) maxCos = a;
            if (a > alpha) {
              loss += a - alpha;
              viol[nv++] = v < 0 ? -(row + j) - 1 : row + j;
            }
          }
        }
        if (nv * 16 < s * n) {
          // Sparse: grad_i += 2·sign(c_ij)·w_j for each violating pair.
          for (let t = 0; t < nv; t++) {
            const code = viol[t]!;
            const neg = code < 0;
            const idx = neg ? -code - 1 : code;
            const i = Math.floor(idx / n);
            const j = idx - i * n;
            const f = neg ? -2 : 2;
            const gi = (r0 + i) * dim;
            const wj = j * dim;
            for (let k = 0; k < dim; k++) out[gi + k]! += f * w[wj + k]!;
          }
        } else {
          const g = G.subarray(0, s * n);
          g.fill(0);
          for (let t = 0; t < nv; t++) {
            const code = viol[t]!;
            if (code < 0) g[-code - 1] = -2;
            else g[code] = 2;
          }
          const part = tf.tidy(() => matMul(tf.tensor2d(g, [s, n]), wt));
          out.set(part.dataSync(), r0 * dim);
          part.dispose();
        }
      }
    } finally {
      wt.dispose();
    }
    return { maxCos, sumCos, loss };
  };
  let steps = 0;
  let last = stats(W, grad);
  for (;;) {
    const done = last.maxCos <= alpha + 1e-4;
    if (steps % 10 === 0 || done) {
      options.onProgress?.({
        phase: 'ebv',
        step: steps,
        total: maxSteps,
        metrics: { maxCos: last.maxCos, loss: last.loss, learningRate: lr },
      });
    }
    if (done || steps >= maxSteps || options.signal?.aborted) break;
    // Projected gradient step: W' = normalise(W − lr·∂L/∂W).
    for (let i = 0; i < W.length; i++) spareW[i] = W[i]! - lr * grad[i]!;
    normaliseRows(spareW, n, dim);
    const next = stats(spareW, spareGrad);
    steps++;
    if (rule === 'sgd' || next.loss <= last.loss) {
      [W, spareW] = [spareW, W];
      [grad, spareGrad] = [spareGrad, grad];
      last = next;
      if (rule === 'adaptive') lr *= 1.2;
    } else {
      lr *= 0.5; // overshoot: reject the step and retry from W with half the rate
    }
    if (steps % 20 === 0) await new Promise((r) => setTimeout(r, 0));
  }
  return {
    vectors: W,
    numClasses: n,
    dim,
    maxCos: last.maxCos,
    meanCos: last.sumCos / (n * (n - 1)),
    steps,
    converged: last.maxCos <= alpha + 1e-4,
  };
}

function normaliseRows(w: Float32Array, n: number, dim: number): void {
  for (let i = 0; i < n; i++) {
    let ss = 0;
    const o = i * dim;
    for (let k = 0; k < dim; k++) ss += w[o + k]! * w[o + k]!;
    const inv = 1 / Math.max(Math.sqrt(ss), 1e-12);
    for (let k = 0; k < dim; k++) w[o + k]! *= inv;
  }
}

function checkFeatures(features: Tensor, ebv: Tensor): void {
  if (!(features instanceof tf.Tensor) || features.rank !== 2) {
    throw new ShapeError(
      `features: expected [batch, dim], got ${features instanceof tf.Tensor ? `[${features.shape.join(', ')}]` : describeValue(features)}`,
    );
  }
  if (!(ebv instanceof tf.Tensor) || ebv.rank !== 2 || ebv.shape[1] !== features.shape[1]) {
    throw new ShapeError(
      `ebv: expected [numClasses, ${features.shape[1]}] (the features' dim), got ${ebv instanceof tf.Tensor ? `[${ebv.shape.join(', ')}]` : describeValue(ebv)}`,
    );
  }
}

/**
 * EBV logits: the cosine between each L2-normalised feature and each (fixed, unit) basis vector, divided by
 * the temperature τ (0.07 in the official ImageNet training): `(f/‖f‖)·Wᵀ / τ`.
 *
 * @param features - `[batch, dim]` backbone outputs
 * @param ebv - `[numClasses, dim]` unit vectors (from {@link generateEBV})
 */
export function ebvLogits(features: Tensor, ebv: Tensor, temperature = 0.07): Tensor2D {
  checkFeatures(features, ebv);
  assertNumber(temperature, 'temperature', { min: Number.MIN_VALUE });
  return tf.tidy(() => {
    const f = tf.div(features, tf.maximum(tf.norm(features, 2, 1, true), 1e-12));
    return tf.div(matMul(f, ebv, false, true), temperature) as Tensor2D;
  });
}

/**
 * The EBV training loss: cross-entropy of {@link ebvLogits} with label smoothing ε (PyTorch's rule:
 * target `(1 − ε)·onehot + ε/numClasses`), averaged over the batch. Official defaults τ = 0.07, ε = 0.1.
 *
 * @param labels - `[batch]` int32 class indices
 */
export function ebvLoss(
  features: Tensor,
  labels: Tensor,
  ebv: Tensor,
  options: { temperature?: number; labelSmoothing?: number } = {},
): Tensor {
  const eps = options.labelSmoothing ?? 0.1;
  assertNumber(eps, 'options.labelSmoothing', { min: 0, max: 1 });
  if (!(labels instanceof tf.Tensor) || labels.rank !== 1 || labels.shape[0] !== features.shape[0]) {
    throw new ShapeError(
      `labels: expected [${features.shape[0]}] class indices, got ${labels instanceof tf.Tensor ? `[${labels.shape.join(', ')}]` : describeValue(labels)}`,
    );
  }
  return tf.tidy(() => {
    const logits = ebvLogits(features, ebv, options.temperature ?? 0.07);
    const k = ebv.shape[0]!;
    const target = tf.add(tf.mul(tf.oneHot(tf.cast(labels, 'int32') as Tensor1D, k), 1 - eps), eps / k);
    return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(logits)), 1)));
  });
}

/** Prediction by nearest EBV: `argmax_c f·w_c` (int32 `[batch]`). */
export function ebvPredict(features: Tensor, ebv: Tensor): Tensor1D {
  checkFeatures(features, ebv);
  return tf.tidy(() => tf.argMax(matMul(features, ebv, false, true), 1) as Tensor1D);
}
