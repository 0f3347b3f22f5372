import {
  assertInteger,
  assertNumber,
  assertOneOf,
  type MatrixF64,
  type ProgressCallback,
  rng,
  solve,
} from '@tensorloom/core';
import {
  checkProgress,
  checkSignal,
  gram,
  leadingLeftSingularVectors,
  mm,
  yieldToEventLoop,
} from '../tensor/common.js';
import { fillMissingWithMean, readMaskedTensor } from '../tensor/mask.js';
import type { NDArrayF64, TensorLike } from '../tensor/ndarray.js';
import { khatriRao, unfold } from '../tensor/unfold.js';
import { cpToTensor, relativeError } from './reconstruct.js';

/** Options for {@link cpAls}. */
export interface CpAlsOptions {
  /** Number of rank-one components R (integer ≥ 1). */
  rank: number;
  /** Maximum ALS sweeps (default 200). */
  maxIterations?: number;
  /** Stop when the relative error changes by less than this between sweeps (default 1e-12). */
  tol?: number;
  /** `'svd'` (default; leading singular vectors of each unfolding) or `'random'` (seeded normal). */
  init?: 'svd' | 'random';
  /** Seed for the random parts of the initialisation (default 0). */
  seed?: number;
  /** Normalise factor columns to unit norm after every update, keeping the scale in `weights` (default true). */
  normalize?: boolean;
  /** Constrain the factors to be ≥ 0 (HALS column updates; default false). */
  nonNegative?: boolean;
  /**
   * Observed-entry mask (1 observed, 0 missing), shape of the tensor. Unconstrained CP then solves each factor
   * row by least squares over that row's observed entries only; non-negative CP imputes the missing entries
   * from the current model (EM) before each sweep.
   */
  mask?: TensorLike;
  /** L2 penalty added to every least-squares normal equation (default 0; use > 0 for very sparse masks). */
  ridge?: number;
  /** Called after each sweep with `{ phase: 'cp-als', step, total, metrics: { relativeError } }`. */
  onProgress?: ProgressCallback;
  /** Stops between sweeps; the result then has `aborted: true`. */
  signal?: AbortSignal;
}

/** A CP (CANDECOMP/PARAFAC) model: X ≈ Σ_r weights[r] · a⁽⁰⁾_r ∘ a⁽¹⁾_r ∘ … */
export interface CPModel {
  /** The R component weights. */
  weights: Float64Array;
  /** One I_k × R factor matrix per mode. */
  factors: MatrixF64[];
}

/** The result of {@link cpAls}: the model and its fit history. */
export interface CpAlsResult extends CPModel {
  /** Relative error ‖X − X̂‖/‖X‖ (over observed entries when masked) after each sweep. */
  errors: number[];
  /** Sweeps run. */
  iterations: number;
  /** Whether the tolerance was met. */
  converged: boolean;
  /** Whether `signal` stopped the fit. */
  aborted: boolean;
}

function hadamardGramsExcept(grams: MatrixF64[], skip: number, R: number): MatrixF64 {
  const out = new Float64Array(R * R).fill(1);
  grams.forEach((g, k) => {
    if (k === skip) return;
    for (let i = 0; i < R * R; i++) out[i]! *= g.data[i]!;
  });
  return { rows: R, cols: R, data: out };
}

function addRidge(m: MatrixF64, ridge: number): MatrixF64 {
  if (ridge === 0) return m;
  const d = Float64Array.from(m.data);
  for (let i = 0; i < m.rows; i++) d[i * m.cols + i]! += ridge;
  return { rows: m.rows, cols: m.cols, data: d };
}

