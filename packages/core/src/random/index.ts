/**
 * Seeded randomness: the {@link Rng} generator (xoshiro128** seeded by SplitMix64), seeded tensor constructors
 * that give identical values on every backend, and uniform random rotations.
 *
 * @module
 */
export { CategoricalSampler, type MutableArrayLike, Rng, resolveRng, rng } from './rng.js';
export { randomRotation, randomRotations } from './rotation.js';
export {
  type RandomNormalTensorOptions,
  type RandomUniformTensorOptions,
  randomNormalTensor,
  randomUniformTensor,
  type SeededTensorOptions,
  truncatedNormalTensor,
} from './tensors.js';
