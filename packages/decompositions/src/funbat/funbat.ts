import {
  ArgumentError,
  assertFinite,
  assertInteger,
  assertNumber,
  assertOneOf,
  assertPositive,
  describeValue,
  type MatrixF64,
  NumericalError,
  type ProgressCallback,
  rng,
  ShapeError,
  solveCholesky,
} from '@tensorloom/core';
import { checkProgress, checkSignal, yieldToEventLoop } from '../tensor/common.js';
import type { NDArrayF64 } from '../tensor/ndarray.js';
import { kalmanSmoother, type SmootherResult, stateAt } from './kalman.js';
import {
  conditionalMoments,
  type FunbatDecomposition,
  kronSquareInto,
  kronVectorsInto,
  momentWorkspace,
  projectMoments,
  unfoldCore,
} from './moments.js';
import { MATERN_KERNELS, type MaternKernel, maternStateSpace, type StateSpaceModel } from './stateSpace.js';

/** Held-out data evaluated after every epoch (for learning curves). */
export interface FunbatTestSet {
  /** M rows of K continuous indexes. */
  indexes: readonly ArrayLike<number>[];
  /** M target values. */
  values: ArrayLike<number>;
}

/** Options for {@link funbat}. */
export interface FunbatOptions {
  /** N observed entries: each a row of K finite continuous indexes (one per mode). */
  indexes: readonly ArrayLike<number>[];
  /** The N observed values. */
  values: ArrayLike<number>;
  /** Number of latent functions per mode R (the core is R×…×R; integer ≥ 1). */
  rank: number;
  /** GP kernel for every latent function: `'matern12'` or `'matern32'` (default `'matern32'`). */
  kernel?: MaternKernel;
  /** Kernel lengthscale ℓ, one for all modes or one per mode (default 0.1, in index units). */
  lengthscale?: number | readonly number[];
  /** Kernel variance σ², one for all modes or one per mode (default 1). */
  variance?: number | readonly number[];
  /** EP sweeps (default 50). */
  epochs?: number;
  /**
   * Message damping ρ ∈ [0, 1): each epoch's data messages (and the noise precision) are
   * ρ · previous + (1 − ρ) · fresh (default 0.5; 0 = undamped).
   */
  damping?: number;
  /** Seed for the initial factor and core means (default 0). */
  seed?: number;
  /** `'tucker'` (default; full R^K core) or `'cp'` (FunBaT-CP: diagonal core). */
  decomposition?: FunbatDecomposition;
  /** Prior variance of the core entries, W ~ N(0, coreVariance·I) (default 1). */
  coreVariance?: number;
  /** Gamma(a0, b0) prior on the noise precision τ (defaults 1 and 1, as the reference). */
  a0?: number;
  /** See `a0`. */
  b0?: number;
  /** Optional held-out set, scored after every epoch into `history`. */
  test?: FunbatTestSet;
  /** Called after every epoch with `{ phase: 'funbat', step, total, metrics: { rmse, mae, … } }`. */
  onProgress?: ProgressCallback;
  /** Stops between modes/epochs; the returned model then has `aborted: true`. */
  signal?: AbortSignal;
}

/** One epoch of {@link FunbatModel.history}. */
export interface FunbatEpoch {
  /** 1-based epoch. */
  epoch: number;
  /** Training RMSE of the posterior-mean prediction. */
  rmse: number;
  /** Training MAE. */
  mae: number;
  /** Test RMSE when a test set was given. */
  testRmse?: number;
  /** Test MAE when a test set was given. */
  testMae?: number;
  /** E[τ] after the epoch. */
  noisePrecision: number;
}

/** Predictive moments at a batch of points. */
export interface FunbatPrediction {
  /** Posterior predictive mean E[y*]. */
  mean: Float64Array;
  /** Predictive variance Var[y*] = Var[f*] + 1/E[τ] (latent variance plus noise). */
  variance: Float64Array;
}

/** A latent function of one mode, evaluated at points: R means and R marginal variances per point (n × R). */
export type FactorFunction = (points: ArrayLike<number>) => { mean: MatrixF64; variance: MatrixF64 };

