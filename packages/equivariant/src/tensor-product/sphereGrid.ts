import { gaussLegendre, matMul, type Tensor, tf } from '@tensorloom/core';
import { shDim, sphericalHarmonicsArray } from '../sh/sphericalHarmonics.js';

/**
 * The Gaunt product in the real sampled-grid domain of the sphere: SH → values on a Gauss–Legendre (cos θ) ×
 * uniform (φ) grid, pointwise product, grid → SH by exact quadrature. This is the paper's Fourier route with the
 * redundancy of the (θ, φ) ∈ [0, 2π)² torus removed: the torus doubly covers the sphere, and real inputs have
 * Hermitian spectra, so the real half-grid θ ∈ (0, π) carries the same information in half the samples.
 *
 * Exactness: the product h of degrees ≤ l1, l2 is a polynomial of degree l1 + l2 on the sphere; its projection
 * onto Y_lm (l ≤ lmaxOut) integrates, after the φ sum, a polynomial of degree l1 + l2 + lmaxOut in cos θ, which
 * nθ = ⌈(l1 + l2 + lmaxOut + 1) / 2⌉ Gauss–Legendre nodes integrate exactly; nφ = l1 + l2 + lmaxOut + 1 uniform
 * φ samples integrate every trigonometric product h·g_m without aliasing.
 *
 * Every stage is a plain 2-D matrix product (core's XNNPACK path on WASM). The θ stages are block-sparse in the
 * azimuthal order |m|; they are split into `groups` contiguous blocks of |m|, each a dense 2-D product: one group
 * is the fully fused (dense) form with the fewest kernels, L + 1 groups the O(L³) form with the fewest flops.
 */

/** Real φ-harmonic g_m(φ): cos(mφ) (m > 0), 1 (m = 0), sin(|m|φ) (m < 0). */
function phiHarmonic(m: number, phi: number): number {
  return m > 0 ? Math.cos(m * phi) : m === 0 ? 1 : Math.sin(-m * phi);
}

/** Azimuthal orders in (k, sign) order: 0, +1, −1, +2, −2, … */
function mOrder(lmax: number): number[] {
  const out = [0];
  for (let k = 1; k <= lmax; k++) out.push(k, -k);
  return out;
}

/** Splits k = 0..lmax into `groups` contiguous ranges [k0, k1) of roughly equal flops (∝ coefficient count). */
function kGroups(lmax: number, groups: number): [number, number][] {
  const g = Math.max(1, Math.min(groups, lmax + 1));
  const cost = (k: number): number => (k === 0 ? 1 : 2) * (lmax + 1 - k);
  let total = 0;
  for (let k = 0; k <= lmax; k++) total += cost(k);
  const bounds = [0];
  let acc = 0;
  for (let k = 0; k <= lmax && bounds.length < g; k++) {
    acc += cost(k);
    const remainingK = lmax - k; // k values after this one
    const needed = g - bounds.length; // boundaries still to place
    if (acc >= (total * bounds.length) / g || remainingK <= needed) {
      if (remainingK >= needed && remainingK > 0) bounds.push(k + 1);
    }
  }
  bounds.push(lmax + 1);
  return bounds.slice(0, -1).map((b, i) => [b, bounds[i + 1] as number]);
}

interface OutputGroup {
  /** First azimuthal column (in (k, sign) order) of this group. */
  mOffset: number;
  width: number;
  rows: number;
  /** [nθ·width, rows]. */
  theta: Float32Array;
}

/** Precomputed float32 tables of one sphere-grid Gaunt product (cached per (l1, l2, lmaxOut, groups)). */
export interface SphereGridPlan {
  nTheta: number;
  nPhi: number;
  /** Per input: the fused synthesis matrix [(L+1)², nθ·nφ] (row = flat SH index, column = (i, j)). */
  inputs: { lmax: number; synthesis: Float32Array }[];
  /** [nφ, 2Lout+1 ((k, sign) order)], includes the 2π/nφ quadrature weight. */
  phiOut: Float32Array;
  outGroups: OutputGroup[];
  /** Position in the (k, sign, l)-ordered output of each flat output index. */
  outOrder: Int32Array;
}

const planCache = new Map<string, SphereGridPlan>();

