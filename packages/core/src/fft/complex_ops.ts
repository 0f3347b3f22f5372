import type { Tensor } from '@tensorflow/tfjs';
import { runComplexTransform } from './kernels.js';
import { assertComplexPair, type ComplexTensors } from './tensor_checks.js';

function transform(re: Tensor, im: Tensor, axes: 1 | 2, inverse: boolean): ComplexTensors {
  assertComplexPair(re, im, axes, axes);
  let count = 1;
  for (let i = re.rank - axes; i < re.rank; i++) count *= re.shape[i]!;
  const [outRe, outIm] = runComplexTransform(re, im, { inverse, scale: inverse ? 1 / count : 1, axes });
  return { re: outRe, im: outIm };
}

/**
 * Differentiable 1-D DFT over the last axis, batched over the leading axes, of a complex tensor held as
 * two float32 tensors: `Xₖ = Σⱼ xⱼ e^{−2πi·jk/n}`. Any length (Bluestein for non-powers of two),
 * computed in float64 and rounded to float32; works on every backend (WASM included, which has no
 * complex64). The gradient is the adjoint transform, so `tf.grad` works through it.
 *
 * @param re - real part, float32, rank ≥ 1
 * @param im - imaginary part, same shape
 * @returns `{ re, im }` of the same shape
 * @throws {@link ArgumentError} for non-tensors or non-float32 dtypes
 * @throws {@link ShapeError} for unequal shapes, rank 0 or an empty last axis
 *
 * @example
 * ```ts
 * const x = tf.tensor2d([[1, 2, 3, 4]]);
 * const { re, im } = fft1d(x, tf.zerosLike(x)); // re [[10, −2, −2, −2]], im [[0, 2, 0, −2]]
 * ```
 */
export function fft1d(re: Tensor, im: Tensor): ComplexTensors {
  return transform(re, im, 1, false);
}

/**
 * Differentiable inverse 1-D DFT over the last axis with the 1/n factor (numpy's "backward" norm):
 * `xⱼ = (1/n) Σₖ Xₖ e^{+2πi·jk/n}`. See {@link fft1d}.
 *
 * @example
 * ```ts
 * const back = ifft1d(spectrum.re, spectrum.im); // ≈ the signal fft1d started from
 * ```
 */
export function ifft1d(re: Tensor, im: Tensor): ComplexTensors {
  return transform(re, im, 1, true);
}

/**
 * Differentiable 2-D DFT over the last two axes (height, width), batched over leading axes, of a
 * complex tensor held as two float32 tensors: `X_{uv} = Σ_{hw} x_{hw} e^{−2πi(uh/H + vw/W)}`.
 * Any sizes; rows then columns. The gradient is the adjoint transform.
 *
 * @param re - real part, float32, rank ≥ 2 (`[..., H, W]`)
 * @param im - imaginary part, same shape
 * @throws {@link ArgumentError} for non-tensors or non-float32 dtypes
 * @throws {@link ShapeError} for unequal shapes, rank < 2 or empty transformed axes
 *
 * @example
 * ```ts
 * const images = tf.randomNormal([8, 32, 32]);
 * const spectrum = fft2d(images, tf.zerosLike(images));
 * ```
 */
export function fft2d(re: Tensor, im: Tensor): ComplexTensors {
  return transform(re, im, 2, false);
}

/**
 * Differentiable inverse 2-D DFT over the last two axes with the factor 1/(H·W). See {@link fft2d}.
 *
 * @example
 * ```ts
 * const { re } = ifft2d(spectrum.re, spectrum.im); // ≈ the images
 * ```
 */
export function ifft2d(re: Tensor, im: Tensor): ComplexTensors {
  return transform(re, im, 2, true);
}
