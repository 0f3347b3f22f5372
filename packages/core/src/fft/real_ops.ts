import type { Tensor } from '@tensorflow/tfjs';
import { ShapeError } from '../errors/errors.js';
import { assertInteger, formatShape } from '../errors/validate.js';
import { runHalfToReal, runRealToHalf } from './kernels.js';
import { halfSpectrumLength } from './lines.js';
import { assertComplexPair, assertTransformable, type ComplexTensors } from './tensor_checks.js';

function forward(x: Tensor, axes: 1 | 2): ComplexTensors {
  assertTransformable(x, 'x', axes, axes);
  const width = x.shape[x.rank - 1]!;
  const [re, im] = runRealToHalf(x, { scale: 1, axes, interiorWeight: 1, width });
  return { re, im };
}

function inverse(re: Tensor, im: Tensor, width: number, axes: 1 | 2): Tensor {
  assertComplexPair(re, im, axes, axes);
  assertInteger(width, 'width', { min: 1 });
  const bins = halfSpectrumLength(width);
  const last = re.shape[re.rank - 1]!;
  if (last !== bins) {
    throw new ShapeError(
      `re: expected a last axis of ⌊width/2⌋+1 = ${bins} bins for width ${width}, got ${last} (shape ${formatShape(re.shape)})`,
    );
  }
  const height = axes === 2 ? re.shape[re.rank - 2]! : 1;
  return runHalfToReal(re, im, { scale: 1 / (height * width), axes, interiorWeight: 2, width });
}

/**
 * Differentiable real-input DFT over the last axis, batched: the last axis W becomes ⌊W/2⌋+1 bins,
 * `Xₖ = Σⱼ xⱼ e^{−2πi·jk/W}` (numpy's `rfft`). Float64 arithmetic inside, float32 out. The gradient
 * is the adjoint (an inverse real transform without the Hermitian doubling of interior bins).
 *
 * @param x - float32, rank ≥ 1
 * @returns `{ re, im }` with shape `[..., ⌊W/2⌋+1]`
 * @throws {@link ArgumentError} for a non-tensor or non-float32 dtype
 * @throws {@link ShapeError} for rank 0 or an empty last axis
 *
 * @example
 * ```ts
 * const { re, im } = rfft1d(tf.tensor1d([1, 0, -1, 0])); // re [0, 2, 0], im [0, 0, 0]
 * ```
 */
export function rfft1d(x: Tensor): ComplexTensors {
  return forward(x, 1);
}

/**
 * Differentiable inverse of {@link rfft1d} over the last axis: half spectra of ⌊width/2⌋+1 bins become
 * real signals of length `width`, `xⱼ = (1/W) Σₖ Yₖ e^{+2πi·jk/W}` over the Hermitian extension
 * (numpy's `irfft(X, n=width)`; imaginary parts of DC and Nyquist are ignored).
 *
 * @param width - output length of the last axis; the input's last axis must be ⌊width/2⌋+1
 * @throws {@link ArgumentError} for non-tensors, non-float32 dtypes or a bad `width`
 * @throws {@link ShapeError} for unequal shapes or a last axis inconsistent with `width`
 *
 * @example
 * ```ts
 * const { re, im } = rfft1d(signal);             // [..., 513] for width 1024
 * const back = irfft1d(re, im, 1024);            // ≈ signal
 * ```
 */
export function irfft1d(re: Tensor, im: Tensor, width: number): Tensor {
  return inverse(re, im, width, 1);
}

/**
 * Differentiable 2-D real-input DFT over the last two axes, batched: `[..., H, W]` becomes
 * `[..., H, ⌊W/2⌋+1]` (numpy's `rfft2`): a real transform along rows, then complex along columns.
 *
 * @param x - float32, rank ≥ 2
 * @throws {@link ArgumentError} for a non-tensor or non-float32 dtype
 * @throws {@link ShapeError} for rank < 2 or empty transformed axes
 *
 * @example
 * ```ts
 * const { re, im } = rfft2d(tf.randomNormal([4, 28, 28])); // shape [4, 28, 15]
 * ```
 */
export function rfft2d(x: Tensor): ComplexTensors {
  return forward(x, 2);
}

/**
 * Differentiable inverse of {@link rfft2d} over the last two axes, with the factor 1/(H·W) (numpy's
 * `irfft2(X, s=[H, width])`): `[..., H, ⌊width/2⌋+1]` becomes `[..., H, width]`.
 *
 * @param width - output length of the last axis; the input's last axis must be ⌊width/2⌋+1
 * @throws {@link ArgumentError} for non-tensors, non-float32 dtypes or a bad `width`
 * @throws {@link ShapeError} for unequal shapes, rank < 2 or a last axis inconsistent with `width`
 *
 * @example
 * ```ts
 * const spectrum = rfft2d(images);
 * const back = irfft2d(spectrum.re, spectrum.im, images.shape[2]!); // ≈ images
 * ```
 */
export function irfft2d(re: Tensor, im: Tensor, width: number): Tensor {
  return inverse(re, im, width, 2);
}
