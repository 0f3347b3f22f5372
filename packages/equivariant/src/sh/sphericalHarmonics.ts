import {
  ArgumentError,
  assertFinite,
  assertInteger,
  assertOneOf,
  NumericalError,
  ShapeError,
  type Tensor,
  tf,
} from '@tensorloom/core';

/** Normalisation of real spherical harmonics, as e3nn defines them. */
export type ShNormalization = 'integral' | 'component' | 'norm';
/** `standard`: polar axis +z; `e3nn`: e3nn's convention, polar axis +y (Y(v) = Y_std(v_z, v_x, v_y)). */
export type ShBasis = 'standard' | 'e3nn';

/** Options of {@link sphericalHarmonics} and {@link sphericalHarmonicsArray}. */
export interface SphericalHarmonicsOptions {
  /**
   * `integral` (default): orthonormal, ∫ Y_lm² dΩ = 1. `component`: Σ_m Y_lm² = 2l+1 on the unit sphere
   * (integral × √(4π)). `norm`: Σ_m Y_lm² = 1 on the unit sphere.
   */
  normalization?: ShNormalization;
  /** Axis convention (default `standard`). */
  basis?: ShBasis;
  /**
   * Normalise the input vectors first (default `true`; zero vectors are then an error). With `false`, Y_l is
   * the homogeneous degree-l polynomial, i.e. |r|^l · Y_l(r̂), as e3nn's `normalize=False`.
   */
  normalize?: boolean;
}

/** Flat index of (l, m) in the coefficient layout: `l² + l + m`. */
export function shIndex(l: number, m: number): number {
  return l * l + l + m;
}

/** Number of coefficients up to degree `lmax`: `(lmax+1)²`. */
export function shDim(lmax: number): number {
  return (lmax + 1) * (lmax + 1);
}

/** The degree `lmax` such that `(lmax+1)² = dim`, or a {@link ShapeError} naming `name`. */
export function lmaxFromDim(dim: number, name: string): number {
  const root = Math.round(Math.sqrt(dim));
  if (root < 1 || root * root !== dim) {
    throw new ShapeError(`${name}: last axis has size ${dim}, which is not (lmax+1)² for any lmax ≥ 0`);
  }
  return root - 1;
}

interface Coefs {
  /** qmm[m] multiplies Q_{m−1,m−1} to give Q_{mm}. */
  a: Float64Array[];
  b: Float64Array[];
  diag: Float64Array;
}

const coefCache = new Map<number, Coefs>();

/** Recurrence coefficients for the normalised associated Legendre polynomials divided by sin^m θ. */
function recurrence(lmax: number): Coefs {
  const cached = coefCache.get(lmax);
  if (cached) return cached;
  const a: Float64Array[] = [];
  const b: Float64Array[] = [];
  const diag = new Float64Array(lmax + 1);
  diag[0] = 1 / Math.sqrt(4 * Math.PI);
  for (let m = 1; m <= lmax; m++) diag[m] = Math.sqrt((2 * m + 1) / (2 * m)) * (diag[m - 1] as number);
  for (let l = 0; l <= lmax; l++) {
    const al = new Float64Array(l + 1);
    const bl = new Float64Array(l + 1);
    for (let m = 0; m <= l - 1; m++) {
      al[m] = Math.sqrt((4 * l * l - 1) / (l * l - m * m));
      bl[m] = l - 1 > m ? Math.sqrt(((l - 1) * (l - 1) - m * m) / (4 * (l - 1) * (l - 1) - 1)) : 0;
    }
    a.push(al);
    b.push(bl);
  }
  const coefs = { a, b, diag };
  coefCache.set(lmax, coefs);
  return coefs;
}

function scaleFor(normalization: ShNormalization, l: number): number {
  if (normalization === 'integral') return 1;
  if (normalization === 'component') return Math.sqrt(4 * Math.PI);
  return Math.sqrt((4 * Math.PI) / (2 * l + 1));
}

function resolveOptions(options: SphericalHarmonicsOptions): Required<SphericalHarmonicsOptions> {
  const normalization = options.normalization ?? 'integral';
  const basis = options.basis ?? 'standard';
  const normalize = options.normalize ?? true;
  assertOneOf(normalization, ['integral', 'component', 'norm'] as const, 'options.normalization');
  assertOneOf(basis, ['standard', 'e3nn'] as const, 'options.basis');
  if (typeof normalize !== 'boolean') {
    throw new ArgumentError(`options.normalize must be a boolean, got ${typeof normalize}`);
  }
  return { normalization, basis, normalize };
}

