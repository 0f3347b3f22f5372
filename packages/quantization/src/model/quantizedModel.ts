import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { ArgumentError, assertOneOf, describeValue, ShapeError, TensorloomError, tf } from '@tensorloom/core';
import { CALIBRATION_METHODS, type CalibrationMethod, calibrateRange } from '../quantizers/calibrate.js';
import { roundToFloat } from '../quantizers/float.js';
import {
  fakeQuantize,
  paramsFromRange,
  QUANT_SCHEMES,
  type QuantScheme,
  quantizationParams,
} from '../quantizers/uniform.js';
import type { ParamLoss } from '../sensitivity/hessian.js';
import { softmaxCrossEntropy } from '../sensitivity/loss.js';
import { tanh2 } from '../sensitivity/secondOrder.js';
import {
  assertPrecision,
  type BitConfig,
  type LayerPrecision,
  layerPrecision,
  type Precision,
  precisionBits,
} from './precision.js';

/** Kinds of quantisable layers. */
export type QuantLayerKind = 'dense' | 'conv2d' | 'depthwiseConv2d';

/** What the wrapper knows about one quantisable layer. */
export interface QuantLayerInfo {
  /** The tfjs layer name (the key in a {@link BitConfig}). */
  name: string;
  /** Layer kind. */
  kind: QuantLayerKind;
  /** Name of the batch-normalisation layer folded into this one, or `null`. */
  foldedBatchNorm: string | null;
  /** Number of kernel weights (quantised). */
  params: number;
  /** Number of bias weights (kept at 32 bits in size accounting, as in HAWQ-V3). */
  biasParams: number;
  /** Multiply-accumulates per example. */
  macs: number;
}

/** Options of {@link quantizeModel}. */
export interface QuantizeModelOptions {
  /** Weight quantisation per output channel (default `true`) or per tensor. */
  perChannel?: boolean;
  /** Weight scheme (default `'symmetric'`, the HAWQ-V3 choice). */
  weightScheme?: QuantScheme;
  /** Activation-range calibration method (default `'minmax'`); activations use the asymmetric scheme per tensor. */
  activationCalibration?: CalibrationMethod;
  /** Percentile for `'percentile'` calibration (default 99.99). */
  percentile?: number;
  /**
   * Groups of layer names that must share one precision (the search and the exhaustive frontier move them
   * together), e.g. `[['block2_conv2', 'block2_down']]`. Default none.
   */
  ties?: readonly (readonly string[])[];
  /**
   * Tie the quantisable layers whose outputs (after a folded batch norm) meet directly at the same `Add` layer —
   * HAWQ-V3 ties a residual block's downsample convolution to its main branch (default `true`).
   */
  tieResidualBranches?: boolean;
}

type Activation = 'linear' | 'relu' | 'tanh' | 'sigmoid' | 'softmax' | 'relu6';
const ACTIVATIONS: readonly Activation[] = ['linear', 'relu', 'tanh', 'sigmoid', 'softmax', 'relu6'];
const SECOND_ORDER_ACTIVATIONS: readonly Activation[] = ['linear', 'relu', 'tanh'];
const PASSTHROUGH = new Set([
  'Flatten',
  'Reshape',
  'Dropout',
  'InputLayer',
  'MaxPooling2D',
  'AveragePooling2D',
  'ReLU',
  'Activation',
  'GlobalAveragePooling2D',
  'Add',
  'Concatenate',
]);
const SECOND_ORDER_PASSTHROUGH = new Set([
  'Flatten',
  'Reshape',
  'Dropout',
  'InputLayer',
  'ReLU',
  'Add',
  'Concatenate',
]);

interface QuantStep {
  type: 'quant';
  /** Indices of the steps whose outputs this step consumes (−1: the model input). */
  inputs: number[];
  info: QuantLayerInfo;
  kernel: Tensor;
  bias: Tensor | null;
  activation: Activation;
  strides: [number, number];
  padding: 'same' | 'valid';
  dilations: [number, number];
}
interface PlainStep {
  type: 'plain';
  inputs: number[];
  layer: {
    name: string;
    apply: (x: Tensor | Tensor[], kwargs?: Record<string, unknown>) => unknown;
    getClassName(): string;
  };
}
type Step = QuantStep | PlainStep;

