/**
 * Fast Fourier transforms: float64/float32 typed-array transforms of any length (fft.js radix-4 for
 * powers of two, Bluestein otherwise) and differentiable tfjs ops over the last one or two axes with
 * complex values as `{ re, im }` float32 pairs. Inverse transforms carry the 1/n factor (numpy's
 * "backward" normalisation).
 *
 * @module
 */

export type {
  ComplexArrays,
  Fft2dArrayOptions,
  FftArrayOptions,
  FloatArray,
  IrfftArrayOptions,
  Rfft2dArrayOptions,
  RfftArrayOptions,
} from './arrays.js';
export {
  fft2dArray,
  fftArray,
  ifft2dArray,
  ifftArray,
  irfft2dArray,
  irfftArray,
  rfft2dArray,
  rfftArray,
} from './arrays.js';
export { fft1d, fft2d, ifft1d, ifft2d } from './complex_ops.js';
export { clearFftPlans } from './plan.js';
export { irfft1d, irfft2d, rfft1d, rfft2d } from './real_ops.js';
export type { ComplexTensors } from './tensor_checks.js';
