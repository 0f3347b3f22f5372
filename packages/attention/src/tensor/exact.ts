import type { GradSaveFunc } from '@tensorflow/tfjs';
import type { ProgressCallback, Tensor, Tensor2D } from '@tensorloom/core';
import {
  ArgumentError,
  assertInteger,
  batchMatMul,
  formatShape,
  matMul,
  ShapeError,
  tf,
} from '@tensorloom/core';
import { MASKED_SCORE, resolveScale, sizeOf, validateTensorAttentionInputs } from '../shared/inputs.js';
import { assertBroadcastable, maskedSoftmax } from '../softmax/softmaxAttention.js';

/** Options for {@link higherOrderAttention}. */
export interface HigherOrderAttentionOptions {
  /** Score scale; default `1/d` (the paper's convention); pass `1/√d` for the 2-simplicial convention. */
  scale?: number;
  /**
   * One optional keep-mask per key, each broadcastable to `[..., nq, n_t]`. A key tuple
   * `(j_1, …, j_k)` is kept for query `i` when every `mask_t[i, j_t]` is nonzero (a factorised mask,
   * so no `nq × n^k` tensor is needed). Queries with no kept tuple output zeros.
   */
  masks?: readonly (Tensor | undefined)[];
  /** Causal: query `i` sees only tuples with every `j_t ≤ i` (needs equal query and key counts). */
  causal?: boolean;
  /** Largest score tile, in elements (default 2^18). Memory is O((nq + Σ n_t)·d + block). */
  blockSize?: number;
  /**
   * Progress per processed tile (phase `'forward'` or `'backward'`), called while the tile's
   * temporaries are alive (so `tf.memory()` read here is the high-water mark).
   */
  onProgress?: ProgressCallback;
  /** Aborts between tiles (throws the signal's reason). */
  signal?: AbortSignal;
}

/** Options for {@link tensorAttention}. */
export interface TensorAttentionOptions extends Omit<HigherOrderAttentionOptions, 'masks'> {
  /** Factorised keep-mask: `k1` broadcastable to `[..., nq, n1]`, `k2` to `[..., nq, n2]`. */
  mask?: { k1?: Tensor; k2?: Tensor };
}

const DEFAULT_BLOCK = 1 << 18;

interface Plan {
  nq: number;
  d: number;
  dv: number;
  sizes: number[];
  prefixCount: number;
  queryTile: number;
  prefixTile: number;
  causal: boolean;
  block: number;
}

/**
 * Exact order-k ("higher-order", k keys per score) softmax attention:
 * `out[i] = Σ_{j_1..j_k} softmax_{(j)}(scale·Σ_l q[i,l]·Π_t K_t[j_t,l]) · Π_t V_t[j_t]` (Hadamard product
 * of the value rows), a softmax over all `Π n_t` key tuples. k = 1 is ordinary softmax attention
 * (with scale 1/d by default), k = 2 is {@link tensorAttention}. Time O(nq·Π n_t·d); memory
 * O((nq + Σ n_t)·d + blockSize): the tuples are streamed in tiles with an online softmax, and the
 * gradient (a custom one) streams the same way, recomputing scores from the saved log-sum-exp.
 * Batched over any leading axes (batch, heads).
 *
 * @param q - queries `[..., nq, d]`
 * @param keys - k ≥ 1 key tensors `[..., n_t, d]`
 * @param values - k value tensors `[..., n_t, dv]`
 * @returns `[..., nq, dv]`
 * @throws {@link ShapeError} for mismatched shapes or empty token axes; {@link ArgumentError} for bad
 *   options or key/value counts
 *
 * @example
 * ```ts
 * const out = higherOrderAttention(q, [k1, k2, k3], [v1, v2, v3]); // 4-way scores
 * ```
 */
