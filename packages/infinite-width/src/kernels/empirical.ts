import {
  ArgumentError,
  assertInteger,
  assertNumber,
  describeValue,
  type MatrixF64,
  matMul,
  randomNormalTensor,
  rng,
  ShapeError,
  type Tensor,
  type Tensor2D,
  tf,
} from '@tensorloom/core';
import { type FcKernelOptions, resolveKernelOptions } from './fcKernels.js';

/** A finite fully connected network with explicit parameters, matching the conventions of `fcKernels`. */
export interface FcNetwork {
  /** The parameters `[W1, b1?, W2, b2?, …]` (weights `fan_in × fan_out`; biases only when `biasStd > 0`). */
  params: Tensor[];
  /** Learning-rate multiplier of each parameter (all 1 for `'ntk'`; `1/fan_in` for weights and 1 for biases in `'standard'`). */
  lrScales: number[];
  /** The scalar output for each row of `x` (`[N]`), as a pure function of the parameters. */
  apply(params: readonly Tensor[], x: Tensor2D): Tensor;
  /** Disposes the parameters. */
  dispose(): void;
}

/** Options of {@link randomFcNetwork}. */
export interface RandomFcNetworkOptions extends FcKernelOptions {
  /** Input dimension d ≥ 1. */
  inputDim: number;
  /** Hidden width n ≥ 1. */
  width: number;
  /** Seed of the initialisation. */
  seed: number;
}

/**
 * Samples a finite-width fully connected network `Dense → (act → Dense) × depth` with a scalar output, in the
 * parametrization of `fcKernels` (`'ntk'`: standard-normal parameters with the `σ_w/√fan_in` multiplier in the
 * forward pass; `'standard'`: variance `σ_w²/fan_in` at init). Its output covariance tends to the NNGP kernel and its
 * empirical NTK (with `lrScales`) to the NTK as the width grows.
 *
 * @throws {@link ArgumentError} for bad sizes or options
 */
export function randomFcNetwork(options: RandomFcNetworkOptions): FcNetwork {
  const o = resolveKernelOptions(options);
  assertInteger(options.inputDim, 'options.inputDim', { min: 1 });
  assertInteger(options.width, 'options.width', { min: 1 });
  assertInteger(options.seed, 'options.seed');
  const generator = rng(options.seed);
  const dims = [options.inputDim, ...Array.from({ length: o.depth }, () => options.width), 1];
  const hasBias = o.biasStd > 0;
  const standard = o.parametrization === 'standard';
  const params: Tensor[] = [];
  const lrScales: number[] = [];
  const multipliers: number[] = [];
  for (let l = 0; l + 1 < dims.length; l++) {
    const fanIn = dims[l]!;
    params.push(
      randomNormalTensor([fanIn, dims[l + 1]!], {
        seed: generator,
        std: standard ? o.weightStd / Math.sqrt(fanIn) : 1,
      }),
    );
    lrScales.push(standard ? 1 / fanIn : 1);
    multipliers.push(standard ? 1 : o.weightStd / Math.sqrt(fanIn));
    if (hasBias) {
      params.push(randomNormalTensor([dims[l + 1]!], { seed: generator, std: standard ? o.biasStd : 1 }));
      lrScales.push(1);
    }
  }
  const act = (h: Tensor): Tensor =>
    o.activation === 'relu' ? tf.relu(h) : o.activation === 'erf' ? tf.erf(h) : h;
  const apply = (ps: readonly Tensor[], x: Tensor2D): Tensor =>
    tf.tidy(() => {
      let h: Tensor = x;
      let p = 0;
      for (let l = 0; l + 1 < dims.length; l++) {
        if (l > 0) h = act(h);
        h = tf.mul(matMul(h as Tensor2D, ps[p++] as Tensor2D), multipliers[l]!);
        if (hasBias) h = tf.add(h, standard ? ps[p++]! : tf.mul(ps[p++]!, o.biasStd));
      }
      return tf.reshape(h, [x.shape[0]]);
    });
  return { params, lrScales, apply, dispose: () => tf.dispose(params) };
}

/**
 * The empirical neural tangent kernel `Θ(x_i, x_j) = Σ_p s_p ∂f(x_i)/∂θ_p ∂f(x_j)/∂θ_p` of a scalar-output tfjs
 * model, from one backward pass per example; the products are accumulated in float64.
 *
 * @param apply - the model: parameters and an `[N, d]` batch → `[N]` outputs (or `[N, 1]`)
 * @param params - the parameters to differentiate
 * @param x - the `[N, d]` inputs
 * @param lrScales - per-parameter learning-rate multipliers `s_p` (default all 1)
 * @throws {@link ArgumentError} for bad arguments; {@link ShapeError} for an output that is not one value per example
 */
export async function empiricalNtk(
  apply: (params: readonly Tensor[], x: Tensor2D) => Tensor,
  params: readonly Tensor[],
  x: Tensor2D,
  lrScales?: readonly number[],
): Promise<MatrixF64> {
  if (typeof apply !== 'function')
    throw new ArgumentError(`apply: expected a function, got ${describeValue(apply)}`);
  if (!Array.isArray(params) || params.length === 0 || !params.every((p) => p instanceof tf.Tensor)) {
    throw new ArgumentError(`params: expected a non-empty array of tensors, got ${describeValue(params)}`);
  }
  if (!(x instanceof tf.Tensor) || x.rank !== 2) {
    throw new ShapeError(`x: expected a rank-2 tensor [N, d], got ${describeValue(x)}`);
  }
  const scales = lrScales ?? params.map(() => 1);
  if (scales.length !== params.length) {
    throw new ArgumentError(
      `lrScales: expected ${params.length} values (one per parameter), got ${scales.length}`,
    );
  }
  scales.forEach((s, i) => {
    assertNumber(s, `lrScales[${i}]`, { min: 0 });
  });
  const n = x.shape[0];
  const outShape = tf.tidy(() => apply(params, x).shape);
  if (outShape.reduce((a, b) => a * b, 1) !== n) {
    throw new ShapeError(`apply: expected one output per example (${n}), got shape [${outShape.join(', ')}]`);
  }
  const rows: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const flat = tf.tidy(() => {
      const grads = tf.grads((...ps: Tensor[]) => {
        return tf.sum(tf.slice(tf.reshape(apply(ps, x), [n]), [i], [1]));
      })([...params]);
      return tf.concat(grads.map((g, p) => tf.mul(tf.reshape(g, [-1]), Math.sqrt(scales[p]!))));
    });
    rows.push(Float64Array.from(await flat.data()));
    flat.dispose();
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const a = rows[i]!;
      const b = rows[j]!;
      let s = 0;
      for (let k = 0; k < a.length; k++) s += a[k]! * b[k]!;
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return { rows: n, cols: n, data: out };
}
