import { ArgumentError, cholesky, type MatrixF64, NumericalError, rng, solve } from '@tensorloom/core';
import { expectClose } from '@tensorloom/core/test';
import { describe, expect, it } from 'vitest';
import { solveDense } from './dense.js';
import { kalmanSmoother, stateAt } from './kalman.js';
import { type MaternKernel, maternCovariance, maternStateSpace } from './stateSpace.js';

/** expm by scaling and squaring with a Taylor series, written independently of the closed form. */
function expm(F: number[][], t: number): number[][] {
  const n = F.length;
  const s = 10;
  const M = F.map((row) => row.map((v) => (v * t) / 2 ** s));
  let term: number[][] = M.map((_, i) => M.map((__, j) => (i === j ? 1 : 0)));
  let sum = term.map((r) => [...r]);
  for (let k = 1; k < 20; k++) {
    term = term.map((row) => M[0]!.map((_, j) => row.reduce((a, v, l) => a + v * M[l]![j]!, 0) / k));
    sum = sum.map((r, i) => r.map((v, j) => v + term[i]![j]!));
  }
  for (let k = 0; k < s; k++)
    sum = sum.map((row) => sum[0]!.map((_, j) => row.reduce((a, v, l) => a + v * sum[l]![j]!, 0)));
  expect(sum.length).toBe(n);
  return sum;
}

describe('Matérn state-space transitions', () => {
  for (const kernel of ['matern12', 'matern32'] as MaternKernel[]) {
    it(`${kernel}: H A(Δ) P∞ Hᵀ equals the Matérn covariance, A = expm(FΔ), semigroup holds`, () => {
      const ell = 0.3;
      const sig2 = 0.7;
      const ss = maternStateSpace(kernel, ell, sig2, 1);
      const lam = Math.sqrt(3) / ell;
      const F =
        kernel === 'matern12'
          ? [[-1 / ell]]
          : [
              [0, 1],
              [-lam * lam, -2 * lam],
            ];
      for (const d of [0, 0.01, 0.2, 0.9, 3]) {
        const { A, Q } = ss.transition(d);
        const D = ss.dim;
        // cross-covariance Cov(x(t+Δ), x(t)) = A P∞; its (0,0) entry is k(Δ)
        let c = 0;
        for (let k = 0; k < D; k++) c += A[k]! * ss.stationary[k * D]!;
        expect(c).toBeCloseTo(maternCovariance(kernel, ell, sig2, d), 12);
        const E = expm(F, d);
        expectClose(A, E.flat(), { rtol: 1e-9, atol: 1e-10 });
        // Q is PSD (its diagonal non-negative, det ≥ 0 for 2×2)
        for (let i = 0; i < D; i++) expect(Q[i * D + i]!).toBeGreaterThanOrEqual(-1e-14);
      }
      const a1 = ss.transition(0.13).A;
      const a2 = ss.transition(0.29).A;
      const a12 = ss.transition(0.42).A;
      const D = ss.dim;
      const prod = new Float64Array(D * D);
      for (let i = 0; i < D; i++)
        for (let j = 0; j < D; j++)
          for (let k = 0; k < D; k++) prod[i * D + j]! += a2[i * D + k]! * a1[k * D + j]!;
      expectClose(prod, a12, { rtol: 1e-12, atol: 1e-14 });
    });
  }
  it('rejects bad hyper-parameters', () => {
    expect(() => maternStateSpace('matern52' as never, 1, 1, 1)).toThrow(/kernel/);
    expect(() => maternStateSpace('matern12', 0, 1, 1)).toThrow(/lengthscale/);
    expect(() => maternStateSpace('matern12', 1, -1, 1)).toThrow(/variance/);
    expect(() => maternStateSpace('matern12', 1, 1, 0)).toThrow(/rank/);
  });
});

describe('solveDense', () => {
  it('matches core solve and detects singular matrices', () => {
    const r = rng(3);
    const A = Float64Array.from({ length: 25 }, () => r.normal());
    const B = Float64Array.from({ length: 10 }, () => r.normal());
    const ours = solveDense(A, B, 5, 2);
    const ref = solve({ rows: 5, cols: 5, data: A }, { rows: 5, cols: 2, data: B });
    expectClose(ours, ref.data, { rtol: 1e-10, atol: 1e-12 });
    expect(() => solveDense(Float64Array.of(1, 2, 2, 4), Float64Array.of(1, 1), 2, 1)).toThrow(
      NumericalError,
    );
  });
});

