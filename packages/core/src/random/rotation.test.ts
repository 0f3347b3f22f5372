import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../errors/errors.js';
import { rng } from './rng.js';
import { randomRotation, randomRotations } from './rotation.js';

function det3(m: ArrayLike<number>, o = 0): number {
  return (
    m[o]! * (m[o + 4]! * m[o + 8]! - m[o + 5]! * m[o + 7]!) -
    m[o + 1]! * (m[o + 3]! * m[o + 8]! - m[o + 5]! * m[o + 6]!) +
    m[o + 2]! * (m[o + 3]! * m[o + 7]! - m[o + 4]! * m[o + 6]!)
  );
}

/** max |R Rᵀ − I| for the rotation at offset o. */
function orthogonalityError(m: ArrayLike<number>, o = 0): number {
  let worst = 0;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let dot = 0;
      for (let k = 0; k < 3; k++) dot += m[o + 3 * i + k]! * m[o + 3 * j + k]!;
      worst = Math.max(worst, Math.abs(dot - (i === j ? 1 : 0)));
    }
  }
  return worst;
}

describe('randomRotation', () => {
  it('returns an orthogonal 3×3 matrix with determinant +1', () => {
    for (let seed = 0; seed < 200; seed++) {
      const R = randomRotation(seed);
      expect(R).toBeInstanceOf(Float64Array);
      expect(R.length).toBe(9);
      expect(orthogonalityError(R)).toBeLessThan(1e-14);
      expect(Math.abs(det3(R) - 1)).toBeLessThan(1e-14);
    }
  });

  it('is deterministic per seed and draws from a passed generator', () => {
    expect(randomRotation(5)).toEqual(randomRotation(5));
    expect(randomRotation(5)).not.toEqual(randomRotation(6));
    const a = rng(9);
    const b = rng(9);
    const batch = randomRotations(3, a);
    for (let r = 0; r < 3; r++)
      expect(Array.from(batch.subarray(9 * r, 9 * r + 9))).toEqual(Array.from(randomRotation(b)));
  });

  it('is Haar-uniform: E[R] = 0, E[R_ij²] = 1/3, E[tr R] = 0, E[(tr R)²] = 1, and R·e is uniform on the sphere', () => {
    const count = 20_000;
    const all = randomRotations(count, 123);
    const mean = new Float64Array(9);
    const meanSquare = new Float64Array(9);
    let trace = 0;
    let traceSquare = 0;
    const zBins = new Array<number>(4).fill(0); // (R·e_z)_z = R[8] is uniform on [−1, 1] (Archimedes)
    for (let r = 0; r < count; r++) {
      const o = 9 * r;
      expect(orthogonalityError(all, o)).toBeLessThan(1e-14);
      for (let k = 0; k < 9; k++) {
        mean[k]! += all[o + k]! / count;
        meanSquare[k]! += all[o + k]! ** 2 / count;
      }
      const t = all[o]! + all[o + 4]! + all[o + 8]!;
      trace += t / count;
      traceSquare += (t * t) / count;
      zBins[Math.min(3, Math.floor((all[o + 8]! + 1) * 2))]! += 1;
    }
    const se = Math.sqrt(1 / 3 / count); // each entry has variance 1/3
    for (let k = 0; k < 9; k++) {
      expect(Math.abs(mean[k]!)).toBeLessThan(5 * se);
      expect(Math.abs(meanSquare[k]! - 1 / 3)).toBeLessThan(0.02);
    }
    expect(Math.abs(trace)).toBeLessThan(5 / Math.sqrt(count)); // Var(tr R) = 1
    expect(Math.abs(traceSquare - 1)).toBeLessThan(0.06);
    for (const c of zBins) expect(Math.abs(c - count / 4)).toBeLessThan(5 * Math.sqrt((count * 3) / 16));
  });

  it('rejects bad seeds and counts with ArgumentError', () => {
    expect(() => randomRotation(1.5)).toThrow(ArgumentError);
    expect(() => randomRotation(Number.NaN)).toThrow(/seed: expected an integer seed/);
    expect(() => randomRotations(-1, 0)).toThrow(/count: expected a value >= 0, got -1/);
  });
});
