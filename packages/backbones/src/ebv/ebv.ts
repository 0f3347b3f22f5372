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
  /**
   * (Initial) learning rate. Default 1e-3 (the script's SGD rate) for `'sgd'` and `'adaptive'`, 3e-3 for
   * `'adam'` (measured best of 1e-3…7e-3 over the official sizes).
   */
  learningRate?: number;
  /**
   * `'adam'` (default): Adam (β₁ 0.9, β₂ 0.99) on the sphere — tangent-projected gradient, rows
   * renormalised after each step — of the squared hinge `Σ_{i≠j} ReLU(|cos| − α)²`, whose zero set is the
   * paper's (`max |cos| ≤ α`) but whose gradient weights each pair by its excess, so the worst pairs move
   * most; the rate is cut ×0.7 whenever the squared hinge has not reached a new minimum for 50 steps, and
   * the vectors with the lowest max |cos| seen are returned. Reaches the official matrices' α at
   * 1000 × 100…1000 where the summed hinge stalls. `'sgd'`: the script's fixed-rate step on
   * `Σ ReLU(|cos| − α)`. `'adaptive'`: the same projected gradient step on the same summed hinge, with the
   * rate grown 1.2× after every step that lowers the loss and halved (step rejected) after one that raises it.
   */
  stepRule?: 'adam' | 'adaptive' | 'sgd';
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
 * repeat — renormalise the rows (projection onto the sphere), take `L = Σ_{i≠j} ReLU(|wᵢ·wⱼ| − α)` and a
 * gradient step — until `max |cos| ≤ α + 1e-4`. The Gram matrix is never formed: its rows are processed in
 * blocks of `sliceSize`, so memory is O(sliceSize · numClasses) beyond W itself; the gradient `H W` is a
 * product while violations are dense and a direct sum over violating pairs once they are sparse. Success is
 * always the paper's: `max |cos| ≤ α + 1e-4` with unit rows. The default `stepRule: 'adam'` minimises the
 * squared hinge with Adam on the sphere and reaches the official matrices' α (e.g. 1000 × 500 at 0.035,
 * 1000 × 1000 at 0.0004) in one to two minutes on one WASM thread; `'sgd'` is the script's fixed-rate step
 * on the summed hinge and `'adaptive'` a loss-decreasing rate schedule on it (both stall at low α).
 *
 * @throws {@link ArgumentError} for bad sizes or options, and when `alpha` is below the
 *   {@link welchBound} — no `numClasses` vectors in `dim` dimensions can reach it
 *
 * @example
 * ```ts
 * const { vectors, maxCos } = await generateEBV(1000, 500, { alpha: 0.035 });
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
  const rule = options.stepRule ?? 'adam';
  assertOneOf(rule, ['adam', 'adaptive', 'sgd'] as const, 'options.stepRule');
  let lr = options.learningRate ?? (rule === 'adam' ? 3e-3 : 1e-3);
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
  const squared = rule === 'adam';
  const n = numClasses;
  // W lives in a typed array; each step forms |W_s Wᵀ| per row block with core's matMul, reads it once
  // to build the violation pattern and the statistics, and forms ∂L/∂W = H W (H_ij = ∂L/∂c_ij, both
  // orders of each pair counted) either with one more product (dense violations) or by summing the few
  // violating rows directly (sparse violations). Summed hinge: H_ij = 2·sign(c_ij); squared hinge:
  // H_ij = 4·sign(c_ij)·(|c_ij| − α).
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
  const block = Math.min(sliceSize, n);
  const G = new Float32Array(block * n);
  const viol = new Int32Array(block * n);
  const coef = new Float32Array(block * n);
  interface Stats {
    maxCos: number;
    sumCos: number;
    /** The paper's summed hinge. */
    loss: number;
    /** The squared hinge (`'adam'`'s objective). */
    squaredLoss: number;
  }
  const stats = (w: Float32Array, out: Float32Array): Stats => {
    let maxCos = 0;
    let sumCos = 0;
    let loss = 0;
    let squaredLoss = 0;
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
              const e = a - alpha;
              loss += e;
              squaredLoss += e * e;
              viol[nv] = row + j;
              const h = squared ? 4 * e : 2;
              coef[nv++] = v < 0 ? -h : h;
            }
          }
        }
        if (nv * 16 < s * n) {
          // Sparse: grad_i += H_ij·w_j for each violating pair.
          for (let t = 0; t < nv; t++) {
            const idx = viol[t]!;
            const i = Math.floor(idx / n);
            const j = idx - i * n;
            const f = coef[t]!;
            const gi = (r0 + i) * dim;
            const wj = j * dim;
            for (let k = 0; k < dim; k++) out[gi + k]! += f * w[wj + k]!;
          }
        } else {
          const g = G.subarray(0, s * n);
          g.fill(0);
          for (let t = 0; t < nv; t++) g[viol[t]!] = coef[t]!;
          const part = tf.tidy(() => matMul(tf.tensor2d(g, [s, n]), wt));
          out.set(part.dataSync(), r0 * dim);
          part.dispose();
        }
      }
    } finally {
      wt.dispose();
    }
    return { maxCos, sumCos, loss, squaredLoss };
  };
  let steps = 0;
  let last = stats(W, grad);
  // Adam state ('adam' only), and the best vectors seen.
  const m1 = new Float32Array(squared ? n * dim : 0);
  const m2 = new Float32Array(squared ? n * dim : 0);
  const bestW = squared ? W.slice() : new Float32Array(0);
  let best = last;
  let bestLoss = last.squaredLoss;
  let sinceBest = 0;
  for (;;) {
    const done = last.maxCos <= alpha + 1e-4;
    if (steps % 10 === 0 || done) {
      options.onProgress?.({
        phase: 'ebv',
        step: steps,
        total: maxSteps,
        metrics: { maxCos: last.maxCos, loss: last.loss, squaredLoss: last.squaredLoss, learningRate: lr },
      });
    }
    if (done || steps >= maxSteps || options.signal?.aborted) break;
    if (squared) {
      // Adam on the sphere: project the gradient onto each row's tangent space, update the moments, step,
      // renormalise.
      steps++;
      const b1 = 0.9;
      const b2 = 0.99;
      const c1 = 1 / (1 - b1 ** steps);
      const c2 = 1 / (1 - b2 ** steps);
      for (let i = 0; i < n; i++) {
        const o = i * dim;
        let dot = 0;
        for (let k = 0; k < dim; k++) dot += grad[o + k]! * W[o + k]!;
        for (let k = 0; k < dim; k++) {
          const g = grad[o + k]! - dot * W[o + k]!;
          const a = b1 * m1[o + k]! + (1 - b1) * g;
          const b = b2 * m2[o + k]! + (1 - b2) * g * g;
          m1[o + k] = a;
          m2[o + k] = b;
          spareW[o + k] = W[o + k]! - (lr * a * c1) / (Math.sqrt(b * c2) + 1e-12);
        }
      }
      normaliseRows(spareW, n, dim);
      [W, spareW] = [spareW, W];
      last = stats(W, grad);
      if (last.maxCos < best.maxCos) {
        best = last;
        bestW.set(W);
      }
      if (last.squaredLoss < bestLoss) {
        bestLoss = last.squaredLoss;
        sinceBest = 0;
      } else if (++sinceBest >= 50) {
        lr *= 0.7;
        sinceBest = 0;
      }
    } else {
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
    }
    if (steps % 20 === 0) await new Promise((r) => setTimeout(r, 0));
  }
  const final = squared && best.maxCos < last.maxCos ? best : last;
  return {
    vectors: squared && final === best ? bestW : W,
    numClasses: n,
    dim,
    maxCos: final.maxCos,
    meanCos: final.sumCos / (n * (n - 1)),
    steps,
    converged: final.maxCos <= alpha + 1e-4,
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
