import type { GradSaveFunc, Tensor, Tensor2D, Tensor3D } from '@tensorflow/tfjs';
import { ShapeError } from '../errors/errors.js';
import { assertRank, formatShape } from '../errors/validate.js';
import { tf } from '../setup.js';
import { heapBatchedProducts } from './heapBatch.js';

/**
 * Whether the active backend needs products rewritten into plain 2-D, flag-free products. On WASM,
 * XNNPACK serves only `matMul(a, b)` with no transpose flags and no batch; every other case falls to
 * a slow generic loop (about 10× slower).
 */
function needsFastPath(): boolean {
  return tf.getBackend() === 'wasm';
}

function plain2d(a: Tensor2D, b: Tensor2D, transposeA: boolean, transposeB: boolean): Tensor2D {
  if (!needsFastPath()) return tf.matMul(a, b, transposeA, transposeB);
  const a2 = transposeA ? tf.transpose(a) : a;
  const b2 = transposeB ? tf.transpose(b) : b;
  return tf.matMul(a2, b2);
}

/**
 * 2-D matrix product `op(a) · op(b)` that stays on the backend's fast path, with gradients that
 * stay on it too. On WASM, transposes are materialised explicitly (a transpose is a cheap copy; the
 * flagged product is not); elsewhere it is `tf.matMul`.
 *
 * @param a - matrix of shape `[m, k]` (or `[k, m]` with `transposeA`)
 * @param b - matrix of shape `[k, n]` (or `[n, k]` with `transposeB`)
 * @throws {@link ShapeError} when ranks or inner dimensions disagree
 *
 * @example
 * ```ts
 * const c = matMul(a, b, false, true); // a · bᵀ at full WASM speed
 * ```
 */
export function matMul(a: Tensor, b: Tensor, transposeA = false, transposeB = false): Tensor2D {
  assertRank(a, 2, 'a');
  assertRank(b, 2, 'b');
  const k1 = transposeA ? a.shape[0] : a.shape[1];
  const k2 = transposeB ? b.shape[1] : b.shape[0];
  if (k1 !== k2) {
    throw new ShapeError(
      `b: inner dimensions must agree: a${transposeA ? 'ᵀ' : ''} is ${formatShape(
        transposeA ? [a.shape[1]!, a.shape[0]!] : a.shape,
      )}, b${transposeB ? 'ᵀ' : ''} is ${formatShape(transposeB ? [b.shape[1]!, b.shape[0]!] : b.shape)}`,
    );
  }
  if (!needsFastPath()) return tf.matMul(a as Tensor2D, b as Tensor2D, transposeA, transposeB);
  const f = tf.customGrad((...args) => {
    const [xa, yb, save] = args as [Tensor2D, Tensor2D, GradSaveFunc];
    save([xa, yb]);
    return {
      value: plain2d(xa, yb, transposeA, transposeB),
      gradFunc: (dy, saved) => {
        const [sa, sb] = saved as [Tensor2D, Tensor2D];
        const g = dy as Tensor2D;
        // d(op(a)·op(b)): dA = dy·op(b)ᵀ (transposed back if a was transposed); same for b.
        const da = transposeA ? plain2d(sb, g, transposeB, true) : plain2d(g, sb, false, !transposeB);
        const db = transposeB ? plain2d(g, sa, true, transposeA) : plain2d(sa, g, !transposeA, false);
        return [da, db];
      },
    };
  });
  return f(a, b) as Tensor2D;
}

/**
 * Batched matrix product `op(a[i]) · op(b[i])` over leading batch axes, with broadcasting of a 2-D
 * operand. On WASM it is rewritten into flag-free 2-D products: a shared right operand becomes one
 * tall product (`[B·m, k] · [k, n]`), a shared left operand one wide product, and a true batch a
 * loop of 2-D products; gradients follow the same paths. Elsewhere it is `tf.matMul`.
 *
 * @param a - shape `[...batch, m, k]` (or `[..., k, m]` with `transposeA`), or 2-D to broadcast
 * @param b - shape `[...batch, k, n]` (or `[..., n, k]` with `transposeB`), or 2-D to broadcast
 * @throws {@link ShapeError} when batch shapes or inner dimensions disagree
 *
 * @example
 * ```ts
 * const scores = batchMatMul(q, k, { transposeB: true }); // [b, n, d] · [b, n, d]ᵀ → [b, n, n]
 * ```
 */