function pair(v: unknown, name: string): [number, number] {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2) return [v[0] as number, v[1] as number];
  if (v === undefined || v === null) return [1, 1];
  throw new ArgumentError(`${name}: expected a number or a pair, got ${describeValue(v)}`);
}

function applyActivation(x: Tensor, activation: Activation): Tensor {
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      return tf.relu(x);
    case 'relu6':
      return tf.clipByValue(x, 0, 6);
    case 'tanh':
      return tanh2(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'softmax':
      return tf.softmax(x);
  }
}

/**
 * A tfjs `LayersModel` with fake quantisers attached by layer. Built by {@link quantizeModel}; its quantisable
 * layers are dense, conv2d and depthwise conv2d (batch normalisation directly after one is folded into it), and
 * any weightless layer in between (flatten, reshape, dropout, pooling, activations) runs as in the original.
 * Weights are quantised per output channel (or tensor), input activations per tensor with calibrated ranges.
 * Float weights are the folded copies owned by this object; the original model is not modified.
 */
export class QuantizedModel {
  /** The quantisable layers, in execution order. */
  readonly layers: readonly QuantLayerInfo[];
  /** Whether the float forward pass is twice differentiable in tfjs (so Hessians can use double backprop). */
  readonly secondOrderSafe: boolean;
  /**
   * Precision groups: every quantisable layer in exactly one group, groups ordered by their first layer and
   * layers in model order. A group of several layers is tied (moved together by the search).
   */
  readonly groups: readonly (readonly string[])[];
  private readonly steps: Step[];
  private readonly outputStep: number;
  private readonly quantSteps: Map<string, QuantStep>;
  private readonly options: Required<Omit<QuantizeModelOptions, 'ties' | 'tieResidualBranches'>>;
  private readonly weightCache = new Map<string, Tensor>();
  private readonly rangeCache = new Map<string, { min: number; max: number }>();
  private activationSamples: Map<string, Float32Array> | null = null;
  private disposed = false;

  /** @internal use {@link quantizeModel}. */
  constructor(
    steps: Step[],
    options: Required<Omit<QuantizeModelOptions, 'ties' | 'tieResidualBranches'>>,
    secondOrderSafe: boolean,
    groups?: string[][],
    outputStep?: number,
  ) {
    this.steps = steps;
    this.options = options;
    this.secondOrderSafe = secondOrderSafe;
    this.outputStep = outputStep ?? steps.length - 1;
    this.quantSteps = new Map(
      steps.filter((s): s is QuantStep => s.type === 'quant').map((s) => [s.info.name, s]),
    );
    this.layers = [...this.quantSteps.values()].map((s) => s.info);
    this.groups = groups ?? this.layers.map((l) => [l.name]);
  }

  /** The group (tied layers, in model order) that layer `name` belongs to. */
  groupOf(name: string): readonly string[] {
    const g = this.groups.find((members) => members.includes(name));
    if (g === undefined) throw new ArgumentError(`name: layer '${name}' does not exist`);
    return g;
  }

  /** Layer names in execution order. */
  get layerNames(): string[] {
    return this.layers.map((l) => l.name);
  }

  /** Whether {@link calibrate} has run. */
  get calibrated(): boolean {
    return this.activationSamples !== null;
  }

  private check(): void {
    if (this.disposed) throw new TensorloomError('QuantizedModel: used after dispose()');
  }

  /**
   * Validates a configuration: every key must be a quantisable layer, every precision valid.
   *
   * @throws {@link ArgumentError} naming the unknown layer or bad precision
   */
  validateConfig(config: BitConfig): void {
    if (config === null || typeof config !== 'object') {
      throw new ArgumentError(
        `config: expected an object of layer name → precision, got ${describeValue(config)}`,
      );
    }
    for (const [name, entry] of Object.entries(config)) {
      if (!this.quantSteps.has(name)) {
        throw new ArgumentError(
          `config: layer '${name}' does not exist; quantisable layers are ${this.layerNames.map((n) => `'${n}'`).join(', ')}`,
        );
      }
      const p = layerPrecision(entry);
      assertPrecision(p.weights, `config['${name}'].weights`);
      assertPrecision(p.activations, `config['${name}'].activations`);
    }
  }