export function higherOrderAttention(
  q: Tensor,
  keys: readonly Tensor[],
  values: readonly Tensor[],
  options: HigherOrderAttentionOptions = {},
): Tensor {
  const { batch, nq, d, dv, sizes } = validateTensorAttentionInputs(q, keys, values);
  const scale = resolveScale(options.scale, 1 / d);
  const masks = options.masks ?? [];
  if (!Array.isArray(masks) || masks.length > keys.length) {
    throw new ArgumentError(
      `masks: expected an array of at most ${keys.length} tensors, got ${String(masks)}`,
    );
  }
  masks.forEach((m, t) => {
    if (m !== undefined) assertBroadcastable(m, [...batch, nq, sizes[t]!], `masks[${t}]`);
  });
  const causal = options.causal ?? false;
  if (causal && sizes.some((n) => n !== nq)) {
    throw new ShapeError(`causal: expected every key to have ${nq} tokens like q, got ${formatShape(sizes)}`);
  }
  const block = options.blockSize ?? DEFAULT_BLOCK;
  assertInteger(block, 'blockSize', { min: 1 });
  const last = sizes[sizes.length - 1]!;
  const prefixCount = sizeOf(sizes.slice(0, -1));
  const queryTile = Math.min(nq, Math.max(1, Math.floor(block / last)));
  const prefixTile = Math.min(prefixCount, Math.max(1, Math.floor(block / (queryTile * last))));
  const plan: Plan = { nq, d, dv, sizes, prefixCount, queryTile, prefixTile, causal, block };
  const bsz = sizeOf(batch);
  const k = keys.length;
  checkAbort(options.signal);

  return tf.tidy(() => {
    const q3 = tf.reshape(q, [bsz, nq, d]);
    const keys3 = keys.map((x, t) => tf.reshape(x, [bsz, sizes[t]!, d]));
    const values3 = values.map((x, t) => tf.reshape(x, [bsz, sizes[t]!, dv]));
    const masks3 = keys.map((_, t) => {
      const m = masks[t];
      if (m === undefined) return undefined;
      const keep = tf.cast(tf.notEqual(m, 0), 'float32');
      return tf.reshape(tf.broadcastTo(keep, [...batch, nq, sizes[t]!]), [bsz, nq, sizes[t]!]);
    });
    if (bsz * nq * sizeOf(sizes) * Math.max(d, dv) <= block) {
      // Small enough to hold every score at once: the materialised form (tfjs autodiff).
      return tf.reshape(materialized(q3, keys3, values3, masks3, scale, causal), [...batch, nq, dv]);
    }
    // Masks travel as (non-differentiated) inputs so that the tape keeps them alive for the backward pass.
    const maskSlots = masks3.map((m, t) => (m ? t : -1)).filter((t) => t >= 0);
    const run = tf.customGrad((...args) => {
      const save = args[args.length - 1] as GradSaveFunc;
      const xs = args.slice(0, -1) as Tensor[];
      const qq = xs[0]!;
      const kk = xs.slice(1, 1 + k);
      const vv = xs.slice(1 + k, 1 + 2 * k);
      const mm: (Tensor | undefined)[] = keys.map(() => undefined);
      maskSlots.forEach((t, u) => {
        mm[t] = xs[1 + 2 * k + u];
      });
      const { out, lse } = forward(qq, kk, vv, mm, scale, plan, options);
      save([qq, ...kk, ...vv, out, lse, ...xs.slice(1 + 2 * k)]);
      return {
        value: out,
        gradFunc: (dy, saved) => {
          const sv = saved as Tensor[];
          const ms: (Tensor | undefined)[] = keys.map(() => undefined);
          maskSlots.forEach((t, u) => {
            ms[t] = sv[3 + 2 * k + u];
          });
          const grads = backward(dy as Tensor, sv, ms, scale, plan, k, options);
          return [...grads, ...maskSlots.map((t) => tf.zerosLike(ms[t]!))];
        },
      };
    });
    const maskInputs = maskSlots.map((t) => masks3[t]!);
    const out = run(q3, ...keys3, ...values3, ...maskInputs) as Tensor;
    return tf.reshape(out, [...batch, nq, dv]);
  });
}

/**
 * Exact third-order tensor attention (Alman & Song 2024): scores `scale·Σ_l q[i,l]·k1[j1,l]·k2[j2,l]`,
 * a softmax over all `n1·n2` key pairs, values `v1[j1] ∘ v2[j2]`, i.e. `D⁻¹·exp(scale·Q(K1⊘K2)ᵀ)·(V1⊘V2)`.
 * O(nq·n1·n2·d) time, O(n·d + blockSize) memory (streamed with an online softmax; never nq×n1·n2),
 * batched and multi-head over leading axes, with a streaming custom gradient. Default scale `1/d`
 * (the paper); `1/√d` selectable. This is {@link higherOrderAttention} with two keys.
 *
 * @param q - `[..., nq, d]`; `k1` `[..., n1, d]`; `k2` `[..., n2, d]`; `v1` `[..., n1, dv]`; `v2` `[..., n2, dv]`
 * @returns `[..., nq, dv]`
 * @throws {@link ShapeError} / {@link ArgumentError} as {@link higherOrderAttention}
 *
 * @example
 * ```ts
 * const out = tensorAttention(q, k1, k2, v1, v2, { causal: true });
 * ```
 */
