import type { Tensor } from '@tensorloom/core';
import { ArgumentError, assertInteger, formatShape, ShapeError, tf } from '@tensorloom/core';

/** The symmetric monomials `x^α` (`|α| ≤ g`) in `d` variables, enumerated degree by degree. */
export interface MonomialBasis {
  /** Number of variables d. */
  d: number;
  /** Largest total degree g. */
  degree: number;
  /** Total count `C(d+g, g)`. */
  rank: number;
  /** Degree `|α|` of each monomial. */
  degrees: Int32Array;
  /** Multinomial coefficient `|α|!/Π α_l!` of each monomial. */
  multinomials: Float64Array;
  /** Per degree t ≥ 1: index into degree t−1's monomials, and the variable it is multiplied by. */
  levels: { parent: Int32Array; variable: Int32Array }[];
}

/**
 * `C(n, k)` in floating point (rounded to the nearest integer; exact below 2^53).
 *
 * @throws {@link ArgumentError} unless `0 ≤ k ≤ n` are integers
 */
export function binomial(n: number, k: number): number {
  assertInteger(n, 'n', { min: 0 });
  assertInteger(k, 'k', { min: 0, max: n });
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/**
 * Enumerates the monomials of degree ≤ g in d variables as non-decreasing variable sequences, so
 * that degree-t monomials are a degree-(t−1) parent times one variable (used to build features with
 * two gathers and a product per degree). The count is `C(d+g, g)`.
 */
export function monomialBasis(d: number, degree: number): MonomialBasis {
  assertInteger(d, 'd', { min: 1 });
  assertInteger(degree, 'degree', { min: 0 });
  const degrees: number[] = [0];
  const multinomials: number[] = [1];
  const levels: { parent: Int32Array; variable: Int32Array }[] = [];
  // Each monomial at the current level: last variable and exponent counts.
  let prev: { last: number; counts: number[] }[] = [{ last: 0, counts: new Array<number>(d).fill(0) }];
  for (let t = 1; t <= degree; t++) {
    const parent: number[] = [];
    const variable: number[] = [];
    const cur: { last: number; counts: number[] }[] = [];
    prev.forEach((m, pi) => {
      for (let v = m.last; v < d; v++) {
        const counts = m.counts.slice();
        counts[v] = counts[v]! + 1;
        parent.push(pi);
        variable.push(v);
        cur.push({ last: v, counts });
        let coef = 1;
        let f = 1;
        for (let i = 2; i <= t; i++) f *= i;
        coef = f;
        for (const c of counts) for (let i = 2; i <= c; i++) coef /= i;
        degrees.push(t);
        multinomials.push(coef);
      }
    });
    levels.push({ parent: Int32Array.from(parent), variable: Int32Array.from(variable) });
    prev = cur;
  }
  return {
    d,
    degree,
    rank: degrees.length,
    degrees: Int32Array.from(degrees),
    multinomials: Float64Array.from(multinomials),
    levels,
  };
}

/**
 * Row-wise symmetric-monomial features `[x^α]_{|α| ≤ g}` of `x` `[N, d]` → `[N, C(d+g, g)]`
 * (differentiable). With weights `w_α = c_{|α|}·scale^{|α|}·multinomial(α)` on the query side,
 * `Σ_α w_α q^α Π_t k_t^α = Σ_t c_t (scale·Σ_l q_l Π_t k_{t,l})^t`, the polynomial of the score.
 *
 * @throws {@link ShapeError} unless `x` is `[N, basis.d]`; {@link ArgumentError} for a non-tensor or a bad basis
 */
export function monomialFeatures(x: Tensor, basis: MonomialBasis): Tensor {
  if (!(x instanceof tf.Tensor)) {
    throw new ArgumentError(`x: expected a tensor [N, d], got ${x === null ? 'null' : typeof x}`);
  }
  if (basis === null || typeof basis !== 'object' || !Array.isArray(basis.levels)) {
    throw new ArgumentError('basis: expected the result of monomialBasis(d, g)');
  }
  if (x.rank !== 2 || x.shape[1] !== basis.d) {
    throw new ShapeError(`x: expected shape [N, ${basis.d}] (the basis' d), got ${formatShape(x.shape)}`);
  }
  return tf.tidy(() => {
    const n = x.shape[0]!;
    const parts: Tensor[] = [tf.ones([n, 1])];
    let level: Tensor = parts[0]!;
    for (const { parent, variable } of basis.levels) {
      level = tf.mul(
        tf.gather(level, tf.tensor1d(parent, 'int32'), 1),
        tf.gather(x, tf.tensor1d(variable, 'int32'), 1),
      );
      parts.push(level);
    }
    return parts.length === 1 ? parts[0]! : tf.concat(parts, 1);
  });
}