/** Storage of a fitted model, in float64 numbers, against the reference code's per-entry message storage. */
export interface FunbatStorage {
  /** Doubles this implementation keeps: per-mode states and message sums (O(Σ n_k R²)) plus the core (O(R^{2K})). */
  doubles: number;
  /** Doubles the reference implementation keeps for its per-entry messages: N·(K·(R² + R) + D_c² + D_c). */
  perEntryDoubles: number;
}

/** A fitted FunBaT model. */
export interface FunbatModel {
  /** `'tucker'` or `'cp'`. */
  readonly decomposition: FunbatDecomposition;
  /** R. */
  readonly rank: number;
  /** Number of modes K. */
  readonly order: number;
  /** Predictive mean and variance at M rows of K continuous indexes (seen or unseen). */
  predict(indexes: readonly ArrayLike<number>[]): FunbatPrediction;
  /** The R latent functions of each mode (posterior means and variances through the SDE). */
  readonly factors: readonly FactorFunction[];
  /** Posterior mean of the core: shape [R,…,R] (Tucker, C order) or [R] (CP weights). */
  readonly core: NDArrayF64;
  /** Posterior covariance of vec(core). */
  readonly coreCovariance: MatrixF64;
  /** E[τ], the noise precision. */
  readonly noisePrecision: number;
  /** Training (and test) RMSE/MAE per epoch. */
  readonly history: readonly FunbatEpoch[];
  /** Sorted distinct training index values per mode. */
  readonly knots: readonly Float64Array[];
  /** Memory used against per-entry storage. */
  readonly storage: FunbatStorage;
  /** Whether `signal` stopped training early. */
  readonly aborted: boolean;
}

function readPerMode(value: unknown, K: number, name: string, fallback: number): number[] {
  if (value === undefined) return new Array<number>(K).fill(fallback);
  if (typeof value === 'number') {
    assertPositive(value, name);
    return new Array<number>(K).fill(value);
  }
  if (!Array.isArray(value) || value.length !== K) {
    throw new ArgumentError(
      `${name}: expected a positive number or an array of ${K} (one per mode), got ${describeValue(value)}`,
    );
  }
  value.forEach((v, k) => {
    assertPositive(v, `${name}[${k}]`);
  });
  return [...value] as number[];
}

/** Reads N rows of K finite indexes into an N×K Float64Array. */
function readIndexes(
  indexes: unknown,
  name: string,
  K?: number,
): { data: Float64Array; N: number; K: number } {
  if (!Array.isArray(indexes) || indexes.length === 0) {
    throw new ArgumentError(
      `${name}: expected a non-empty array of index rows, got ${describeValue(indexes)}`,
    );
  }
  const first = indexes[0] as ArrayLike<number> | undefined;
  const order = K ?? first?.length;
  if (typeof order !== 'number' || order < 1) {
    throw new ArgumentError(`${name}[0]: expected an array of K ≥ 1 indexes, got ${describeValue(first)}`);
  }
  const N = indexes.length;
  const data = new Float64Array(N * order);
  for (let n = 0; n < N; n++) {
    const row = indexes[n] as ArrayLike<number> | undefined;
    if (row === null || typeof row !== 'object' || typeof row.length !== 'number') {
      throw new ArgumentError(
        `${name}[${n}]: expected an array of ${order} indexes, got ${describeValue(row)}`,
      );
    }
    if (row.length !== order) {
      throw new ShapeError(`${name}[${n}]: expected ${order} indexes (one per mode), got ${row.length}`);
    }
    for (let k = 0; k < order; k++) {
      const v = row[k];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new NumericalError(`${name}[${n}][${k}]: expected a finite number, got ${describeValue(v)}`);
      }
      data[n * order + k] = v;
    }
  }
  return { data, N, K: order };
}

function readValues(values: unknown, N: number, name: string): Float64Array {
  if (
    values === null ||
    typeof values !== 'object' ||
    typeof (values as ArrayLike<number>).length !== 'number'
  ) {
    throw new ArgumentError(`${name}: expected an array of ${N} numbers, got ${describeValue(values)}`);
  }
  const v = values as ArrayLike<number>;
  if (v.length !== N) {
    throw new ShapeError(`${name}: expected ${N} values (one per index row), got ${v.length}`);
  }
  const out = Float64Array.from(v);
  assertFinite(out, name);
  return out;
}

