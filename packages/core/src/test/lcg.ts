/**
 * Deterministic pseudo-random float32 values in [−0.5, 0.5) from a 32-bit linear congruential generator — test
 * inputs that do not depend on the code under test (core's `rng` included). Internal to core's tests.
 */
export function lcgValues(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}