export function tensorAttention(
  q: Tensor,
  k1: Tensor,
  k2: Tensor,
  v1: Tensor,
  v2: Tensor,
  options: TensorAttentionOptions = {},
): Tensor {
  const { mask, ...rest } = options;
  return higherOrderAttention(q, [k1, k2], [v1, v2], { ...rest, masks: [mask?.k1, mask?.k2] });
}

/**
 * All `nq × Π n_t` scores at once (for problems within one block): scores by broadcast products,
 * a masked stable softmax over the flattened tuples and one batched product with `Π_t V_t`.
 */
function materialized(
  q3: Tensor,
  keys3: Tensor[],
  values3: Tensor[],
  masks3: (Tensor | undefined)[],
  scale: number,
  causal: boolean,
): Tensor {
  const [bsz, nq, d] = q3.shape as [number, number, number];
  let x: Tensor = tf.mul(q3, scale); // [B, nq·T, d] with T growing
  let vv: Tensor | undefined;
  let keep: Tensor | undefined; // [B, nq, T]
  let count = 1;
  keys3.forEach((k, t) => {
    const n = k.shape[1]!;
    x = tf.reshape(tf.mul(tf.expandDims(x, 2), tf.expandDims(k, 1)), [bsz, nq * count * n, d]);
    const v = values3[t]!;
    vv = vv
      ? tf.reshape(tf.mul(tf.expandDims(vv, 2), tf.expandDims(v, 1)), [bsz, count * n, v.shape[2]!])
      : v;
    let m = masks3[t];
    if (causal) {
      const tri = tf.linalg.bandPart(tf.ones([nq, n]), -1, 0);
      m = m ? tf.mul(m, tri) : tf.broadcastTo(tri, [bsz, nq, n]);
    }
    if (m || keep) {
      const mm = m ?? tf.ones([bsz, nq, n]);
      const kk = keep ?? tf.ones([bsz, nq, count]);
      keep = tf.reshape(tf.mul(tf.expandDims(kk, 3), tf.expandDims(mm, 2)), [bsz, nq, count * n]);
    }
    count *= n;
  });
  const scores = tf.reshape(tf.sum(x, 2), [bsz, nq, count]);
  return batchMatMul(maskedSoftmax(scores, keep), vv!);
}

function rows(x3: Tensor, b: number): Tensor2D {
  const [, n, c] = x3.shape as [number, number, number];
  return tf.reshape(tf.slice(x3, [b, 0, 0], [1, n, c]), [n, c]) as Tensor2D;
}

/** Index arrays of the prefix keys (all but the last) for tuples p0 … p0+count−1 (last prefix key fastest). */
function prefixIndices(sizes: readonly number[], p0: number, count: number): Int32Array[] {
  const pk = sizes.length - 1;
  const out = Array.from({ length: pk }, () => new Int32Array(count));
  for (let c = 0; c < count; c++) {
    let p = p0 + c;
    for (let t = pk - 1; t >= 0; t--) {
      const n = sizes[t]!;
      out[t]![c] = p % n;
      p = Math.floor(p / n);
    }
  }
  return out;
}

interface Tile {
  /** Prefix-key product rows `[b, d]` and value rows `[b, dv]`. */
  kp: Tensor;
  vp: Tensor;
  /** Per-prefix-key gathered rows (for gradients). */
  gathered: Tensor[];
  /** Keep mask `[tq, b·nL]` or undefined. */
  keep: Tensor | undefined;
}

