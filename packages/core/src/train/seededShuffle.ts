/**
 * A private seeded generator and Fisher–Yates shuffle for the fit loop. Kept local on purpose: the
 * loop's batch order must not change when `src/random/` evolves, and it needs nothing more than a
 * uniform float in [0, 1).
 *
 * @module
 * @internal
 */

/**
 * Mulberry32: a 32-bit state generator with full period 2³², good enough for shuffling. Returns
 * uniform floats in [0, 1) with 32 random bits each.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Folds any safe integer seed (negative or above 2³²) into a 32-bit generator seed, so that seeds
 * such as `Date.now()` keep their high bits.
 */
export function seedToState(seed: number): number {
  const low = seed >>> 0;
  const high = Math.floor(seed / 4294967296) | 0;
  return (low ^ Math.imul(high, 0x9e3779b9)) >>> 0;
}

/**
 * A uniformly random permutation of `0 … n-1` (Fisher–Yates), drawing `n - 1` numbers from `random`.
 */
export function randomPermutation(n: number, random: () => number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = order[i]!;
    order[i] = order[j]!;
    order[j] = swap;
  }
  return order;
}
