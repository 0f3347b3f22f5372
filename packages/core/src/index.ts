/**
 * `@tensorloom/core`: the shared tensor plumbing every Tensorloom package stands on.
 *
 * - **Backend**: {@link ready} picks WASM in Node (offline) and fills the kernels it lacks (FFT,
 *   complex numbers, Einsum, convolution filter gradients, segment sums); {@link backendInfo} says what runs.
 * - **tfjs**: {@link tf} is the one TensorFlow.js instance; take it from here.
 * - **FFT** of any length on typed arrays and as differentiable tfjs ops over the last one or two axes.
 * - **Products** ({@link matMul}, {@link batchMatMul}) that stay on WASM's fast path, gradients included.
 * - **Float64 math and linear algebra**, **seeded randomness**, **typed errors** and validation helpers,
 *   a **fit loop** with parameter groups, **safetensors** and model file I/O, **SVG plots**, and the
 *   **tour** types through which packages register demos with `loom tour`.
 *
 * @example
 * ```ts
 * import { ready, tf, matMul, fft2d } from '@tensorloom/core';
 * await ready();
 * const a = tf.randomNormal([256, 256]);
 * const c = matMul(a, a, false, true);
 * const { re, im } = fft2d(a, tf.zerosLike(a));
 * ```
 *
 * @module
 */

export { gatherColumns, scatterColumns } from './backend/columns.js';
export {
  BACKEND_NAMES,
  type BackendInfo,
  type BackendName,
  BRIDGED_KERNEL_NAMES,
  backendInfo,
  fillKernels,
  type ReadyOptions,
  ready,
} from './backend/ready.js';
export { ArgumentError, NumericalError, ShapeError, TensorloomError } from './errors/errors.js';
export {
  assertFinite,
  assertInteger,
  assertNumber,
  assertOneOf,
  assertPositive,
  assertRank,
  assertShape,
  describe as describeValue,
  formatShape,
  type ShapeLike,
} from './errors/validate.js';
export * from './fft/index.js';
export * from './io/index.js';
export * from './linalg/index.js';
export * from './math/index.js';
export { type Bar, barChartSvg, escapeXml, linePlotSvg, type Series } from './plot/svg.js';
export { batchMatMul, matMul } from './products/matmul.js';
export * from './random/index.js';
export type { DataType, Rank, Tensor, Tensor1D, Tensor2D, Tensor3D, Tensor4D } from './setup.js';
export { tf } from './setup.js';
export type {
  ProgressCallback,
  ProgressEvent,
  TourArtifact,
  TourContext,
  TourDemo,
  TourResult,
  TourRow,
} from './tour/types.js';
export * from './train/index.js';