function buildTile(
  keys: Tensor2D[],
  values: Tensor2D[],
  masks: (Tensor2D | undefined)[],
  idx: Int32Array[],
  i0: number,
  tq: number,
  plan: Plan,
  withGathered: boolean,
): Tile {
  const k = keys.length;
  const count = idx.length > 0 ? idx[0]!.length : 1;
  const nL = plan.sizes[k - 1]!;
  let kp: Tensor = tf.ones([count, plan.d]);
  let vp: Tensor = tf.ones([count, plan.dv]);
  const gathered: Tensor[] = [];
  for (let t = 0; t < k - 1; t++) {
    const ind = tf.tensor1d(idx[t]!, 'int32');
    const kt = tf.gather(keys[t]!, ind);
    if (withGathered) gathered.push(kt);
    kp = tf.mul(kp, kt);
    vp = tf.mul(vp, tf.gather(values[t]!, ind));
  }
  let maskP: Tensor | undefined;
  let maskL: Tensor | undefined;
  for (let t = 0; t < k; t++) {
    const m = masks[t];
    if (m === undefined) continue;
    const mRows = tf.slice(m, [i0, 0], [tq, plan.sizes[t]!]);
    if (t === k - 1) maskL = mRows;
    else {
      const g = tf.gather(mRows, tf.tensor1d(idx[t]!, 'int32'), 1);
      maskP = maskP ? tf.mul(maskP, g) : g;
    }
  }
  if (plan.causal) {
    const cp = new Float32Array(tq * count);
    const cl = new Float32Array(tq * nL);
    for (let r = 0; r < tq; r++) {
      const i = i0 + r;
      for (let c = 0; c < count; c++) {
        let ok = 1;
        for (let t = 0; t < k - 1; t++) if (idx[t]![c]! > i) ok = 0;
        cp[r * count + c] = ok;
      }
      for (let j = 0; j <= Math.min(i, nL - 1); j++) cl[r * nL + j] = 1;
    }
    const tp = tf.tensor2d(cp, [tq, count]);
    const tl = tf.tensor2d(cl, [tq, nL]);
    maskP = maskP ? tf.mul(maskP, tp) : tp;
    maskL = maskL ? tf.mul(maskL, tl) : tl;
  }
  let keep: Tensor | undefined;
  if (maskP || maskL) {
    const a = maskP ?? tf.ones([tq, count]);
    const b = maskL ?? tf.ones([tq, nL]);
    keep = tf.reshape(tf.mul(tf.expandDims(a, 2), tf.expandDims(b, 1)), [tq, count * nL]);
  }
  return { kp, vp, gathered, keep };
}

/** Scores of a tile, `[tq, b·nL]`, with masked entries replaced by {@link MASKED_SCORE}. */
function tileScores(qt: Tensor, tile: Tile, kl: Tensor, tq: number, nL: number): { x: Tensor; s: Tensor } {
  const b = tile.kp.shape[0]!;
  const d = qt.shape[1]!;
  const x = tf.reshape(tf.mul(tf.expandDims(qt, 1), tf.expandDims(tile.kp, 0)), [tq * b, d]);
  let s = tf.reshape(matMul(x, kl, false, true), [tq, b * nL]);
  if (tile.keep) s = tf.where(tf.greater(tile.keep, 0), s, tf.fill(s.shape, MASKED_SCORE));
  return { x, s };
}

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new Error('aborted');
}

