import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs';
import {
  ArgumentError,
  assertInteger,
  assertNumber,
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
  /** SGD learning rate (default 1e-3, as the script). */
  learningRate?: number;
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
  /** SGD steps taken. */
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
 * SGD step — until `max |cos| ≤ α + 1e-4`. The Gram matrix is never formed: its rows are processed in
 * blocks of `sliceSize` (`∂L/∂W = 2 G W` with `G = sign(C)·[|C| > α]`, off-diagonal, per block), so memory
 * is O(sliceSize · numClasses) beyond W itself.
 *
 * @throws {@link ArgumentError} for bad sizes or options, and when `alpha` is below the
 *   {@link welchBound} — no `numClasses` vectors in `dim` dimensions can reach it
 *
 * @example
 * ```ts
 * const { vectors, maxCos } = await generateEBV(1000, 512, { alpha: 0.035 });
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
  const lr = options.learningRate ?? 1e-3;
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
  const n = numClasses;
  const normalise = (w: Tensor): Tensor2D =>
    tf.tidy(() => tf.div(w, tf.maximum(tf.norm(w, 2, 1, true), 1e-12)) as Tensor2D);
  let W = tf.tidy(() => normalise(randomNormalTensor([n, dim], { seed })));
  const stats = (
    w: Tensor2D,
    withGrad: boolean,
  ): { maxCos: number; sumCos: number; loss: number; grad: Tensor2D | null } => {
    let maxCos = 0;
    let sumCos = 0;
    let loss = 0;
    const parts: Tensor[] = [];
    for (let r0 = 0; r0 < n; r0 += sliceSize) {
      const s = Math.min(sliceSize, n - r0);
      const [mx, sm, ls, g] = tf.tidy(() => {
        const ws = tf.slice(w, [r0, 0], [s, dim]);
        const c = matMul(ws, w, false, true); // [s, n]
        const offDiag = tf.sub(1, tf.oneHot(tf.range(r0, r0 + s, 1, 'int32'), n));
        const a = tf.mul(tf.abs(c), offDiag);
        const over = tf.relu(tf.sub(a, alpha));
        const viol = tf.mul(tf.cast(tf.greater(a, alpha), 'float32'), offDiag);
        const out: Tensor[] = [tf.max(a), tf.sum(a), tf.sum(tf.mul(over, offDiag))];
        if (withGrad) out.push(matMul(tf.mul(tf.sign(c), viol), w));
        return out;
      });
      maxCos = Math.max(maxCos, mx!.dataSync()[0]!);
      sumCos += sm!.dataSync()[0]!;
      loss += ls!.dataSync()[0]!;
      tf.dispose([mx!, sm!, ls!]);
      if (g) parts.push(g);
    }
    const grad = withGrad ? (tf.tidy(() => tf.mul(tf.concat(parts, 0), 2)) as Tensor2D) : null;
    tf.dispose(parts);
    return { maxCos, sumCos, loss, grad };
  };
  let steps = 0;
  let last = { maxCos: 1, sumCos: 0 };
  try {
    for (;;) {
      const st = stats(W, steps < maxSteps);
      last = st;
      const done = st.maxCos <= alpha + 1e-4;
      if (steps % 10 === 0 || done) {
        options.onProgress?.({
          phase: 'ebv',
          step: steps,
          total: maxSteps,
          metrics: { maxCos: st.maxCos, loss: st.loss },
        });
      }
      if (done || steps >= maxSteps || options.signal?.aborted) {
        st.grad?.dispose();
        break;
      }
      const next = tf.tidy(() => normalise(tf.sub(W, tf.mul(st.grad!, lr))));
      st.grad!.dispose();
      W.dispose();
      W = next;
      steps++;
      if (steps % 20 === 0) await new Promise((r) => setTimeout(r, 0));
    }
    const vectors = W.dataSync() as Float32Array;
    return {
      vectors: Float32Array.from(vectors),
      numClasses: n,
      dim,
      maxCos: last.maxCos,
      meanCos: last.sumCos / (n * (n - 1)),
      steps,
      converged: last.maxCos <= alpha + 1e-4,
    };
  } finally {
    W.dispose();
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
