import {
  ArgumentError,
  assertInteger,
  assertOneOf,
  batchMatMul,
  fft2d,
  gatherColumns,
  ifft2d,
  matMul,
  ShapeError,
  type Tensor,
  tf,
} from '@tensorloom/core';
import { gauntCoefficient } from '../coefficients/exact.js';
import { lmaxFromDim, shDim } from '../sh/sphericalHarmonics.js';
import { gauntSphereGridBlocked } from './blocked.js';
import { shFourierCoefficient, sinIntegral, thetaCoefficients } from './fourierTables.js';
import { gauntSphereGridMatrix, gauntSphereGridParity, gauntSphereGridSeparable } from './sphereGrid.js';

/** Precomputed float64→float32 tables of one SH → 2-D Fourier conversion (degree `lmax`). */
interface Sh2FourierPlan {
  lmax: number;
  /** Column gather of the input, −1 for a zero column: [2L+1 (v), 2(L+1)]. */
  gatherColumns: Int32Array;
  /** [2L+1 (v), 2(L+1), 2(2L+1)]: (c_{l,|v|}, c_{l,−|v|}) → (Re, Im) of F[u, v]. */
  table: Float32Array;
}

/** Precomputed Fourier → SH projection tables. */
interface Fourier2ShPlan {
  lmaxOut: number;
  /** Half-width of the input grid: s, t ∈ [−half, half]. */
  half: number;
  /** [Lout+1 (k), 4n, 2(Lout+1)]. */
  table: Float32Array;
  /** Flat output index ← position in [k, 2(Lout+1)]. */
  gather: Int32Array;
}

const sh2fCache = new Map<number, Sh2FourierPlan>();
const f2shCache = new Map<string, Fourier2ShPlan>();

/**
 * Builds (and caches) the SH → 2-D Fourier plan of degree `lmax`: F[u, v] = Σ_{l,m} c_lm y^{lm}_{u,v}, with
 * u, v ∈ [−lmax, lmax]. Sparse by construction (v = ±m only): one (2(L+1) × 2(2L+1)) block per v, O(L³).
 */
function sh2fPlan(lmax: number): Sh2FourierPlan {
  const hit = sh2fCache.get(lmax);
  if (hit) return hit;
  const theta = thetaCoefficients(lmax);
  const L = lmax;
  const V = 2 * L + 1;
  const P = 2 * (L + 1);
  const Q = 2 * V;
  const dim = shDim(L);
  const gather = new Int32Array(V * P);
  const table = new Float32Array(V * P * Q);
  for (let vi = 0; vi < V; vi++) {
    const v = vi - L;
    const k = Math.abs(v);
    for (let l = 0; l <= L; l++) {
      gather[vi * P + l] = l >= k ? l * l + l + k : dim;
      gather[vi * P + L + 1 + l] = l >= k && k > 0 ? l * l + l - k : dim;
      if (l < k) continue;
      for (const [row, m] of k > 0
        ? ([
            [l, k],
            [L + 1 + l, -k],
          ] as const)
        : ([[l, 0]] as const)) {
        for (let u = -l; u <= l; u++) {
          const [re, im] = shFourierCoefficient(theta, l, m, u, v);
          table[(vi * P + row) * Q + u + L] = re;
          table[(vi * P + row) * Q + V + u + L] = im;
        }
      }
    }
  }
  const plan = { lmax, gatherColumns: gather.map((k) => (k === dim ? -1 : k)), table };
  sh2fCache.set(lmax, plan);
  return plan;
}

/**
 * Builds (and caches) the Fourier → SH projection: c_lm = Re Σ_{s,t} z_{s,t} W^{lm}_{s,t} with
 * W^{lm}_{s,t} = 2π Σ_u y^{lm}_{u,−t} I(s+u), I(k) = ∫_0^π e^{ikθ} sin θ dθ (closed form).
 */
