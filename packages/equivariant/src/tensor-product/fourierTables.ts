import { assertInteger } from '@tensorloom/core';
import { sphericalHarmonicsArray } from '../sh/sphericalHarmonics.js';

/**
 * θ-Fourier coefficients of the standard real SH: Y_lm(θ, φ) = f_lm(θ)·g_m(φ) with g = cos(mφ), 1, sin(|m|φ)
 * and f_lm(θ) = Σ_{u=−l..l} a^{lm}_u e^{iuθ} on θ ∈ [0, 2π) (sin θ signed). f depends on |m| only.
 * Returned as `re`/`im` arrays indexed [l, k = |m|, u + L] with L = lmax.
 */
export interface ThetaCoefficients {
  lmax: number;
  re: Float64Array;
  im: Float64Array;
}

const thetaCache = new Map<number, ThetaCoefficients>();

/** Index of a^{l,k}_u in {@link ThetaCoefficients}. */
export function thetaIndex(lmax: number, l: number, k: number, u: number): number {
  return (l * (lmax + 1) + k) * (2 * lmax + 1) + u + lmax;
}

/**
 * Computes the θ-Fourier coefficients exactly (to rounding) by a DFT of N = 2·lmax+1 samples of the
 * trigonometric polynomial f_lm(θ) (degree ≤ l ≤ lmax, so the DFT has no aliasing), in float64.
 */
export function thetaCoefficients(lmax: number): ThetaCoefficients {
  assertInteger(lmax, 'lmax', { min: 0 });
  const hit = thetaCache.get(lmax);
  if (hit) return hit;
  const n = 2 * lmax + 1;
  const dim = (lmax + 1) * (lmax + 1);
  const points = new Float64Array(3 * n);
  for (let j = 0; j < n; j++) {
    const theta = (2 * Math.PI * j) / n;
    points[3 * j] = Math.sin(theta);
    points[3 * j + 2] = Math.cos(theta);
  }
  // At φ = 0: Y_{l,k} (k ≥ 0) = f_{l,k}(θ).
  const y = sphericalHarmonicsArray(lmax, points);
  const size = (lmax + 1) * (lmax + 1) * n;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  const cos = Float64Array.from({ length: n }, (_, j) => Math.cos((2 * Math.PI * j) / n));
  const sin = Float64Array.from({ length: n }, (_, j) => Math.sin((2 * Math.PI * j) / n));
  for (let l = 0; l <= lmax; l++) {
    for (let k = 0; k <= l; k++) {
      const col = l * l + l + k;
      for (let u = -l; u <= l; u++) {
        let sr = 0;
        let si = 0;
        for (let j = 0; j < n; j++) {
          const f = y[j * dim + col] as number;
          const idx = (((u * j) % n) + n) % n;
          sr += f * (cos[idx] as number);
          si -= f * (sin[idx] as number);
        }
        // Exact zeros by parity: real even for even k, imaginary odd for odd k; u ≡ l (mod 2).
        const i = thetaIndex(lmax, l, k, u);
        if ((u - l) % 2 !== 0) continue;
        if (k % 2 === 0) re[i] = sr / n;
        else im[i] = si / n;
      }
    }
  }
  const result = { lmax, re, im };
  thetaCache.set(lmax, result);
  return result;
}

/**
 * The 2-D Fourier coefficient y^{lm}_{u,v} of the real SH Y_lm: Y_lm = Σ_{u,v} y_{u,v} e^{i(uθ + vφ)}.
 * Returns [re, im].
 */
export function shFourierCoefficient(
  table: ThetaCoefficients,
  l: number,
  m: number,
  u: number,
  v: number,
): [number, number] {
  const k = Math.abs(m);
  if (Math.abs(v) !== k || Math.abs(u) > l) return [0, 0];
  const i = thetaIndex(table.lmax, l, k, u);
  const ar = table.re[i] as number;
  const ai = table.im[i] as number;
  if (k === 0) return [ar, ai];
  if (m > 0) return [ar / 2, ai / 2];
  // sin(kφ) = (e^{ikφ} − e^{−ikφ}) / 2i: v = +k → a/(2i) = −i a/2; v = −k → +i a/2.
  return v > 0 ? [ai / 2, -ar / 2] : [-ai / 2, ar / 2];
}

/** I(k) = ∫_0^π e^{ikθ} sin θ dθ as [re, im]. */
export function sinIntegral(k: number): [number, number] {
  if (k === 1) return [0, Math.PI / 2];
  if (k === -1) return [0, -Math.PI / 2];
  if (k % 2 !== 0) return [0, 0];
  return [2 / (1 - k * k), 0];
}