  /** The configuration with every quantisable layer at `precision` (weights and activations). */
  uniformConfig(precision: Precision | LayerPrecision): BitConfig {
    const p = layerPrecision(precision);
    assertPrecision(p.weights, 'precision.weights');
    assertPrecision(p.activations, 'precision.activations');
    return Object.fromEntries(this.layerNames.map((n) => [n, precision]));
  }

  /**
   * Records the input activations of every quantisable layer on calibration inputs (a float forward pass), from
   * which activation ranges are calibrated per bit width with the model's calibration method.
   *
   * @throws {@link ArgumentError} for an empty calibration set
   */
  calibrate(inputs: Tensor): void {
    this.check();
    if (!(inputs instanceof tf.Tensor)) {
      throw new ArgumentError(`inputs: expected a tf.Tensor, got ${describeValue(inputs)}`);
    }
    if (inputs.shape[0] === 0 || inputs.size === 0) {
      throw new ArgumentError(`inputs: expected a non-empty calibration set, got shape [${inputs.shape}]`);
    }
    const samples = new Map<string, Float32Array>();
    const tensors = tf.tidy(() => {
      const recorded: Tensor[] = [];
      this.run(inputs, {}, false, undefined, (_name, x) => recorded.push(tf.clone(x)));
      return recorded;
    });
    this.layers.forEach((info, i) => {
      const data = tensors[i]!.dataSync() as Float32Array;
      const stride = Math.max(1, Math.ceil(data.length / 65536));
      const sample = new Float32Array(Math.ceil(data.length / stride));
      for (let j = 0, k = 0; j < data.length; j += stride, k++) sample[k] = data[j]!;
      samples.set(info.name, sample);
    });
    tf.dispose(tensors);
    this.activationSamples = samples;
    this.rangeCache.clear();
  }

  /** The calibrated input range of layer `name` for `bits`-bit activations. */
  activationRange(name: string, bits: number): { min: number; max: number } {
    this.check();
    if (!this.quantSteps.has(name)) throw new ArgumentError(`name: layer '${name}' does not exist`);
    if (this.activationSamples === null) {
      throw new TensorloomError(
        'activationRange: call calibrate(inputs) first (integer activations need ranges)',
      );
    }
    const key = `${name}:${bits}`;
    let range = this.rangeCache.get(key);
    if (range === undefined) {
      range = calibrateRange(this.activationSamples.get(name)!, {
        method: this.options.activationCalibration,
        bits,
        scheme: 'asymmetric',
        percentile: this.options.percentile,
      });
      this.rangeCache.set(key, range);
    }
    return range;
  }

  /** The fake-quantised kernel of layer `name` at precision `p` (cached; owned by the model). */
  quantizedKernel(name: string, p: Precision): Tensor {
    this.check();
    const step = this.quantSteps.get(name);
    if (step === undefined) throw new ArgumentError(`name: layer '${name}' does not exist`);
    assertPrecision(p, 'precision');
    if (p === 'float32') return step.kernel;
    const key = `${name}:${p}`;
    let q = this.weightCache.get(key);
    if (q === undefined) {
      q = tf.tidy(() => quantizeKernel(step, p, this.options));
      tf.keep(q);
      this.weightCache.set(key, q);
    }
    return q;
  }

  /** `‖Q_p(W) − W‖²` of layer `name`'s (folded) kernel, the HAWQ perturbation. */
  weightPerturbation(name: string, p: Precision): number {
    const q = this.quantizedKernel(name, p);
    const step = this.quantSteps.get(name)!;
    return readScalar(tf.tidy(() => tf.sum(tf.square(tf.sub(q, step.kernel)))));
  }

  /** The float (BN-folded) kernels of the quantisable layers, in order (owned by the model). */
  kernels(): Tensor[] {
    this.check();
    return this.layers.map((l) => this.quantSteps.get(l.name)!.kernel);
  }

  /**
   * Runs the model under `config` (omitted or `{}`: float32). Returns the model's output (with a final
   * softmax if the model has one).
   *
   * @throws {@link ArgumentError} for unknown layers or bad precisions; {@link TensorloomError} for integer
   * activations before {@link calibrate}
   */
  predict(inputs: Tensor, config: BitConfig = {}): Tensor {
    this.check();
    this.validateConfig(config);
    return tf.tidy(() => this.run(inputs, config, false));
  }