/**
 * Real spherical harmonics in float64 at `n` Cartesian vectors (`vectors` row-major `n × 3`).
 *
 * Standard basis: polar axis +z, φ from +x toward +y, no Condon–Shortley phase (Y₁,₋₁ ∝ y, Y₁,₀ ∝ z,
 * Y₁,₁ ∝ x), `√2·N·P̄_l^|m|(cos θ)·cos(mφ)` for m > 0 and `·sin(|m|φ)` for m < 0. Computed by the stable
 * recurrence for P̄_l^m / sin^m θ times Re/Im (x + iy)^m, so no factorials and no angles.
 *
 * @param lmax - largest degree (≥ 0)
 * @param vectors - `n × 3` values, row-major
 * @returns `n × (lmax+1)²` values, row-major, coefficient (l, m) at `l² + l + m`
 * @throws {@link ArgumentError} for a bad `lmax`/option or a zero vector when normalising
 * @throws {@link ShapeError} when `vectors.length` is not a multiple of 3
 * @throws {@link NumericalError} for non-finite input
 *
 * @example
 * ```ts
 * const y = sphericalHarmonicsArray(2, [0, 0, 1]); // Y_{1,0} = √(3/4π) at index 2
 * ```
 */
export function sphericalHarmonicsArray(
  lmax: number,
  vectors: ArrayLike<number>,
  options: SphericalHarmonicsOptions = {},
): Float64Array {
  assertInteger(lmax, 'lmax', { min: 0 });
  const { normalization, basis, normalize } = resolveOptions(options);
  if (vectors.length % 3 !== 0) {
    throw new ShapeError(`vectors must hold n × 3 values (row-major), got length ${vectors.length}`);
  }
  assertFinite(vectors, 'vectors');
  const n = vectors.length / 3;
  const dim = shDim(lmax);
  const out = new Float64Array(n * dim);
  const { a, b, diag } = recurrence(lmax);
  const scales = Float64Array.from({ length: lmax + 1 }, (_, l) => scaleFor(normalization, l));
  const q = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    let x = vectors[3 * i] as number;
    let y = vectors[3 * i + 1] as number;
    let z = vectors[3 * i + 2] as number;
    if (basis === 'e3nn') [x, y, z] = [z, x, y];
    let r2 = x * x + y * y + z * z;
    if (normalize) {
      if (r2 === 0)
        throw new ArgumentError(`vectors[${i}] is the zero vector; it has no direction to normalise`);
      const r = Math.sqrt(r2);
      x /= r;
      y /= r;
      z /= r;
      r2 = 1;
    }
    // q[l² + m] holds Q_l^m for m ≥ 0.
    for (let m = 0; m <= lmax; m++) {
      q[m * m + m] = diag[m] as number;
      if (m + 1 <= lmax) q[(m + 1) * (m + 1) + m] = Math.sqrt(2 * m + 3) * z * (diag[m] as number);
      for (let l = m + 2; l <= lmax; l++) {
        const al = (a[l] as Float64Array)[m] as number;
        const bl = (b[l] as Float64Array)[m] as number;
        q[l * l + m] =
          al * (z * (q[(l - 1) * (l - 1) + m] as number) - bl * r2 * (q[(l - 2) * (l - 2) + m] as number));
      }
    }
    const base = i * dim;
    let c = 1;
    let s = 0;
    for (let m = 0; m <= lmax; m++) {
      if (m > 0) {
        const cNext = x * c - y * s;
        s = x * s + y * c;
        c = cNext;
      }
      for (let l = m; l <= lmax; l++) {
        const value = (q[l * l + m] as number) * (scales[l] as number);
        if (m === 0) out[base + l * l + l] = value;
        else {
          out[base + l * l + l + m] = Math.SQRT2 * value * c;
          out[base + l * l + l - m] = Math.SQRT2 * value * s;
        }
      }
    }
  }
  return out;
}

