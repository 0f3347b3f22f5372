import { ArgumentError, assertFinite, describeValue, NumericalError, ShapeError } from '@tensorloom/core';
import { mul, mulT, solveDense, symmetrizeInPlace } from './dense.js';
import type { StateSpaceModel } from './stateSpace.js';

/**
 * The filtered, one-step-predicted and smoothed (RTS) state moments of a {@link StateSpaceModel} at sorted
 * distinct times, given Gaussian likelihood messages in natural form on the observed part u = H x.
 */
export interface SmootherResult {
  /** The state-space model. */
  readonly model: StateSpaceModel;
  /** The n strictly increasing times. */
  readonly times: Float64Array;
  /** Filtered means (n×D) and covariances (n×D×D). */
  readonly filteredMean: Float64Array;
  readonly filteredCov: Float64Array;
  /** One-step predicted means and covariances (the prior at time 0 for i = 0). */
  readonly predictedMean: Float64Array;
  readonly predictedCov: Float64Array;
  /** Smoothed means (n×D) and covariances (n×D×D): the posterior given all messages. */
  readonly smoothedMean: Float64Array;
  readonly smoothedCov: Float64Array;
}

function updateStep(
  m: Float64Array,
  P: Float64Array,
  lam: Float64Array,
  eta: Float64Array,
  R: number,
  D: number,
): { m: Float64Array; P: Float64Array } {
  // Information-form observation of u = Hx with message N(u | precision Λ, shift η) (Λ may be singular):
  //   m⁺ = m + P Hᵀ (I + Λ S)⁻¹ (η − Λ H m),  P⁺ = P − P Hᵀ (I + Λ S)⁻¹ Λ H P,  S = H P Hᵀ.
  let any = false;
  for (let i = 0; i < R * R; i++) if (lam[i] !== 0) any = true;
  for (let i = 0; i < R; i++) if (eta[i] !== 0) any = true;
  if (!any) return { m, P };
  const PHt = new Float64Array(D * R); // D×R = P[:, 0:R]
  for (let i = 0; i < D; i++) for (let j = 0; j < R; j++) PHt[i * R + j] = P[i * D + j]!;
  const S = new Float64Array(R * R);
  for (let i = 0; i < R; i++) for (let j = 0; j < R; j++) S[i * R + j] = P[i * D + j]!;
  const M = mul(lam, S, R, R, R);
  for (let i = 0; i < R; i++) M[i * R + i]! += 1;
  // RHS: [η − Λ H m | Λ H P] (R × (1 + D))
  const rhs = new Float64Array(R * (1 + D));
  for (let i = 0; i < R; i++) {
    let v = eta[i]!;
    for (let j = 0; j < R; j++) v -= lam[i * R + j]! * m[j]!;
    rhs[i * (1 + D)] = v;
    for (let c = 0; c < D; c++) {
      let w = 0;
      for (let j = 0; j < R; j++) w += lam[i * R + j]! * P[j * D + c]!;
      rhs[i * (1 + D) + 1 + c] = w;
    }
  }
  const X = solveDense(M, rhs, R, 1 + D);
  const G = mul(PHt, X, D, R, 1 + D);
  const m2 = new Float64Array(D);
  const P2 = new Float64Array(D * D);
  for (let i = 0; i < D; i++) {
    m2[i] = m[i]! + G[i * (1 + D)]!;
    for (let c = 0; c < D; c++) P2[i * D + c] = P[i * D + c]! - G[i * (1 + D) + 1 + c]!;
  }
  symmetrizeInPlace(P2, D);
  return { m: m2, P: P2 };
}

function predictStep(m: Float64Array, P: Float64Array, A: Float64Array, Q: Float64Array, D: number) {
  const mp = mul(A, m, D, D, 1);
  const AP = mul(A, P, D, D, D);
  const Pp = mulT(AP, A, D, D, D);
  for (let i = 0; i < D * D; i++) Pp[i]! += Q[i]!;
  symmetrizeInPlace(Pp, D);
  return { m: mp, P: Pp };
}

