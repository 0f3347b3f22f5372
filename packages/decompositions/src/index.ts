/**
 * `@tensorloom/decompositions`: tensor decompositions in float64 on top of Tensorloom core.
 *
 * - **Tensor algebra** with one convention (C-order unfolding, as TensorLy): {@link unfold}, {@link fold},
 *   {@link modeProduct}, {@link multiModeProduct}, {@link kronecker}, {@link khatriRao}, and differentiable tfjs
 *   counterparts ({@link unfoldTensor}, {@link foldTensor}, {@link modeProductTensor}).
 * - **CP** by ALS ({@link cpAls}: normalisation, non-negativity, masks) and **Tucker** by HOSVD/HOOI
 *   ({@link hosvd}, {@link hooi}: masks), with {@link cpToTensor}, {@link tuckerToTensor}, {@link relativeError}.
 * - **FunBaT** ({@link funbat}): functional Bayesian Tucker / CP decomposition of tensors with continuous indexes
 *   (Matérn state-space GPs, conditional EP, Kalman/RTS smoothing), plus the state-space pieces
 *   ({@link maternStateSpace}, {@link kalmanSmoother}, {@link stateAt}).
 * - **Data generators** for continuous-indexed tensors ({@link officialSynthetic}, {@link spatioTemporalField}) and
 *   the discrete-grid baselines and comparison ({@link discretize}, {@link compareMethods}).
 *
 * @example
 * ```ts
 * import { funbat, officialSynthetic } from '@tensorloom/decompositions';
 * const { train, test } = officialSynthetic({ seed: 0 });
 * const model = await funbat({ ...train, rank: 1, kernel: 'matern32', lengthscale: 0.1, variance: 0.5, epochs: 50 });
 * const { mean, variance } = model.predict(test.indexes);
 * ```
 *
 * @module
 */
export { type CPModel, type CpAlsOptions, type CpAlsResult, cpAls } from './cp/cpAls.js';
export { cpToTensor, relativeError, tuckerToTensor } from './cp/reconstruct.js';
export {
  type ContinuousSplit,
  type ContinuousTensorData,
  type OfficialSyntheticOptions,
  officialSynthetic,
  type SpatioTemporalOptions,
  spatioTemporalField,
} from './data/generators.js';
export {
  type CompareMethod,
  type CompareOptions,
  type CompareRow,
  compareMethods,
  type DiscretizedData,
  discretize,
} from './eval/compare.js';
export {
  type FactorFunction,
  type FunbatEpoch,
  type FunbatModel,
  type FunbatOptions,
  type FunbatPrediction,
  type FunbatStorage,
  type FunbatTestSet,
  funbat,
} from './funbat/funbat.js';
export { kalmanSmoother, type SmootherResult, stateAt } from './funbat/kalman.js';
export type { FunbatDecomposition } from './funbat/moments.js';
export {
  MATERN_KERNELS,
  type MaternKernel,
  maternCovariance,
  maternStateSpace,
  type StateSpaceModel,
} from './funbat/stateSpace.js';
export {
  frobeniusNorm,
  type NDArrayF64,
  ndarray,
  ndarrayToTensor,
  type TensorLike,
  toNDArray,
} from './tensor/ndarray.js';
export { foldTensor, modeProductTensor, unfoldTensor } from './tensor/tfops.js';
export { fold, khatriRao, kronecker, modeProduct, multiModeProduct, unfold } from './tensor/unfold.js';
export { hooi, hosvd, type TuckerModel, type TuckerOptions, type TuckerResult } from './tucker/tucker.js';
