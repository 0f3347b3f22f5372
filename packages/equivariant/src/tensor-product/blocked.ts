import { gatherColumns, gaussLegendre, matMul, type Tensor, tf } from '@tensorloom/core';
import { shDim } from '../sh/sphericalHarmonics.js';
import { cachedTensors, mOrder, phiHarmonic, thetaFactors } from './sphereGrid.js';

/**
 * The O(L³) form of the sphere-grid Gaunt product: every conversion between SH coefficients and grid values is
 * split into its θ and φ factors, as in the paper's Fourier-basis method (SH → Fourier and Fourier → SH are
 * sparse, block-structured by m), with the φ → φ + π symmetry of the `parity` route folded into the φ stages:
 *
 * - θ synthesis per block of azimuthal orders m (blocks of one parity of m): c_{lm} → Σ_l c_{lm} P̄_l^{|m|}(θ_i),
 *   one small matrix product per block;
 * - φ synthesis on the half grid φ_j < π, separately for even m (A) and odd m (B): two products
 *   [N·nθ, #m] · [#m, nφ/2]; then f(φ_j) = A + B and f(φ_j + π) = A − B;
 * - the pointwise product, folded: S = A₁A₂ + B₁B₂ (even-m part), D = A₁B₂ + B₁A₂ (odd-m part);
 * - φ analysis: S · [nφ/2, #even m] and D · [nφ/2, #odd m];
 * - θ projection with the Gauss–Legendre weights per block of m, one small product per block.
 *
 * O(L³) multiply-adds per sample against O(L⁴) for the dense `matrix` / `parity` forms. The batch stays the
 * leading (row) axis and every constant table is the right operand, XNNPACK's fast layout (the packed table is
 * kept with the cached tensor). The reorders between the flat SH layout (l² + l + m), the per-block layouts and
 * the (θ, m) grid layouts are constant column gathers (core's `gatherColumns`, one JS pass over the backend's
 * memory; skipped where a layout already matches). The block counts trade kernel launches and gathers for flops:
 * one block per parity is the fewest kernels, one block per m the fewest flops. (Putting the batch last makes the
 * blocks contiguous rows, so no gathers, but every product then packs a fresh right operand: measured slower.)
 */

/** Grid of an exact product of total degree d (l1 + l2 + lmaxOut): nθ Gauss–Legendre nodes, nφ even ≥ d + 1. */
function grid(d: number): { nTheta: number; half: number; nPhi: number } {
  const nTheta = Math.floor(d / 2) + 1;
  const nPhi = d % 2 === 1 ? d + 1 : d + 2;
  return { nTheta, half: nPhi / 2, nPhi };
}

/** Splits the m list into `groups` contiguous chunks of roughly equal cost Σ (lmax + 1 − |m|). */
function chunks(ms: number[], lmax: number, groups: number): number[][] {
  const g = Math.max(1, Math.min(groups, ms.length));
  const cost = ms.map((m) => lmax + 1 - Math.abs(m));
  const total = cost.reduce((a, b) => a + b, 0);
  const out: number[][] = [];
  let current: number[] = [];
  let acc = 0;
  ms.forEach((m, i) => {
    current.push(m);
    acc += cost[i] as number;
    const left = ms.length - i - 1;
    const slots = g - out.length - 1;
    if (slots > 0 && left >= slots && (acc >= (total * (out.length + 1)) / g || left === slots)) {
      out.push(current);
      current = [];
    }
  });
  if (current.length > 0) out.push(current);
  return out;
}

/** One block: its m list, the flat SH columns it covers in (m, l) order, and its θ table. */
interface Block {
  ms: number[];
  columns: Int32Array;
  /** Input side: synthesis [columns, nθ·width]; output side: projection [nθ·width, columns]; (i, m) layout. */
  theta: Float32Array;
}

/** Tables of one side (an input of degree lmax, or the output) for one parity of m. */
interface ParitySide {
  ms: number[];
  blocks: Block[];
  /**
   * Input: the reorder of the concatenated block outputs into (i, m) (one entry); output: per block the (i, m)
   * columns of the φ-analysed grid it reads. Null with a single block (layouts already match).
   */
  gathers: Int32Array[] | null;
  /** Input: φ synthesis [#m, nφ/2] = g_m(φ_j); output: φ analysis [nφ/2, #m] = (4π/nφ) g_m(φ_j). */
  phi: Float32Array;
}

const sideCache = new Map<string, ParitySide[]>();

