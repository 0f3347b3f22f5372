/**
 * `@tensorloom/equivariant`: O(3)-equivariant building blocks — e3nn-style irreps, real spherical harmonics
 * (standard and e3nn bases), exact Wigner 3j / Clebsch–Gordan / Gaunt coefficients, Wigner-D matrices for real
 * SH, an e3nn-compatible Clebsch–Gordan full tensor product, and the Gaunt tensor product computed in the
 * 2-D Fourier basis (Luo, Chen & Krishnapriyan, ICLR 2024).
 *
 * @example
 * ```ts
 * import { ready, tf } from '@tensorloom/core';
 * import { gauntTensorProduct, sphericalHarmonics } from '@tensorloom/equivariant';
 * await ready();
 * const y = sphericalHarmonics(2, tf.tensor2d([[0, 0, 1]])); // [1, 9]
 * const out = gauntTensorProduct(y, y, { lmaxOut: 4 }); // [1, 25]
 * ```
 *
 * @module
 */

export {
  clebschGordan,
  complexGaunt,
  gauntCoefficient,
  wigner3jSymbol,
} from './coefficients/exact.js';
export { wigner3j } from './coefficients/wigner3j.js';
export {
  formatIrrep,
  type Irrep,
  Irreps,
  irrepProduct,
  type MulIrrep,
  type Parity,
} from './irreps/irreps.js';
export {
  GauntConvolution,
  type GauntConvolutionOptions,
  GauntFeatureInteraction,
  type GauntFeatureInteractionOptions,
  GauntManyBody,
  type GauntManyBodyOptions,
} from './layers/layers.js';
export { assertRotation, type WignerDOptions, wignerD, wignerDMatrix } from './rotation/wignerD.js';
export {
  lmaxFromDim,
  type ShBasis,
  type ShNormalization,
  type SphericalHarmonicsOptions,
  shDim,
  shIndex,
  sphericalHarmonics,
  sphericalHarmonicsArray,
} from './sh/sphericalHarmonics.js';
export {
  type CgTensorProductOptions,
  type CgTensorProductWeightedOptions,
  cgTensorProduct,
  cgTensorProductWeighted,
  type FullTensorProductPlan,
  fullTensorProductPlan,
  type TensorProductPath,
  type WeightedPath,
  weightedTensorProductPlan,
} from './tensor-product/cg.js';
export {
  type DegreeWeights,
  type GauntTensorProductOptions,
  gauntMatrix,
  gauntTensorProduct,
  gauntTensorProductDense,
} from './tensor-product/gaunt.js';
export { clearGauntCache, gauntCacheSize } from './tensor-product/sphereGrid.js';