function forward(
  q3: Tensor,
  keys3: Tensor[],
  values3: Tensor[],
  masks3: (Tensor | undefined)[],
  scale: number,
  plan: Plan,
  options: HigherOrderAttentionOptions,
): { out: Tensor; lse: Tensor } {
  const bsz = q3.shape[0]!;
  const { nq, dv, sizes, prefixCount, queryTile, prefixTile } = plan;
  const k = sizes.length;
  const nL = sizes[k - 1]!;
  const outs: Tensor[] = [];
  const lses: Tensor[] = [];
  const qTiles = Math.ceil(nq / queryTile);
  const pTiles = Math.ceil(prefixCount / prefixTile);
  const total = bsz * qTiles * pTiles;
  let step = 0;
  for (let b = 0; b < bsz; b++) {
    const [qb, keysB, valuesB, masksB] = tf.tidy(() => [
      tf.mul(rows(q3, b), scale),
      keys3.map((x) => rows(x, b)),
      values3.map((x) => rows(x, b)),
      masks3.map((m) => (m ? rows(m, b) : undefined)),
    ]) as [Tensor2D, Tensor2D[], Tensor2D[], (Tensor2D | undefined)[]];
    const kl = keysB[k - 1]!;
    const vl = valuesB[k - 1]!;
    for (let i0 = 0; i0 < nq; i0 += queryTile) {
      const tq = Math.min(queryTile, nq - i0);
      const qt = tf.slice(qb, [i0, 0], [tq, plan.d]);
      let m: Tensor = tf.fill([tq], MASKED_SCORE);
      let l: Tensor = tf.zeros([tq]);
      let acc: Tensor = tf.zeros([tq, dv]);
      for (let p0 = 0; p0 < prefixCount; p0 += prefixTile) {
        checkAbort(options.signal);
        const count = Math.min(prefixTile, prefixCount - p0);
        const idx = prefixIndices(sizes, p0, count);
        const next = tf.tidy(() => {
          const tile = buildTile(keysB, valuesB, masksB, idx, i0, tq, plan, false);
          const { s } = tileScores(qt, tile, kl, tq, nL);
          const mNew = tf.maximum(m, tf.max(s, 1));
          let e = tf.exp(tf.sub(s, tf.expandDims(mNew, 1)));
          if (tile.keep) e = tf.mul(e, tile.keep);
          const alpha = tf.exp(tf.sub(m, mNew));
          const lNew = tf.add(tf.mul(l, alpha), tf.sum(e, 1));
          const w = tf.reshape(matMul(tf.reshape(e, [tq * count, nL]), vl), [tq, count, dv]);
          const contrib = tf.sum(tf.mul(w, tf.expandDims(tile.vp, 0)), 1);
          const accNew = tf.add(tf.mul(acc, tf.expandDims(alpha, 1)), contrib);
          // Reported while the tile's temporaries are alive, so tf.memory() here is the high-water mark.
          options.onProgress?.({ phase: 'forward', step: step + 1, total });
          return [mNew, lNew, accNew];
        });
        tf.dispose([m, l, acc]);
        [m, l, acc] = next as [Tensor, Tensor, Tensor];
        step++;
      }
      const [o, z] = tf.tidy(() => {
        const lSafe = tf.maximum(l, 1e-30);
        return [tf.div(acc, tf.expandDims(lSafe, 1)), tf.add(m, tf.log(lSafe))];
      });
      outs.push(o!);
      lses.push(z!);
      tf.dispose([m, l, acc, qt]);
    }
    tf.dispose([qb, ...keysB, ...valuesB, ...masksB.filter((x) => x !== undefined)]);
  }
  const out = tf.reshape(tf.concat(outs, 0), [bsz, nq, dv]);
  const lse = tf.reshape(tf.concat(lses, 0), [bsz, nq]);
  tf.dispose([...outs, ...lses]);
  return { out, lse };
}