function blockColumns(ms: number[], lmax: number): Int32Array {
  const cols: number[] = [];
  for (const m of ms) for (let l = Math.abs(m); l <= lmax; l++) cols.push(l * l + l + m);
  return Int32Array.from(cols);
}

/** Input-side reorder: concatenated blocks [(block, i, c)] → [(i, m)]. */
function inputOrder(blocks: Block[], nTheta: number, M: number): Int32Array {
  const order = new Int32Array(nTheta * M);
  let offset = 0;
  let mpos = 0;
  for (const b of blocks) {
    const w = b.ms.length;
    for (let c = 0; c < w; c++, mpos++)
      for (let i = 0; i < nTheta; i++) order[i * M + mpos] = offset + i * w + c;
    offset += nTheta * w;
  }
  return order;
}

/** Output-side reads: per block, its (i, c) columns of the [(i, m)] grid. */
function outputReads(blocks: Block[], nTheta: number, M: number): Int32Array[] {
  let offset = 0;
  return blocks.map((b) => {
    const w = b.ms.length;
    const idx = new Int32Array(nTheta * w);
    for (let i = 0; i < nTheta; i++) for (let c = 0; c < w; c++) idx[i * w + c] = i * M + offset + c;
    offset += w;
    return idx;
  });
}

/** Both parities of one side: degree `lmax` on the grid of total degree d, `groups` blocks per parity. */
function side(lmax: number, d: number, groups: number, output: boolean): ParitySide[] {
  const key = `${lmax},${d},${groups},${output}`;
  const hit = sideCache.get(key);
  if (hit) return hit;
  const { nTheta, half, nPhi } = grid(d);
  const rule = gaussLegendre(nTheta);
  const dim = shDim(lmax);
  const y = thetaFactors(lmax, rule.nodes); // [nθ, dim], column l² + l + |m|
  const sides = [0, 1].map((parity): ParitySide => {
    const ms = mOrder(lmax).filter((m) => Math.abs(m) % 2 === parity);
    const M = ms.length;
    const blocks = chunks(ms, lmax, groups).map((bms): Block => {
      const columns = blockColumns(bms, lmax);
      const w = bms.length;
      const C = columns.length;
      const theta = new Float32Array(C * nTheta * w);
      columns.forEach((flat, r) => {
        const l = Math.floor(Math.sqrt(flat));
        const m = flat - l * l - l;
        const c = bms.indexOf(m);
        for (let i = 0; i < nTheta; i++) {
          const v = y[i * dim + l * l + l + Math.abs(m)] as number;
          if (output) theta[(i * w + c) * C + r] = (rule.weights[i] as number) * v;
          else theta[r * nTheta * w + i * w + c] = v;
        }
      });
      return { ms: bms, columns, theta };
    });
    const gathers =
      blocks.length === 1 ? null : output ? outputReads(blocks, nTheta, M) : [inputOrder(blocks, nTheta, M)];
    const phi = new Float32Array(M * half);
    ms.forEach((m, c) => {
      for (let j = 0; j < half; j++) {
        const g = phiHarmonic(m, (2 * Math.PI * j) / nPhi);
        if (output) phi[j * M + c] = ((4 * Math.PI) / nPhi) * g;
        else phi[c * half + j] = g;
      }
    });
    return { ms, blocks, gathers, phi };
  });
  sideCache.set(key, sides);
  return sides;
}

/** Flat output index → position in the concatenated output blocks (even parity, then odd). */
function outputOrder(sides: ParitySide[], lmaxOut: number): Int32Array {
  const order = new Int32Array(shDim(lmaxOut));
  let pos = 0;
  for (const s of sides) for (const b of s.blocks) for (const flat of b.columns) order[flat] = pos++;
  return order;
}

const outputOrderCache = new Map<string, Int32Array>();

/**
 * Default number of m blocks per parity on the input and output sides (measured on WASM with batch 256: one input
 * block per parity below degree 10, two from there; output blocks grow with lmaxOut, about one per 5 degrees).
 */
export function blockedGroups(lmax: number, lmaxOut: number): { input: number; output: number } {
  return { input: lmax >= 10 ? 2 : 1, output: Math.max(1, Math.round(lmaxOut / 5)) };
}

