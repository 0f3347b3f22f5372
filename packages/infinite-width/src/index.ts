/**
 * `@tensorloom/infinite-width`: the theory of infinitely wide networks, runnable (Yang & Hu 2021, "Feature Learning
 * in Infinite-Width Neural Networks").
 *
 * - **abc-parametrizations**: {@link abcPreset}, {@link classifyAbc} (stable / trivial / feature learning / kernel,
 *   with r), {@link shiftAbc} (the symmetry), {@link abcMLP} (any stable abc-parametrization as a trainable MLP).
 * - **NNGP and NTK kernels** of deep fully connected nets in closed form ({@link fcKernels}), kernel regression and
 *   gradient-flow prediction ({@link kernelPredict}), empirical NTKs of finite tfjs models ({@link empiricalNtk}).
 * - **μP in practice**: {@link muLayers}, {@link muMLP}, {@link muTransformer} (1/d attention), {@link muSGD},
 *   {@link muAdam} (core `fit` parameter groups) and the coordinate check ({@link coordCheck}, {@link coordCheckSvg}).
 * - **Data**: {@link mnistDigits} (seeded class-balanced MNIST digits for μTransfer and transfer tasks).
 * - **Exact infinite-width limits**: the 1-hidden-layer linear μP network as a finite model ({@link infiniteLinear1},
 *   {@link sampleFiniteLinear1}, {@link sgdStepLinear}, {@link linearLimitConvergence}).
 *
 * @module
 */
export {
  ABC_PRESET_NAMES,
  type AbcClassification,
  type AbcParametrization,
  type AbcPresetName,
  abcPreset,
  abcR,
  classifyAbc,
  shiftAbc,
} from './abc/abc.js';
export { type AbcMLPOptions, abcMLP } from './abc/abcMLP.js';
export { type DigitSet, type MnistDigitsOptions, mnistDigits } from './data/digits.js';
export {
  empiricalNtk,
  type FcNetwork,
  type RandomFcNetworkOptions,
  randomFcNetwork,
} from './kernels/empirical.js';
export {
  type FcKernelOptions,
  type FcKernelRunOptions,
  type FcKernels,
  fcKernels,
  KERNEL_ACTIVATIONS,
  type KernelActivation,
} from './kernels/fcKernels.js';
export { type KernelPredictOptions, kernelPredict } from './kernels/predict.js';
export {
  type InfiniteLinear1Options,
  infiniteLinear1,
  type LinearLimitConvergence,
  type LinearLimitConvergenceOptions,
  type LinearTwoLayer,
  linearLimitConvergence,
  predictLinear,
  sampleFiniteLinear1,
  sgdStepLinear,
} from './limits/linear1.js';
export {
  type CoordCheckLayer,
  type CoordCheckOptions,
  type CoordCheckResult,
  coordCheck,
  coordCheckSvg,
} from './mup/coordCheck.js';
export type { MuForward, MuModel } from './mup/model.js';
export {
  type MuLayerKind,
  type MuLayerSpec,
  type MuLayersOptions,
  type MuParametrization,
  muLayers,
} from './mup/muLayers.js';
export {
  type MuActivation,
  type MuMLP,
  type MuMLPOptions,
  type MuOptimizerSetup,
  muAdam,
  muMLP,
  muSGD,
} from './mup/muMLP.js';
export {
  type MuTransformer,
  type MuTransformerLayer,
  type MuTransformerOptions,
  muTransformer,
} from './mup/muTransformer.js';