/** One RTS step: combine filtered (mf, Pf) at t with the smoothed/predicted moments at the next time. */
function rtsStep(
  mf: Float64Array,
  Pf: Float64Array,
  A: Float64Array,
  mpNext: Float64Array,
  PpNext: Float64Array,
  msNext: Float64Array,
  PsNext: Float64Array,
  D: number,
) {
  // Gᵀ = Pp⁻¹ (A Pf)  (Pp symmetric), G = Pf Aᵀ Pp⁻¹
  const APf = mul(A, Pf, D, D, D);
  const Gt = solveDense(PpNext, APf, D, D);
  const dm = new Float64Array(D);
  for (let i = 0; i < D; i++) dm[i] = msNext[i]! - mpNext[i]!;
  const dP = new Float64Array(D * D);
  for (let i = 0; i < D * D; i++) dP[i] = PsNext[i]! - PpNext[i]!;
  const m = new Float64Array(D);
  for (let i = 0; i < D; i++) {
    let s = mf[i]!;
    for (let j = 0; j < D; j++) s += Gt[j * D + i]! * dm[j]!;
    m[i] = s;
  }
  // P = Pf + G dP Gᵀ = Pf + Gtᵀ dP Gt
  const dPGt = mul(dP, Gt, D, D, D);
  const P = new Float64Array(D * D);
  for (let i = 0; i < D; i++)
    for (let j = 0; j < D; j++) {
      let s = Pf[i * D + j]!;
      for (let k = 0; k < D; k++) s += Gt[k * D + i]! * dPGt[k * D + j]!;
      P[i * D + j] = s;
    }
  symmetrizeInPlace(P, D);
  return { m, P };
}

/**
 * Kalman filter and Rauch–Tung–Striebel smoother for R stacked Matérn GPs at sorted distinct times, where time i
 * carries a Gaussian likelihood message on u = H x in natural form: precision Λ_i (R×R, symmetric PSD, may be
 * singular or zero) and shift η_i (R): message ∝ exp(−½ uᵀΛ_i u + η_iᵀu). The smoothed moments are exactly the GP
 * posterior with these messages (tested against dense GP regression).
 *
 * @param model - the state-space model (from `maternStateSpace`)
 * @param times - n ≥ 1 strictly increasing finite times
 * @param precision - n·R² message precisions, row-major per time
 * @param shift - n·R message shifts
 * @throws {@link ArgumentError} for unsorted times; {@link ShapeError} for wrong lengths
 *
 * @example
 * ```ts
 * const sm = kalmanSmoother(maternStateSpace('matern12', 1, 1, 1), times, lam, eta);
 * sm.smoothedMean; // posterior means, n×D
 * ```
 */
export function kalmanSmoother(
  model: StateSpaceModel,
  times: Float64Array,
  precision: Float64Array,
  shift: Float64Array,
): SmootherResult {
  const R = model.rank;
  const D = model.dim;
  const n = times.length;
  if (n < 1) throw new ArgumentError('times: expected at least one time');
  assertFinite(times, 'times');
  for (let i = 1; i < n; i++) {
    if (!(times[i]! > times[i - 1]!)) {
      throw new ArgumentError(
        `times: expected strictly increasing values, got ${times[i - 1]} then ${times[i]} at ${i}`,
      );
    }
  }
  if (precision.length !== n * R * R)
    throw new ShapeError(`precision: expected ${n * R * R} values (n·R²), got ${precision.length}`);
  if (shift.length !== n * R)
    throw new ShapeError(`shift: expected ${n * R} values (n·R), got ${shift.length}`);
  const filteredMean = new Float64Array(n * D);
  const filteredCov = new Float64Array(n * D * D);
  const predictedMean = new Float64Array(n * D);
  const predictedCov = new Float64Array(n * D * D);
  let m: Float64Array = new Float64Array(D);
  let P: Float64Array = Float64Array.from(model.stationary);
  for (let i = 0; i < n; i++) {
    if (i > 0) {
      const { A, Q } = model.transition(times[i]! - times[i - 1]!);
      ({ m, P } = predictStep(m, P, A, Q, D));
    }
    predictedMean.set(m, i * D);
    predictedCov.set(P, i * D * D);
    ({ m, P } = updateStep(
      m,
      P,
      precision.subarray(i * R * R, (i + 1) * R * R),
      shift.subarray(i * R, (i + 1) * R),
      R,
      D,
    ));
    filteredMean.set(m, i * D);
    filteredCov.set(P, i * D * D);
  }
  const smoothedMean = new Float64Array(n * D);
  const smoothedCov = new Float64Array(n * D * D);
  smoothedMean.set(m, (n - 1) * D);
  smoothedCov.set(P, (n - 1) * D * D);
  for (let i = n - 2; i >= 0; i--) {
    const { A } = model.transition(times[i + 1]! - times[i]!);
    const r = rtsStep(
      filteredMean.subarray(i * D, (i + 1) * D),
      filteredCov.subarray(i * D * D, (i + 1) * D * D),
      A,
      predictedMean.subarray((i + 1) * D, (i + 2) * D),
      predictedCov.subarray((i + 1) * D * D, (i + 2) * D * D),
      smoothedMean.subarray((i + 1) * D, (i + 2) * D),
      smoothedCov.subarray((i + 1) * D * D, (i + 2) * D * D),
      D,
    );
    smoothedMean.set(r.m, i * D);
    smoothedCov.set(r.P, i * D * D);
  }
  return { model, times, filteredMean, filteredCov, predictedMean, predictedCov, smoothedMean, smoothedCov };
}

