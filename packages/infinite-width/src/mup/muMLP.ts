import type { Variable } from '@tensorflow/tfjs';
import {
  ArgumentError,
  assertInteger,
  assertOneOf,
  describeValue,
  matMul,
  type OptimizerSpec,
  type ParamGroup,
  randomNormalTensor,
  rng,
  ShapeError,
  type Tensor,
  type Tensor2D,
  tf,
} from '@tensorloom/core';
import type { MuForward, MuModel } from './model.js';
import { type MuLayerSpec, type MuLayersOptions, muLayers, resolveMuOptions } from './muLayers.js';

/** Activations of {@link muMLP}. */
export type MuActivation = 'relu' | 'tanh' | 'identity';

/** Options of {@link muMLP}. */
export interface MuMLPOptions extends MuLayersOptions {
  /** Hidden nonlinearity; default `'relu'`. */
  activation?: MuActivation;
  /** Seed of the initialisation. */
  seed: number;
}

/**
 * A μP (or SP) multilayer perceptron with explicit `tf.Variable` parameters. Its `forward` records the
 * post-activation of every hidden layer, then the output (names `layer0 … layer{depth−1}`, `output`).
 */
export interface MuMLP extends MuModel {
  /** Per-layer rules (input layer first). */
  readonly layers: readonly MuLayerSpec[];
  /** Input and output dimensions. */
  readonly inputDim: number;
  readonly outputDim: number;
  /** Weights and biases, per layer: `[W0, b0, W1, b1, …]`. */
  readonly weights: readonly Variable[];
  readonly biases: readonly Variable[];
  /** The output for `x` (`[N, inputDim]` → `[N, outputDim]`). */
  apply(x: Tensor): Tensor;
  /** The output and every layer's activation (call inside `tf.tidy`). */
  forward(x: Tensor): MuForward;
  /** Disposes the variables. */
  dispose(): void;
}

let instance = 0;

/**
 * Builds an MLP with the μP (or SP) initialisation and forward multipliers of {@link muLayers}. Train it with core's
 * `fit` and the parameter groups of {@link muSGD} or {@link muAdam}.
 *
 * @throws {@link ArgumentError} for width < 1, baseWidth > width, or other bad options
 *
 * @example
 * ```ts
 * const model = muMLP({ inputDim: 784, width: 1024, baseWidth: 64, depth: 2, outputDim: 10, seed: 0 });
 * await fit({ ...muAdam(model), learningRate: 1e-3, loss: (x, y) => tf.losses.softmaxCrossEntropy(y, model.apply(x)), data });
 * model.dispose();
 * ```
 */
export function muMLP(options: MuMLPOptions): MuMLP {
  const o = resolveMuOptions(options);
  const activation = options.activation ?? 'relu';
  assertOneOf(activation, ['relu', 'tanh', 'identity'] as const, 'options.activation');
  assertInteger(options.seed, 'options.seed');
  return buildMLP(muLayers(o), activation, options.seed);
}

/**
 * Builds an MLP from explicit layer rules (used by {@link muMLP} and `abcMLP`). @internal
 */
