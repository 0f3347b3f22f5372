import { assertInteger, assertNumber, assertOneOf, assertPositive } from '@tensorloom/core';

/** The GP kernels FunBaT supports: Matérn ν = 1/2 (Ornstein–Uhlenbeck) and ν = 3/2. */
export type MaternKernel = 'matern12' | 'matern32';

/** The kernel names accepted by {@link maternStateSpace} and `funbat`. */
export const MATERN_KERNELS: readonly MaternKernel[] = ['matern12', 'matern32'];

/**
 * The Matérn covariance k(d) for a distance d ≥ 0: σ² e^{−d/ℓ} (ν = 1/2) or σ² (1 + √3 d/ℓ) e^{−√3 d/ℓ} (ν = 3/2).
 *
 * @example
 * ```ts
 * maternCovariance('matern32', 0.1, 0.5, 0); // 0.5
 * ```
 */
export function maternCovariance(
  kernel: MaternKernel,
  lengthscale: number,
  variance: number,
  d: number,
): number {
  assertOneOf(kernel, MATERN_KERNELS, 'kernel');
  assertPositive(lengthscale, 'lengthscale');
  assertPositive(variance, 'variance');
  assertNumber(d, 'd');
  const r = Math.abs(d);
  if (kernel === 'matern12') return variance * Math.exp(-r / lengthscale);
  const s = (Math.sqrt(3) * r) / lengthscale;
  return variance * (1 + s) * Math.exp(-s);
}

/**
 * R independent Matérn GPs in state-space (LTI SDE) form, stacked: the state is [u₁…u_R] (ν = 1/2, D = R) or
 * [u₁…u_R, u₁′…u_R′] (ν = 3/2, D = 2R); the observation picks the first R entries (H = [I_R, 0]).
 */
export interface StateSpaceModel {
  /** The kernel. */
  readonly kernel: MaternKernel;
  /** Lengthscale ℓ. */
  readonly lengthscale: number;
  /** Signal variance σ². */
  readonly variance: number;
  /** Number of stacked GPs R. */
  readonly rank: number;
  /** State dimension D (R or 2R). */
  readonly dim: number;
  /** Stationary covariance P∞ (D×D, row-major). */
  readonly stationary: Float64Array;
  /**
   * The exact discrete transition over a gap Δ ≥ 0: A = expm(FΔ) (closed form) and Q = P∞ − A P∞ Aᵀ, both D×D.
   */
  transition(delta: number): { A: Float64Array; Q: Float64Array };
}

/**
 * Builds the state-space form of R stacked Matérn GPs (closed-form matrix exponentials; exact for any gap).
 *
 * ν = 1/2: F = −1/ℓ, P∞ = σ², A = e^{−Δ/ℓ}. ν = 3/2 with λ = √3/ℓ: F = [[0, 1], [−λ², −2λ]],
 * P∞ = diag(σ², λ²σ²), A = e^{−λΔ} [[1 + λΔ, Δ], [−λ²Δ, 1 − λΔ]].
 *
 * @throws {@link ArgumentError} for an unknown kernel or non-positive hyper-parameters
 *
 * @example
 * ```ts
 * const ss = maternStateSpace('matern32', 0.1, 0.5, 2);
 * const { A, Q } = ss.transition(0.05);
 * ```
 */
export function maternStateSpace(
  kernel: MaternKernel,
  lengthscale: number,
  variance: number,
  rank: number,
): StateSpaceModel {
  assertOneOf(kernel, MATERN_KERNELS, 'kernel');
  assertPositive(lengthscale, 'lengthscale');
  assertPositive(variance, 'variance');
  assertInteger(rank, 'rank', { min: 1 });
  const R = rank;
  const s = kernel === 'matern12' ? 1 : 2;
  const D = s * R;
  const lambda = Math.sqrt(3) / lengthscale;
  const pinf = kernel === 'matern12' ? [variance] : [variance, lambda * lambda * variance];
  const stationary = new Float64Array(D * D);
  for (let c = 0; c < s; c++) for (let r = 0; r < R; r++) stationary[(c * R + r) * D + c * R + r] = pinf[c]!;

  const blockA = (delta: number): number[] => {
    if (kernel === 'matern12') return [Math.exp(-delta / lengthscale)];
    const e = Math.exp(-lambda * delta);
    return [e * (1 + lambda * delta), e * delta, -e * lambda * lambda * delta, e * (1 - lambda * delta)];
  };
  const transition = (delta: number): { A: Float64Array; Q: Float64Array } => {
    const a = blockA(delta);
    // q = p∞ − a p∞ aᵀ for the s×s block
    const q = new Array<number>(s * s).fill(0);
    for (let i = 0; i < s; i++)
      for (let j = 0; j < s; j++) {
        let v = i === j ? pinf[i]! : 0;
        for (let k = 0; k < s; k++) v -= a[i * s + k]! * pinf[k]! * a[j * s + k]!;
        q[i * s + j] = v;
      }
    const A = new Float64Array(D * D);
    const Q = new Float64Array(D * D);
    for (let i = 0; i < s; i++)
      for (let j = 0; j < s; j++)
        for (let r = 0; r < R; r++) {
          A[(i * R + r) * D + j * R + r] = a[i * s + j]!;
          Q[(i * R + r) * D + j * R + r] = q[i * s + j]!;
        }
    return { A, Q };
  };
  return { kernel, lengthscale, variance, rank: R, dim: D, stationary, transition };
}
