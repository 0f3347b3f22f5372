import { gatherColumns, gaussLegendre, matMul, type Tensor, tf } from '@tensorloom/core';
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
export function phiHarmonic(m: number, phi: number): number {
  return m > 0 ? Math.cos(m * phi) : m === 0 ? 1 : Math.sin(-m * phi);
}

/** Azimuthal orders in (k, sign) order: 0, +1, −1, +2, −2, … */
export function mOrder(lmax: number): number[] {
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
export function thetaFactors(lmax: number, z: Float64Array): Float64Array {
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

/**
 * Constant table tensors, uploaded once and reused: XNNPACK packs the right operand of a matrix product once per
 * tensor, so a table that lives across calls is packed once. Keyed by backend (tensors belong to one).
 */
const tensorCache = new Map<string, Tensor[]>();

/** Table tensors cached per backend and key (see {@link clearGauntCache}); internal to the tensor products. */
export function cachedTensors(key: string, make: () => Tensor[]): Tensor[] {
  const k = `${tf.getBackend()}|${key}`;
  const hit = tensorCache.get(k);
  if (hit?.every((t) => !t.isDisposed)) return hit;
  const made = make().map((t) => tf.keep(t));
  tensorCache.set(k, made);
  return made;
}

/** Number of table tensors currently held by the Gaunt table cache (see {@link clearGauntCache}). */
export function gauntCacheSize(): number {
  let n = 0;
  for (const ts of tensorCache.values()) n += ts.filter((t) => !t.isDisposed).length;
  return n;
}

/**
 * Disposes the constant table tensors the Gaunt tensor product keeps between calls (sphere-grid synthesis and
 * projection matrices, one set per degree combination and backend). They are rebuilt on the next call; the
 * float64-derived host tables stay cached. Call it to free memory, or inside a tensor-leak check.
 */
export function clearGauntCache(): void {
  for (const ts of tensorCache.values()) tf.dispose(ts);
  tensorCache.clear();
}

/** Synthesis matrix [(lmax+1)², nθ·nφ] of a factor of degree `lmax` on the grid of a product of total degree `total`. */
function synthesisTensor(lmax: number, total: number, lmaxOut: number): Tensor {
  return cachedTensors(`syn:${lmax},${total},${lmaxOut}`, () => {
    const t = sphereGridTables(lmax, total, lmaxOut);
    return [tf.tensor2d(t.synthesis, [shDim(lmax), t.nTheta * t.nPhi])];
  })[0] as Tensor;
}

/**
 * Gaunt product of `a` [N, (l1+1)²] and `b` [N, (l2+1)²] onto degrees ≤ lmaxOut, [N, (lmaxOut+1)²], fully fused:
 * two synthesis products, a pointwise product and one dense projection product [nθ·nφ, (Lout+1)²] (φ analysis
 * and θ quadrature folded together). Three matrix kernels in all; O(L⁴) flops per sample. Call inside `tf.tidy`.
 */
export function gauntSphereGridMatrix(a: Tensor, b: Tensor, l1: number, l2: number, lmaxOut: number): Tensor {
  const total = l1 + l2;
  const s1 = synthesisTensor(l1, total, lmaxOut);
  const s2 = synthesisTensor(l2, total, lmaxOut);
  return matMul(tf.mul(matMul(a, s1), matMul(b, s2)), projectionTensor(total, lmaxOut));
}

/** Dense projection [nθ·nφ, (Lout+1)²] from the grid of a product of total degree `total` (cached tensor). */
function projectionTensor(total: number, lmaxOut: number): Tensor {
  return cachedTensors(`proj:${total},${lmaxOut}`, () => {
    const t = sphereGridTables(0, total, lmaxOut);
    return [tf.tensor2d(t.projection, [t.nTheta * t.nPhi, shDim(lmaxOut)])];
  })[0] as Tensor;
}

/**
 * {@link sphereGridTables} as cached tensors (synthesis [(lmax+1)², nθ·nφ], projection [nθ·nφ, (Lout+1)²]);
 * owned by the Gaunt table cache: do not dispose them, use {@link clearGauntCache}.
 */
export function sphereGridTensors(
  lmax: number,
  total: number,
  lmaxOut: number,
): { nTheta: number; nPhi: number; synthesis: Tensor; projection: Tensor } {
  const { nTheta, nPhi } = sphereGridSize(total, 0, lmaxOut);
  return {
    nTheta,
    nPhi,
    synthesis: synthesisTensor(lmax, total, lmaxOut),
    projection: projectionTensor(total, lmaxOut),
  };
}

/** Parity-split grid tables (see {@link gauntSphereGridParity}). */
interface ParityTables {
  nTheta: number;
  /** Half the (even) number of φ samples: the grid is split into φ_j and φ_j + π, j < half. */
  half: number;
}

function parityGrid(d: number): ParityTables {
  const nTheta = Math.floor(d / 2) + 1;
  const nPhi = d % 2 === 1 ? d + 1 : d + 2; // even, ≥ d + 1
  return { nTheta, half: nPhi / 2 };
}

/** Row/column value Y_f(θ_i, φ_j) on the half grid, f the flat index, as [i·half + j]. */
function halfGridValues(
  lmax: number,
  d: number,
): { values: Float64Array[]; weights: Float64Array; nPhi: number } {
  const { nTheta, half } = parityGrid(d);
  const nPhi = 2 * half;
  const rule = gaussLegendre(nTheta);
  const dim = shDim(lmax);
  const y = thetaFactors(lmax, rule.nodes);
  const values: Float64Array[] = [];
  for (let l = 0; l <= lmax; l++)
    for (let m = -l; m <= l; m++) {
      const v = new Float64Array(nTheta * half);
      const col = l * l + l + Math.abs(m);
      for (let i = 0; i < nTheta; i++)
        for (let j = 0; j < half; j++)
          v[i * half + j] = (y[i * dim + col] as number) * phiHarmonic(m, (2 * Math.PI * j) / nPhi);
      values.push(v);
    }
  return { values, weights: rule.weights, nPhi };
}

/** Synthesis of degree `lmax` on the half grid of total degree d: [even f rows; odd f rows], each [⌈dim/2⌉, nθ·half]. */
function paritySynthesis(lmax: number, d: number): Tensor[] {
  return cachedTensors(`psyn:${lmax},${d}`, () => {
    const { values } = halfGridValues(lmax, d);
    const { nTheta, half } = parityGrid(d);
    const G = nTheta * half;
    const rows = Math.ceil(shDim(lmax) / 2);
    return [0, 1].map((parity) => {
      const t = new Float32Array(rows * G);
      for (let r = 0; r < rows; r++) {
        const v = values[2 * r + parity];
        if (v) for (let c = 0; c < G; c++) t[r * G + c] = v[c] as number;
      }
      return tf.tensor2d(t, [rows, G]);
    });
  });
}

/** Projection onto degrees ≤ lmaxOut from the half grid: even-f and odd-f columns, each [nθ·half, ⌈dOut/2⌉]. */
function parityProjection(lmaxOut: number, d: number): Tensor[] {
  return cachedTensors(`pproj:${lmaxOut},${d}`, () => {
    const { values, weights, nPhi } = halfGridValues(lmaxOut, d);
    const { nTheta, half } = parityGrid(d);
    const G = nTheta * half;
    const D2 = Math.ceil(shDim(lmaxOut) / 2);
    return [0, 1].map((parity) => {
      const t = new Float32Array(G * D2);
      for (let r = 0; r < D2; r++) {
        const v = values[2 * r + parity];
        if (!v) continue;
        for (let i = 0; i < nTheta; i++)
          for (let j = 0; j < half; j++)
            t[(i * half + j) * D2 + r] =
              ((4 * Math.PI) / nPhi) * (weights[i] as number) * (v[i * half + j] as number);
      }
      return tf.tensor2d(t, [G, D2]);
    });
  });
}

/** De-interleaves [N, dim] into even and odd flat indices, each [N, ⌈dim/2⌉] (a zero pads odd dim). */
function splitParity(x: Tensor): [Tensor, Tensor] {
  const N = x.shape[0] as number;
  const dim = x.shape[1] as number;
  const padded =
    dim % 2 === 1
      ? tf.pad(x, [
          [0, 0],
          [0, 1],
        ])
      : x;
  const D2 = Math.ceil(dim / 2);
  return tf.unstack(tf.transpose(tf.reshape(padded, [N, D2, 2]), [2, 0, 1])) as [Tensor, Tensor];
}

/**
 * The fused sphere-grid product with its φ → φ + π symmetry folded in. Real SH satisfy
 * Y_lm(θ, φ + π) = (−1)^m Y_lm(θ, φ), and m ≡ l² + l + m (mod 2), so the even and odd flat indices (a stride-2
 * split: a reshape and a transpose, no gather) are the even- and odd-m parts A, B of a function with
 * f(φ) = A + B, f(φ + π) = A − B. With the grid split into φ_j and φ_j + π, the product's sum and difference over
 * the pairs are 2(A_a A_b + B_a B_b) and 2(A_a B_b + B_a A_b), which project onto even and odd m respectively.
 * Every matrix is half as wide (synthesis) or half as tall (projection) as the fused dense one: half the flops,
 * same exactness (nφ is even and ≥ l1 + l2 + lmaxOut + 1; nθ Gauss–Legendre nodes as before). Call inside
 * `tf.tidy`.
 */
export function gauntSphereGridParity(a: Tensor, b: Tensor, l1: number, l2: number, lmaxOut: number): Tensor {
  const d = l1 + l2 + lmaxOut;
  const N = a.shape[0] as number;
  const [s1e, s1o] = paritySynthesis(l1, d) as [Tensor, Tensor];
  const [s2e, s2o] = paritySynthesis(l2, d) as [Tensor, Tensor];
  const [pe, po] = parityProjection(lmaxOut, d) as [Tensor, Tensor];
  const [ae, ao] = splitParity(a);
  const [be, bo] = splitParity(b);
  const Aa = matMul(ae, s1e);
  const Ba = matMul(ao, s1o);
  const Ab = matMul(be, s2e);
  const Bb = matMul(bo, s2o);
  const even = matMul(tf.add(tf.mul(Aa, Ab), tf.mul(Ba, Bb)), pe);
  const odd = matMul(tf.add(tf.mul(Aa, Bb), tf.mul(Ba, Ab)), po);
  const D2 = even.shape[1] as number;
  const dOut = shDim(lmaxOut);
  const woven = tf.reshape(tf.transpose(tf.reshape(tf.concat([even, odd], 1), [N, 2, D2]), [0, 2, 1]), [
    N,
    2 * D2,
  ]);
  return 2 * D2 === dOut ? woven : tf.slice(woven, [0, 0], [N, dOut]);
}

/** Number of |m| blocks of the grouped (`separable`) projection. */
const SEPARABLE_GROUPS = 3;

/** Per |m| group: φ analysis [nφ, width] and θ projection [nθ·width, rows]. */
function separableTensors(total: number, lmaxOut: number): Tensor[] {
  return cachedTensors(`sep:${total},${lmaxOut}`, () => {
    const plan = sphereGridPlan(total, 0, lmaxOut, SEPARABLE_GROUPS);
    const Mo = 2 * lmaxOut + 1;
    const out: Tensor[] = [];
    for (const g of plan.outGroups) {
      const phi = new Float32Array(plan.nPhi * g.width);
      for (let j = 0; j < plan.nPhi; j++)
        for (let c = 0; c < g.width; c++)
          phi[j * g.width + c] = plan.phiOut[j * Mo + g.mOffset + c] as number;
      out.push(tf.tensor2d(phi, [plan.nPhi, g.width]), tf.tensor2d(g.theta, [plan.nTheta * g.width, g.rows]));
    }
    return out;
  });
}

/**
 * The same product with the projection split into blocks of azimuthal order |m| (fewer flops: each block's θ
 * projection only touches its own m columns): per block one φ-analysis product and one θ product, then the
 * blocks are concatenated and put back in flat order by one column gather. Call inside `tf.tidy`.
 */
export function gauntSphereGridSeparable(
  a: Tensor,
  b: Tensor,
  l1: number,
  l2: number,
  lmaxOut: number,
): Tensor {
  const total = l1 + l2;
  const N = a.shape[0] as number;
  const { nTheta, nPhi } = sphereGridSize(l1, l2, lmaxOut);
  const h = tf.reshape(
    tf.mul(matMul(a, synthesisTensor(l1, total, lmaxOut)), matMul(b, synthesisTensor(l2, total, lmaxOut))),
    [N * nTheta, nPhi],
  );
  const tables = separableTensors(total, lmaxOut);
  const parts: Tensor[] = [];
  for (let g = 0; g < tables.length; g += 2) {
    const phi = tables[g] as Tensor;
    const width = phi.shape[1] as number;
    parts.push(matMul(tf.reshape(matMul(h, phi), [N, nTheta * width]), tables[g + 1] as Tensor));
  }
  if (parts.length === 1) return parts[0] as Tensor;
  return gatherColumns(tf.concat(parts, 1), sphereGridPlan(total, 0, lmaxOut, SEPARABLE_GROUPS).outOrder);
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