interface ModeState {
  knots: Float64Array;
  pos: Int32Array; // entry → knot
  ss: StateSpaceModel;
  lam: Float64Array | null; // damped message sums n_k × R²
  eta: Float64Array | null; // n_k × R
  mean: Float64Array; // posterior of u at knots, n_k × R
  second: Float64Array; // E[u uᵀ], n_k × R²
  cov: Float64Array; // n_k × R²
  smoother: SmootherResult | null;
}

function buildMode(
  data: Float64Array,
  N: number,
  K: number,
  k: number,
): { knots: Float64Array; pos: Int32Array } {
  const order = Array.from({ length: N }, (_, n) => n).sort((a, b) => data[a * K + k]! - data[b * K + k]!);
  const pos = new Int32Array(N);
  const knots: number[] = [];
  for (const n of order) {
    const v = data[n * K + k]!;
    if (knots.length === 0 || knots[knots.length - 1] !== v) knots.push(v);
    pos[n] = knots.length - 1;
  }
  return { knots: Float64Array.from(knots), pos };
}

/**
 * Functional Bayesian Tucker decomposition (FunBaT; Fang et al., ICLR 2024) of a tensor with continuous indexes,
 * by conditional expectation propagation, in float64.
 *
 * Model: y = vec(W)ᵀ (u⁰(i₀) ⊗ … ⊗ u^{K−1}(i_{K−1})) + ε, ε ~ N(0, 1/τ); each of the R latent functions of each
 * mode has a Matérn GP prior (state-space form over the mode's sorted distinct index values, exact transitions
 * for uneven gaps); W ~ N(0, coreVariance·I) (or a diagonal core for FunBaT-CP); τ ~ Gamma(a0, b0).
 * Each epoch, for each mode: conditional-EP data messages (natural parameters E[τ]·E[aaᵀ] and E[τ]·y·E[a], with
 * a = W_(k) z_{\k}) summed per distinct index value and damped, then a Kalman filter and RTS smoother give the
 * posterior of the latent functions; then the core's Gaussian posterior and τ's Gamma posterior are updated.
 * Memory is O(Σ_k n_k R² + R^{2K}) — messages are kept as per-index sums, never per entry.
 *
 * Differences from the reference code: one unfolding convention (the per-mode identity holds for every mode), a
 * proper N(0, coreVariance·I) core prior, exact information-form Kalman updates (no added pseudo-prior), the
 * core's posterior covariance in the τ update, and the noise precision initialised to 1/Var(y).
 *
 * @param options - see {@link FunbatOptions}; `indexes`, `values` and `rank` are required
 * @returns the fitted {@link FunbatModel}
 * @throws {@link ShapeError} for mismatched lengths; {@link NumericalError} for NaN/∞ values or indexes;
 *   {@link ArgumentError} for rank < 1, a mode with one distinct index value, or other bad options
 *
 * @example
 * ```ts
 * const model = await funbat({ indexes, values, rank: 2, kernel: 'matern32', lengthscale: 0.1, epochs: 50 });
 * const { mean, variance } = model.predict([[0.25, 0.7]]);
 * ```
 */
