import { ArgumentError, assertInteger } from '@tensorloom/core';
import { clebschGordan } from './exact.js';

/** e3nn's real→complex change of basis `q` (with the (−i)^l factor), as separate real/imag row-major arrays. */
function changeBasis(l: number): { re: Float64Array; im: Float64Array } {
  const d = 2 * l + 1;
  const re = new Float64Array(d * d);
  const im = new Float64Array(d * d);
  const s = Math.SQRT1_2;
  const set = (r: number, c: number, vr: number, vi: number): void => {
    re[r * d + c] = vr;
    im[r * d + c] = vi;
  };
  for (let m = -l; m < 0; m++) {
    set(l + m, l - m, s, 0);
    set(l + m, l + m, 0, -s);
  }
  set(l, l, 1, 0);
  for (let m = 1; m <= l; m++) {
    const sign = m % 2 === 0 ? 1 : -1;
    set(l + m, l + m, sign * s, 0);
    set(l + m, l - m, 0, sign * s);
  }
  // multiply by (−i)^l
  const k = l % 4;
  const [fr, fi] = k === 0 ? [1, 0] : k === 1 ? [0, -1] : k === 2 ? [-1, 0] : [0, 1];
  for (let i = 0; i < d * d; i++) {
    const r = re[i] as number;
    const v = im[i] as number;
    re[i] = r * fr - v * fi;
    im[i] = r * fi + v * fr;
  }
  return { re, im };
}

const cache = new Map<string, Float64Array>();

/** Validates a triple of degrees for {@link wigner3j}. */
function checkTriple(l1: number, l2: number, l3: number): void {
  assertInteger(l1, 'l1', { min: 0 });
  assertInteger(l2, 'l2', { min: 0 });
  assertInteger(l3, 'l3', { min: 0 });
  if (l3 < Math.abs(l1 - l2) || l3 > l1 + l2) {
    throw new ArgumentError(
      `wigner3j: (l1, l2, l3) = (${l1}, ${l2}, ${l3}) violates the triangle rule |l1−l2| ≤ l3 ≤ l1+l2`,
    );
  }
}

/** Internal: the cached array (do not mutate). */
export function wigner3jShared(l1: number, l2: number, l3: number): Float64Array {
  const key = `${l1},${l2},${l3}`;
  const hit = cache.get(key);
  if (hit) return hit;
  checkTriple(l1, l2, l3);
  const d1 = 2 * l1 + 1;
  const d2 = 2 * l2 + 1;
  const d3 = 2 * l3 + 1;
  const n = d1 * d2 * d3;
  // SU(2) CG in the complex basis: C[i,k,n] = ⟨l1 m1 l2 m2 | l3 m3⟩.
  let re = new Float64Array(n);
  let im = new Float64Array(n);
  for (let m1 = -l1; m1 <= l1; m1++) {
    for (let m2 = -l2; m2 <= l2; m2++) {
      const m3 = m1 + m2;
      if (Math.abs(m3) > l3) continue;
      re[((m1 + l1) * d2 + (m2 + l2)) * d3 + m3 + l3] = clebschGordan(l1, m1, l2, m2, l3, m3);
    }
  }
  // e3nn: einsum("ij,kl,mn,ikn->jlm", Q1, Q2, conj(Q3ᵀ), C), applied one axis at a time.
  const dims = [d1, d2, d3];
  const qs = [changeBasis(l1), changeBasis(l2), changeBasis(l3)];
  for (let axis = 0; axis < 3; axis++) {
    const q = qs[axis] as { re: Float64Array; im: Float64Array };
    const conj = axis === 2 ? -1 : 1;
    const d = dims[axis] as number;
    const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
    const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
    const nre = new Float64Array(n);
    const nim = new Float64Array(n);
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < d; j++) {
        for (let i = 0; i < d; i++) {
          const qr = q.re[i * d + j] as number;
          const qi = conj * (q.im[i * d + j] as number);
          if (qr === 0 && qi === 0) continue;
          const src = (o * d + i) * inner;
          const dst = (o * d + j) * inner;
          for (let t = 0; t < inner; t++) {
            const cr = re[src + t] as number;
            const ci = im[src + t] as number;
            nre[dst + t] = (nre[dst + t] as number) + qr * cr - qi * ci;
            nim[dst + t] = (nim[dst + t] as number) + qr * ci + qi * cr;
          }
        }
      }
    }
    re = nre;
    im = nim;
  }
  let norm = 0;
  for (let i = 0; i < n; i++) norm += (re[i] as number) ** 2;
  norm = Math.sqrt(norm);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (re[i] as number) / norm;
  cache.set(key, out);
  return out;
}

/**
 * e3nn's real Wigner 3j tensor `wigner_3j(l1, l2, l3)`: the rotation-invariant tensor of shape
 * (2l1+1, 2l2+1, 2l3+1), row-major, unit Frobenius norm, with e3nn's sign. Built as e3nn does (SU(2)
 * Clebsch–Gordan coefficients taken to the real basis with e3nn's change of basis), in float64, cached.
 * Defined for every triple satisfying the triangle rule, odd l1+l2+l3 included (e.g. the Levi-Civita tensor
 * for 1,1,1). Invariant in both the e3nn and the standard real SH bases.
 *
 * @throws {@link ArgumentError} for negative/non-integer degrees or a triple violating the triangle rule
 *
 * @example
 * ```ts
 * const c = wigner3j(1, 1, 0); // δ_ij / √3
 * ```
 */
export function wigner3j(l1: number, l2: number, l3: number): Float64Array {
  checkTriple(l1, l2, l3);
  return wigner3jShared(l1, l2, l3).slice();
}