function f2shPlan(lmaxOut: number, half: number): Fourier2ShPlan {
  const key = `${lmaxOut},${half}`;
  const hit = f2shCache.get(key);
  if (hit) return hit;
  const theta = thetaCoefficients(lmaxOut);
  const n = 2 * half + 1;
  const K = lmaxOut + 1;
  const R = 4 * n;
  const C = 2 * (lmaxOut + 1);
  const table = new Float32Array(K * R * C);
  const gather = new Int32Array(shDim(lmaxOut));
  for (let l = 0; l <= lmaxOut; l++) {
    for (let m = -l; m <= l; m++) {
      const k = Math.abs(m);
      const col = m >= 0 ? l : lmaxOut + 1 + l;
      gather[l * l + l + m] = k * C + col;
      const ts = k === 0 ? [0] : [k, -k];
      for (const [ti, t] of ts.entries()) {
        for (let s = -half; s <= half; s++) {
          let wr = 0;
          let wi = 0;
          for (let u = -l; u <= l; u++) {
            const [yr, yi] = shFourierCoefficient(theta, l, m, u, -t);
            if (yr === 0 && yi === 0) continue;
            const [ir, ii] = sinIntegral(s + u);
            wr += yr * ir - yi * ii;
            wi += yr * ii + yi * ir;
          }
          const si = s + half;
          table[(k * R + 2 * ti * n + si) * C + col] = 2 * Math.PI * wr;
          table[(k * R + (2 * ti + 1) * n + si) * C + col] = -2 * Math.PI * wi;
        }
      }
    }
  }
  const plan = { lmaxOut, half, table, gather };
  f2shCache.set(key, plan);
  return plan;
}