export async function funbat(options: FunbatOptions): Promise<FunbatModel> {
  if (options === null || typeof options !== 'object') {
    throw new ArgumentError(
      `options: expected an object { indexes, values, rank, … }, got ${describeValue(options)}`,
    );
  }
  const { data: X, N, K } = readIndexes(options.indexes, 'indexes');
  const y = readValues(options.values, N, 'values');
  const R = options.rank;
  assertInteger(R, 'rank', { min: 1 });
  const kernel = options.kernel ?? 'matern32';
  assertOneOf(kernel, MATERN_KERNELS, 'kernel');
  const lengthscales = readPerMode(options.lengthscale, K, 'lengthscale', 0.1);
  const variances = readPerMode(options.variance, K, 'variance', 1);
  const epochs = options.epochs ?? 50;
  assertInteger(epochs, 'epochs', { min: 1 });
  const damping = options.damping ?? 0.5;
  assertNumber(damping, 'damping', { min: 0, max: 0.999999 });
  const seed = options.seed ?? 0;
  assertInteger(seed, 'seed', { min: 0 });
  const decomposition = options.decomposition ?? 'tucker';
  assertOneOf(decomposition, ['tucker', 'cp'], 'decomposition');
  const coreVariance = options.coreVariance ?? 1;
  assertPositive(coreVariance, 'coreVariance');
  const a0 = options.a0 ?? 1;
  const b0 = options.b0 ?? 1;
  assertPositive(a0, 'a0');
  assertPositive(b0, 'b0');
  const onProgress = checkProgress(options.onProgress);
  const signal = checkSignal(options.signal);
  let test: { X: Float64Array; y: Float64Array; M: number } | null = null;
  if (options.test !== undefined) {
    const t = readIndexes(options.test?.indexes, 'test.indexes', K);
    test = { X: t.data, y: readValues(options.test.values, t.N, 'test.values'), M: t.N };
  }
  if (decomposition === 'tucker' && R ** (2 * K) > 4e7) {
    throw new ArgumentError(
      `rank: the R^K core's covariance needs R^(2K) = ${R ** (2 * K)} doubles; use a smaller rank or decomposition 'cp'`,
    );
  }

  const random = rng(seed);
  const modes: ModeState[] = [];
  for (let k = 0; k < K; k++) {
    const { knots, pos } = buildMode(X, N, K, k);
    if (knots.length < 2) {
      throw new ArgumentError(
        `indexes: mode ${k} has a single distinct index value (${knots[0]}); each mode needs at least 2`,
      );
    }
    const nk = knots.length;
    const mean = new Float64Array(nk * R);
    const sd = Math.sqrt(variances[k]!);
    for (let i = 0; i < mean.length; i++) mean[i] = sd * random.normal();
    const cov = new Float64Array(nk * R * R);
    const second = new Float64Array(nk * R * R);
    modes.push({
      knots,
      pos,
      ss: maternStateSpace(kernel, lengthscales[k]!, variances[k]!, R),
      lam: null,
      eta: null,
      mean,
      second,
      cov,
      smoother: null,
    });
  }
  const refreshSecond = (m: ModeState): void => {
    const nk = m.knots.length;
    for (let i = 0; i < nk; i++)
      for (let p = 0; p < R; p++)
        for (let q = 0; q < R; q++)
          m.second[i * R * R + p * R + q] =
            m.cov[i * R * R + p * R + q]! + m.mean[i * R + p]! * m.mean[i * R + q]!;
  };
  modes.forEach(refreshSecond);

  const Dc = decomposition === 'tucker' ? R ** K : R;
  let coreMean = new Float64Array(Dc);
  if (decomposition === 'tucker')
    for (let i = 0; i < Dc; i++) coreMean[i] = random.normal() * Math.sqrt(coreVariance);
  else coreMean.fill(1);
  let coreCov = new Float64Array(Dc * Dc);
  let coreLam: Float64Array | null = null;
  let coreEta: Float64Array | null = null;
  let yVar = 0;
  let yMean = 0;
  for (let n = 0; n < N; n++) yMean += y[n]! / N;
  for (let n = 0; n < N; n++) yVar += (y[n]! - yMean) ** 2 / N;
  let tau = 1 / Math.max(yVar, 1e-12);
  let sumY2 = 0;
  for (let n = 0; n < N; n++) sumY2 += y[n]! ** 2;

  const ws = momentWorkspace(R, K);
  const a = new Float64Array(R);
  const Eaa = new Float64Array(R * R);
  const means: Float64Array[] = new Array(K);
  const seconds: Float64Array[] = new Array(K);
  const zFull = new Float64Array(Dc);
  const zzFull = new Float64Array(Dc * Dc);
  const zzTmp = new Float64Array(Dc * Dc);
  const history: FunbatEpoch[] = [];
  const byMode = modes.map((m) =>
    Int32Array.from({ length: N }, (_, n) => n).sort((p, q) => m.pos[p]! - m.pos[q]!),
  );
  const byMode0 = byMode[0]!;
  const Pk = decomposition === 'tucker' ? Dc / R : 1;
  const gz = new Float64Array(Pk);
  const gzz = new Float64Array(Pk * Pk);
  let aborted = false;

  /** Points `means`/`seconds` at entry n's posterior moments in every mode. */
  const entryViews = (n: number): void => {
    for (let k = 0; k < K; k++) {
      const i = modes[k]!.pos[n]!;
      means[k] = modes[k]!.mean.subarray(i * R, (i + 1) * R);
      seconds[k] = modes[k]!.second.subarray(i * R * R, (i + 1) * R * R);
    }
  };

  const predictMean = (): Float64Array => {
    const out = new Float64Array(N);
    for (let n = 0; n < N; n++) {
      entryViews(n);
      out[n] = dotZ(means);
    }
    return out;
  };
  const dotZ = (ms: readonly Float64Array[]): number => {
    if (decomposition === 'cp') {
      let s = 0;
      for (let r = 0; r < R; r++) {
        let p = coreMean[r]!;
        for (let k = 0; k < K; k++) p *= ms[k]![r]!;
        s += p;
      }
      return s;
    }
    kronVectorsInto(ms, zFull);
    let s = 0;
    for (let i = 0; i < Dc; i++) s += coreMean[i]! * zFull[i]!;
    return s;
  };

  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let k = 0; k < K; k++) {
      if (signal?.aborted) {
        aborted = true;
        break;
      }
      const mode = modes[k]!;
      const nk = mode.knots.length;
      const lamF = new Float64Array(nk * R * R);
      const etaF = new Float64Array(nk * R);
      const Wk = decomposition === 'tucker' ? unfoldCore(coreMean, R, K, k) : coreMean;
      if (decomposition === 'tucker') {
        // Σ over the entries at knot i of τ·(W_(k) z, W_(k) zzᵀ W_(k)ᵀ) = τ·W_(k) (Σ z, Σ zzᵀ) W_(k)ᵀ: accumulate the
        // Kronecker moments per knot (R^{2(K−1)} per entry), project once per knot.
        const P = Dc / R;
        const order = byMode[k]!;
        let g = 0;
        while (g < N) {
          const i = mode.pos[order[g]!]!;
          gz.fill(0);
          gzz.fill(0);
          let e = g;
          for (; e < N && mode.pos[order[e]!] === i; e++) {
            const n = order[e]!;
            entryViews(n);
            kronVectorsInto(means, ws.z, k);
            kronSquareInto(seconds, R, ws.zz, ws.tmp, k);
            const yn = y[n]!;
            for (let p = 0; p < P; p++) {
              gz[p]! += yn * ws.z[p]!;
              const o = p * P;
              for (let q = p; q < P; q++) gzz[o + q]! += ws.zz[o + q]!;
            }
          }
          for (let p = 0; p < P; p++) for (let q = 0; q < p; q++) gzz[p * P + q] = gzz[q * P + p]!;
          projectMoments(Wk, R, P, gz, gzz, a, Eaa, ws.t);
          for (let p = 0; p < R; p++) {
            etaF[i * R + p] = tau * a[p]!;
            for (let q = 0; q < R; q++) lamF[i * R * R + p * R + q] = tau * Eaa[p * R + q]!;
          }
          g = e;
        }
      } else {
        for (let n = 0; n < N; n++) {
          entryViews(n);
          conditionalMoments(decomposition, Wk, R, means, seconds, k, a, Eaa, ws);
          const i = mode.pos[n]!;
          const yn = y[n]!;
          for (let p = 0; p < R; p++) {
            etaF[i * R + p]! += tau * yn * a[p]!;
            for (let q = 0; q < R; q++) lamF[i * R * R + p * R + q]! += tau * Eaa[p * R + q]!;
          }
        }
      }
      if (mode.lam && mode.eta && damping > 0) {
        for (let i = 0; i < lamF.length; i++) lamF[i] = damping * mode.lam[i]! + (1 - damping) * lamF[i]!;
        for (let i = 0; i < etaF.length; i++) etaF[i] = damping * mode.eta[i]! + (1 - damping) * etaF[i]!;
      }
      mode.lam = lamF;
      mode.eta = etaF;
      const sm = kalmanSmoother(mode.ss, mode.knots, lamF, etaF);
      mode.smoother = sm;
      const D = mode.ss.dim;
      for (let i = 0; i < nk; i++)
        for (let p = 0; p < R; p++) {
          mode.mean[i * R + p] = sm.smoothedMean[i * D + p]!;
          for (let q = 0; q < R; q++)
            mode.cov[i * R * R + p * R + q] = sm.smoothedCov[i * D * D + p * D + q]!;
        }
      refreshSecond(mode);
      await yieldToEventLoop(signal);
    }
    if (aborted) break;

    // Core: fresh sums Σ E[z zᵀ] and Σ y E[z]. For Tucker, entries are grouped by their mode-0 knot i:
    // Σ_n ⊗_k M_k = Σ_i M_0(i) ⊗ (Σ_{n at i} ⊗_{k≥1} M_k), costing N·R^{2(K−1)} + n_0·R^{2K} instead of N·R^{2K}.
    const Szz = new Float64Array(Dc * Dc);
    const Syz = new Float64Array(Dc);
    if (decomposition === 'tucker') {
      const P = Dc / R;
      const rest = new Float64Array(P);
      const restZZ = new Float64Array(P * P);
      const restTmp = new Float64Array(P * P);
      const m0 = modes[0]!;
      let g = 0;
      while (g < N) {
        const i0 = m0.pos[byMode0[g]!]!;
        gz.fill(0);
        gzz.fill(0);
        let e = g;
        for (; e < N && m0.pos[byMode0[e]!] === i0; e++) {
          const n = byMode0[e]!;
          entryViews(n);
          kronVectorsInto(means, rest, -1, 1);
          kronSquareInto(seconds, R, restZZ, restTmp, -1, 1);
          const yn = y[n]!;
          for (let p = 0; p < P; p++) {
            gz[p]! += yn * rest[p]!;
            const o = p * P;
            for (let q = p; q < P; q++) gzz[o + q]! += restZZ[o + q]!;
          }
        }
        for (let p = 0; p < P; p++) for (let q = 0; q < p; q++) gzz[p * P + q] = gzz[q * P + p]!;
        const mu0 = m0.mean.subarray(i0 * R, (i0 + 1) * R);
        const M0 = m0.second.subarray(i0 * R * R, (i0 + 1) * R * R);
        for (let r = 0; r < R; r++) {
          for (let p = 0; p < P; p++) Syz[r * P + p]! += mu0[r]! * gz[p]!;
          for (let s2 = r; s2 < R; s2++) {
            const c = M0[r * R + s2]!;
            for (let p = 0; p < P; p++) {
              const o = (r * P + p) * Dc + s2 * P;
              const go = p * P;
              for (let q = 0; q < P; q++) Szz[o + q]! += c * gzz[go + q]!;
            }
          }
        }
        g = e;
      }
      // the lower block triangle (r > s2) is filled by symmetry below
    } else {
      for (let n = 0; n < N; n++) {
        entryViews(n);
        const yn = y[n]!;
        for (let r = 0; r < R; r++) {
          let p = 1;
          for (let j = 0; j < K; j++) p *= means[j]![r]!;
          zFull[r] = p;
          for (let s = 0; s < R; s++) {
            let q = 1;
            for (let j = 0; j < K; j++) q *= seconds[j]![r * R + s]!;
            zzFull[r * R + s] = q;
          }
        }
        for (let i = 0; i < Dc; i++) {
          Syz[i]! += yn * zFull[i]!;
          const o = i * Dc;
          for (let j = i; j < Dc; j++) Szz[o + j]! += zzFull[o + j]!;
        }
      }
    }
    for (let i = 0; i < Dc; i++) for (let j = 0; j < i; j++) Szz[i * Dc + j] = Szz[j * Dc + i]!;
    let lamC = Float64Array.from(Szz, (v) => tau * v);
    let etaC = Float64Array.from(Syz, (v) => tau * v);
    if (coreLam && coreEta && damping > 0) {
      lamC = Float64Array.from(lamC, (v, i) => damping * coreLam![i]! + (1 - damping) * v);
      etaC = Float64Array.from(etaC, (v, i) => damping * coreEta![i]! + (1 - damping) * v);
    }
    coreLam = lamC;
    coreEta = etaC;
    const prec = Float64Array.from(lamC);
    for (let i = 0; i < Dc; i++) prec[i * Dc + i]! += 1 / coreVariance;
    const eye = new Float64Array(Dc * Dc);
    for (let i = 0; i < Dc; i++) eye[i * Dc + i] = 1;
    const rhs = new Float64Array(Dc * (Dc + 1));
    for (let i = 0; i < Dc; i++) {
      rhs[i * (Dc + 1)] = etaC[i]!;
      rhs.set(eye.subarray(i * Dc, (i + 1) * Dc), i * (Dc + 1) + 1);
    }
    const sol = solveCholesky(
      { rows: Dc, cols: Dc, data: prec },
      { rows: Dc, cols: Dc + 1, data: rhs },
      { symmetryTolerance: 1e-8 },
    ).data;
    coreMean = new Float64Array(Dc);
    coreCov = new Float64Array(Dc * Dc);
    for (let i = 0; i < Dc; i++) {
      coreMean[i] = sol[i * (Dc + 1)]!;
      for (let j = 0; j < Dc; j++) coreCov[i * Dc + j] = sol[i * (Dc + 1) + 1 + j]!;
    }

    // τ: E[τ] = (a0 + N/2) / (b0 + ½ Σ [y² − 2 y E[w]ᵀE[z] + tr(E[zzᵀ] E[wwᵀ])]).
    let quad = 0;
    for (let i = 0; i < Dc; i++)
      for (let j = 0; j < Dc; j++)
        quad += Szz[i * Dc + j]! * (coreCov[j * Dc + i]! + coreMean[i]! * coreMean[j]!);
    let cross = 0;
    for (let i = 0; i < Dc; i++) cross += coreMean[i]! * Syz[i]!;
    const b = b0 + 0.5 * Math.max(sumY2 - 2 * cross + quad, 0);
    const tauNew = (a0 + N / 2) / b;
    tau = history.length > 0 && damping > 0 ? damping * tau + (1 - damping) * tauNew : tauNew;

    const pred = predictMean();
    let se = 0;
    let ae = 0;
    for (let n = 0; n < N; n++) {
      se += (pred[n]! - y[n]!) ** 2;
      ae += Math.abs(pred[n]! - y[n]!);
    }
    const record: FunbatEpoch = {
      epoch: epoch + 1,
      rmse: Math.sqrt(se / N),
      mae: ae / N,
      noisePrecision: tau,
    };
    if (test) {
      const tp = predictAt(test.X, test.M, true).mean;
      let tse = 0;
      let tae = 0;
      for (let m = 0; m < test.M; m++) {
        tse += (tp[m]! - test.y[m]!) ** 2;
        tae += Math.abs(tp[m]! - test.y[m]!);
      }
      record.testRmse = Math.sqrt(tse / test.M);
      record.testMae = tae / test.M;
    }
    history.push(record);
    const metrics: Record<string, number> = { rmse: record.rmse, mae: record.mae };
    if (record.testRmse !== undefined) metrics.testRmse = record.testRmse;
    onProgress?.({ phase: 'funbat', step: epoch + 1, total: epochs, metrics });
  }

  function factorMoments(k: number, t: number): { mean: Float64Array; cov: Float64Array } {
    const mode = modes[k]!;
    const D = mode.ss.dim;
    let mean: Float64Array;
    let cov: Float64Array;
    if (mode.smoother) {
      const st = stateAt(mode.smoother, t);
      mean = new Float64Array(R);
      cov = new Float64Array(R * R);
      for (let p = 0; p < R; p++) {
        mean[p] = st.mean[p]!;
        for (let q = 0; q < R; q++) cov[p * R + q] = st.cov[p * D + q]!;
      }
    } else {
      mean = new Float64Array(R);
      cov = new Float64Array(R * R);
      for (let p = 0; p < R; p++) cov[p * R + p] = mode.ss.variance;
    }
    return { mean, cov };
  }

  function predictAt(Xq: Float64Array, M: number, meanOnly = false): FunbatPrediction {
    const caches: Map<number, { mean: Float64Array; second: Float64Array }>[] = modes.map(() => new Map());
    const mean = new Float64Array(M);
    const variance = new Float64Array(M);
    const qm: Float64Array[] = new Array(K);
    const qs: Float64Array[] = new Array(K);
    for (let m = 0; m < M; m++) {
      for (let k = 0; k < K; k++) {
        const t = Xq[m * K + k]!;
        let c = caches[k]!.get(t);
        if (!c) {
          const f = factorMoments(k, t);
          const second = Float64Array.from(f.cov);
          for (let p = 0; p < R; p++)
            for (let q = 0; q < R; q++) second[p * R + q]! += f.mean[p]! * f.mean[q]!;
          c = { mean: f.mean, second };
          caches[k]!.set(t, c);
        }
        qm[k] = c.mean;
        qs[k] = c.second;
      }
      if (meanOnly) {
        mean[m] = dotZ(qm);
        continue;
      }
      let zz: Float64Array;
      if (decomposition === 'tucker') {
        kronVectorsInto(qm, zFull);
        kronSquareInto(qs, R, zzFull, zzTmp);
        zz = zzFull;
      } else {
        for (let r = 0; r < R; r++) {
          let p = 1;
          for (let j = 0; j < K; j++) p *= qm[j]![r]!;
          zFull[r] = p;
          for (let s = 0; s < R; s++) {
            let q = 1;
            for (let j = 0; j < K; j++) q *= qs[j]![r * R + s]!;
            zzFull[r * R + s] = q;
          }
        }
        zz = zzFull;
      }
      let mu = 0;
      for (let i = 0; i < Dc; i++) mu += coreMean[i]! * zFull[i]!;
      let second = 0;
      for (let i = 0; i < Dc; i++)
        for (let j = 0; j < Dc; j++)
          second += zz[i * Dc + j]! * (coreCov[j * Dc + i]! + coreMean[i]! * coreMean[j]!);
      mean[m] = mu;
      variance[m] = Math.max(second - mu * mu, 0) + 1 / tau;
    }
    return { mean, variance };
  }

  const factors: FactorFunction[] = modes.map((_, k) => (points: ArrayLike<number>) => {
    if (points === null || typeof points !== 'object' || typeof points.length !== 'number') {
      throw new ArgumentError(`points: expected an array of index values, got ${describeValue(points)}`);
    }
    const pts = Float64Array.from(points);
    assertFinite(pts, 'points');
    const meanOut = new Float64Array(pts.length * R);
    const varOut = new Float64Array(pts.length * R);
    pts.forEach((t, i) => {
      const f = factorMoments(k, t);
      for (let p = 0; p < R; p++) {
        meanOut[i * R + p] = f.mean[p]!;
        varOut[i * R + p] = f.cov[p * R + p]!;
      }
    });
    return {
      mean: { rows: pts.length, cols: R, data: meanOut },
      variance: { rows: pts.length, cols: R, data: varOut },
    };
  });

  let doubles = Dc * Dc * 2 + Dc * 2;
  for (const m of modes) {
    const nk = m.knots.length;
    const D = m.ss.dim;
    doubles += nk * (1 + R + R * R) * 2 + nk * (3 * D + 3 * D * D) + N; // knots, messages, moments, smoother, index map
  }
  const perEntryDoubles = N * (K * (R * R + R) + Dc * Dc + Dc);

  return {
    decomposition,
    rank: R,
    order: K,
    predict(indexes: readonly ArrayLike<number>[]): FunbatPrediction {
      const q = readIndexes(indexes, 'indexes', K);
      return predictAt(q.data, q.N);
    },
    factors,
    core: { shape: decomposition === 'tucker' ? new Array<number>(K).fill(R) : [R], data: coreMean },
    coreCovariance: { rows: Dc, cols: Dc, data: coreCov },
    noisePrecision: tau,
    history,
    knots: modes.map((m) => m.knots),
    storage: { doubles, perEntryDoubles },
    aborted,
  };
}