export function buildMLP(layers: MuLayerSpec[], activation: MuActivation, seed: number): MuMLP {
  const inputDim = layers[0]!.fanIn;
  const outputDim = layers[layers.length - 1]!.fanOut;
  const generator = rng(seed);
  const id = instance++;
  const weights: Variable[] = [];
  const biases: Variable[] = [];
  layers.forEach((spec, l) => {
    const w = tf.tidy(() =>
      spec.initStd === 0
        ? tf.zeros([spec.fanIn, spec.fanOut])
        : randomNormalTensor([spec.fanIn, spec.fanOut], { seed: generator, std: spec.initStd }),
    );
    weights.push(tf.variable(w, true, `muMLP${id}/W${l}`));
    w.dispose();
    const b = tf.zeros([spec.fanOut]);
    biases.push(tf.variable(b, true, `muMLP${id}/b${l}`));
    b.dispose();
  });
  const act = (h: Tensor): Tensor =>
    activation === 'relu' ? tf.relu(h) : activation === 'tanh' ? tf.tanh(h) : h;
  const forward = (x: Tensor): MuForward => {
    if (!(x instanceof tf.Tensor) || x.rank !== 2 || x.shape[1] !== inputDim) {
      throw new ShapeError(
        `x: expected a rank-2 tensor [N, ${inputDim}], got ${x instanceof tf.Tensor ? `shape [${x.shape.join(', ')}]` : describeValue(x)}`,
      );
    }
    const activations: { name: string; value: Tensor }[] = [];
    let h = x;
    layers.forEach((spec, l) => {
      let z = matMul(h as Tensor2D, weights[l] as unknown as Tensor2D) as Tensor;
      if (spec.multiplier !== 1) z = tf.mul(z, spec.multiplier);
      z = tf.add(z, biases[l]!);
      if (l < layers.length - 1) {
        h = act(z);
        activations.push({ name: `layer${l}`, value: h });
      } else h = z;
    });
    activations.push({ name: 'output', value: h });
    return { output: h, activations };
  };
  const model: MuMLP = {
    layers,
    inputDim,
    inputShape: [inputDim],
    outputDim,
    weights,
    biases,
    apply: (x) => tf.tidy(() => forward(x).output),
    forward,
    paramGroups: (optimizer) => groupsFor(model, optimizer === 'sgd' ? 'sgdLrScale' : 'adamLrScale'),
    dispose: () => tf.dispose([...weights, ...biases]),
  };
  return model;
}

/** What {@link muSGD} and {@link muAdam} return: spread it into core's `fit` options. */
export interface MuOptimizerSetup {
  /** The optimizer spec for `fit`. */
  optimizer: OptimizerSpec;
  /** One parameter group per weight and bias with the μP learning-rate scale (biases: no weight decay). */
  groups: ParamGroup[];
}

function checkModel(model: unknown): MuModel {
  if (typeof model !== 'object' || model === null || typeof (model as MuModel).paramGroups !== 'function') {
    throw new ArgumentError(
      `model: expected a MuMLP or another MuModel (from muMLP, abcMLP, muTransformer), got ${describeValue(model)}`,
    );
  }
  return model as MuModel;
}

/** The μP parameter groups of an MLP. @internal */
export function groupsFor(model: MuMLP, which: 'sgdLrScale' | 'adamLrScale'): ParamGroup[] {
  const groups: ParamGroup[] = [];
  model.layers.forEach((spec, l) => {
    groups.push({
      name: `${spec.kind}${l}.weight`,
      params: [model.weights[l]!],
      lrScale: spec[which].weight,
    });
    groups.push({
      name: `${spec.kind}${l}.bias`,
      params: [model.biases[l]!],
      lrScale: spec[which].bias,
      weightDecayScale: 0,
    });
  });
  return groups;
}

/**
 * SGD with the `mup` package's `MuSGD` learning-rate scaling as core `fit` parameter groups: input weights and
 * hidden-layer biases × m, hidden weights × 1, readout weights × m, readout bias × 1 (m = width/baseWidth; all 1 for an SP
 * model). Works for any {@link MuModel} (its `paramGroups('sgd')`).
 * @throws {@link ArgumentError} when `model` is not a {@link MuModel}
 */
export function muSGD(model: MuModel): MuOptimizerSetup {
  return { optimizer: { name: 'sgd' }, groups: checkModel(model).paramGroups('sgd') };
}

/**
 * Adam with the `mup` package's `MuAdam` scaling as core `fit` parameter groups: hidden weights × 1/m, everything
 * else × 1 (Adam's update ignores gradient scale, so this differs from {@link muSGD}).
 * @param spec - Adam hyperparameters (default β1 0.9, β2 0.999)
 * @throws {@link ArgumentError} when `model` is not a {@link MuModel}
 */
export function muAdam(
  model: MuModel,
  spec: { beta1?: number; beta2?: number; epsilon?: number } = {},
): MuOptimizerSetup {
  return { optimizer: { name: 'adam', ...spec }, groups: checkModel(model).paramGroups('adam') };
}