/** Grid sizes for an exact product of degrees l1, l2 projected onto degrees ≤ lmaxOut. */
export function sphereGridSize(l1: number, l2: number, lmaxOut: number): { nTheta: number; nPhi: number } {
  const d = l1 + l2 + lmaxOut;
  return { nTheta: Math.floor(d / 2) + 1, nPhi: d + 1 };
}

/** Associated θ factors F[l, k, i] = Y_{l,k}(θ_i, φ = 0) at the nodes, [(L+1)², n] by flat index l²+l+k. */
function thetaFactors(lmax: number, z: Float64Array): Float64Array {
  const n = z.length;
  const points = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    const zi = z[i] as number;
    points[3 * i] = Math.sqrt(Math.max(0, 1 - zi * zi));
    points[3 * i + 2] = zi;
  }
  return sphericalHarmonicsArray(lmax, points); // [n, dim]
}

/** Builds (and caches) the plan; O(L⁴) float64 work at most. */
export function sphereGridPlan(l1: number, l2: number, lmaxOut: number, groups: number): SphereGridPlan {
  const key = `${l1},${l2},${lmaxOut},${groups}`;
  const hit = planCache.get(key);
  if (hit) return hit;
  const { nTheta, nPhi } = sphereGridSize(l1, l2, lmaxOut);
  const rule = gaussLegendre(nTheta);
  const phis = Float64Array.from({ length: nPhi }, (_, j) => (2 * Math.PI * j) / nPhi);
  const inputs = [l1, l2].map((lmax) => {
    const dim = shDim(lmax);
    const y = thetaFactors(lmax, rule.nodes);
    const synthesis = new Float32Array(dim * nTheta * nPhi);
    for (let l = 0; l <= lmax; l++)
      for (let m = -l; m <= l; m++) {
        const row = l * l + l + m;
        const col = l * l + l + Math.abs(m);
        for (let i = 0; i < nTheta; i++) {
          const f = y[i * dim + col] as number;
          for (let j = 0; j < nPhi; j++)
            synthesis[(row * nTheta + i) * nPhi + j] = f * phiHarmonic(m, phis[j] as number);
        }
      }
    return { lmax, synthesis };
  });
  const dOut = shDim(lmaxOut);
  const yo = thetaFactors(lmaxOut, rule.nodes);
  const mo = mOrder(lmaxOut);
  const phiOut = new Float32Array(nPhi * mo.length);
  for (let j = 0; j < nPhi; j++)
    mo.forEach((m, r) => {
      phiOut[j * mo.length + r] = ((2 * Math.PI) / nPhi) * phiHarmonic(m, phis[j] as number);
    });
  const ranges = kGroups(lmaxOut, groups);
  const outIdx: number[] = [];
  let mOffset = 0;
  const outGroups: OutputGroup[] = ranges.map(([k0, k1]) => {
    const gm = mo.filter((m) => Math.abs(m) >= k0 && Math.abs(m) < k1);
    const width = gm.length;
    const cols: number[] = [];
    if (ranges.length === 1) for (let a = 0; a < dOut; a++) cols.push(a);
    else for (const m of gm) for (let l = Math.abs(m); l <= lmaxOut; l++) cols.push(l * l + l + m);
    outIdx.push(...cols);
    const theta = new Float32Array(nTheta * width * cols.length);
    cols.forEach((flat, r) => {
      const l = Math.floor(Math.sqrt(flat));
      const m = flat - l * l - l;
      const c = gm.indexOf(m);
      const col = l * l + l + Math.abs(m);
      for (let i = 0; i < nTheta; i++)
        theta[(i * width + c) * cols.length + r] =
          (rule.weights[i] as number) * (yo[i * dOut + col] as number);
    });
    const g = { mOffset, width, rows: cols.length, theta };
    mOffset += width;
    return g;
  });
  const outOrder = new Int32Array(dOut);
  outIdx.forEach((flat, pos) => {
    outOrder[flat] = pos;
  });
  const plan: SphereGridPlan = { nTheta, nPhi, inputs, phiOut, outGroups, outOrder };
  planCache.set(key, plan);
  return plan;
}

