import {
  ArgumentError,
  assertNumber,
  describeValue,
  eigh,
  type MatrixF64,
  ShapeError,
} from '@tensorloom/core';

/** Options of {@link kernelPredict}. */
export interface KernelPredictOptions {
  /** Kernel among training inputs, `N × N`, symmetric positive semi-definite. */
  kTrainTrain: MatrixF64;
  /** Kernel between test and training inputs, `M × N`. */
  kTestTrain: MatrixF64;
  /** Training targets, `N × K` (K outputs). */
  yTrain: MatrixF64;
  /**
   * Training time of gradient flow on the MSE loss `½‖f − y‖²` (continuous-time gradient descent); default
   * `Infinity` (the converged predictor). Time is measured in units of `learningRate × steps`.
   */
  time?: number;
  /** Ridge added to the diagonal of `kTrainTrain`, ≥ 0; default 0. */
  ridge?: number;
}

/**
 * Predictions of an infinitely wide network trained by gradient flow on the MSE loss from a zero-mean output, i.e.
 * kernel regression with the NTK (or, with the NNGP kernel, the mean of the GP-trained readout):
 * `f_t(x*) = K(x*, X) K⁻¹ (I − e^{−tK}) Y`, computed through the eigendecomposition of `K + ridge·I` in float64;
 * `time = ∞` gives `K(x*, X)(K + ridge·I)⁻¹ Y`. Eigenvalues below `1e-12·λ_max` are treated as zero (pseudo-inverse).
 *
 * @returns the `M × K` predictions
 * @throws {@link ShapeError} for inconsistent sizes; {@link ArgumentError} for a negative time or ridge
 *
 * @example
 * ```ts
 * const { ntk: kxx } = fcKernels(x, undefined, { depth: 2 });
 * const { ntk: ktx } = fcKernels(xTest, x, { depth: 2 });
 * const yHat = kernelPredict({ kTrainTrain: kxx, kTestTrain: ktx, yTrain: y, time: 10 });
 * ```
 */
export function kernelPredict(options: KernelPredictOptions): MatrixF64 {
  if (typeof options !== 'object' || options === null) {
    throw new ArgumentError(
      `options: expected { kTrainTrain, kTestTrain, yTrain, time?, ridge? }, got ${describeValue(options)}`,
    );
  }
  const { kTrainTrain: K, kTestTrain: Ks, yTrain: Y } = options;
  const time = options.time ?? Number.POSITIVE_INFINITY;
  const ridge = options.ridge ?? 0;
  for (const [m, name] of [
    [K, 'kTrainTrain'],
    [Ks, 'kTestTrain'],
    [Y, 'yTrain'],
  ] as const) {
    if (
      typeof m !== 'object' ||
      m === null ||
      !(m.data instanceof Float64Array) ||
      m.data.length !== m.rows * m.cols
    ) {
      throw new ArgumentError(`options.${name}: expected a MatrixF64, got ${describeValue(m)}`);
    }
  }
  const n = K.rows;
  if (K.cols !== n)
    throw new ShapeError(`options.kTrainTrain: expected a square matrix, got ${K.rows}×${K.cols}`);
  if (Ks.cols !== n)
    throw new ShapeError(`options.kTestTrain: expected ${n} columns (training size), got ${Ks.cols}`);
  if (Y.rows !== n) throw new ShapeError(`options.yTrain: expected ${n} rows (training size), got ${Y.rows}`);
  if (!(time >= 0)) throw new ArgumentError(`options.time: expected a value >= 0, got ${time}`);
  assertNumber(ridge, 'options.ridge', { min: 0 });
  const reg = K.data.slice();
  for (let i = 0; i < n; i++) reg[i * n + i]! += ridge;
  const { values, vectors } = eigh({ rows: n, cols: n, data: reg });
  const lmax = Math.max(...Array.from(values, Math.abs));
  const k = Y.cols;
  // coefficients α = V diag(g(λ)) Vᵀ Y with g(λ) = (1 − e^{−tλ})/λ
  const g = Array.from(values, (l) => {
    if (l <= 1e-12 * lmax) return Number.isFinite(time) ? time : 0;
    return Number.isFinite(time) ? -Math.expm1(-time * l) / l : 1 / l;
  });
  const V = vectors.data;
  const proj = new Float64Array(n * k); // Vᵀ Y scaled by g
  for (let e = 0; e < n; e++) {
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += V[i * n + e]! * Y.data[i * k + c]!;
      proj[e * k + c] = s * g[e]!;
    }
  }
  const alpha = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let e = 0; e < n; e++) s += V[i * n + e]! * proj[e * k + c]!;
      alpha[i * k + c] = s;
    }
  }
  const out = new Float64Array(Ks.rows * k);
  for (let r = 0; r < Ks.rows; r++) {
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += Ks.data[r * n + i]! * alpha[i * k + c]!;
      out[r * k + c] = s;
    }
  }
  return { rows: Ks.rows, cols: k, data: out };
}