/** SH coefficients [B, (L+1)²] → 2-D Fourier coefficients (re, im), each [B, 2L+1 (u), 2L+1 (v)]. */
export function shToFourier(x: Tensor, lmax: number): { re: Tensor; im: Tensor } {
  const plan = sh2fPlan(lmax);
  const B = x.shape[0] as number;
  const V = 2 * lmax + 1;
  const P = 2 * (lmax + 1);
  const gathered = tf.reshape(gatherColumns(x, plan.gatherColumns), [B, V, P]);
  const batched = tf.transpose(gathered, [1, 0, 2]);
  const out = batchMatMul(batched, tf.tensor3d(plan.table, [V, P, 2 * V])); // [V, B, 2V]
  const grid = tf.transpose(tf.reshape(out, [V, B, 2, V]), [2, 1, 3, 0]); // [2, B, u, v]
  const [re, im] = tf.unstack(grid, 0) as [Tensor, Tensor];
  return { re, im };
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Linear 2-D convolution of two complex grids via zero-padded FFTs (core's differentiable fft2d). */
export function fourierConvolve(
  a: { re: Tensor; im: Tensor },
  b: { re: Tensor; im: Tensor },
): { re: Tensor; im: Tensor } {
  const na = a.re.shape[1] as number;
  const nb = b.re.shape[1] as number;
  const n = na + nb - 1;
  const N = nextPowerOfTwo(n);
  const pad = (t: Tensor, m: number): Tensor =>
    tf.pad(t, [
      [0, 0],
      [0, N - m],
      [0, N - m],
    ]);
  const fa = fft2d(pad(a.re, na), pad(a.im, na));
  const fb = fft2d(pad(b.re, nb), pad(b.im, nb));
  const pr = tf.sub(tf.mul(fa.re, fb.re), tf.mul(fa.im, fb.im));
  const pi = tf.add(tf.mul(fa.re, fb.im), tf.mul(fa.im, fb.re));
  const z = ifft2d(pr, pi);
  return {
    re: tf.slice(z.re, [0, 0, 0], [-1, n, n]),
    im: tf.slice(z.im, [0, 0, 0], [-1, n, n]),
  };
}

/** 2-D Fourier grid (re, im) [B, n, n] with n = 2·half+1 → SH coefficients [B, (lmaxOut+1)²]. */
export function fourierToSh(z: { re: Tensor; im: Tensor }, lmaxOut: number): Tensor {
  const n = z.re.shape[1] as number;
  const half = (n - 1) / 2;
  const plan = f2shPlan(lmaxOut, half);
  const B = z.re.shape[0] as number;
  const K = lmaxOut + 1;
  const C = 2 * K;
  const pos = tf.tensor1d(
    Int32Array.from({ length: K }, (_, k) => half + k),
    'int32',
  );
  const neg = tf.tensor1d(
    Int32Array.from({ length: K }, (_, k) => half - k),
    'int32',
  );
  const reT = tf.transpose(z.re, [2, 0, 1]); // [t, B, s]
  const imT = tf.transpose(z.im, [2, 0, 1]);
  const input = tf.concat(
    [tf.gather(reT, pos), tf.gather(imT, pos), tf.gather(reT, neg), tf.gather(imT, neg)],
    2,
  );
  const out = batchMatMul(input, tf.tensor3d(plan.table, [K, 4 * n, C])); // [K, B, C]
  const flat = tf.reshape(tf.transpose(out, [1, 0, 2]), [B, K * C]);
  return gatherColumns(flat, plan.gather);
}

/**
 * The route `method: 'auto'` takes for total degree d = l1 + l2 + lmaxOut. Crossover measured on WASM
 * (bench/run.ts, batch 256): the fused three-product `matrix` form wins while kernel overheads dominate; the
 * O(L³) `blocked` form (more kernels and column gathers, far fewer flops) from d ≈ 24 on, where it also beats
 * `parity` at every degree measured.
 */
export function autoMethod(d: number): 'matrix' | 'blocked' {
  return d >= 24 ? 'blocked' : 'matrix';
}

/** Per-degree weights: a tensor of shape [L+1] or [C, L+1] (per channel and degree). */
export type DegreeWeights = Tensor;

/** Options of {@link gauntTensorProduct}. */
export interface GauntTensorProductOptions {
  /** Largest output degree (default l1max + l2max; at most that). */
  lmaxOut?: number;
  /** Per-degree (optionally per-channel) weights on the first input, shape [L1+1] or [C, L1+1]. */
  weights1?: DegreeWeights;
  /** Per-degree (optionally per-channel) weights on the second input, shape [L2+1] or [C, L2+1]. */
  weights2?: DegreeWeights;
  /** Per-degree (optionally per-channel) weights on the output, shape [Lout+1] or [C, Lout+1]. */
  weightsOut?: DegreeWeights;
  /**
   * How the 2-D convolution of the Fourier coefficients is carried out (all give the same result):
   * - `auto` (default): `matrix` when l1 + l2 + lmaxOut < 24, else `blocked` (crossover measured on WASM).
   * - `matrix`: the convolution theorem with the DFTs fused into the sh2f / f2sh tables and the redundant half of
   *   the (θ, φ) torus dropped (real inputs): SH → values on a Gauss–Legendre (cos θ) × uniform (φ) sphere grid
   *   (one matrix product per input), pointwise product, grid → SH by exact quadrature (one matrix product).
   *   Fewest kernels (three products); O(L⁴) flops per sample.
   * - `parity`: `matrix` with the φ → φ + π symmetry of real SH folded in (Y_lm(θ, φ+π) = (−1)^m Y_lm, and m has
   *   the parity of the flat index): inputs split into even/odd flat indices by a reshape and a transpose, every
   *   product half the size, half the flops. More kernels; faster than `matrix` from l1 + l2 + lmaxOut ≈ 22 on.
   * - `blocked`: the O(L³) form, the paper's block structure by m: θ synthesis per block of m, φ synthesis and
   *   analysis on the half grid with the parity fold, θ projection per block of m; the reorders between the flat
   *   SH layout and the blocks are constant column gathers (core's `gatherColumns`). Fewest flops, most kernels;
   *   the fastest from l1 + l2 + lmaxOut ≈ 24 on.
   * - `separable`: the projection split into a φ analysis and θ projections per block of |m| (fewer projection
   *   flops than `matrix`, dense synthesis; three blocks).
   * - `fft`: the paper's literal route: sh2f tables, zero-padded FFT convolution with core's `fft2d`, f2sh tables.
   *
   * Constant tables of the grid routes are kept as tensors between calls; {@link clearGauntCache} frees them.
   */
  method?: 'auto' | 'matrix' | 'parity' | 'separable' | 'blocked' | 'fft';
}

/** Expands per-degree weights [L+1] / [C, L+1] to the flat SH layout [(L+1)²] / [C, (L+1)²]. */
function expandDegreeWeights(w: Tensor, lmax: number, channels: number | null, name: string): Tensor {
  const ok =
    (w.rank === 1 && w.shape[0] === lmax + 1) ||
    (w.rank === 2 && channels !== null && w.shape[0] === channels && w.shape[1] === lmax + 1);
  if (!ok) {
    const want = channels === null ? `[${lmax + 1}]` : `[${lmax + 1}] or [${channels}, ${lmax + 1}]`;
    throw new ShapeError(`${name} must have shape ${want} (per degree), got [${w.shape.join(', ')}]`);
  }
  const degreeOf = Int32Array.from({ length: shDim(lmax) }, (_, i) => Math.floor(Math.sqrt(i)));
  return tf.gather(w, tf.tensor1d(degreeOf, 'int32'), w.rank - 1);
}

interface Prepared {
  x: Tensor;
  y: Tensor;
  l1: number;
  l2: number;
  lmaxOut: number;
  channels: number | null;
}

function prepare(x: Tensor, y: Tensor, lmaxOutOption: number | undefined): Prepared {
  if (!(x instanceof tf.Tensor)) throw new ArgumentError('x must be a tf.Tensor');
  if (!(y instanceof tf.Tensor)) throw new ArgumentError('y must be a tf.Tensor');
  if (x.rank !== y.rank || (x.rank !== 2 && x.rank !== 3)) {
    throw new ShapeError(
      `x and y must both be [batch, (L+1)²] or both [batch, channels, (L+1)²], got [${x.shape.join(', ')}] and [${y.shape.join(', ')}]`,
    );
  }
  for (let a = 0; a < x.rank - 1; a++) {
    if (x.shape[a] !== y.shape[a]) {
      throw new ShapeError(
        `x and y must agree on batch/channel axes, got [${x.shape.join(', ')}] and [${y.shape.join(', ')}]`,
      );
    }
  }
  const l1 = lmaxFromDim(x.shape[x.rank - 1] as number, 'x');
  const l2 = lmaxFromDim(y.shape[y.rank - 1] as number, 'y');
  const lmaxOut = lmaxOutOption ?? l1 + l2;
  assertInteger(lmaxOut, 'options.lmaxOut', { min: 0, max: l1 + l2 });
  return { x, y, l1, l2, lmaxOut, channels: x.rank === 3 ? (x.shape[1] as number) : null };
}

function applyWeights(
  t: Tensor,
  w: Tensor | undefined,
  lmax: number,
  channels: number | null,
  name: string,
): Tensor {
  return w ? tf.mul(t, expandDegreeWeights(w, lmax, channels, name)) : t;
}

/**
 * The Gaunt tensor product computed the paper's way (Luo, Chen & Krishnapriyan, ICLR 2024):
 * `out[l3 m3] = Σ G(l1m1, l2m2, l3m3) x[l1m1] y[l2m2]` with G the real Gaunt coefficients, via
 * SH → 2-D Fourier coefficients (sparse float64 tables), a 2-D convolution (by the convolution theorem: DFTs as
 * matrix products fused with the tables, or zero-padded FFTs with core's `fft2d`; see `options.method`), and a
 * closed-form Fourier → SH projection. Batched, differentiable,
 * equivariant; valid in the standard and the e3nn real SH bases alike (Gaunt coefficients are invariant
 * under rotations of the basis). Channel-wise ("uuu") when the inputs carry a channel axis.
 *
 * Weights follow the paper's parametrisation: learnable per-degree (and per-channel) factors on the inputs
 * and the output; there is no per-path weight.
 *
 * @param x - `[B, (L1+1)²]` or `[B, C, (L1+1)²]`
 * @param y - `[B, (L2+1)²]` or `[B, C, (L2+1)²]`
 * @returns `[B, (Lout+1)²]` or `[B, C, (Lout+1)²]`
 * @throws {@link ShapeError} for sizes that are no `(L+1)²`, mismatched batch/channel axes or weight shapes
 * @throws {@link ArgumentError} for `lmaxOut` outside [0, L1+L2]
 *
 * @example
 * ```ts
 * const out = gauntTensorProduct(x, y, { lmaxOut: 4 }); // x, y: [256, 9]
 * ```
 */
export function gauntTensorProduct(x: Tensor, y: Tensor, options: GauntTensorProductOptions = {}): Tensor {
  const p = prepare(x, y, options.lmaxOut);
  const requested = options.method ?? 'auto';
  assertOneOf(
    requested,
    ['auto', 'matrix', 'parity', 'separable', 'blocked', 'fft'] as const,
    'options.method',
  );
  const method = requested === 'auto' ? autoMethod(p.l1 + p.l2 + p.lmaxOut) : requested;
  if (method !== 'fft') {
    const grid =
      method === 'matrix'
        ? gauntSphereGridMatrix
        : method === 'parity'
          ? gauntSphereGridParity
          : method === 'blocked'
            ? gauntSphereGridBlocked
            : gauntSphereGridSeparable;
    return tf.tidy(() => {
      const a = applyWeights(p.x, options.weights1, p.l1, p.channels, 'options.weights1');
      const b = applyWeights(p.y, options.weights2, p.l2, p.channels, 'options.weights2');
      const batchShape = p.x.shape.slice(0, -1);
      const out = grid(
        tf.reshape(a, [-1, shDim(p.l1)]),
        tf.reshape(b, [-1, shDim(p.l2)]),
        p.l1,
        p.l2,
        p.lmaxOut,
      );
      return applyWeights(
        tf.reshape(out, [...batchShape, shDim(p.lmaxOut)]),
        options.weightsOut,
        p.lmaxOut,
        p.channels,
        'options.weightsOut',
      );
    });
  }
  return tf.tidy(() => {
    let a = applyWeights(p.x, options.weights1, p.l1, p.channels, 'options.weights1');
    let b = applyWeights(p.y, options.weights2, p.l2, p.channels, 'options.weights2');
    const batchShape = p.x.shape.slice(0, -1);
    a = tf.reshape(a, [-1, shDim(p.l1)]);
    b = tf.reshape(b, [-1, shDim(p.l2)]);
    const fa = shToFourier(a, p.l1);
    const fb = shToFourier(b, p.l2);
    const z = fourierConvolve(fa, fb);
    const out = tf.reshape(fourierToSh(z, p.lmaxOut), [...batchShape, shDim(p.lmaxOut)]);
    return applyWeights(out, options.weightsOut, p.lmaxOut, p.channels, 'options.weightsOut');
  });
}

const denseCache = new Map<string, Float32Array>();

/** The dense Gaunt matrix [(L1+1)²·(L2+1)², (Lout+1)²] (float64 coefficients, stored float32). */
export function gauntMatrix(l1: number, l2: number, lmaxOut: number): Float32Array {
  const key = `${l1},${l2},${lmaxOut}`;
  const hit = denseCache.get(key);
  if (hit) return hit;
  const d1 = shDim(l1);
  const d2 = shDim(l2);
  const dOut = shDim(lmaxOut);
  const out = new Float32Array(d1 * d2 * dOut);
  for (let a = 0; a <= l1; a++)
    for (let b = 0; b <= l2; b++)
      for (let c = Math.abs(a - b); c <= Math.min(a + b, lmaxOut); c++) {
        if ((a + b + c) % 2 === 1) continue;
        for (let m1 = -a; m1 <= a; m1++)
          for (let m2 = -b; m2 <= b; m2++) {
            // Only |m3| ∈ {|m1|+|m2|, ||m1|−|m2||} can be non-zero.
            const s = Math.abs(m1) + Math.abs(m2);
            const dd = Math.abs(Math.abs(m1) - Math.abs(m2));
            for (const m3 of new Set([s, -s, dd, -dd])) {
              if (Math.abs(m3) > c) continue;
              const g = gauntCoefficient(a, m1, b, m2, c, m3);
              if (g !== 0) out[((a * a + a + m1) * d2 + b * b + b + m2) * dOut + c * c + c + m3] = g;
            }
          }
      }
  denseCache.set(key, out);
  return out;
}

/**
 * The same product as {@link gauntTensorProduct}, computed the Clebsch–Gordan way: the explicit contraction
 * with the dense Gaunt coefficient tensor (outer product, then one matrix product), O(L⁶) per sample. It is the
 * reference and the benchmark baseline (CG product restricted to the Gaunt outputs).
 *
 * @throws same as {@link gauntTensorProduct}
 */
export function gauntTensorProductDense(
  x: Tensor,
  y: Tensor,
  options: GauntTensorProductOptions = {},
): Tensor {
  const p = prepare(x, y, options.lmaxOut);
  const d1 = shDim(p.l1);
  const d2 = shDim(p.l2);
  const dOut = shDim(p.lmaxOut);
  const matrix = gauntMatrix(p.l1, p.l2, p.lmaxOut);
  return tf.tidy(() => {
    let a = applyWeights(p.x, options.weights1, p.l1, p.channels, 'options.weights1');
    let b = applyWeights(p.y, options.weights2, p.l2, p.channels, 'options.weights2');
    const batchShape = p.x.shape.slice(0, -1);
    a = tf.reshape(a, [-1, d1, 1]);
    b = tf.reshape(b, [-1, 1, d2]);
    const outer = tf.reshape(tf.mul(a, b), [-1, d1 * d2]);
    const out = tf.reshape(matMul(outer, tf.tensor2d(matrix, [d1 * d2, dOut])), [...batchShape, dOut]);
    return applyWeights(out, options.weightsOut, p.lmaxOut, p.channels, 'options.weightsOut');
  });
}
