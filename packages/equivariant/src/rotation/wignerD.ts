import { ArgumentError, assertFinite, assertInteger, gaussLegendre, ShapeError } from '@tensorloom/core';
import { type ShBasis, shDim, sphericalHarmonicsArray } from '../sh/sphericalHarmonics.js';

/** Options of {@link wignerD}. */
export interface WignerDOptions {
  /** Real SH basis the matrix acts on (default `standard`). */
  basis?: ShBasis;
}

/** Checks that `rotation` is a row-major 3×3 proper rotation matrix. */
export function assertRotation(rotation: ArrayLike<number>, name = 'rotation'): void {
  if (rotation.length !== 9)
    throw new ShapeError(`${name} must hold 9 values (row-major 3×3), got ${rotation.length}`);
  assertFinite(rotation, name);
  const r = (i: number, j: number): number => rotation[3 * i + j] as number;
  let err = 0;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let dot = 0;
      for (let k = 0; k < 3; k++) dot += r(i, k) * r(j, k);
      err = Math.max(err, Math.abs(dot - (i === j ? 1 : 0)));
    }
  }
  const det =
    r(0, 0) * (r(1, 1) * r(2, 2) - r(1, 2) * r(2, 1)) -
    r(0, 1) * (r(1, 0) * r(2, 2) - r(1, 2) * r(2, 0)) +
    r(0, 2) * (r(1, 0) * r(2, 1) - r(1, 1) * r(2, 0));
  if (err > 1e-6 || Math.abs(det - 1) > 1e-6) {
    throw new ArgumentError(
      `${name} must be a proper rotation (RᵀR = I, det R = 1); got max |RRᵀ − I| = ${err.toExponential(2)}, det = ${det}`,
    );
  }
}

/** Quadrature nodes (unit vectors) and weights exact for polynomials of degree ≤ 2l on the sphere. */
function sphereQuadrature(l: number): { points: Float64Array; weights: Float64Array } {
  const nTheta = l + 1;
  const nPhi = 2 * l + 2;
  const { nodes, weights } = gaussLegendre(nTheta);
  const points = new Float64Array(nTheta * nPhi * 3);
  const w = new Float64Array(nTheta * nPhi);
  let k = 0;
  for (let i = 0; i < nTheta; i++) {
    const z = nodes[i] as number;
    const s = Math.sqrt(Math.max(0, 1 - z * z));
    for (let j = 0; j < nPhi; j++) {
      const phi = (2 * Math.PI * j) / nPhi;
      points[3 * k] = s * Math.cos(phi);
      points[3 * k + 1] = s * Math.sin(phi);
      points[3 * k + 2] = z;
      w[k] = ((weights[i] as number) * 2 * Math.PI) / nPhi;
      k++;
    }
  }
  return { points, weights: w };
}

/**
 * The Wigner-D matrix of degree `l` for real spherical harmonics: the (2l+1)×(2l+1) orthogonal matrix
 * (row-major) with `Y_l(R v) = D(R) · Y_l(v)` for every vector v, so that `D(R₁R₂) = D(R₁) D(R₂)`. Computed
 * in float64 as D_{mm'} = ∫ Y_lm(R v) Y_lm'(v) dΩ by a quadrature exact for degree 2l.
 *
 * @param l - degree (≥ 0)
 * @param rotation - row-major 3×3 proper rotation matrix
 * @throws {@link ArgumentError} when `rotation` is not a proper rotation, {@link ShapeError} for a wrong size
 *
 * @example
 * ```ts
 * const D1 = wignerD(1, randomRotation(3)); // for l = 1 (order y, z, x) a permuted copy of R
 * ```
 */
export function wignerD(l: number, rotation: ArrayLike<number>, options: WignerDOptions = {}): Float64Array {
  assertInteger(l, 'l', { min: 0 });
  assertRotation(rotation);
  const basis = options.basis ?? 'standard';
  const { points, weights } = sphereQuadrature(l);
  const n = weights.length;
  const rotated = new Float64Array(points.length);
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < 3; i++) {
      let acc = 0;
      for (let j = 0; j < 3; j++) acc += (rotation[3 * i + j] as number) * (points[3 * k + j] as number);
      rotated[3 * k + i] = acc;
    }
  }
  const dim = shDim(l);
  const offset = l * l;
  const d = 2 * l + 1;
  const y = sphericalHarmonicsArray(l, points, { basis });
  const yr = sphericalHarmonicsArray(l, rotated, { basis });
  const out = new Float64Array(d * d);
  for (let k = 0; k < n; k++) {
    const w = weights[k] as number;
    for (let a = 0; a < d; a++) {
      const ya = (yr[k * dim + offset + a] as number) * w;
      for (let b = 0; b < d; b++)
        out[a * d + b] = (out[a * d + b] as number) + ya * (y[k * dim + offset + b] as number);
    }
  }
  return out;
}

/**
 * The block-diagonal Wigner-D matrix over the flat SH layout of degrees 0..lmax, `(lmax+1)²` square,
 * row-major: `Y(R v) = D(R) Y(v)` for the whole coefficient vector.
 *
 * @throws {@link ArgumentError} for a bad `lmax` or a non-rotation
 */
export function wignerDMatrix(
  lmax: number,
  rotation: ArrayLike<number>,
  options: WignerDOptions = {},
): Float64Array {
  assertInteger(lmax, 'lmax', { min: 0 });
  const dim = shDim(lmax);
  const out = new Float64Array(dim * dim);
  for (let l = 0; l <= lmax; l++) {
    const block = wignerD(l, rotation, options);
    const d = 2 * l + 1;
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) out[(l * l + a) * dim + l * l + b] = block[a * d + b] as number;
    }
  }
  return out;
}