  /** Like {@link predict} but without a final softmax (logits, for the loss). */
  logits(inputs: Tensor, config: BitConfig = {}): Tensor {
    this.check();
    this.validateConfig(config);
    return tf.tidy(() => this.run(inputs, config, true));
  }

  /** Mean softmax cross-entropy of the logits against one-hot `targets` under `config`. */
  loss(inputs: Tensor, targets: Tensor, config: BitConfig = {}): number {
    return readScalar(tf.tidy(() => softmaxCrossEntropy(this.logits(inputs, config), targets)));
  }

  /** Top-1 accuracy against one-hot (or probability) `targets` under `config`. */
  accuracy(inputs: Tensor, targets: Tensor, config: BitConfig = {}): number {
    const t = tf.tidy(() => {
      const pred = tf.argMax(this.logits(inputs, config), -1);
      return tf.mean(tf.cast(tf.equal(pred, tf.argMax(targets, -1)), 'float32'));
    });
    const v = t.dataSync()[0]!;
    t.dispose();
    return v;
  }

  /**
   * The float loss as a function of the quantisable layers' kernels (in {@link layers} order), on fixed data:
   * the function that Hessian tools differentiate.
   */
  paramLoss(inputs: Tensor, targets: Tensor): ParamLoss {
    this.check();
    return (kernels: Tensor[]) => softmaxCrossEntropy(this.run(inputs, {}, true, kernels), targets);
  }

  /**
   * The float logits as a function of the quantisable layers' kernels (in {@link layers} order), on fixed
   * inputs: what {@link gaussNewtonVectorProduct} linearises.
   */
  paramLogits(inputs: Tensor): (kernels: Tensor[]) => Tensor {
    this.check();
    return (kernels: Tensor[]) => this.run(inputs, {}, true, kernels);
  }

  /** Model size in bits: Σ kernel params × weight bits + bias params × 32. */
  size(config: BitConfig = {}): number {
    this.validateConfig(config);
    return this.layers.reduce(
      (s, l) => s + l.params * precisionBits(layerPrecision(config[l.name]).weights) + l.biasParams * 32,
      0,
    );
  }

  /** Bit operations per example: Σ MACs × weight bits × activation bits (HAWQ-V3's BOPs). */
  bops(config: BitConfig = {}): number {
    this.validateConfig(config);
    return this.layers.reduce((s, l) => {
      const p = layerPrecision(config[l.name]);
      return s + l.macs * precisionBits(p.weights) * precisionBits(p.activations);
    }, 0);
  }

  /**
   * Median wall time (ms) of each quantisable layer's float32 forward pass on `inputs` (its kernel op, bias and
   * activation, read back synchronously), over `repeats` runs after one warm-up: the measured base of
   * {@link calibrateLatencyModel}.
   */
  profileLayers(inputs: Tensor, repeats = 5): Record<string, number> {
    this.check();
    const recorded = tf.tidy(() => {
      const xs: Tensor[] = [];
      this.run(inputs, {}, false, undefined, (_n, x) => xs.push(tf.clone(x)));
      return xs;
    });
    const times = new Map<string, number[]>(this.layerNames.map((n) => [n, []]));
    try {
      for (let r = 0; r <= repeats; r++) {
        this.layers.forEach((info, i) => {
          const step = this.quantSteps.get(info.name)!;
          tf.tidy(() => {
            const t0 = performance.now();
            const y = this.applyQuant(step, recorded[i]!, step.kernel, false);
            y.dataSync();
            if (r > 0) times.get(info.name)!.push(performance.now() - t0);
          });
        });
      }
    } finally {
      tf.dispose(recorded);
    }
    return Object.fromEntries(
      [...times.entries()].map(([n, ts]) => {
        const sorted = ts.sort((a, b) => a - b);
        return [n, sorted[Math.floor(sorted.length / 2)] ?? 0];
      }),
    );
  }

