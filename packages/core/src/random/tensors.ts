import type { Tensor } from '@tensorflow/tfjs';
import { ArgumentError } from '../errors/errors.js';
import { assertNumber, describe } from '../errors/validate.js';
import { tf } from '../setup.js';
import { type Rng, resolveRng } from './rng.js';

/** Options shared by the seeded tensor constructors. */
export interface SeededTensorOptions {
  /** An integer seed, or an {@link Rng} to draw from (advanced by the draw). Required: results are reproducible. */
  seed: number | Rng;
}

/** Options for {@link randomNormalTensor} and {@link truncatedNormalTensor}. */
export interface RandomNormalTensorOptions extends SeededTensorOptions {
  /** Mean (default 0). */
  mean?: number;
  /** Standard deviation, ≥ 0 (default 1). */
  std?: number;
}

/** Options for {@link randomUniformTensor}. */
export interface RandomUniformTensorOptions extends SeededTensorOptions {
  /** Lower bound, inclusive (default 0). */
  min?: number;
  /** Upper bound, exclusive (default 1). */
  max?: number;
}

/** Validates a tensor shape and returns its element count. */
function shapeSize(shape: unknown): number {
  if (!Array.isArray(shape))
    throw new ArgumentError(`shape: expected an array of sizes, got ${describe(shape)}`);
  let size = 1;
  shape.forEach((d, i) => {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new ArgumentError(`shape: expected non-negative integer sizes, got ${describe(d)} at index ${i}`);
    }
    size *= d;
  });
  if (size > 2 ** 31 - 1) throw new ArgumentError(`shape: expected at most 2^31 − 1 elements, got ${size}`);
  return size;
}

function checkNormalOptions(mean: unknown, std: unknown): void {
  assertNumber(mean, 'options.mean');
  assertNumber(std, 'options.std', { min: 0 });
}

function checkOptions(options: unknown): asserts options is SeededTensorOptions {
  if (options === null || typeof options !== 'object') {
    throw new ArgumentError(`options: expected an object with a seed, got ${describe(options)}`);
  }
}

/**
 * A float32 tensor of normal draws from the seeded JS generator ({@link Rng}), so the same seed gives the same
 * values on every backend (unlike `tf.randomNormal`, whose streams differ between backends). Values are drawn in
 * float64 and rounded to float32.
 *
 * @param shape - the tensor shape
 * @param options - `seed` (required), `mean` (default 0), `std` (default 1)
 * @throws {@link ArgumentError} for a bad shape, seed, mean or std
 *
 * @example
 * ```ts
 * const w = randomNormalTensor([64, 32], { seed: 0, std: 0.02 });
 * ```
 */
export function randomNormalTensor(shape: number[], options: RandomNormalTensorOptions): Tensor {
  checkOptions(options);
  const size = shapeSize(shape);
  const { mean = 0, std = 1 } = options;
  checkNormalOptions(mean, std);
  const values = resolveRng(options.seed, 'options.seed').normalArray(size, mean, std);
  return tf.tensor(Float32Array.from(values), shape, 'float32');
}

/**
 * A float32 tensor of uniform draws in [min, max) from the seeded JS generator ({@link Rng}); identical on every
 * backend for the same seed.
 *
 * @param shape - the tensor shape
 * @param options - `seed` (required), `min` (default 0), `max` (default 1)
 * @throws {@link ArgumentError} for a bad shape, seed or range
 *
 * @example
 * ```ts
 * const x = randomUniformTensor([8, 3], { seed: 1, min: -1, max: 1 });
 * ```
 */
export function randomUniformTensor(shape: number[], options: RandomUniformTensorOptions): Tensor {
  checkOptions(options);
  const size = shapeSize(shape);
  const { min = 0, max = 1 } = options;
  assertNumber(min, 'options.min');
  assertNumber(max, 'options.max');
  if (min > max) throw new ArgumentError(`options.max: expected max ≥ min (${min}), got ${max}`);
  const values = resolveRng(options.seed, 'options.seed').uniformArray(size, min, max);
  return tf.tensor(Float32Array.from(values), shape, 'float32');
}

/**
 * A float32 tensor of truncated normal draws: normal(mean, std) values, with any draw farther than two standard
 * deviations from the mean redrawn (the convention of `tf.truncatedNormal`). Identical on every backend for the
 * same seed. The result's standard deviation is ≈ 0.8796·std.
 *
 * @param shape - the tensor shape
 * @param options - `seed` (required), `mean` (default 0), `std` (default 1)
 * @throws {@link ArgumentError} for a bad shape, seed, mean or std
 *
 * @example
 * ```ts
 * const kernel = truncatedNormalTensor([3, 3, 16, 32], { seed: 2, std: 0.05 });
 * ```
 */
export function truncatedNormalTensor(shape: number[], options: RandomNormalTensorOptions): Tensor {
  checkOptions(options);
  const size = shapeSize(shape);
  const { mean = 0, std = 1 } = options;
  checkNormalOptions(mean, std);
  const generator = resolveRng(options.seed, 'options.seed');
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    let z = generator.normal();
    while (Math.abs(z) > 2) z = generator.normal();
    values[i] = mean + std * z;
  }
  return tf.tensor(values, shape, 'float32');
}
