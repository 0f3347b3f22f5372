/**
 * `@tensorloom/attention`: softmax attention (with a reusable multi-head layer) and higher-order
 * (tensor) attention after Alman & Song (ICLR 2024), exact (streamed) and near-linear (polynomial method).
 *
 * @module
 */

export { type Match3Options, type Match3Result, match3Experiment, match3Labels } from './demo/match3.js';
export {
  MultiHeadAttention,
  type MultiHeadAttentionLayerOptions,
  type MultiHeadAttentionOptions,
  type MultiHeadAttentionWeights,
  multiHeadAttention,
  poolTokens,
} from './softmax/multiHeadAttention.js';
export { maskedSoftmax, type SoftmaxAttentionOptions, softmaxAttention } from './softmax/softmaxAttention.js';
export {
  type ApproxAttentionResult,
  type HigherOrderAttentionApproxOptions,
  higherOrderAttentionApprox,
  type TensorAttentionApproxOptions,
  tensorAttentionApprox,
} from './tensor/approx.js';
export {
  type HigherOrderAttentionOptions,
  higherOrderAttention,
  type TensorAttentionOptions,
  tensorAttention,
} from './tensor/exact.js';
export { binomial, type MonomialBasis, monomialBasis, monomialFeatures } from './tensor/features.js';
export { TensorAttention, type TensorAttentionLayerOptions } from './tensor/layer.js';
export {
  bestExpPolynomial,
  type ExpPolynomial,
  type ExpPolynomialKind,
  expPolynomial,
  outputErrorBound,
} from './tensor/polynomial.js';