/** SH [N, (L+1)²] → grid values [N·nθ, nφ]: one product with the fused (θ ⊗ φ) synthesis matrix. */
function evaluate(x: Tensor, input: SphereGridPlan['inputs'][number], nTheta: number, nPhi: number): Tensor {
  const N = x.shape[0] as number;
  const d = shDim(input.lmax);
  return tf.reshape(matMul(x, tf.tensor2d(input.synthesis, [d, nTheta * nPhi])), [N * nTheta, nPhi]);
}

/** Grid values [N·nθ, nφ] → SH [N, (Lout+1)²]. */
function project(h: Tensor, plan: SphereGridPlan, N: number, lmaxOut: number): Tensor {
  const Mo = 2 * lmaxOut + 1;
  const { nTheta, nPhi } = plan;
  const H = tf.reshape(matMul(h, tf.tensor2d(plan.phiOut, [nPhi, Mo])), [N, nTheta, Mo]);
  const single = plan.outGroups.length === 1;
  const parts = plan.outGroups.map((g) => {
    const hg = single ? H : tf.slice(H, [0, 0, g.mOffset], [N, nTheta, g.width]);
    return matMul(tf.reshape(hg, [N, nTheta * g.width]), tf.tensor2d(g.theta, [nTheta * g.width, g.rows]));
  });
  if (single) return parts[0] as Tensor;
  return tf.gather(tf.concat(parts, 1), tf.tensor1d(plan.outOrder, 'int32'), 1);
}

/**
 * Gaunt product of `a` [N, (l1+1)²] and `b` [N, (l2+1)²] onto degrees ≤ lmaxOut, [N, (lmaxOut+1)²], on the
 * sphere grid (call inside `tf.tidy`).
 */
export function gauntSphereGrid(
  a: Tensor,
  b: Tensor,
  l1: number,
  l2: number,
  lmaxOut: number,
  groups: number,
): Tensor {
  const plan = sphereGridPlan(l1, l2, lmaxOut, groups);
  const N = a.shape[0] as number;
  const fa = evaluate(a, plan.inputs[0] as SphereGridPlan['inputs'][number], plan.nTheta, plan.nPhi);
  const fb = evaluate(b, plan.inputs[1] as SphereGridPlan['inputs'][number], plan.nTheta, plan.nPhi);
  return project(tf.mul(fa, fb), plan, N, lmaxOut);
}

/**
 * Dense sphere-grid tables for a product whose factors have total degree `total`, projected onto degrees ≤
 * lmaxOut: synthesis [(lmax+1)², nθ·nφ] of one factor of degree lmax and projection [nθ·nφ, (lmaxOut+1)²].
 * Used for ν-fold self-products, where the product of ν factors of degree L is sampled once and raised to a power.
 */
export function sphereGridTables(
  lmax: number,
  total: number,
  lmaxOut: number,
): { nTheta: number; nPhi: number; synthesis: Float32Array; projection: Float32Array } {
  // the plan for (lmax, total − lmax) has exactly the grid an order-`total` product needs
  const plan = sphereGridPlan(lmax, total - lmax, lmaxOut, 1);
  const og = plan.outGroups[0] as OutputGroup;
  const key = `${total},${lmaxOut}`;
  let projection = denseProjectionCache.get(key);
  if (!projection) {
    // fuse φ analysis [nφ, Mo] with the θ projection [nθ·Mo, dOut] into [nθ·nφ, dOut]
    const { nTheta, nPhi } = plan;
    const Mo = 2 * lmaxOut + 1;
    const dOut = og.rows;
    projection = new Float32Array(nTheta * nPhi * dOut);
    for (let i = 0; i < nTheta; i++)
      for (let j = 0; j < nPhi; j++)
        for (let r = 0; r < Mo; r++) {
          const p = plan.phiOut[j * Mo + r] as number;
          if (p === 0) continue;
          for (let c = 0; c < dOut; c++)
            projection[(i * nPhi + j) * dOut + c] =
              (projection[(i * nPhi + j) * dOut + c] as number) +
              p * (og.theta[(i * Mo + r) * dOut + c] as number);
        }
    denseProjectionCache.set(key, projection);
  }
  return {
    nTheta: plan.nTheta,
    nPhi: plan.nPhi,
    synthesis: (plan.inputs[0] as SphereGridPlan['inputs'][number]).synthesis,
    projection,
  };
}

const denseProjectionCache = new Map<string, Float32Array>();