/** Binary search: the number of times ≤ t. */
function upperBound(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The posterior state moments at any time t (exact, through the SDE): the smoothed moments at a training time;
 * between two training times, the filtered moments propagated from the left neighbour combined with the smoothed
 * right neighbour by one RTS step (interpolation); beyond the last time, the smoothed state propagated forward;
 * before the first, one RTS step from the stationary prior (extrapolation backwards).
 *
 * @throws {@link ArgumentError} when `sm` is not a smoother result; {@link NumericalError} for a non-finite `t`
 *
 * @example
 * ```ts
 * const { mean, cov } = stateAt(sm, 0.37);
 * ```
 */
export function stateAt(sm: SmootherResult, t: number): { mean: Float64Array; cov: Float64Array } {
  if (sm === null || typeof sm !== 'object' || typeof sm.times?.length !== 'number') {
    throw new ArgumentError(`sm: expected the result of kalmanSmoother, got ${describeValue(sm)}`);
  }
  if (typeof t !== 'number' || !Number.isFinite(t)) {
    throw new NumericalError(`t: expected a finite number, got ${describeValue(t)}`);
  }
  const { model, times } = sm;
  const D = model.dim;
  const n = times.length;
  const j = upperBound(times, t); // times[j−1] ≤ t < times[j]
  if (j > 0 && times[j - 1] === t) {
    return {
      mean: sm.smoothedMean.slice((j - 1) * D, j * D),
      cov: sm.smoothedCov.slice((j - 1) * D * D, j * D * D),
    };
  }
  // Filtered (no data at t) moments at t.
  let mf: Float64Array;
  let Pf: Float64Array;
  if (j === 0) {
    mf = new Float64Array(D);
    Pf = Float64Array.from(model.stationary);
  } else {
    const { A, Q } = model.transition(t - times[j - 1]!);
    const p = predictStep(
      sm.filteredMean.subarray((j - 1) * D, j * D),
      sm.filteredCov.subarray((j - 1) * D * D, j * D * D),
      A,
      Q,
      D,
    );
    mf = p.m;
    Pf = p.P;
  }
  if (j === n) {
    // Beyond the last time the filtered state is the smoothed one propagated forward.
    const { A, Q } = model.transition(t - times[n - 1]!);
    const p = predictStep(
      sm.smoothedMean.subarray((n - 1) * D, n * D),
      sm.smoothedCov.subarray((n - 1) * D * D, n * D * D),
      A,
      Q,
      D,
    );
    return { mean: p.m, cov: p.P };
  }
  const { A, Q } = model.transition(times[j]! - t);
  // Predicted at times[j] from t: equals sm.predictedCov[j] by the semigroup property, recomputed for exactness.
  const pn = predictStep(mf, Pf, A, Q, D);
  const r = rtsStep(
    mf,
    Pf,
    A,
    pn.m,
    pn.P,
    sm.smoothedMean.subarray(j * D, (j + 1) * D),
    sm.smoothedCov.subarray(j * D * D, (j + 1) * D * D),
    D,
  );
  return { mean: r.m, cov: r.P };
}
