import type { Tensor } from '@tensorloom/core';
import { ArgumentError, formatShape, ShapeError, tf } from '@tensorloom/core';

/** Large negative score used in place of −∞ for masked entries (finite so that fully masked rows stay NaN-free). */
export const MASKED_SCORE = -1e30;

/** Checks that `x` is a float tensor of rank ≥ 2 with a non-empty last-but-one (token) axis. */
export function assertTokens(x: unknown, name: string): asserts x is Tensor {
  if (!(x instanceof tf.Tensor)) {
    throw new ArgumentError(`${name}: expected a tensor, got ${x === undefined ? 'undefined' : typeof x}`);
  }
  if (x.rank < 2) {
    throw new ShapeError(
      `${name}: expected rank >= 2 ([..., tokens, features]), got shape ${formatShape(x.shape)}`,
    );
  }
  if (x.shape[x.rank - 2] === 0) {
    throw new ShapeError(`${name}: expected at least one token, got shape ${formatShape(x.shape)}`);
  }
  if (x.shape[x.rank - 1] === 0) {
    throw new ShapeError(`${name}: expected at least one feature, got shape ${formatShape(x.shape)}`);
  }
  if (x.dtype !== 'float32') {
    throw new ArgumentError(`${name}: expected dtype float32, got ${x.dtype}`);
  }
}

/** Checks that `x` has the batch (leading) shape `batch`. */
export function assertBatch(x: Tensor, batch: readonly number[], name: string, reference: string): void {
  const b = x.shape.slice(0, -2);
  if (b.length !== batch.length || b.some((v, i) => v !== batch[i])) {
    throw new ShapeError(
      `${name}: expected leading (batch) shape ${formatShape(batch)} like ${reference}, got shape ${formatShape(x.shape)}`,
    );
  }
}

/** Product of a shape's entries. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((p, v) => p * v, 1);
}

/**
 * Validates the scale option: a finite positive number, or undefined for the default.
 */
export function resolveScale(scale: unknown, fallback: number): number {
  if (scale === undefined) return fallback;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) {
    throw new ArgumentError(`scale: expected a positive finite number, got ${String(scale)}`);
  }
  return scale;
}

/** Shapes read off validated tensor-attention inputs. */
export interface TensorAttentionShapes {
  /** Leading (batch) shape shared by q, every key and every value. */
  batch: number[];
  /** Number of query tokens. */
  nq: number;
  /** Feature size of q and of every key. */
  d: number;
  /** Feature size of every value. */
  dv: number;
  /** Number of tokens of each key (and of its value). */
  sizes: number[];
}

/**
 * Validates the inputs of a tensor (higher-order) attention: `q` is `[..., nq, d]`, `keys[t]` is `[..., n_t, d]` and
 * `values[t]` is `[..., n_t, dv]`, all with the same leading (batch) shape. Throws the package's typed errors naming
 * the offending argument.
 */
export function validateTensorAttentionInputs(
  q: unknown,
  keys: unknown,
  values: unknown,
): TensorAttentionShapes {
  assertTokens(q, 'q');
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new ArgumentError(`keys: expected a non-empty array of tensors, got ${String(keys)}`);
  }
  if (!Array.isArray(values) || values.length !== keys.length) {
    throw new ArgumentError(
      `values: expected ${keys.length} tensors (one per key), got ${Array.isArray(values) ? values.length : String(values)}`,
    );
  }
  const batch = q.shape.slice(0, -2);
  const nq = q.shape[q.rank - 2]!;
  const d = q.shape[q.rank - 1]!;
  const sizes = keys.map((k: unknown, t) => {
    assertTokens(k, `keys[${t}]`);
    assertBatch(k, batch, `keys[${t}]`, 'q');
    if (k.shape[k.rank - 1] !== d) {
      throw new ShapeError(
        `keys[${t}]: expected feature size ${d} like q, got shape ${formatShape(k.shape)}`,
      );
    }
    return k.shape[k.rank - 2]!;
  });
  assertTokens(values[0], 'values[0]');
  const dv = values[0].shape[values[0].rank - 1]!;
  values.forEach((v: unknown, t) => {
    assertTokens(v, `values[${t}]`);
    assertBatch(v, batch, `values[${t}]`, 'q');
    if (v.shape[v.rank - 2] !== sizes[t] || v.shape[v.rank - 1] !== dv) {
      throw new ShapeError(
        `values[${t}]: expected shape ${formatShape([...batch, sizes[t]!, dv])} (tokens of keys[${t}], features of values[0]), got ${formatShape(v.shape)}`,
      );
    }
  });
  return { batch, nq, d, dv, sizes };
}
