export { conv2dSame } from './common/convOps.js';
export { type GroupedConvOptions, GroupedKernelCache, groupedConvSame } from './common/groupedConv.js';
export {
  type TorchLayerArgs,
  type TorchLayout,
  TorchNamedLayer,
  type TorchWeightSpec,
} from './common/torchLayer.js';
export {
  loadTorchSafetensors,
  type TorchLoadReport,
  type TorchStateEntry,
  torchSafetensors,
  torchStateEntries,
} from './common/torchWeights.js';
export {
  type EbvResult,
  ebvLogits,
  ebvLoss,
  ebvPredict,
  type GenerateEbvOptions,
  generateEBV,
  welchBound,
} from './ebv/ebv.js';
export {
  makeDivisible,
  NEXT_VIT_VARIANTS,
  type NextVitBlockSpec,
  type NextVitConfig,
  type NextVitVariant,
  nextVitConfig,
  nextVitPlan,
  ntbSplit,
  validateNextVitConfig,
} from './nextvit/config.js';
export { foldNextVitBatchNorm } from './nextvit/fold.js';
export {
  NextVitBlock,
  type NextVitBlockArgs,
  NextVitHead,
  type NextVitHeadArgs,
  NextVitStem,
  type NextVitStemArgs,
} from './nextvit/layers.js';
export { nextVitMacs } from './nextvit/macs.js';
export {
  countTrainableParameters,
  type NextVitOptions,
  nextVit,
  nextVitFeatures,
  nextVitFromConfig,
  nextVitParameterCount,
} from './nextvit/model.js';
export {
  circularTokenConv,
  gelu,
  inceptionBlock,
  mergedInceptionKernel,
  positionalEmbedding,
  type TimesBlockResult,
  type TimesBlockWeights,
  timesBlock,
} from './timesnet/blocks.js';
export {
  applyScaler,
  type ForecastData,
  type ForecastWindows,
  fitScaler,
  forecastWindows,
  generateSeasonalSeries,
  hourlyTimeFeatures,
  type MultivariateSeries,
  prepareForecastData,
  type Scaler,
  type SeasonalSeriesOptions,
  type SeriesSplits,
  splitSeries,
} from './timesnet/data.js';
export {
  TIMESNET_TASKS,
  type TimesNetConfig,
  TimesNetLayer,
  type TimesNetLayerArgs,
  type TimesNetTask,
  timesNet,
  timesNetConfig,
  timesNetInputNames,
  timesNetParameterCount,
  timesNetWeightSpecs,
  validateTimesNetConfig,
} from './timesnet/model.js';
export { type FftPeriodsResult, fftPeriods, findPeriods, type PeriodsResult } from './timesnet/periods.js';
export {
  evaluateForecast,
  type ForecastScores,
  fitLinearForecaster,
  type LinearForecaster,
  lastValueForecast,
  maeLoss,
  mseLoss,
  seasonalNaiveForecast,
  type TrainTimesNetOptions,
  trainTimesNet,
} from './timesnet/train.js';