describe('Kalman filter + RTS smoother equals dense GP regression', () => {
  for (const kernel of ['matern12', 'matern32'] as MaternKernel[]) {
    it(`${kernel}, R = 2, uneven gaps, coupled (and zero) messages; predictions at unseen times`, () => {
      const r = rng(kernel === 'matern12' ? 1 : 2);
      const R = 2;
      const ell = 0.4;
      const sig2 = 1.3;
      const times = Float64Array.of(0.05, 0.12, 0.5, 0.51, 0.9, 1.4);
      const n = times.length;
      const lam = new Float64Array(n * R * R);
      const eta = new Float64Array(n * R);
      for (let i = 0; i < n; i++) {
        if (i === 2) continue; // a time without data
        // Λ = B Bᵀ with B 2×1 (rank one: singular message, as entries give)
        const b = [r.normal(), r.normal()];
        for (let p = 0; p < R; p++) for (let q = 0; q < R; q++) lam[i * 4 + p * 2 + q] = 2 * b[p]! * b[q]!;
        for (let p = 0; p < R; p++) eta[i * R + p] = r.normal();
      }
      const ss = maternStateSpace(kernel, ell, sig2, R);
      const sm = kalmanSmoother(ss, times, lam, eta);

      const queries = [0.3, 0.505, 1.0, 2.0, -0.4];
      const all = [...times, ...queries];
      const m = all.length;
      const N = m * R; // variable (point j, function p) at j*R + p
      const K: MatrixF64 = { rows: N, cols: N, data: new Float64Array(N * N) };
      for (let i = 0; i < m; i++)
        for (let j = 0; j < m; j++)
          for (let p = 0; p < R; p++)
            K.data[(i * R + p) * N + j * R + p] = maternCovariance(kernel, ell, sig2, all[i]! - all[j]!);
      // posterior = (K⁻¹ + Λ)⁻¹ computed as K − K (I + Λ K)⁻¹ Λ K; mean = (I + K Λ)⁻¹ K η
      const L = new Float64Array(N * N);
      const e = new Float64Array(N);
      for (let i = 0; i < n; i++)
        for (let p = 0; p < R; p++) {
          e[i * R + p] = eta[i * R + p]!;
          for (let q = 0; q < R; q++) L[(i * R + p) * N + i * R + q] = lam[i * 4 + p * 2 + q]!;
        }
      const IKL = new Float64Array(N * N);
      for (let i = 0; i < N; i++)
        for (let j = 0; j < N; j++) {
          let s = i === j ? 1 : 0;
          for (let k = 0; k < N; k++) s += K.data[i * N + k]! * L[k * N + j]!;
          IKL[i * N + j] = s;
        }
      // mean = (I + KΛ)⁻¹ K η
      const Ke = new Float64Array(N);
      for (let i = 0; i < N; i++) for (let k = 0; k < N; k++) Ke[i]! += K.data[i * N + k]! * e[k]!;
      const mean = solve({ rows: N, cols: N, data: IKL }, Ke);
      // cov = (I + KΛ)⁻¹ K
      const cov = solve({ rows: N, cols: N, data: IKL }, K).data;
      cholesky(
        { rows: N, cols: N, data: Float64Array.from(cov, (v, idx) => v + (idx % (N + 1) === 0 ? 1e-12 : 0)) },
        { symmetryTolerance: 1e-6 },
      );

      const D = ss.dim;
      for (let i = 0; i < m; i++) {
        const st =
          i < n
            ? {
                mean: sm.smoothedMean.subarray(i * D, (i + 1) * D),
                cov: sm.smoothedCov.subarray(i * D * D, (i + 1) * D * D),
              }
            : stateAt(sm, all[i]!);
        for (let p = 0; p < R; p++) {
          expect(st.mean[p]!).toBeCloseTo(mean[i * R + p]!, 9);
          for (let q = 0; q < R; q++)
            expect(st.cov[p * D + q]!).toBeCloseTo(cov[(i * R + p) * N + i * R + q]!, 9);
        }
        if (i < n) {
          const again = stateAt(sm, all[i]!);
          expectClose(again.mean, st.mean, { rtol: 0, atol: 0 });
        }
      }
    });
  }
  it('rejects unsorted times and wrong message lengths', () => {
    const ss = maternStateSpace('matern12', 1, 1, 1);
    expect(() => kalmanSmoother(ss, Float64Array.of(0, 0), new Float64Array(2), new Float64Array(2))).toThrow(
      ArgumentError,
    );
    expect(() => kalmanSmoother(ss, Float64Array.of(0, 1), new Float64Array(3), new Float64Array(2))).toThrow(
      /precision/,
    );
    const sm = kalmanSmoother(ss, Float64Array.of(0, 1), new Float64Array(2), new Float64Array(2));
    expect(() => stateAt(sm, Number.NaN)).toThrow(NumericalError);
    expect(() => stateAt(sm, Number.NaN)).toThrow(/t: expected a finite number/);
    expect(() => stateAt({} as never, 0.5)).toThrow(ArgumentError);
  });
});
