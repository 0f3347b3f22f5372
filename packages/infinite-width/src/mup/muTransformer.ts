import type { Variable } from '@tensorflow/tfjs';
import { softmaxAttention } from '@tensorloom/attention';
import {
  ArgumentError,
  assertInteger,
  assertNumber,
  assertOneOf,
  batchMatMul,
  describeValue,
  matMul,
  type ParamGroup,
  randomNormalTensor,
  rng,
  ShapeError,
  type Tensor,
  type Tensor2D,
  tf,
} from '@tensorloom/core';
import type { MuForward, MuModel } from './model.js';
import type { MuLayerKind, MuLayerSpec, MuParametrization } from './muLayers.js';
import { muLayerRule } from './muLayers.js';

/** Options of {@link muTransformer}. */
export interface MuTransformerOptions {
  /** Features per input token (finite), ≥ 1. */
  inputDim: number;
  /** Model width d (residual stream), a multiple of `heads`. */
  width: number;
  /** The width at which hyperparameters were tuned, a multiple of `heads`, ≤ width; default `width`. */
  baseWidth?: number;
  /** Number of attention heads (fixed; the head dimension d/heads grows with width); default 1. */
  heads?: number;
  /** Number of transformer blocks, ≥ 1. */
  blocks: number;
  /** MLP hidden width as a multiple of `width`; default 2. */
  mlpRatio?: number;
  /** Output dimension, ≥ 1. */
  outputDim: number;
  /** `'mup'` (default) or `'sp'`. */
  parametrization?: MuParametrization;
  /**
   * The `mup` attention multiplier: μP scores are `attentionMultiplier·q·k/d_head`. Default √(baseWidth/heads), so that
   * μP and SP (`q·k/√d_head`) coincide at the base width (the `mup` README's `8/d` for base head size 64).
   */
  attentionMultiplier?: number;
  /** Initialise the query projection to zero (the `mup` recommendation: logits start at 0); default false. */
  queryZeroInit?: boolean;
  /** Initialise the readout to zero (`readout_zero_init`); default false. */
  readoutZeroInit?: boolean;
  /** `output_mult` of `MuReadout`; default 1. */
  readoutMultiplier?: number;
  /** Seed of the initialisation. */
  seed: number;
}

/** A dense layer of {@link MuTransformer}: its name and μP rules. */
export interface MuTransformerLayer extends MuLayerSpec {
  /** `embed`, `block{i}.q|k|v|o|fc1|fc2`, `readout`. */
  name: string;
}

/**
 * A pre-LayerNorm transformer encoder in μP (or SP): token embedding → blocks of
 * `h += o(Attn(LN h))`, `h += fc2(relu(fc1(LN h)))` → mean over tokens → LN → readout. LayerNorms have no parameters.
 * `forward` records `embed`, then per block `block{i}.logits` (attention scores), `block{i}.attn`, `block{i}.mlp`,
 * `block{i}` (residual stream), then `output`.
 */
export interface MuTransformer extends MuModel {
  /** Dense layers with their rules (embed first, readout last). */
  readonly layers: readonly MuTransformerLayer[];
  /** The score scale used in every head: μP `attentionMultiplier/d_head`, SP `1/√d_head`. */
  readonly attentionScale: number;
  /** Head dimension d/heads. */
  readonly headDim: number;
  /** Weights and biases in the order of `layers`. */
  readonly weights: readonly Variable[];
  readonly biases: readonly Variable[];
}

let instance = 0;

function spec(
  kind: MuLayerKind,
  fanIn: number,
  fanOut: number,
  baseFanIn: number,
  m: number,
  mup: boolean,
  readoutMultiplier: number,
): MuLayerSpec {
  return muLayerRule(kind, fanIn, fanOut, { baseFanIn, m, mup, readoutMultiplier });
}

function layerNorm(x: Tensor): Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
}