/**
 * Real spherical harmonics as a differentiable tfjs op (float32), same conventions as
 * {@link sphericalHarmonicsArray}.
 *
 * @param lmax - largest degree (≥ 0)
 * @param vectors - tensor of shape `[..., 3]`
 * @returns tensor of shape `[..., (lmax+1)²]`
 * @throws {@link ShapeError} when the last axis is not 3
 * @throws {@link NumericalError} / {@link ArgumentError} for non-finite input or zero vectors when normalising
 *
 * @example
 * ```ts
 * const y = sphericalHarmonics(3, tf.tensor2d([[0, 0, 1]]), { normalization: 'component' });
 * ```
 */
export function sphericalHarmonics(
  lmax: number,
  vectors: Tensor,
  options: SphericalHarmonicsOptions = {},
): Tensor {
  assertInteger(lmax, 'lmax', { min: 0 });
  const { normalization, basis, normalize } = resolveOptions(options);
  if (!(vectors instanceof tf.Tensor))
    throw new ArgumentError('vectors must be a tf.Tensor of shape [..., 3]');
  if (vectors.rank < 1 || vectors.shape[vectors.rank - 1] !== 3) {
    throw new ShapeError(`vectors must have shape [..., 3], got [${vectors.shape.join(', ')}]`);
  }
  const values = vectors.dataSync();
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i] as number)) {
      throw new NumericalError(`vectors has a non-finite value at flat index ${i}: ${values[i]}`);
    }
  }
  if (normalize) {
    for (let i = 0; i < values.length; i += 3) {
      if (values[i] === 0 && values[i + 1] === 0 && values[i + 2] === 0) {
        throw new ArgumentError(`vectors[${i / 3}] is the zero vector; it has no direction to normalise`);
      }
    }
  }
  const { a, b, diag } = recurrence(lmax);
  return tf.tidy(() => {
    const batchShape = vectors.shape.slice(0, -1);
    const flat = tf.reshape(vectors, [-1, 3]);
    let [x, y, z] = tf.unstack(flat, 1) as [Tensor, Tensor, Tensor];
    if (basis === 'e3nn') [x, y, z] = [z, x, y];
    let r2: Tensor | null = null;
    if (normalize) {
      const r = tf.sqrt(tf.addN([tf.square(x), tf.square(y), tf.square(z)]));
      x = tf.div(x, r);
      y = tf.div(y, r);
      z = tf.div(z, r);
    } else r2 = tf.addN([tf.square(x), tf.square(y), tf.square(z)]);
    const n = flat.shape[0] as number;
    const columns: Tensor[] = new Array(shDim(lmax));
    let c: Tensor = tf.ones([n]);
    let s: Tensor = tf.zeros([n]);
    for (let m = 0; m <= lmax; m++) {
      if (m > 0) {
        const cNext = tf.sub(tf.mul(x, c), tf.mul(y, s));
        s = tf.add(tf.mul(x, s), tf.mul(y, c));
        c = cNext;
      }
      // Q_l^m for l = m.. as tensors (Q_mm is a constant).
      let prev2: Tensor | null = null;
      let prev: Tensor = tf.fill([n], diag[m] as number);
      for (let l = m; l <= lmax; l++) {
        let qlm: Tensor;
        if (l === m) qlm = prev;
        else if (l === m + 1) qlm = tf.mul(z, Math.sqrt(2 * m + 3) * (diag[m] as number));
        else {
          const al = (a[l] as Float64Array)[m] as number;
          const bl = (b[l] as Float64Array)[m] as number;
          const back = r2 ? tf.mul(r2, prev2 as Tensor) : (prev2 as Tensor);
          qlm = tf.mul(tf.sub(tf.mul(z, prev), tf.mul(back, bl)), al);
        }
        if (l > m) {
          prev2 = prev;
          prev = qlm;
        }
        const scale = scaleFor(normalization, l);
        if (m === 0) columns[l * l + l] = tf.mul(qlm, scale);
        else {
          columns[l * l + l + m] = tf.mul(tf.mul(qlm, c), Math.SQRT2 * scale);
          columns[l * l + l - m] = tf.mul(tf.mul(qlm, s), Math.SQRT2 * scale);
        }
        if (l === m) prev2 = null;
      }
    }
    return tf.reshape(tf.stack(columns, 1), [...batchShape, shDim(lmax)]);
  });
}