  /** Releases the folded and quantised weights. The original model is untouched. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.weightCache.values()) t.dispose();
    this.weightCache.clear();
    for (const s of this.quantSteps.values()) {
      s.kernel.dispose();
      s.bias?.dispose();
    }
  }

  private quantizeActivation(name: string, x: Tensor, p: Precision): Tensor {
    if (p === 'float32') return x;
    if (typeof p !== 'number') return roundToFloat(x, p);
    return fakeQuantize(x, paramsFromRange(this.activationRange(name, p), p, 'asymmetric'));
  }

  private run(
    inputs: Tensor,
    config: BitConfig,
    dropFinalSoftmax: boolean,
    kernels?: Tensor[],
    record?: (name: string, x: Tensor) => void,
  ): Tensor {
    const values: Tensor[] = [];
    const get = (i: number): Tensor => (i < 0 ? inputs : values[i]!);
    let q = 0;
    this.steps.forEach((step, index) => {
      const isOutput = index === this.outputStep;
      if (step.type === 'plain') {
        const cls = step.layer.getClassName();
        const ins = step.inputs.map(get);
        if (isOutput && dropFinalSoftmax && cls === 'Activation' && isSoftmaxLayer(step.layer)) {
          values[index] = ins[0]!;
          return;
        }
        values[index] = step.layer.apply(ins.length === 1 ? ins[0]! : ins, { training: false }) as Tensor;
        return;
      }
      const name = step.info.name;
      const x = get(step.inputs[0]!);
      record?.(name, x);
      const p = layerPrecision(config[name]);
      const input = this.quantizeActivation(name, x, p.activations);
      const kernel = kernels ? kernels[q]! : this.quantizedKernel(name, p.weights);
      q++;
      values[index] = this.applyQuant(step, input, kernel, isOutput && dropFinalSoftmax);
    });
    return values[this.outputStep]!;
  }

  private applyQuant(step: QuantStep, input: Tensor, kernel: Tensor, dropSoftmax: boolean): Tensor {
    let y: Tensor;
    if (step.info.kind === 'dense') {
      const shape = input.shape;
      const flat = input.rank === 2 ? input : tf.reshape(input, [-1, shape[shape.length - 1]!]);
      y = tf.matMul(flat as never, kernel as never);
      if (input.rank !== 2) y = tf.reshape(y, [...shape.slice(0, -1), kernel.shape[1]!]);
    } else if (step.info.kind === 'conv2d') {
      y = tf.conv2d(input as never, kernel as never, step.strides, step.padding, 'NHWC', step.dilations);
    } else {
      y = tf.depthwiseConv2d(
        input as never,
        kernel as never,
        step.strides,
        step.padding,
        'NHWC',
        step.dilations,
      );
    }
    if (step.bias) y = tf.add(y, step.bias);
    if (!(dropSoftmax && step.activation === 'softmax')) y = applyActivation(y, step.activation);
    return y;
  }
}

function readScalar(t: Tensor): number {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
}

function isSoftmaxLayer(layer: PlainStep['layer']): boolean {
  const cfg = (layer as unknown as { getConfig(): Record<string, unknown> }).getConfig();
  return cfg.activation === 'softmax';
}

function quantizeKernel(
  step: QuantStep,
  p: Precision,
  options: Required<Omit<QuantizeModelOptions, 'ties' | 'tieResidualBranches'>>,
): Tensor {
  if (typeof p !== 'number') return roundToFloat(step.kernel, p as 'float16' | 'bfloat16');
  const k = step.kernel;
  if (!options.perChannel) {
    return fakeQuantize(k, quantizationParams(k, { bits: p, scheme: options.weightScheme }));
  }
  if (step.info.kind === 'depthwiseConv2d') {
    const [kh, kw, cin, mult] = k.shape as [number, number, number, number];
    const flat = tf.reshape(k, [kh, kw, cin * mult]);
    const q = fakeQuantize(
      flat,
      quantizationParams(flat, { bits: p, scheme: options.weightScheme, axis: 2 }),
    );
    return tf.reshape(q, k.shape);
  }
  return fakeQuantize(k, quantizationParams(k, { bits: p, scheme: options.weightScheme, axis: -1 }));
}

interface TfLayer {
  name: string;
  inboundNodes?: { inboundLayers: unknown[] }[];
  outboundNodes?: unknown[];
  getClassName(): string;
  getConfig(): Record<string, unknown>;
  getWeights(): Tensor[];
  outputShape: unknown;
  apply: PlainStep['layer']['apply'];
}

function outputDims(layer: TfLayer): number[] {
  const s = layer.outputShape as (number | null)[];
  return s.slice(1).map((d) => d ?? 1);
}

/**
 * Wraps a tfjs `LayersModel` for quantisation: a chain (e.g. a `tf.sequential`) or a functional model whose
 * graph joins branches with `Add` or `Concatenate` (ResNet-style residual blocks). Dense, conv2d
 * (channels-last, `'same'`/`'valid'` padding) and depthwise conv2d layers become quantisable; a batch
 * normalisation that is the only consumer of one (with a linear activation) is folded into its kernel and
 * bias — `W' = W·γ/√(σ²+ε)`, `b' = (b − μ)·γ/√(σ²+ε) + β` per output channel — and weightless layers run
 * unchanged. Activations supported on quantisable layers: linear, relu, relu6, tanh, sigmoid, softmax.
 * Layers that must share a precision form groups ({@link QuantizedModel.groups}): by default the quantisable
 * layers whose outputs meet directly at an `Add` (a residual block's main branch and its downsample shortcut,
 * as HAWQ-V3 ties them), plus any `ties` given. Custom layers with their own weights (e.g. Next-ViT blocks) are
 * refused; quantise their kernels with `withQuantizedWeights` instead.
 *
 * @throws {@link ArgumentError} for a non-model, unsupported layers (a layer with weights that is not
 * quantisable, a shared layer, multiple inputs or outputs), unsupported activations or options, or ties that
 * name unknown layers
 *
 * @example
 * ```ts
 * const qm = quantizeModel(model);
 * qm.calibrate(xCal);
 * const acc = qm.accuracy(xTest, yTest, qm.uniformConfig(8));
 * ```
 */
export function quantizeModel(model: LayersModel, options: QuantizeModelOptions = {}): QuantizedModel {
  if (!(model instanceof tf.LayersModel)) {
    throw new ArgumentError(`model: expected a tf.LayersModel, got ${describeValue(model)}`);
  }
  if (options === null || typeof options !== 'object') {
    throw new ArgumentError(`options: expected an options object, got ${describeValue(options)}`);
  }
  const resolved: Required<Omit<QuantizeModelOptions, 'ties' | 'tieResidualBranches'>> = {
    perChannel: options.perChannel ?? true,
    weightScheme: options.weightScheme ?? 'symmetric',
    activationCalibration: options.activationCalibration ?? 'minmax',
    percentile: options.percentile ?? 99.99,
  };
  assertOneOf(resolved.weightScheme, QUANT_SCHEMES, 'weightScheme');
  assertOneOf(resolved.activationCalibration, CALIBRATION_METHODS, 'activationCalibration');
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new ArgumentError(
      `model: expected one input and one output, got ${model.inputs.length} and ${model.outputs.length}`,
    );
  }
  const layers = model.layers as unknown as TfLayer[];
  const outputLayer = (model.outputs[0] as unknown as { sourceLayer: TfLayer }).sourceLayer;
  const steps: Step[] = [];
  const owned: Tensor[] = [];
  /** tfjs layer → index of the step producing its output (−1: the model input). */
  const producer = new Map<TfLayer, number>();
  const consumed = new Set<TfLayer>();
  /** quantisable step index → the layer whose output it stands for (itself or its folded batch norm). */
  const addInputs: number[][] = [];
  let safe = true;
  const inboundOf = (layer: TfLayer): TfLayer[] => {
    const nodes = layer.inboundNodes ?? [];
    if (nodes.length > 1) {
      throw new ArgumentError(
        `model: layer '${layer.name}' is applied ${nodes.length} times; shared layers are not supported`,
      );
    }
    return (nodes[0]?.inboundLayers ?? []) as TfLayer[];
  };
  const inputIndex = (layer: TfLayer, from: TfLayer): number => {
    const i = producer.get(from);
    if (i !== undefined) return i;
    if (from.getClassName() === 'InputLayer') return -1;
    throw new ArgumentError(
      `model: layer '${layer.name}' reads '${from.name}', which is not computed before it (unsupported topology)`,
    );
  };
  try {
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i]!;
      const cls = layer.getClassName();
      if (consumed.has(layer)) continue;
      if (cls === 'InputLayer') {
        producer.set(layer, -1);
        continue;
      }
      const inbound = inboundOf(layer);
      const isOutput = layer === outputLayer;
      if (cls === 'Dense' || cls === 'Conv2D' || cls === 'DepthwiseConv2D') {
        if (inbound.length !== 1) {
          throw new ArgumentError(`model: layer '${layer.name}' must have exactly one input`);
        }
        const cfg = layer.getConfig();
        const activation = (cfg.activation ?? 'linear') as Activation;
        if (!ACTIVATIONS.includes(activation)) {
          throw new ArgumentError(
            `model: layer '${layer.name}' has activation ${describeValue(activation)}; supported: ${ACTIVATIONS.join(', ')}`,
          );
        }
        if (cls !== 'Dense' && cfg.dataFormat !== undefined && cfg.dataFormat !== 'channelsLast') {
          throw new ArgumentError(
            `model: layer '${layer.name}' must be channelsLast, got ${describeValue(cfg.dataFormat)}`,
          );
        }
        const padding = (cfg.padding ?? 'valid') as string;
        if (cls !== 'Dense' && padding !== 'same' && padding !== 'valid') {
          throw new ArgumentError(
            `model: layer '${layer.name}' has padding ${describeValue(padding)}; supported: same, valid`,
          );
        }
        if (!SECOND_ORDER_ACTIVATIONS.includes(activation) && !(activation === 'softmax' && isOutput)) {
          safe = false;
        }
        if (cls !== 'Dense') safe = false;
        const weights = layer.getWeights();
        let kernel = tf.clone(weights[0]!);
        let bias: Tensor | null = weights[1] ? tf.clone(weights[1]) : null;
        const kind: QuantLayerKind =
          cls === 'Dense' ? 'dense' : cls === 'Conv2D' ? 'conv2d' : 'depthwiseConv2d';
        let folded: TfLayer | null = null;
        const outbound = (layer.outboundNodes ?? []) as { outboundLayer: TfLayer }[];
        const next = outbound.length === 1 ? outbound[0]!.outboundLayer : undefined;
        if (next && next.getClassName() === 'BatchNormalization' && layers.includes(next)) {
          if (activation !== 'linear') {
            throw new ArgumentError(
              `model: cannot fold batch norm '${next.name}' into '${layer.name}', whose activation is '${activation}' (must be linear)`,
            );
          }
          const r = foldBatchNorm(kernel, bias, next, kind);
          tf.dispose(bias ? [kernel, bias] : [kernel]);
          kernel = r.kernel;
          bias = r.bias;
          folded = next;
          consumed.add(next);
        }
        owned.push(kernel);
        if (bias) owned.push(bias);
        const out = outputDims(folded ?? layer);
        const spatial = kind === 'dense' ? out.slice(0, -1).reduce((a, b) => a * b, 1) : out[0]! * out[1]!;
        const index = steps.length;
        steps.push({
          type: 'quant',
          inputs: [inputIndex(layer, inbound[0]!)],
          info: {
            name: layer.name,
            kind,
            foldedBatchNorm: folded?.name ?? null,
            params: kernel.size,
            biasParams: bias?.size ?? 0,
            macs: spatial * kernel.size,
          },
          kernel,
          bias,
          activation,
          strides: pair(cfg.strides, 'strides'),
          padding: padding as 'same' | 'valid',
          dilations: pair(cfg.dilationRate, 'dilationRate'),
        });
        producer.set(layer, index);
        if (folded) producer.set(folded, index);
        continue;
      }
      if (layer.getWeights().length > 0 || cls === 'BatchNormalization') {
        throw new ArgumentError(
          `model: layer '${layer.name}' (${cls}) has weights but is not quantisable (dense, conv2d, depthwiseConv2d, or batch norm right after one); for custom layers use withQuantizedWeights`,
        );
      }
      if (!PASSTHROUGH.has(cls)) {
        throw new ArgumentError(`model: layer '${layer.name}' (${cls}) is not supported`);
      }
      if (inbound.length === 0) {
        throw new ArgumentError(`model: layer '${layer.name}' has no input`);
      }
      if (inbound.length > 1 && cls !== 'Add' && cls !== 'Concatenate') {
        throw new ArgumentError(`model: layer '${layer.name}' (${cls}) must have exactly one input`);
      }
      if (!SECOND_ORDER_PASSTHROUGH.has(cls)) {
        const act = layer.getConfig().activation;
        if (
          !(cls === 'Activation' && (act === 'relu' || act === 'linear' || (act === 'softmax' && isOutput)))
        ) {
          safe = false;
        }
      }
      const ins = inbound.map((from) => inputIndex(layer, from));
      if (cls === 'Add') addInputs.push(ins);
      producer.set(layer, steps.length);
      steps.push({ type: 'plain', inputs: ins, layer });
    }
  } catch (error) {
    tf.dispose(owned);
    throw error;
  }
  if (!steps.some((s) => s.type === 'quant')) {
    tf.dispose(owned);
    throw new ArgumentError('model: has no quantisable layer (dense, conv2d, depthwiseConv2d)');
  }
  const outputStep = producer.get(outputLayer);
  if (outputStep === undefined || outputStep < 0) {
    tf.dispose(owned);
    throw new ArgumentError(`model: its output layer '${outputLayer.name}' is not computed`);
  }
  const names = steps.filter((st): st is QuantStep => st.type === 'quant').map((st) => st.info.name);
  let groups: string[][];
  try {
    const tieSets: string[][] = [];
    if (options.tieResidualBranches ?? true) {
      for (const ins of addInputs) {
        const quantIns = ins
          .filter((j) => j >= 0 && steps[j]!.type === 'quant')
          .map((j) => (steps[j] as QuantStep).info.name);
        if (quantIns.length > 1) tieSets.push(quantIns);
      }
    }
    if (options.ties !== undefined) {
      if (!Array.isArray(options.ties)) {
        throw new ArgumentError(
          `ties: expected an array of layer-name arrays, got ${describeValue(options.ties)}`,
        );
      }
      options.ties.forEach((group, g) => {
        if (!Array.isArray(group)) {
          throw new ArgumentError(
            `ties[${g}]: expected an array of layer names, got ${describeValue(group)}`,
          );
        }
        for (const n of group) {
          if (!names.includes(n)) {
            throw new ArgumentError(
              `ties[${g}]: layer '${n}' does not exist; quantisable layers are ${names.map((x) => `'${x}'`).join(', ')}`,
            );
          }
        }
        tieSets.push([...group]);
      });
    }
    groups = mergeGroups(names, tieSets);
  } catch (error) {
    tf.dispose(owned);
    throw error;
  }
  return new QuantizedModel(steps, resolved, safe, groups, outputStep);
}