export function batchMatMul(
  a: Tensor,
  b: Tensor,
  options: { transposeA?: boolean; transposeB?: boolean } = {},
): Tensor {
  const transposeA = options.transposeA ?? false;
  const transposeB = options.transposeB ?? false;
  if (a.rank < 2)
    throw new ShapeError(`a: expected rank >= 2, got rank ${a.rank} (shape ${formatShape(a.shape)})`);
  if (b.rank < 2)
    throw new ShapeError(`b: expected rank >= 2, got rank ${b.rank} (shape ${formatShape(b.shape)})`);
  const [am, ak] = lastTwo(a, transposeA);
  const [bk, bn] = lastTwo(b, transposeB);
  if (ak !== bk) {
    throw new ShapeError(
      `b: inner dimensions must agree: op(a) has shape [..., ${am}, ${ak}], op(b) has [..., ${bk}, ${bn}]`,
    );
  }
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  if (batchA.length > 0 && batchB.length > 0 && !sameShape(batchA, batchB)) {
    throw new ShapeError(
      `b: batch shapes must be equal (or one operand 2-D): a has batch ${formatShape(batchA)}, b has ${formatShape(batchB)}`,
    );
  }
  if (a.rank === 2 && b.rank === 2) return matMul(a, b, transposeA, transposeB);
  const batch = batchA.length > 0 ? batchA : batchB;
  const size = batch.reduce((p, d) => p * d, 1);
  if (!needsFastPath()) {
    return tf.tidy(() => {
      const a3 = a.rank === 2 ? a : tf.reshape(a, [size, ...a.shape.slice(-2)]);
      const b3 = b.rank === 2 ? b : tf.reshape(b, [size, ...b.shape.slice(-2)]);
      const out = tf.matMul(a3 as Tensor2D, b3 as Tensor2D, transposeA, transposeB);
      return tf.reshape(out, [...batch, am, bn]);
    });
  }
  return tf.tidy(() => {
    let out: Tensor;
    if (b.rank === 2) {
      // Shared right operand: one tall product.
      const a3 = tf.reshape(a, [size, ...a.shape.slice(-2)]);
      const a2 = transposeA ? tf.transpose(a3, [0, 2, 1]) : a3;
      out = matMul(tf.reshape(a2, [size * am, ak]), b, false, transposeB);
    } else if (a.rank === 2) {
      // Shared left operand: one wide product over [k, size·n].
      const b3 = tf.reshape(b, [size, ...b.shape.slice(-2)]);
      const bkn = transposeB ? b3 : tf.transpose(b3, [0, 2, 1]); // [size, n, k]
      const wide = tf.transpose(tf.reshape(bkn, [size * bn, bk])); // [k, size·n]
      const prod = matMul(a, wide, transposeA, false); // [m, size·n]
      out = tf.transpose(tf.reshape(prod, [am, size, bn]), [1, 0, 2]);
    } else {
      const a3 = tf.reshape(a, [size, a.shape[a.rank - 2]!, a.shape[a.rank - 1]!]) as Tensor3D;
      const b3 = tf.reshape(b, [size, b.shape[b.rank - 2]!, b.shape[b.rank - 1]!]) as Tensor3D;
      out = batched3d(a3, b3, transposeA, transposeB);
    }
    return tf.reshape(out, [...batch, am, bn]);
  });
}

/**
 * A true batch of products on WASM: each `a[i]·b[i]` runs as a flag-free 2-D product (XNNPACK) on
 * views into the WASM heap (see {@link heapBatchedProducts}: no slice, copy or concat). Where the heap
 * cannot be reached, on copies of the slices cut from one read (WASM's Slice kernel copies the whole input
 * per call), concatenated natively. Gradients use the same path.
 */
function batched3d(a: Tensor3D, b: Tensor3D, transposeA: boolean, transposeB: boolean): Tensor3D {
  const f = tf.customGrad((...args) => {
    const [xa, yb, save] = args as [Tensor3D, Tensor3D, GradSaveFunc];
    save([xa, yb]);
    return {
      value: loopProducts(xa, yb, transposeA, transposeB),
      gradFunc: (dy, saved) => {
        const [sa, sb] = saved as [Tensor3D, Tensor3D];
        const g = dy as Tensor3D;
        const da = transposeA
          ? loopProducts(sb, g, transposeB, true)
          : loopProducts(g, sb, false, !transposeB);
        const db = transposeB
          ? loopProducts(g, sa, true, transposeA)
          : loopProducts(sa, g, !transposeA, false);
        return [da, db];
      },
    };
  });
  return f(a, b) as Tensor3D;
}

function loopProducts(a: Tensor3D, b: Tensor3D, transposeA: boolean, transposeB: boolean): Tensor3D {
  return tf.tidy(() => {
    const a3 = transposeA ? tf.transpose(a, [0, 2, 1]) : a;
    const b3 = transposeB ? tf.transpose(b, [0, 2, 1]) : b;
    const viaHeap = heapBatchedProducts(a3, b3);
    if (viaHeap !== null) return viaHeap;
    const [size, m, k] = a3.shape;
    const n = b3.shape[2];
    const av = a3.dataSync() as Float32Array;
    const bv = b3.dataSync() as Float32Array;
    const parts: Tensor2D[] = [];
    for (let i = 0; i < size; i++) {
      const ai = tf.tensor2d(av.subarray(i * m * k, (i + 1) * m * k), [m, k], a3.dtype);
      const bi = tf.tensor2d(bv.subarray(i * k * n, (i + 1) * k * n), [k, n], b3.dtype);
      parts.push(tf.matMul(ai, bi));
    }
    return tf.reshape(tf.concat(parts, 0), [size, m, n]) as Tensor3D;
  });
}

function lastTwo(x: Tensor, transposed: boolean): [number, number] {
  const r = x.shape[x.rank - 2]!;
  const c = x.shape[x.rank - 1]!;
  return transposed ? [c, r] : [r, c];
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