/**
 * A μP (or SP) transformer encoder block stack for sequence classification/regression, with the attention of
 * `@tensorloom/attention` (`softmaxAttention`) at score scale **1/d_head** under μP (TP5 / `mup`: `attn_mult/d`)
 * instead of 1/√d_head. The embedding is an input layer, q/k/v/o and the MLP weights are hidden (matrix-like) layers
 * and the readout is `MuReadout`, each with the rules of {@link muLayers} (init σ/√fan_in, Adam lr × 1/m for hidden
 * weights, SGD lr × m for the embedding, readout multiplier 1/m …), m = width/baseWidth. Train it with core's `fit`
 * and {@link muAdam}/{@link muSGD}; check it with {@link coordCheck}.
 *
 * @throws {@link ArgumentError} for width < 1, baseWidth > width, widths not divisible by `heads`, or other bad options
 *
 * @example
 * ```ts
 * const net = muTransformer({ inputDim: 8, width: 256, baseWidth: 32, heads: 2, blocks: 2, outputDim: 1, seed: 0 });
 * net.attentionScale; // √16 / 128
 * const y = net.apply(tf.randomNormal([4, 6, 8])); // [4, 1]
 * ```
 */
export function muTransformer(options: MuTransformerOptions): MuTransformer {
  if (typeof options !== 'object' || options === null) {
    throw new ArgumentError(
      `options: expected { inputDim, width, baseWidth?, heads?, blocks, outputDim, seed }, got ${describeValue(options)}`,
    );
  }
  const o = options;
  assertInteger(o.inputDim, 'options.inputDim', { min: 1 });
  assertInteger(o.width, 'options.width', { min: 1 });
  const baseWidth = o.baseWidth ?? o.width;
  assertInteger(baseWidth, 'options.baseWidth', { min: 1 });
  if (baseWidth > o.width) {
    throw new ArgumentError(
      `options.baseWidth: expected a base width <= width (${o.width}), got ${baseWidth}`,
    );
  }
  const heads = o.heads ?? 1;
  assertInteger(heads, 'options.heads', { min: 1 });
  if (o.width % heads !== 0 || baseWidth % heads !== 0) {
    throw new ArgumentError(
      `options.heads: expected a divisor of width (${o.width}) and baseWidth (${baseWidth}), got ${heads}`,
    );
  }
  assertInteger(o.blocks, 'options.blocks', { min: 1 });
  const mlpRatio = o.mlpRatio ?? 2;
  assertInteger(mlpRatio, 'options.mlpRatio', { min: 1 });
  assertInteger(o.outputDim, 'options.outputDim', { min: 1 });
  const parametrization = o.parametrization ?? 'mup';
  assertOneOf(parametrization, ['mup', 'sp'] as const, 'options.parametrization');
  const headDim = o.width / heads;
  const baseHeadDim = baseWidth / heads;
  const attentionMultiplier = o.attentionMultiplier ?? Math.sqrt(baseHeadDim);
  assertNumber(attentionMultiplier, 'options.attentionMultiplier', { min: Number.MIN_VALUE });
  const readoutMultiplier = o.readoutMultiplier ?? 1;
  assertNumber(readoutMultiplier, 'options.readoutMultiplier', { min: Number.MIN_VALUE });
  for (const key of ['queryZeroInit', 'readoutZeroInit'] as const) {
    const v = o[key];
    if (v !== undefined && typeof v !== 'boolean') {
      throw new ArgumentError(`options.${key}: expected a boolean, got ${describeValue(v)}`);
    }
  }
  assertInteger(o.seed, 'options.seed');

  const mup = parametrization === 'mup';
  const m = o.width / baseWidth;
  const w = o.width;
  const hiddenMlp = mlpRatio * w;
  const attentionScale = mup ? attentionMultiplier / headDim : 1 / Math.sqrt(headDim);
  const layers: MuTransformerLayer[] = [
    { name: 'embed', ...spec('input', o.inputDim, w, o.inputDim, m, mup, readoutMultiplier) },
  ];
  for (let b = 0; b < o.blocks; b++) {
    for (const p of ['q', 'k', 'v', 'o'])
      layers.push({ name: `block${b}.${p}`, ...spec('hidden', w, w, baseWidth, m, mup, readoutMultiplier) });
    layers.push({
      name: `block${b}.fc1`,
      ...spec('hidden', w, hiddenMlp, baseWidth, m, mup, readoutMultiplier),
    });
    layers.push({
      name: `block${b}.fc2`,
      ...spec('hidden', hiddenMlp, w, mlpRatio * baseWidth, m, mup, readoutMultiplier),
    });
  }
  layers.push({ name: 'readout', ...spec('readout', w, o.outputDim, baseWidth, m, mup, readoutMultiplier) });
  for (const l of layers) {
    if ((l.name.endsWith('.q') && o.queryZeroInit) || (l.kind === 'readout' && o.readoutZeroInit))
      l.initStd = 0;
  }

  const generator = rng(o.seed);
  const id = instance++;
  const weights: Variable[] = [];
  const biases: Variable[] = [];
  for (const l of layers) {
    const init = tf.tidy(() =>
      l.initStd === 0
        ? tf.zeros([l.fanIn, l.fanOut])
        : randomNormalTensor([l.fanIn, l.fanOut], { seed: generator, std: l.initStd }),
    );
    weights.push(tf.variable(init, true, `muTransformer${id}/${l.name}.W`));
    init.dispose();
    const zero = tf.zeros([l.fanOut]);
    biases.push(tf.variable(zero, true, `muTransformer${id}/${l.name}.b`));
    zero.dispose();
  }

  const dense = (x: Tensor, i: number): Tensor => {
    const l = layers[i]!;
    let z = matMul(x as Tensor2D, weights[i] as unknown as Tensor2D) as Tensor;
    if (l.multiplier !== 1) z = tf.mul(z, l.multiplier);
    return tf.add(z, biases[i]!);
  };
  const splitHeads = (x: Tensor, batch: number, tokens: number): Tensor =>
    tf.transpose(tf.reshape(x, [batch, tokens, heads, headDim]), [0, 2, 1, 3]);

  const run = (x: Tensor, record: boolean): MuForward => {
    if (!(x instanceof tf.Tensor) || x.rank !== 3 || x.shape[2] !== o.inputDim || x.shape[1] === 0) {
      throw new ShapeError(
        `x: expected a rank-3 tensor [N, tokens, ${o.inputDim}], got ${x instanceof tf.Tensor ? `shape [${x.shape.join(', ')}]` : describeValue(x)}`,
      );
    }
    const [batch, tokens] = x.shape as [number, number, number];
    const rows = batch * tokens;
    const activations: { name: string; value: Tensor }[] = [];
    let h = dense(tf.reshape(x, [rows, o.inputDim]), 0);
    if (record) activations.push({ name: 'embed', value: h });
    let li = 1;
    for (let b = 0; b < o.blocks; b++) {
      const a = layerNorm(h);
      const q = splitHeads(dense(a, li), batch, tokens);
      const k = splitHeads(dense(a, li + 1), batch, tokens);
      const v = splitHeads(dense(a, li + 2), batch, tokens);
      if (record) {
        const logits = tf.mul(batchMatMul(q, k, { transposeB: true }), attentionScale);
        activations.push({ name: `block${b}.logits`, value: logits });
      }
      const att = softmaxAttention(q, k, v, { scale: attentionScale });
      const merged = tf.reshape(tf.transpose(att, [0, 2, 1, 3]), [rows, w]);
      const attOut = dense(merged, li + 3);
      h = tf.add(h, attOut);
      const mlpOut = dense(tf.relu(dense(layerNorm(h), li + 4)), li + 5);
      h = tf.add(h, mlpOut);
      if (record) {
        activations.push({ name: `block${b}.attn`, value: attOut });
        activations.push({ name: `block${b}.mlp`, value: mlpOut });
        activations.push({ name: `block${b}`, value: h });
      }
      li += 6;
    }
    const pooled = layerNorm(tf.mean(tf.reshape(h, [batch, tokens, w]), 1));
    const output = dense(pooled, li);
    activations.push({ name: 'output', value: output });
    return { output, activations };
  };

  const paramGroups = (optimizer: 'sgd' | 'adam'): ParamGroup[] => {
    const which = optimizer === 'sgd' ? 'sgdLrScale' : 'adamLrScale';
    return layers.flatMap((l, i) => [
      { name: `${l.name}.weight`, params: [weights[i]!], lrScale: l[which].weight },
      { name: `${l.name}.bias`, params: [biases[i]!], lrScale: l[which].bias, weightDecayScale: 0 },
    ]);
  };
  return {
    layers,
    attentionScale,
    headDim,
    weights,
    biases,
    inputShape: [-1, o.inputDim],
    outputDim: o.outputDim,
    apply: (x) => tf.tidy(() => run(x, false).output),
    forward: (x) => run(x, true),
    paramGroups,
    dispose: () => tf.dispose([...weights, ...biases]),
  };
}
