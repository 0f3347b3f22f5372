import type { LayersModel, LayerVariable, Tensor } from '@tensorflow/tfjs';
import { ArgumentError, assertOneOf, describeValue, tf } from '@tensorloom/core';
import { roundToFloat } from '../quantizers/float.js';
import { fakeQuantize, QUANT_SCHEMES, type QuantScheme, quantizationParams } from '../quantizers/uniform.js';
import { assertPrecision, type Precision, precisionBits } from './precision.js';

/** One weight variable that the weight hook can quantise. */
export interface HookedWeight {
  /** The variable's name (tfjs makes it unique within a model): the key of a {@link WeightConfig}. */
  name: string;
  /** The name of the layer that owns it. */
  layer: string;
  /** The layer's class name (e.g. `Conv2D` or a custom layer's `className`). */
  layerClass: string;
  /** Shape. */
  shape: number[];
  /** Number of values. */
  params: number;
}

/** Weight-only precisions by variable name ({@link HookedWeight.name}); weights not named stay float32. */
export type WeightConfig = Readonly<Record<string, Precision>>;

/** Options of {@link quantizableWeights} and {@link withQuantizedWeights}. */
export interface WeightHookOptions {
  /** Per output channel (the last axis; tfjs depthwise kernels: the flattened `in·multiplier` axis), default `true`. */
  perChannel?: boolean;
  /** Integer scheme (default `'symmetric'`). */
  scheme?: QuantScheme;
  /**
   * Which trainable variables count as quantisable weights (default: rank ≥ 2, i.e. dense/linear and
   * convolution kernels, not biases or normalisation vectors).
   */
  filter?: (weight: HookedWeight) => boolean;
}

interface LayerLike {
  name: string;
  getClassName(): string;
  trainableWeights: LayerVariable[];
}

function collect(
  model: LayersModel,
  options: WeightHookOptions,
): { info: HookedWeight; variable: LayerVariable }[] {
  if (!(model instanceof tf.LayersModel)) {
    throw new ArgumentError(`model: expected a tf.LayersModel, got ${describeValue(model)}`);
  }
  if (options === null || typeof options !== 'object') {
    throw new ArgumentError(`options: expected an options object, got ${describeValue(options)}`);
  }
  if (options.scheme !== undefined) assertOneOf(options.scheme, QUANT_SCHEMES, 'scheme');
  if (options.filter !== undefined && typeof options.filter !== 'function') {
    throw new ArgumentError(`filter: expected a function, got ${describeValue(options.filter)}`);
  }
  const filter = options.filter ?? ((w: HookedWeight) => w.shape.length >= 2);
  const out: { info: HookedWeight; variable: LayerVariable }[] = [];
  for (const layer of model.layers as unknown as LayerLike[]) {
    for (const variable of layer.trainableWeights) {
      const info: HookedWeight = {
        name: variable.name,
        layer: layer.name,
        layerClass: layer.getClassName(),
        shape: variable.shape.map((d) => d ?? 1),
        params: variable.shape.reduce<number>((a, b) => a * (b ?? 1), 1),
      };
      if (filter(info)) out.push({ info, variable });
    }
  }
  return out;
}

/**
 * The weights of any tfjs `LayersModel` — custom layers included (e.g. Next-ViT's NCB/NTB blocks) — that the
 * weight hook quantises: by default every trainable variable of rank ≥ 2 (dense/linear and convolution kernels).
 *
 * @throws {@link ArgumentError} for a non-model or bad options
 */
export function quantizableWeights(model: LayersModel, options: WeightHookOptions = {}): HookedWeight[] {
  return collect(model, options).map((w) => w.info);
}

/** Model size in bits under a weight-only config: Σ params × bits over the hooked weights (others at 32). */
export function weightOnlySize(weights: readonly HookedWeight[], config: WeightConfig): number {
  return weights.reduce((s, w) => s + w.params * precisionBits(config[w.name] ?? 'float32'), 0);
}

/**
 * The relative weight perturbation `‖Q_p(W) − W‖² / ‖W‖²` (or, with `relative = false`, `‖Q_p(W) − W‖²`) of
 * every hooked weight at precision `p` (the same quantiser as {@link withQuantizedWeights}), by weight name; the
 * default ordering of {@link searchWeightOnly}.
 *
 * @throws {@link ArgumentError} for a non-model, bad options or a bad precision
 */
