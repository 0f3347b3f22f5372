import {
  ArgumentError,
  assertInteger,
  formatShape,
  matMul,
  ShapeError,
  type Tensor,
  tf,
} from '@tensorloom/core';

function checkTensorMode(x: unknown, mode: unknown, name: string): asserts x is Tensor {
  if (!(x instanceof tf.Tensor)) throw new ArgumentError(`${name}: expected a tfjs Tensor, got ${typeof x}`);
  assertInteger(mode, 'mode', { min: 0 });
  if ((mode as number) >= x.rank) {
    throw new ArgumentError(
      `mode: expected an axis in [0, ${x.rank - 1}] for a tensor of rank ${x.rank}, got ${mode}`,
    );
  }
}

/**
 * Mode-n unfolding of a tfjs tensor (differentiable), with the same C-order convention as the float64
 * `unfold`: `reshape(moveaxis(x, mode, 0), [I_mode, −1])`.
 *
 * @throws {@link ArgumentError} for a bad mode or a non-tensor
 *
 * @example
 * ```ts
 * const m = unfoldTensor(tf.ones([2, 3, 4]), 2); // [4, 6]
 * ```
 */
export function unfoldTensor(x: Tensor, mode: number): Tensor {
  checkTensorMode(x, mode, 'x');
  const perm = [mode, ...x.shape.map((_, k) => k).filter((k) => k !== mode)];
  return tf.tidy(() => tf.reshape(tf.transpose(x, perm), [x.shape[mode]!, -1]));
}

/**
 * Inverse of {@link unfoldTensor}: folds an [I_mode, ∏_{k≠mode} I_k] matrix into `shape` (differentiable).
 *
 * @throws {@link ShapeError} when the sizes disagree
 *
 * @example
 * ```ts
 * foldTensor(unfoldTensor(x, 1), 1, x.shape); // equals x
 * ```
 */
export function foldTensor(matrix: Tensor, mode: number, shape: readonly number[]): Tensor {
  if (!(matrix instanceof tf.Tensor) || matrix.rank !== 2) {
    throw new ShapeError(
      `matrix: expected a rank-2 tfjs Tensor, got ${matrix instanceof tf.Tensor ? formatShape(matrix.shape) : typeof matrix}`,
    );
  }
  if (!Array.isArray(shape) || shape.length === 0)
    throw new ArgumentError('shape: expected a non-empty array of axis sizes');
  assertInteger(mode, 'mode', { min: 0, max: shape.length - 1 });
  const rest = shape.filter((_, k) => k !== mode);
  const cols = rest.reduce((a, b) => a * b, 1);
  if (matrix.shape[0] !== shape[mode] || matrix.shape[1] !== cols) {
    throw new ShapeError(
      `matrix: expected shape ${formatShape([shape[mode]!, cols])} to fold along mode ${mode} into ${formatShape(shape)}, got ${formatShape(matrix.shape)}`,
    );
  }
  // moved axes: [mode, others…] → inverse permutation back to 0..K−1
  const perm = [mode, ...shape.map((_, k) => k).filter((k) => k !== mode)];
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => {
    inv[p] = i;
  });
  return tf.tidy(() => tf.transpose(tf.reshape(matrix, [shape[mode]!, ...rest]), inv));
}

/**
 * Mode-n product of a tfjs tensor with a [J, I_mode] matrix (differentiable; through core's `matMul`).
 *
 * @throws {@link ShapeError} when the matrix's columns differ from I_mode
 *
 * @example
 * ```ts
 * const y = modeProductTensor(x, u, 0); // x ×₀ u
 * ```
 */
export function modeProductTensor(x: Tensor, matrix: Tensor, mode: number): Tensor {
  checkTensorMode(x, mode, 'x');
  if (!(matrix instanceof tf.Tensor) || matrix.rank !== 2 || matrix.shape[1] !== x.shape[mode]) {
    throw new ShapeError(
      `matrix: expected shape [J, ${x.shape[mode]}] to multiply mode ${mode} of ${formatShape(x.shape)}, got ${matrix instanceof tf.Tensor ? formatShape(matrix.shape) : typeof matrix}`,
    );
  }
  const shape = [...x.shape];
  shape[mode] = matrix.shape[0]!;
  return tf.tidy(() => foldTensor(matMul(matrix as never, unfoldTensor(x, mode) as never), mode, shape));
}
