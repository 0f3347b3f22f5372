import {
  ArgumentError,
  assertInteger,
  assertNumber,
  type MatrixF64,
  type ProgressCallback,
  rng,
} from '@tensorloom/core';
import { relativeError, tuckerToTensor } from '../cp/reconstruct.js';
import {
  checkProgress,
  checkSignal,
  leadingLeftSingularVectors,
  yieldToEventLoop,
} from '../tensor/common.js';
import { fillMissingWithMean, readMaskedTensor } from '../tensor/mask.js';
import type { NDArrayF64, TensorLike } from '../tensor/ndarray.js';
import { multiModeProduct, unfold } from '../tensor/unfold.js';

/** A Tucker model X ≈ core ×₀ U₀ ×₁ U₁ … with orthonormal I_k × R_k factors. */
export interface TuckerModel {
  /** The R₀ × R₁ × … core. */
  core: NDArrayF64;
  /** One I_k × R_k factor per mode (orthonormal columns). */
  factors: MatrixF64[];
}

/** Options for {@link hosvd} and {@link hooi}. */
export interface TuckerOptions {
  /** Multilinear rank: one R_k per mode, or one number for every mode (capped at I_k). */
  rank: number | readonly number[];
  /** HOOI sweeps (default 100; `hosvd` ignores it unless a mask is given, when it runs that many EM rounds). */
  maxIterations?: number;
  /** Stop when the relative error changes by less than this (default 1e-12). */
  tol?: number;
  /** Observed-entry mask (1 observed, 0 missing): missing entries are imputed from the model (EM), as TensorLy. */
  mask?: TensorLike;
  /** Seed for padding columns when R_k exceeds what the data spans (default 0). */
  seed?: number;
  /** Called after each sweep with `{ phase: 'hooi', step, total, metrics: { relativeError } }`. */
  onProgress?: ProgressCallback;
  /** Stops between sweeps; the result then has `aborted: true`. */
  signal?: AbortSignal;
}

/** A Tucker model with its fit history. */
export interface TuckerResult extends TuckerModel {
  /** Relative error (over observed entries when masked) after each sweep. */
  errors: number[];
  /** Sweeps run. */
  iterations: number;
  /** Whether the tolerance was met. */
  converged: boolean;
  /** Whether `signal` stopped the fit. */
  aborted: boolean;
}

function readRanks(rank: unknown, shape: readonly number[]): number[] {
  if (typeof rank === 'number') {
    assertInteger(rank, 'rank', { min: 1 });
    return shape.map((s) => Math.min(s, rank));
  }
  if (!Array.isArray(rank) || rank.length !== shape.length) {
    throw new ArgumentError(
      `rank: expected an integer or an array of ${shape.length} integers (one per mode), got ${Array.isArray(rank) ? `${rank.length} entries` : String(rank)}`,
    );
  }
  return rank.map((r, k) => {
    assertInteger(r, `rank[${k}]`, { min: 1 });
    if (r > shape[k]!)
      throw new ArgumentError(`rank[${k}]: expected ≤ ${shape[k]} (the size of mode ${k}), got ${r}`);
    return r as number;
  });
}

async function tuckerFit(
  tensor: TensorLike,
  options: TuckerOptions,
  iterate: boolean,
): Promise<TuckerResult> {
  const { x0, mask } = readMaskedTensor(tensor, options);
  const ranks = readRanks(options.rank, x0.shape);
  const maxIterations = options.maxIterations ?? 100;
  assertInteger(maxIterations, 'maxIterations', { min: 1 });
  const tol = options.tol ?? 1e-12;
  assertNumber(tol, 'tol', { min: 0 });
  const seed = options.seed ?? 0;
  assertInteger(seed, 'seed', { min: 0 });
  const onProgress = checkProgress(options.onProgress);
  const signal = checkSignal(options.signal);
  const random = rng(seed);
  const K = x0.shape.length;

  const work = fillMissingWithMean(x0, mask);
  const x: NDArrayF64 = { shape: x0.shape, data: work };
  const maskNd = mask ? { shape: x0.shape, data: mask } : undefined;
  const observed = mask ? x0 : x;

  // HOSVD initialisation.
  const factors: MatrixF64[] = x.shape.map((_, k) =>
    leadingLeftSingularVectors(unfold(x, k), ranks[k]!, random),
  );
  let core = multiModeProduct(x, factors, { transpose: true });
  const errors: number[] = [];
  let converged = false;
  let aborted = false;
  const sweeps = iterate || mask ? maxIterations : 1;
  let it = 0;
  for (it = 0; it < sweeps; it++) {
    if (signal?.aborted) {
      aborted = true;
      break;
    }
    if (it > 0 || !iterate) {
      if (mask && it > 0) {
        const rec = tuckerToTensor({ core, factors }).data;
        for (let i = 0; i < work.length; i++) if (mask[i] !== 1) work[i] = rec[i]!;
      }
      if (iterate) {
        for (let k = 0; k < K; k++) {
          const proj = multiModeProduct(
            x,
            factors.map((f, j) => (j === k ? null : f)),
            { transpose: true },
          );
          factors[k] = leadingLeftSingularVectors(unfold(proj, k), ranks[k]!, random);
        }
      } else if (mask && it > 0) {
        for (let k = 0; k < K; k++) factors[k] = leadingLeftSingularVectors(unfold(x, k), ranks[k]!, random);
      }
      core = multiModeProduct(x, factors, { transpose: true });
    }
    const err = relativeError(observed, tuckerToTensor({ core, factors }), maskNd ? { mask: maskNd } : {});
    errors.push(err);
    onProgress?.({
      phase: iterate ? 'hooi' : 'hosvd',
      step: it + 1,
      total: sweeps,
      metrics: { relativeError: err },
    });
    if (it > 0 && Math.abs(errors[it - 1]! - err) < tol) {
      converged = true;
      it++;
      break;
    }
    await yieldToEventLoop(signal);
  }
  if (!iterate && !mask) converged = true;
  return { core, factors, errors, iterations: Math.min(it, sweeps), converged, aborted };
}

/**
 * Tucker decomposition by the truncated higher-order SVD (float64): U_k = leading R_k left singular vectors of
 * X_(k), core = X ×ₖ U_kᵀ. With a mask, repeats HOSVD on the EM-imputed tensor for up to `maxIterations` rounds.
 *
 * @param tensor - data of order ≥ 2
 * @param options - see {@link TuckerOptions}
 * @throws {@link ArgumentError} for bad ranks/options; {@link ShapeError} for a bad mask
 *
 * @example
 * ```ts
 * const { core, factors } = await hosvd(x, { rank: [2, 2, 3] });
 * ```
 */
export function hosvd(tensor: TensorLike, options: TuckerOptions): Promise<TuckerResult> {
  return tuckerFit(tensor, options, false);
}

/**
 * Tucker decomposition by higher-order orthogonal iteration (HOOI; TensorLy's `tucker`), initialised by HOSVD:
 * each sweep sets U_k to the leading R_k left singular vectors of (X ×_{j≠k} U_jᵀ)_(k). With a mask, missing
 * entries are re-imputed from the model before every sweep (EM).
 *
 * @param tensor - data of order ≥ 2
 * @param options - see {@link TuckerOptions}
 * @throws {@link ArgumentError} for bad ranks/options; {@link ShapeError} for a bad mask
 *
 * @example
 * ```ts
 * const { core, factors, errors } = await hooi(x, { rank: 3, maxIterations: 50 });
 * ```
 */
export function hooi(tensor: TensorLike, options: TuckerOptions): Promise<TuckerResult> {
  return tuckerFit(tensor, options, true);
}
