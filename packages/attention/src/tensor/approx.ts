import type { Tensor } from '@tensorloom/core';
import {
  ArgumentError,
  assertInteger,
  assertNumber,
  assertOneOf,
  batchMatMul,
  formatShape,
  matMul,
  NumericalError,
  ShapeError,
  tf,
} from '@tensorloom/core';
import { resolveScale, sizeOf, validateTensorAttentionInputs } from '../shared/inputs.js';
import { binomial, monomialBasis, monomialFeatures } from './features.js';
import {
  bestExpPolynomial,
  type ExpPolynomial,
  type ExpPolynomialKind,
  expPolynomial,
  outputErrorBound,
} from './polynomial.js';

/** Options for {@link higherOrderAttentionApprox}: give exactly one of `degree` and `epsilon`. */
export interface HigherOrderAttentionApproxOptions {
  /** Polynomial degree g ≥ 0. */
  degree?: number;
  /** Target ℓ∞ error: the smallest degree whose guaranteed bound is ≤ epsilon is used. */
  epsilon?: number;
  /**
   * Entry bound B: every entry of `q` and the keys must satisfy `|x| ≤ B` (checked; an
   * {@link ArgumentError} otherwise). The score radius used is the (tighter, still rigorous)
   * data bound `R = scale·max_i Σ_l |q_il|·Π_t max_j |K_t[j,l]| ≤ scale·d·B^{k+1}`.
   */
  bound?: number;
  /** Score scale, default `1/d` (paper). */
  scale?: number;
  /** `'auto'` (default) picks Taylor or Chebyshev by certified error; or force one. */
  polynomial?: 'auto' | ExpPolynomialKind;
  /** Per-key padding masks, each broadcastable to `[..., n_t]` (nonzero = keep). */
  keyMasks?: readonly (Tensor | undefined)[];
  /** Causal (every `j_t ≤ i`), via prefix sums: memory O(n·rank·dv). */
  causal?: boolean;
  /** Largest degree tried for `epsilon` (default 16). */
  maxDegree?: number;
  /** Largest feature rank `C(d+g, g)` allowed (default 20000). */
  maxRank?: number;
}

/** Options for {@link tensorAttentionApprox}. */
export interface TensorAttentionApproxOptions extends Omit<HigherOrderAttentionApproxOptions, 'keyMasks'> {
  /** Key padding masks: `k1` broadcastable to `[..., n1]`, `k2` to `[..., n2]`. */
  mask?: { k1?: Tensor; k2?: Tensor };
}

/** The output of the approximation together with its guarantee. */
export interface ApproxAttentionResult {
  /** `[..., nq, dv]`. */
  output: Tensor;
  /** Degree used. */
  degree: number;
  /** Feature rank `C(d+g, g)`. */
  rank: number;
  /** Polynomial used. */
  polynomial: ExpPolynomialKind;
  /** Score radius R: every score lies in `[−R, R]`. */
  scoreRadius: number;
  /** Certified relative error η of the polynomial against exp on `[−R, R]`. */
  relativeError: number;
  /** `‖V‖_∞ ≤ Π_t ‖V_t‖_∞`. */
  valueBound: number;
  /**
   * Guaranteed ℓ∞ error (exact arithmetic) `2η/(1−η)·‖V‖_∞`. Float32 rounding adds about
   * `1e-6·‖V‖_∞` on top.
   */
  bound: number;
}

/** Batched product; a batch of one runs as a plain 2-D product (no per-batch loop on WASM). */
function bmm(a: Tensor, b: Tensor, transposeA = false): Tensor {
  if (a.shape[0] !== 1) return batchMatMul(a, b, { transposeA });
  const a2 = tf.squeeze(a, [0]);
  const b2 = tf.squeeze(b, [0]);
  return tf.expandDims(matMul(a2, b2, transposeA, false), 0);
}

function pickPolynomial(g: number, radius: number, kind: 'auto' | ExpPolynomialKind): ExpPolynomial {
  return kind === 'auto' ? bestExpPolynomial(g, radius) : expPolynomial(g, radius, kind);
}

/**
 * Near-linear order-k attention by the polynomial method (Alman & Song 2024, §3): `exp` on the
 * score range `[−R, R]` is replaced by a polynomial P of degree g, whose powers factor into
 * symmetric-monomial tensor-power features of rank `C(d+g, g)`, `Ã = U_Q·(U_1 ⊘ … ⊘ U_k)ᵀ`; the identity
 * `(U_1 ⊘ U_2)ᵀ(V_1 ⊘ V_2) = (U_1ᵀV_1) ∘ (U_2ᵀV_2)` makes the cost O(n·rank·dv) — nothing of size n² is
 * formed. Returns the output and its guaranteed ℓ∞ error `2η/(1−η)·‖V‖_∞`. Differentiable.
 *
 * @param q - `[..., nq, d]`; keys `[..., n_t, d]`; values `[..., n_t, dv]`
 * @throws {@link ArgumentError} for bad options (neither or both of degree/epsilon, degree < 0,
 *   entries above `bound`, rank above `maxRank`); {@link NumericalError} when no degree can certify
 *   the target (entries too large for the bound to hold); {@link ShapeError} for mismatched shapes
 *
 * @example
 * ```ts
 * const { output, degree, bound } = higherOrderAttentionApprox(q, [k1, k2], [v1, v2], { epsilon: 1e-3 });
 * ```
 */
