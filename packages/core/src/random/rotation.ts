import { assertInteger } from '../errors/validate.js';
import { type Rng, resolveRng } from './rng.js';

/** Writes the rotation matrix of a unit quaternion (w, x, y, z), row-major, into out[offset … offset+8]. */
function writeQuaternionMatrix(
  w: number,
  x: number,
  y: number,
  z: number,
  out: Float64Array,
  offset: number,
): void {
  out[offset] = 1 - 2 * (y * y + z * z);
  out[offset + 1] = 2 * (x * y - w * z);
  out[offset + 2] = 2 * (x * z + w * y);
  out[offset + 3] = 2 * (x * y + w * z);
  out[offset + 4] = 1 - 2 * (x * x + z * z);
  out[offset + 5] = 2 * (y * z - w * x);
  out[offset + 6] = 2 * (x * z - w * y);
  out[offset + 7] = 2 * (y * z + w * x);
  out[offset + 8] = 1 - 2 * (x * x + y * y);
}

/** A uniform random unit quaternion by Shoemake's method (three uniforms), turned into a matrix. */
function drawRotation(generator: Rng, out: Float64Array, offset: number): void {
  const u1 = generator.uniform();
  const theta1 = 2 * Math.PI * generator.uniform();
  const theta2 = 2 * Math.PI * generator.uniform();
  const r1 = Math.sqrt(1 - u1);
  const r2 = Math.sqrt(u1);
  writeQuaternionMatrix(
    r2 * Math.cos(theta2),
    r1 * Math.sin(theta1),
    r1 * Math.cos(theta1),
    r2 * Math.sin(theta2),
    out,
    offset,
  );
}

/**
 * A 3×3 rotation matrix drawn uniformly (Haar measure) from SO(3), as a row-major `Float64Array(9)`.
 *
 * Draws a uniform unit quaternion by Shoemake's method ("Uniform random rotations", Graphics Gems III, 1992)
 * and converts it; the result is orthogonal with determinant +1 to rounding.
 *
 * @param seed - an integer seed, or an {@link Rng} to draw from (advanced by three uniforms)
 * @throws {@link ArgumentError} for an invalid seed
 *
 * @example
 * ```ts
 * const R = randomRotation(7); // R[3 * i + j] is row i, column j
 * const rotated = [0, 1, 2].map((i) => R[3 * i] * v[0] + R[3 * i + 1] * v[1] + R[3 * i + 2] * v[2]);
 * ```
 */
export function randomRotation(seed: number | Rng): Float64Array {
  const out = new Float64Array(9);
  drawRotation(resolveRng(seed), out, 0);
  return out;
}

/**
 * `count` independent uniform rotations, packed row-major: rotation r occupies entries 9r … 9r+8.
 *
 * @param count - number of rotations, a non-negative integer
 * @param seed - an integer seed, or an {@link Rng} to draw from
 * @throws {@link ArgumentError} for a bad count or seed
 *
 * @example
 * ```ts
 * const Rs = randomRotations(100, 3); // Float64Array(900)
 * ```
 */
export function randomRotations(count: number, seed: number | Rng): Float64Array {
  assertInteger(count, 'count', { min: 0 });
  const generator = resolveRng(seed);
  const out = new Float64Array(9 * count);
  for (let r = 0; r < count; r++) drawRotation(generator, out, 9 * r);
  return out;
}