/** Solves X·V = B for X (V symmetric R×R), falling back to a tiny ridge when V is singular. */
function rightSolve(B: MatrixF64, V: MatrixF64): MatrixF64 {
  const Bt = { rows: B.cols, cols: B.rows, data: new Float64Array(B.rows * B.cols) };
  for (let i = 0; i < B.rows; i++)
    for (let j = 0; j < B.cols; j++) Bt.data[j * B.rows + i] = B.data[i * B.cols + j]!;
  let Xt: MatrixF64;
  try {
    Xt = solve(V, Bt);
  } catch {
    let scale = 0;
    for (let i = 0; i < V.rows; i++) scale = Math.max(scale, V.data[i * V.cols + i]!);
    Xt = solve(addRidge(V, 1e-10 * (scale || 1)), Bt);
  }
  const out = new Float64Array(B.rows * B.cols);
  for (let i = 0; i < B.rows; i++)
    for (let j = 0; j < B.cols; j++) out[i * B.cols + j] = Xt.data[j * B.rows + i]!;
  return { rows: B.rows, cols: B.cols, data: out };
}

function normalizeColumns(U: MatrixF64, weights: Float64Array): void {
  const R = U.cols;
  for (let r = 0; r < R; r++) {
    let s = 0;
    for (let i = 0; i < U.rows; i++) s += U.data[i * R + r]! ** 2;
    const n = Math.sqrt(s);
    if (n === 0) {
      weights[r] = 0;
      continue;
    }
    weights[r]! *= n;
    for (let i = 0; i < U.rows; i++) U.data[i * R + r]! /= n;
  }
}

/**
 * CP decomposition by alternating least squares (float64), TensorLy's `parafac` counterpart: X ≈ Σ_r w_r
 * a⁽⁰⁾_r ∘ … ∘ a⁽ᴷ⁻¹⁾_r. Supports column normalisation, non-negativity (HALS) and missing entries (mask).
 *
 * @param tensor - the data, an {@link NDArrayF64} or tfjs tensor of order ≥ 2 (masked-out entries may be NaN)
 * @param options - see {@link CpAlsOptions}; `rank` is required
 * @returns weights, factors, and the error history
 * @throws `ArgumentError` for bad options; {@link ShapeError} for a mask of the wrong shape;
 *   {@link NumericalError} for non-finite observed entries
 *
 * @example
 * ```ts
 * const { weights, factors, errors } = await cpAls(x, { rank: 3, seed: 1 });
 * const xhat = cpToTensor({ weights, factors });
 * ```
 */