/** Union of overlapping tie sets; every name in exactly one group, groups and members in model order. */
function mergeGroups(names: readonly string[], ties: readonly string[][]): string[][] {
  const parent = new Map(names.map((n) => [n, n]));
  const find = (n: string): string => {
    let r = n;
    while (parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  for (const t of ties) for (let k = 1; k < t.length; k++) parent.set(find(t[k]!), find(t[0]!));
  const byRoot = new Map<string, string[]>();
  for (const n of names) {
    const r = find(n);
    if (!byRoot.has(r)) byRoot.set(r, []);
    byRoot.get(r)!.push(n);
  }
  return [...byRoot.values()];
}

function foldBatchNorm(
  kernel: Tensor,
  bias: Tensor | null,
  bn: TfLayer,
  kind: QuantLayerKind,
): { kernel: Tensor; bias: Tensor } {
  const cfg = bn.getConfig();
  const axis = cfg.axis as number;
  if (axis !== -1 && axis !== (bn.outputShape as unknown[]).length - 1) {
    throw new ShapeError(`model: batch norm '${bn.name}' must normalise the last axis, got axis ${axis}`);
  }
  const w = bn.getWeights();
  let j = 0;
  const gamma = cfg.scale !== false ? w[j++]! : null;
  const beta = cfg.center !== false ? w[j++]! : null;
  const mean = w[j++]!;
  const variance = w[j++]!;
  const eps = cfg.epsilon as number;
  return tf.tidy(() => {
    const invStd = tf.rsqrt(tf.add(variance, eps));
    const factor = gamma ? tf.mul(gamma, invStd) : invStd;
    let k: Tensor;
    if (kind === 'depthwiseConv2d') {
      const [kh, kw, cin, mult] = kernel.shape as [number, number, number, number];
      k = tf.reshape(tf.mul(tf.reshape(kernel, [kh, kw, cin * mult]), factor), kernel.shape);
    } else {
      k = tf.mul(kernel, factor);
    }
    const b0 = bias ?? tf.zerosLike(mean);
    let b = tf.mul(tf.sub(b0, mean), factor);
    if (beta) b = tf.add(b, beta);
    return { kernel: k, bias: b };
  });
}