export function higherOrderAttentionApprox(
  q: Tensor,
  keys: readonly Tensor[],
  values: readonly Tensor[],
  options: HigherOrderAttentionApproxOptions,
): ApproxAttentionResult {
  const { batch, nq, d, dv, sizes } = validateTensorAttentionInputs(q, keys, values);
  if (options === null || typeof options !== 'object') {
    throw new ArgumentError('options: expected an object with degree or epsilon');
  }
  const { degree, epsilon } = options;
  if ((degree === undefined) === (epsilon === undefined)) {
    throw new ArgumentError(
      `options: expected exactly one of degree and epsilon, got ${degree === undefined ? 'neither' : 'both'}`,
    );
  }
  if (degree !== undefined) assertInteger(degree, 'degree', { min: 0 });
  if (epsilon !== undefined) {
    assertNumber(epsilon, 'epsilon');
    if (epsilon <= 0) throw new ArgumentError(`epsilon: expected a positive number, got ${epsilon}`);
  }
  const scale = resolveScale(options.scale, 1 / d);
  const kind = options.polynomial ?? 'auto';
  assertOneOf(kind, ['auto', 'taylor', 'chebyshev'], 'polynomial');
  const maxDegree = options.maxDegree ?? 16;
  assertInteger(maxDegree, 'maxDegree', { min: 0, max: 40 });
  const maxRank = options.maxRank ?? 20_000;
  assertInteger(maxRank, 'maxRank', { min: 1 });
  const causal = options.causal ?? false;
  if (causal && sizes.some((n) => n !== nq)) {
    throw new ShapeError(`causal: expected every key to have ${nq} tokens like q, got ${formatShape(sizes)}`);
  }
  const keyMasks: readonly (Tensor | undefined)[] = options.keyMasks ?? [];
  if (!Array.isArray(options.keyMasks ?? []) || keyMasks.length > keys.length) {
    throw new ArgumentError(
      `keyMasks: expected an array of at most ${keys.length} tensors, got ${String(keyMasks)}`,
    );
  }
  keyMasks.forEach((m, t) => {
    if (m === undefined) return;
    if (!(m instanceof tf.Tensor)) {
      throw new ArgumentError(`keyMasks[${t}]: expected a tensor, got ${typeof m}`);
    }
    const target = [...batch, sizes[t]!];
    const ok =
      m.rank <= target.length && m.shape.every((s, i) => s === 1 || s === target[target.length - m.rank + i]);
    if (!ok) {
      throw new ShapeError(
        `keyMasks[${t}]: expected a shape broadcastable to ${formatShape(target)}, got ${formatShape(m.shape)}`,
      );
    }
  });

  // Data bounds (read once): entry maxima, score radius and value bound.
  const bsz = sizeOf(batch);
  const stats = tf.tidy(() => {
    const q3 = tf.abs(tf.reshape(q, [bsz, nq, d]));
    let prod: Tensor = tf.ones([bsz, 1, d]);
    let em: Tensor = tf.max(q3);
    let vb: Tensor = tf.ones([bsz]);
    keys.forEach((k, t) => {
      const a = tf.abs(tf.reshape(k, [bsz, sizes[t]!, d]));
      prod = tf.mul(prod, tf.max(a, 1, true));
      em = tf.maximum(em, tf.max(a));
      vb = tf.mul(vb, tf.max(tf.abs(tf.reshape(values[t]!, [bsz, -1])), 1));
    });
    const r = tf.mul(tf.max(tf.sum(tf.mul(q3, prod), 2)), scale);
    return tf.stack([em, r, tf.max(vb)]);
  });
  const [entryMax, radius, valueBound] = Array.from(stats.dataSync()) as [number, number, number];
  stats.dispose();
  if (!Number.isFinite(entryMax))
    throw new NumericalError(`q/keys: expected finite entries, got ${entryMax}`);
  if (options.bound !== undefined) {
    assertNumber(options.bound, 'bound');
    if (options.bound <= 0)
      throw new ArgumentError(`bound: expected a positive number, got ${options.bound}`);
    if (entryMax > options.bound) {
      throw new ArgumentError(
        `bound: expected every entry of q and the keys to satisfy |x| ≤ ${options.bound}, got an entry of size ${entryMax}`,
      );
    }
  }

  let poly: ExpPolynomial;
  if (degree !== undefined) {
    poly = pickPolynomial(degree, radius, kind);
    if (poly.relativeError >= 1) {
      throw new NumericalError(
        `degree: a degree-${degree} ${poly.kind} polynomial cannot certify exp on the score range [−${radius.toPrecision(4)}, ${radius.toPrecision(4)}] (relative error ${poly.relativeError.toPrecision(3)} ≥ 1); raise the degree or bound the entries`,
      );
    }
  } else {
    let found: ExpPolynomial | undefined;
    for (let g = 0; g <= maxDegree && binomial(d + g, g) <= maxRank; g++) {
      const p = pickPolynomial(g, radius, kind);
      if (outputErrorBound(p.relativeError, valueBound) <= epsilon!) {
        found = p;
        break;
      }
    }
    if (!found) {
      throw new NumericalError(
        `epsilon: no degree ≤ ${maxDegree} (with rank ≤ ${maxRank}) certifies ℓ∞ error ${epsilon} on the score range [−${radius.toPrecision(4)}, ${radius.toPrecision(4)}] with ‖V‖∞ ≤ ${valueBound.toPrecision(4)}; the entries are too large for the polynomial method`,
      );
    }
    poly = found;
  }
  const g = poly.degree;
  const rank = binomial(d + g, g);
  if (rank > maxRank) {
    throw new ArgumentError(`degree: feature rank C(${d}+${g}, ${g}) = ${rank} exceeds maxRank ${maxRank}`);
  }
  const basis = monomialBasis(d, g);
  const weights = Float32Array.from(
    basis.degrees,
    (t, i) => poly.coefficients[t]! * scale ** t * basis.multinomials[i]!,
  );

  const output = tf.tidy(() => {
    const w = tf.tensor1d(weights);
    const uq = tf.reshape(tf.mul(monomialFeatures(tf.reshape(q, [bsz * nq, d]), basis), w), [bsz, nq, rank]);
    const us = keys.map((k, t) => {
      let u = tf.reshape(monomialFeatures(tf.reshape(k, [bsz * sizes[t]!, d]), basis), [
        bsz,
        sizes[t]!,
        rank,
      ]);
      const m = keyMasks[t];
      if (m !== undefined) {
        const keep = tf.cast(tf.notEqual(tf.broadcastTo(m, [...batch, sizes[t]!]), 0), 'float32');
        u = tf.mul(u, tf.reshape(keep, [bsz, sizes[t]!, 1]));
      }
      return u;
    });
    const vs = values.map((v, t) => tf.reshape(v, [bsz, sizes[t]!, dv]));
    let num: Tensor;
    let den: Tensor;
    if (!causal) {
      let h: Tensor = bmm(us[0]!, vs[0]!, true); // [B, r, dv]
      let z: Tensor = tf.sum(us[0]!, 1); // [B, r]
      for (let t = 1; t < us.length; t++) {
        h = tf.mul(h, bmm(us[t]!, vs[t]!, true));
        z = tf.mul(z, tf.sum(us[t]!, 1));
      }
      num = bmm(uq, h); // [B, nq, dv]
      den = bmm(uq, tf.expandDims(z, 2)); // [B, nq, 1]
    } else {
      let h: Tensor | undefined;
      let z: Tensor | undefined;
      us.forEach((u, t) => {
        const outer = tf.cumsum(tf.mul(tf.expandDims(u, 3), tf.expandDims(vs[t]!, 2)), 1); // [B, n, r, dv]
        const zs = tf.cumsum(u, 1);
        h = h ? tf.mul(h, outer) : outer;
        z = z ? tf.mul(z, zs) : zs;
      });
      num = tf.sum(tf.mul(tf.expandDims(uq, 3), h!), 2);
      den = tf.sum(tf.mul(uq, z!), 2, true);
    }
    // den > 0 whenever a tuple is kept (η < 1 keeps P positive); a fully masked row has num = den = 0 → 0.
    return tf.reshape(tf.div(num, tf.maximum(den, 1e-30)), [...batch, nq, dv]);
  });
  return {
    output,
    degree: g,
    rank,
    polynomial: poly.kind,
    scoreRadius: radius,
    relativeError: poly.relativeError,
    valueBound,
    bound: outputErrorBound(poly.relativeError, valueBound),
  };
}

/**
 * Near-linear approximation of {@link tensorAttention} (third order, two keys) by the polynomial
 * method; see {@link higherOrderAttentionApprox} for the algorithm and the guarantee.
 *
 * @example
 * ```ts
 * const { output, bound } = tensorAttentionApprox(q, k1, k2, v1, v2, { epsilon: 1e-3, bound: 1 });
 * ```
 */
export function tensorAttentionApprox(
  q: Tensor,
  k1: Tensor,
  k2: Tensor,
  v1: Tensor,
  v2: Tensor,
  options: TensorAttentionApproxOptions,
): ApproxAttentionResult {
  if (options === null || typeof options !== 'object') {
    throw new ArgumentError('options: expected an object with degree or epsilon');
  }
  const { mask, ...rest } = options;
  return higherOrderAttentionApprox(q, [k1, k2], [v1, v2], { ...rest, keyMasks: [mask?.k1, mask?.k2] });
}