/** Table tensors of one side: per parity the block θ tables, then the φ table. */
function sideTensors(
  sides: ParitySide[],
  lmax: number,
  d: number,
  groups: number,
  output: boolean,
): Tensor[][] {
  const { nTheta, half } = grid(d);
  const flat = cachedTensors(`blk:${lmax},${d},${groups},${output}`, () =>
    sides.flatMap((s) => [
      ...s.blocks.map((b) => {
        const W = b.ms.length * nTheta;
        const C = b.columns.length;
        return output ? tf.tensor2d(b.theta, [W, C]) : tf.tensor2d(b.theta, [C, W]);
      }),
      output ? tf.tensor2d(s.phi, [half, s.ms.length]) : tf.tensor2d(s.phi, [s.ms.length, half]),
    ]),
  );
  const out: Tensor[][] = [];
  let k = 0;
  for (const s of sides) {
    out.push(flat.slice(k, k + s.blocks.length + 1));
    k += s.blocks.length + 1;
  }
  return out;
}

/** θ then φ synthesis of `x` [N, (lmax+1)²] on the half grid: [A (even m), B (odd m)], each [N·nθ, nφ/2] or null. */
function synthesize(x: Tensor, lmax: number, d: number, groups: number): (Tensor | null)[] {
  const { nTheta } = grid(d);
  const N = x.shape[0] as number;
  const sides = side(lmax, d, groups, false);
  const tensors = sideTensors(sides, lmax, d, groups, false);
  return sides.map((s, p) => {
    if (s.ms.length === 0) return null;
    const ts = tensors[p] as Tensor[];
    const parts = s.blocks.map((b, g) => matMul(gatherColumns(x, b.columns), ts[g] as Tensor));
    let values = parts.length === 1 ? (parts[0] as Tensor) : tf.concat(parts, 1);
    if (s.gathers) values = gatherColumns(values, s.gathers[0] as Int32Array);
    return matMul(tf.reshape(values, [N * nTheta, s.ms.length]), ts[s.blocks.length] as Tensor);
  });
}

function mulOrNull(a: Tensor | null, b: Tensor | null): Tensor | null {
  return a === null || b === null ? null : tf.mul(a, b);
}

function addOrNull(a: Tensor | null, b: Tensor | null): Tensor | null {
  return a === null ? b : b === null ? a : tf.add(a, b);
}

/**
 * Gaunt product of `a` [N, (l1+1)²] and `b` [N, (l2+1)²] onto degrees ≤ lmaxOut by the O(L³) blocked route (see
 * the module comment). `groups` overrides the number of m blocks per parity on each side. Call inside `tf.tidy`.
 */
export function gauntSphereGridBlocked(
  a: Tensor,
  b: Tensor,
  l1: number,
  l2: number,
  lmaxOut: number,
  groups?: { input?: number; output?: number },
): Tensor {
  const N = a.shape[0] as number;
  const d = l1 + l2 + lmaxOut;
  const { nTheta, half } = grid(d);
  const gIn1 = groups?.input ?? blockedGroups(l1, lmaxOut).input;
  const gIn2 = groups?.input ?? blockedGroups(l2, lmaxOut).input;
  const gOut = groups?.output ?? blockedGroups(Math.max(l1, l2), lmaxOut).output;
  const [A1, B1] = synthesize(a, l1, d, gIn1) as [Tensor | null, Tensor | null];
  const [A2, B2] = synthesize(b, l2, d, gIn2) as [Tensor | null, Tensor | null];
  // f(φ) = A + B, f(φ + π) = A − B: the pair sum/difference of the product, halved, is S / D
  const folded = [
    addOrNull(mulOrNull(A1, A2), mulOrNull(B1, B2)),
    addOrNull(mulOrNull(A1, B2), mulOrNull(B1, A2)),
  ];
  const sides = side(lmaxOut, d, gOut, true);
  const tensors = sideTensors(sides, lmaxOut, d, gOut, true);
  const parts: Tensor[] = [];
  sides.forEach((s, p) => {
    if (s.ms.length === 0) return;
    const ts = tensors[p] as Tensor[];
    const h = folded[p] ?? tf.zeros([N * nTheta, half]);
    const analysed = tf.reshape(matMul(h, ts[s.blocks.length] as Tensor), [N, nTheta * s.ms.length]);
    for (let g = 0; g < s.blocks.length; g++) {
      const input = s.gathers ? gatherColumns(analysed, s.gathers[g] as Int32Array) : analysed;
      parts.push(matMul(input, ts[g] as Tensor)); // [N, (m, l) of block g]
    }
  });
  const key = `${lmaxOut},${d},${gOut}`;
  let order = outputOrderCache.get(key);
  if (!order) {
    order = outputOrder(sides, lmaxOut);
    outputOrderCache.set(key, order);
  }
  return gatherColumns(parts.length === 1 ? (parts[0] as Tensor) : tf.concat(parts, 1), order);
}