export function weightPerturbations(
  model: LayersModel,
  p: Precision,
  options: WeightHookOptions = {},
  relative = true,
): Record<string, number> {
  assertPrecision(p, 'precision');
  const perChannel = options.perChannel ?? true;
  const scheme = options.scheme ?? 'symmetric';
  return Object.fromEntries(
    collect(model, options).map(({ info, variable }) => {
      const [num, den] = tf.tidy(() => {
        const w = variable.read();
        const q = quantizeWeight(w, p, info.layerClass, perChannel, scheme);
        return [tf.sum(tf.square(tf.sub(q, w))).dataSync()[0]!, tf.sum(tf.square(w)).dataSync()[0]!];
      });
      return [info.name, !relative ? num! : den! > 0 ? num! / den! : 0];
    }),
  );
}

/**
 * The weight quantisation hook, for layers that {@link quantizeModel} cannot wrap (custom layers whose forward
 * pass reads its own variables): quantises the named weight variables **in place** (fake quantisation:
 * `variable.write(Q_b(W))`, per output channel by default, or float16/bfloat16 rounding), runs `fn`, and
 * restores the exact original values afterwards — also when `fn` throws. Weight-only: activations and any
 * weights not named stay in float32; batch norms are not folded (fold them first where the model offers it,
 * e.g. backbones' `foldNextVitBatchNorm`). Not re-entrant: do not nest calls on the same model.
 *
 * @throws {@link ArgumentError} for an unknown weight name or a bad precision
 *
 * @example
 * ```ts
 * const weights = quantizableWeights(model);
 * const config = Object.fromEntries(weights.map((w) => [w.name, 4]));
 * const logits = await withQuantizedWeights(model, config, () => model.predict(x) as tf.Tensor);
 * ```
 */
export async function withQuantizedWeights<T>(
  model: LayersModel,
  config: WeightConfig,
  fn: () => T | Promise<T>,
  options: WeightHookOptions = {},
): Promise<T> {
  const all = collect(model, options);
  if (config === null || typeof config !== 'object') {
    throw new ArgumentError(
      `config: expected an object of weight name → precision, got ${describeValue(config)}`,
    );
  }
  if (typeof fn !== 'function') throw new ArgumentError(`fn: expected a function, got ${describeValue(fn)}`);
  const byName = new Map(all.map((w) => [w.info.name, w]));
  for (const [name, p] of Object.entries(config)) {
    if (!byName.has(name)) {
      throw new ArgumentError(
        `config: weight '${name}' is not a quantisable weight of the model (see quantizableWeights; ${all.length} weights)`,
      );
    }
    assertPrecision(p, `config['${name}']`);
  }
  const perChannel = options.perChannel ?? true;
  const scheme = options.scheme ?? 'symmetric';
  const saved: { variable: LayerVariable; original: Tensor }[] = [];
  try {
    for (const [name, p] of Object.entries(config)) {
      if (p === 'float32') continue;
      const { info, variable } = byName.get(name)!;
      const original = tf.clone(variable.read());
      saved.push({ variable, original });
      const q = tf.tidy(() => quantizeWeight(original, p, info.layerClass, perChannel, scheme));
      variable.write(q);
      q.dispose();
    }
    return await fn();
  } finally {
    for (const { variable, original } of saved.reverse()) {
      variable.write(original);
      original.dispose();
    }
  }
}

function quantizeWeight(
  w: Tensor,
  p: Precision,
  layerClass: string,
  perChannel: boolean,
  scheme: QuantScheme,
): Tensor {
  if (typeof p !== 'number') return roundToFloat(w, p as 'float16' | 'bfloat16');
  if (!perChannel) return fakeQuantize(w, quantizationParams(w, { bits: p, scheme }));
  if (layerClass === 'DepthwiseConv2D' && w.rank === 4) {
    const [kh, kw, cin, mult] = w.shape as [number, number, number, number];
    const flat = tf.reshape(w, [kh, kw, cin * mult]);
    return tf.reshape(fakeQuantize(flat, quantizationParams(flat, { bits: p, scheme, axis: 2 })), w.shape);
  }
  return fakeQuantize(w, quantizationParams(w, { bits: p, scheme, axis: -1 }));
}