export async function cpAls(tensor: TensorLike, options: CpAlsOptions): Promise<CpAlsResult> {
  const { x0, mask } = readMaskedTensor(tensor, options);
  const { rank: R } = options;
  assertInteger(R, 'rank', { min: 1 });
  const maxIterations = options.maxIterations ?? 200;
  assertInteger(maxIterations, 'maxIterations', { min: 1 });
  const tol = options.tol ?? 1e-12;
  assertNumber(tol, 'tol', { min: 0 });
  const init = options.init ?? 'svd';
  assertOneOf(init, ['svd', 'random'], 'init');
  const seed = options.seed ?? 0;
  assertInteger(seed, 'seed', { min: 0 });
  const ridge = options.ridge ?? 0;
  assertNumber(ridge, 'ridge', { min: 0 });
  const normalize = options.normalize ?? true;
  const nonNegative = options.nonNegative ?? false;
  const onProgress = checkProgress(options.onProgress);
  const signal = checkSignal(options.signal);
  const random = rng(seed);
  const K = x0.shape.length;

  // Working copy: missing entries filled with the observed mean (used for init and EM).
  const work = fillMissingWithMean(x0, mask);
  const x: NDArrayF64 = { shape: x0.shape, data: work };

  const factors: MatrixF64[] = [];
  for (let k = 0; k < K; k++) {
    const Ik = x.shape[k]!;
    let U: MatrixF64;
    if (init === 'svd') U = leadingLeftSingularVectors(unfold(x, k), R, random);
    else U = { rows: Ik, cols: R, data: Float64Array.from({ length: Ik * R }, () => random.normal()) };
    if (nonNegative) for (let i = 0; i < U.data.length; i++) U.data[i] = Math.abs(U.data[i]!) + 1e-3;
    factors.push(U);
  }
  const weights = new Float64Array(R).fill(1);
  const errors: number[] = [];
  let converged = false;
  let aborted = false;
  let it = 0;
  const observed = mask ? { shape: x0.shape, data: x0.data } : x;

  for (it = 0; it < maxIterations; it++) {
    if (signal?.aborted) {
      aborted = true;
      break;
    }
    if (mask && nonNegative && it > 0) {
      const rec = cpToTensor({ weights, factors }).data;
      for (let i = 0; i < work.length; i++) if (mask[i] !== 1) work[i] = rec[i]!;
    }
    for (let k = 0; k < K; k++) {
      // Fold the weights into mode k's update.
      const others = factors.filter((_, j) => j !== k);
      const kr = khatriRao(others); // (∏_{j≠k} I_j) × R, first-other slowest = unfold's column order
      const Xk = unfold(x, k);
      let U: MatrixF64;
      if (mask && !nonNegative) {
        const Mk = unfold({ shape: x0.shape, data: mask }, k);
        const Ok = unfold({ shape: x0.shape, data: x0.data }, k);
        U = { rows: Xk.rows, cols: R, data: new Float64Array(Xk.rows * R) };
        for (let i = 0; i < Xk.rows; i++) {
          const A = new Float64Array(R * R);
          const b = new Float64Array(R);
          for (let c = 0; c < Xk.cols; c++) {
            if (Mk.data[i * Xk.cols + c] !== 1) continue;
            const y = Ok.data[i * Xk.cols + c]!;
            const o = c * R;
            for (let p = 0; p < R; p++) {
              const zp = kr.data[o + p]!;
              b[p]! += y * zp;
              for (let q = 0; q < R; q++) A[p * R + q]! += zp * kr.data[o + q]!;
            }
          }
          let scale = 0;
          for (let p = 0; p < R; p++) scale = Math.max(scale, A[p * R + p]!);
          for (let p = 0; p < R; p++) A[p * R + p]! += ridge + 1e-12 * (scale || 1);
          const row = solve({ rows: R, cols: R, data: A }, b);
          U.data.set(row, i * R);
        }
      } else {
        const V = addRidge(hadamardGramsExcept(others.map(gram).concat(), -1, R), ridge);
        const mttkrp = mm(Xk, kr);
        if (nonNegative) {
          U = factors[k]!;
          // HALS: column-wise exact minimisation with projection onto ≥ 0 (weights folded into U first).
          for (let i = 0; i < U.rows; i++) for (let r = 0; r < R; r++) U.data[i * R + r]! *= weights[r]!;
          weights.fill(1);
          for (let r = 0; r < R; r++) {
            const vrr = V.data[r * R + r]!;
            if (vrr <= 0) continue;
            for (let i = 0; i < U.rows; i++) {
              let s = mttkrp.data[i * R + r]!;
              for (let q = 0; q < R; q++) s -= U.data[i * R + q]! * V.data[q * R + r]!;
              U.data[i * R + r] = Math.max(0, U.data[i * R + r]! + s / vrr);
            }
          }
        } else {
          U = rightSolve(mttkrp, V);
        }
      }
      // The new U_k carries the model's whole scale (its update ignored the old weights); with `normalize` the
      // column norms move into `weights`.
      weights.fill(1);
      factors[k] = U;
      if (normalize) normalizeColumns(U, weights);
    }
    const err = relativeError(
      observed,
      cpToTensor({ weights, factors }),
      mask ? { mask: { shape: x0.shape, data: mask } } : {},
    );
    errors.push(err);
    onProgress?.({ phase: 'cp-als', step: it + 1, total: maxIterations, metrics: { relativeError: err } });
    if (it > 0 && Math.abs(errors[it - 1]! - err) < tol) {
      converged = true;
      it++;
      break;
    }
    await yieldToEventLoop(signal);
  }
  return { weights, factors, errors, iterations: Math.min(it, maxIterations), converged, aborted };
}