function backward(
  dy: Tensor,
  saved: Tensor[],
  masks3: (Tensor | undefined)[],
  scale: number,
  plan: Plan,
  k: number,
  options: HigherOrderAttentionOptions,
): Tensor[] {
  const q3 = saved[0]!;
  const keys3 = saved.slice(1, 1 + k);
  const values3 = saved.slice(1 + k, 1 + 2 * k);
  const out3 = saved[1 + 2 * k]!;
  const lse3 = saved[2 + 2 * k]!;
  const bsz = q3.shape[0]!;
  const { nq, d, dv, sizes, prefixCount, queryTile, prefixTile } = plan;
  const nL = sizes[k - 1]!;
  const qTiles = Math.ceil(nq / queryTile);
  const pTiles = Math.ceil(prefixCount / prefixTile);
  const total = bsz * qTiles * pTiles;
  let step = 0;
  const dqAll: Tensor[] = [];
  const dkAll: Tensor[][] = keys3.map(() => []);
  const dvAll: Tensor[][] = values3.map(() => []);
  for (let b = 0; b < bsz; b++) {
    const [qb, keysB, valuesB, masksB, dyB, deltaB, lseB] = tf.tidy(() => {
      const dyb = rows(dy, b);
      return [
        tf.mul(rows(q3, b), scale),
        keys3.map((x) => rows(x, b)),
        values3.map((x) => rows(x, b)),
        masks3.map((m) => (m ? rows(m, b) : undefined)),
        dyb,
        tf.sum(tf.mul(dyb, rows(out3, b)), 1),
        tf.reshape(tf.slice(lse3, [b, 0], [1, nq]), [nq]),
      ];
    }) as [Tensor2D, Tensor2D[], Tensor2D[], (Tensor2D | undefined)[], Tensor2D, Tensor, Tensor];
    const kl = keysB[k - 1]!;
    const vl = valuesB[k - 1]!;
    let dk: Tensor[] = keysB.map((x) => tf.zerosLike(x));
    let dvv: Tensor[] = valuesB.map((x) => tf.zerosLike(x));
    const dqParts: Tensor[] = [];
    for (let i0 = 0; i0 < nq; i0 += queryTile) {
      const tq = Math.min(queryTile, nq - i0);
      const [qt, dot, deltaT, lseT] = tf.tidy(() => [
        tf.slice(qb, [i0, 0], [tq, d]),
        tf.slice(dyB, [i0, 0], [tq, dv]),
        tf.slice(deltaB, [i0], [tq]),
        tf.slice(lseB, [i0], [tq]),
      ]) as [Tensor, Tensor, Tensor, Tensor];
      let dqt: Tensor = tf.zeros([tq, d]);
      for (let p0 = 0; p0 < prefixCount; p0 += prefixTile) {
        checkAbort(options.signal);
        const count = Math.min(prefixTile, prefixCount - p0);
        const idx = prefixIndices(sizes, p0, count);
        const next = tf.tidy(() => {
          const tile = buildTile(keysB, valuesB, masksB, idx, i0, tq, plan, true);
          const { x, s } = tileScores(qt, tile, kl, tq, nL);
          let p = tf.exp(tf.sub(s, tf.expandDims(lseT, 1)));
          if (tile.keep) p = tf.mul(p, tile.keep);
          const p2 = tf.reshape(p, [tq * count, nL]);
          const xv = tf.reshape(tf.mul(tf.expandDims(dot, 1), tf.expandDims(tile.vp, 0)), [tq * count, dv]);
          const dov = tf.reshape(matMul(xv, vl, false, true), [tq, count * nL]);
          const g = tf.reshape(tf.mul(p, tf.sub(dov, tf.expandDims(deltaT, 1))), [tq * count, nL]);
          const z = tf.reshape(matMul(g, kl), [tq, count, d]);
          const dqNew = tf.add(dqt, tf.sum(tf.mul(z, tf.expandDims(tile.kp, 0)), 1));
          const dkp = tf.sum(tf.mul(z, tf.expandDims(qt, 1)), 0); // [count, d]
          const wp = tf.reshape(matMul(p2, vl), [tq, count, dv]);
          const dvp = tf.sum(tf.mul(wp, tf.expandDims(dot, 1)), 0); // [count, dv]
          const dkNew = dk.slice();
          const dvNew = dvv.slice();
          dkNew[k - 1] = tf.add(dk[k - 1]!, matMul(g, x, true, false));
          dvNew[k - 1] = tf.add(dvv[k - 1]!, matMul(p2, xv, true, false));
          for (let t = 0; t < k - 1; t++) {
            let otherK: Tensor = dkp;
            let otherV: Tensor = dvp;
            for (let s2 = 0; s2 < k - 1; s2++) {
              if (s2 === t) continue;
              const ind = tf.tensor1d(idx[s2]!, 'int32');
              otherK = tf.mul(otherK, tile.gathered[s2]!);
              otherV = tf.mul(otherV, tf.gather(valuesB[s2]!, ind));
            }
            const ind = tf.tensor1d(idx[t]!, 'int32');
            dkNew[t] = tf.add(dk[t]!, tf.unsortedSegmentSum(otherK, ind, sizes[t]!));
            dvNew[t] = tf.add(dvv[t]!, tf.unsortedSegmentSum(otherV, ind, sizes[t]!));
          }
          options.onProgress?.({ phase: 'backward', step: step + 1, total });
          return [dqNew, ...dkNew, ...dvNew];
        });
        tf.dispose([dqt, ...dk, ...dvv]);
        dqt = next[0]!;
        dk = next.slice(1, 1 + k);
        dvv = next.slice(1 + k);
        step++;
      }
      dqParts.push(dqt);
      tf.dispose([qt, dot, deltaT, lseT]);
    }
    dqAll.push(tf.tidy(() => tf.mul(tf.concat(dqParts, 0), scale)));
    tf.dispose(dqParts);
    dk.forEach((x, t) => {
      dkAll[t]!.push(x);
    });
    dvv.forEach((x, t) => {
      dvAll[t]!.push(x);
    });
    tf.dispose([qb, ...keysB, ...valuesB, ...masksB.filter((x) => x !== undefined), dyB, deltaB, lseB]);
  }
  const result = tf.tidy(() => [
    tf.stack(dqAll),
    ...dkAll.map((parts) => tf.stack(parts)),
    ...dvAll.map((parts) => tf.stack(parts)),
  ]);
  tf.dispose([...dqAll, ...dkAll.flat(), ...dvAll.flat()]);
  return result;
}
