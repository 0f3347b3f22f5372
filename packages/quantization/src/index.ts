/**
 * `@tensorloom/quantization`: mixed-precision post-training quantisation guided by Hessian traces and
 * inter-layer dependencies (after Schaefer et al. 2023, with HAWQ's Hessian sensitivity and AIMET's
 * tolerance-driven bisection).
 *
 * - **Quantizers**: uniform symmetric/asymmetric fake quantisation per tensor or channel (2–16 bits) with a
 *   straight-through estimator, float16/bfloat16 emulation, and min-max/percentile/MSE range calibration.
 * - **Model wrapper**: {@link quantizeModel} attaches quantisers to a tfjs `LayersModel` (dense, conv2d,
 *   depthwise conv2d, batch norm folded) and reports size, BOPs and a measured latency model.
 * - **Sensitivity**: Hutchinson Hessian traces, power-iteration eigenvalues, HAWQ scores, measured
 *   inter-layer dependencies and the augmented sensitivity.
 * - **Search**: {@link searchMixedPrecision} (bisection) and {@link paretoFrontier} (exhaustive).
 *
 * @module
 */

export {
  type HookedTraceOptions,
  type HookedTraces,
  hookedGaussNewtonTraces,
} from './model/hookedTraces.js';
export {
  type CalibrateLatencyOptions,
  calibrateLatencyModel,
  type LatencyModel,
} from './model/latency.js';
export {
  assertPrecision,
  type BitConfig,
  type LayerPrecision,
  layerPrecision,
  type Precision,
  precisionBits,
} from './model/precision.js';
export {
  QuantizedModel,
  type QuantizeModelOptions,
  type QuantLayerInfo,
  type QuantLayerKind,
  quantizeModel,
} from './model/quantizedModel.js';
export {
  type HookedWeight,
  quantizableWeights,
  type WeightConfig,
  type WeightHookOptions,
  weightOnlySize,
  weightPerturbations,
  withQuantizedWeights,
} from './model/weightHook.js';
export {
  CALIBRATION_METHODS,
  type CalibrateRangeOptions,
  type CalibrationMethod,
  calibrateRange,
  quantizationError,
} from './quantizers/calibrate.js';
export { FLOAT_FORMATS, type FloatFormat, roundToFloat } from './quantizers/float.js';
export {
  assertBits,
  fakeQuantize,
  integerRange,
  paramsFromRange,
  QUANT_SCHEMES,
  type QuantizationParamsOptions,
  type QuantScheme,
  quantizationParams,
  rangeToScale,
  roundHalfEven,
  type SteMode,
  type UniformQuantParams,
} from './quantizers/uniform.js';
export { COST_KINDS, type CostKind, costFunction } from './search/cost.js';
export {
  areaBetweenCurves,
  curveArea,
  type OrderingCurveOptions,
  orderingCurve,
  pathArea,
} from './search/orderingCurve.js';
export {
  cheapestWithinTolerance,
  frontierOf,
  type ParetoOptions,
  type ParetoPoint,
  paretoFrontier,
} from './search/pareto.js';
export {
  type OrderContext,
  type SearchOptions,
  type SearchOrder,
  type SearchResult,
  type SearchStep,
  searchMixedPrecision,
} from './search/searchMixedPrecision.js';
export {
  searchWeightOnly,
  type WeightOnlySearchOptions,
  type WeightOnlySearchResult,
} from './search/weightOnlySearch.js';
export {
  gaussNewtonVectorProduct,
  HUTCHINSON_ESTIMATORS,
  type HutchinsonEstimator,
  type HutchinsonOptions,
  type HutchinsonResult,
  HVP_METHODS,
  type HvpMethod,
  type HvpOptions,
  hessianVectorProduct,
  hutchinsonTrace,
  type ParamLogits,
  type ParamLoss,
  type PowerIterationOptions,
  topHessianEigenvalue,
} from './sensitivity/hessian.js';
export {
  augmentedSensitivity,
  type CalibrationData,
  type Dependencies,
  type DependencyContext,
  type DependencyMeasure,
  hawqScores,
  type LayerHessianOptions,
  type LayerHessianTraces,
  layerHessianTraces,
  type MeasureDependenciesOptions,
  measureDependencies,
  pairwiseLossInteraction,
  sensitivityOrder,
} from './sensitivity/layerSensitivity.js';
export { softmaxCrossEntropy } from './sensitivity/loss.js';
export { exp2, tanh2 } from './sensitivity/secondOrder.js';
