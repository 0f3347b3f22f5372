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
