import type { LayersModel, SymbolicTensor, Tensor, Tensor3D } from '@tensorflow/tfjs';
import {
  ArgumentError,
  assertInteger,
  assertNumber,
  assertOneOf,
  describeValue,
  matMul,
  rng,
  ShapeError,
  tf,
} from '@tensorloom/core';
import { pointwiseConv } from '../common/convOps.js';
import { type TorchLayerArgs, TorchNamedLayer, type TorchWeightSpec } from '../common/torchLayer.js';
import { circularTokenConv, gelu, positionalEmbedding, timesBlock } from './blocks.js';

/** The TimesNet task heads of the official `Model`. */
export const TIMESNET_TASKS: readonly [
  'longTermForecast',
  'shortTermForecast',
  'imputation',
  'anomalyDetection',
  'classification',
] = ['longTermForecast', 'shortTermForecast', 'imputation', 'anomalyDetection', 'classification'];

/** A TimesNet task (the reference `task_name`, camel-cased). */
export type TimesNetTask = (typeof TIMESNET_TASKS)[number];

/** A TimesNet configuration (the reference `configs`; names camel-cased). */
export interface TimesNetConfig {
  /** Task head. */
  task: TimesNetTask;
  /** Input length (`seq_len`). */
  seqLen: number;
  /** Forecast horizon (`pred_len`); 0 for the non-forecasting tasks. */
  predLen: number;
  /** Input channels (`enc_in`). */
  encIn: number;
  /** Output channels (`c_out`). */
  cOut: number;
  /** Model width (`d_model`, even). */
  dModel: number;
  /** Inner width of the TimesBlock conv (`d_ff`). */
  dFf: number;
  /** Number of TimesBlocks (`e_layers`). */
  eLayers: number;
  /** Periods per block (`top_k`). */
  topK: number;
  /** Inception branches (`num_kernels`): kernels 1, 3, …, 2n−1. */
  numKernels: number;
  /** Dropout after the embedding (and before the classification projection). */
  dropout: number;
  /** Time-feature inputs of the `timeF` embedding (4 for hourly data; 0 drops the temporal embedding). */
  timeFeatures: number;
  /** Classes (classification only). */
  numClass: number;
}

/**
 * The ETTh1 long-term forecasting configuration of the official script (`TimesNet_ETTh1.sh`, 96 → 96):
 * 7 channels, d_model 16, d_ff 32, 2 layers, top-k 5, 6 kernels, dropout 0.1, hourly time features —
 * with `overrides` applied.
 */
export function timesNetConfig(overrides: Partial<TimesNetConfig> = {}): TimesNetConfig {
  if (overrides === null || typeof overrides !== 'object') {
    throw new ArgumentError(`overrides: expected an object, got ${describeValue(overrides)}`);
  }
  const config: TimesNetConfig = {
    task: 'longTermForecast',
    seqLen: 96,
    predLen: 96,
    encIn: 7,
    cOut: 7,
    dModel: 16,
    dFf: 32,
    eLayers: 2,
    topK: 5,
    numKernels: 6,
    dropout: 0.1,
    timeFeatures: 4,
    numClass: 0,
    ...overrides,
  };
  if (
    overrides.predLen === undefined &&
    config.task !== 'longTermForecast' &&
    config.task !== 'shortTermForecast'
  )
    config.predLen = 0;
  validateTimesNetConfig(config);
  return config;
}

function isForecast(task: TimesNetTask): boolean {
  return task === 'longTermForecast' || task === 'shortTermForecast';
}

/**
 * Checks a {@link TimesNetConfig}.
 * @throws {@link ArgumentError} naming the first bad field
 */
export function validateTimesNetConfig(config: TimesNetConfig): void {
  if (config === null || typeof config !== 'object') {
    throw new ArgumentError(`config: expected a TimesNet config object, got ${describeValue(config)}`);
  }
  assertOneOf(config.task, TIMESNET_TASKS, 'config.task');
  for (const key of ['seqLen', 'encIn', 'cOut', 'dModel', 'dFf', 'eLayers', 'topK', 'numKernels'] as const) {
    assertInteger(config[key], `config.${key}`, { min: 1 });
  }
  assertInteger(config.predLen, 'config.predLen', { min: 0 });
  assertInteger(config.timeFeatures, 'config.timeFeatures', { min: 0 });
  assertNumber(config.dropout, 'config.dropout', { min: 0, max: 0.999 });
  if (config.dModel % 2 !== 0) {
    throw new ArgumentError(
      `config.dModel: the sinusoidal positional embedding needs an even width, got ${config.dModel}`,
    );
  }
  if (isForecast(config.task) && config.predLen < 1) {
    throw new ArgumentError(`config.predLen: forecasting needs a horizon ≥ 1, got ${config.predLen}`);
  }
  if (!isForecast(config.task) && config.predLen !== 0) {
    throw new ArgumentError(
      `config.predLen: task '${config.task}' has no horizon; expected 0, got ${config.predLen}`,
    );
  }
  if (config.task === 'classification') assertInteger(config.numClass, 'config.numClass', { min: 1 });
  const t = config.seqLen + config.predLen;
  if (Math.floor(t / 2) < config.topK) {
    throw new ArgumentError(
      `config.topK: a block sequence of length ${t} (seqLen + predLen) has only ${Math.floor(t / 2)} periods ≥ 2; got topK ${config.topK}`,
    );
  }
}

function w(
  name: string,
  shape: number[],
  layout: TorchWeightSpec['layout'],
  init: TorchWeightSpec['init'],
  fanIn?: number,
): TorchWeightSpec {
  return { name, shape, layout, init, trainable: true, ...(fanIn === undefined ? {} : { fanIn }) };
}

/** The weight list of a TimesNet, in the reference `state_dict` order (fixed buffers excluded). */
export function timesNetWeightSpecs(config: TimesNetConfig): TorchWeightSpec[] {
  const specs: TorchWeightSpec[] = [];
  const { dModel: d, dFf: f, encIn, cOut, numKernels } = config;
  for (let l = 0; l < config.eLayers; l++) {
    for (const [j, cin, cout] of [
      [0, d, f],
      [2, f, d],
    ] as const) {
      for (let i = 0; i < numKernels; i++) {
        const k = 2 * i + 1;
        const p = `model.${l}.conv.${j}.kernels.${i}`;
        specs.push(w(`${p}.weight`, [k, k, cin, cout], 'conv2d', 'kaimingFanOut'));
        specs.push(w(`${p}.bias`, [cout], 'same', 'zeros'));
      }
    }
  }
  specs.push(
    w('enc_embedding.value_embedding.tokenConv.weight', [3, encIn, d], 'conv1d', 'kaimingFanInLeaky'),
  );
  if (config.timeFeatures > 0) {
    specs.push(
      w('enc_embedding.temporal_embedding.embed.weight', [config.timeFeatures, d], 'linear', 'uniformFanIn'),
    );
  }
  specs.push(w('layer_norm.weight', [d], 'same', 'ones'), w('layer_norm.bias', [d], 'same', 'zeros'));
  const t = config.seqLen;
  if (isForecast(config.task)) {
    specs.push(
      w('predict_linear.weight', [t, t + config.predLen], 'linear', 'uniformFanIn'),
      w('predict_linear.bias', [t + config.predLen], 'same', 'uniformFanIn', t),
    );
  }
  if (config.task === 'classification') {
    specs.push(
      w('projection.weight', [d * t, config.numClass], 'linear', 'uniformFanIn'),
      w('projection.bias', [config.numClass], 'same', 'uniformFanIn', d * t),
    );
  } else {
    specs.push(
      w('projection.weight', [d, cOut], 'linear', 'uniformFanIn'),
      w('projection.bias', [cOut], 'same', 'uniformFanIn', d),
    );
  }
  return specs;
}

/** The trainable parameter count of a TimesNet configuration (no weights allocated). */
export function timesNetParameterCount(config: TimesNetConfig): number {
  validateTimesNetConfig(config);
  return timesNetWeightSpecs(config).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
}

/** Constructor arguments of {@link TimesNetLayer}. */
export interface TimesNetLayerArgs extends TorchLayerArgs {
  /** The configuration. */
  config: TimesNetConfig;
}

/**
 * The whole TimesNet as one tfjs layer whose weights carry the official `state_dict` names
 * (`model.{l}.conv.{0,2}.kernels.{i}.*`, `enc_embedding.*`, `layer_norm.*`, `predict_linear.*`,
 * `projection.*`). Inputs, in order (see {@link timesNetInputNames}): the series `[b, seqLen, encIn]`; the
 * time features `[b, seqLen, timeFeatures]` (forecasting and imputation, when `timeFeatures > 0`); the
 * observation mask `[b, seqLen, encIn]` (imputation, 1 = observed) or the padding mask `[b, seqLen]`
 * (classification).
 */
export class TimesNetLayer extends TorchNamedLayer {
  static className = 'TensorloomTimesNet';
  readonly config: TimesNetConfig;
  private readonly pe: Float32Array;
  private readonly dropoutRng: ReturnType<typeof rng>;
  /** The periods used by each block in the last call (for inspection). */
  lastPeriods: number[][] = [];

  constructor(args: TimesNetLayerArgs) {
    super({ name: 'timesnet', ...args });
    validateTimesNetConfig(args.config);
    this.config = { ...args.config };
    this.pe = positionalEmbedding(this.config.seqLen, this.config.dModel);
    this.dropoutRng = rng(this.seed + 31_337);
  }

  weightSpecs(): TorchWeightSpec[] {
    return timesNetWeightSpecs(this.config);
  }

  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    const first = (Array.isArray(s[0]) ? s[0] : s) as tf.Shape;
    const c = this.config;
    if (c.task === 'classification') return [first[0]!, c.numClass];
    return [first[0]!, isForecast(c.task) ? c.predLen : c.seqLen, c.cOut];
  }

  private dropout(x: Tensor, training: boolean): Tensor {
    const rate = this.config.dropout;
    if (!training || rate <= 0) return x;
    return tf.dropout(x, rate, undefined, this.dropoutRng.nextUint32());
  }

  private checkInput(t: Tensor | undefined, shape: number[], label: string): Tensor {
    if (
      !(t instanceof tf.Tensor) ||
      t.rank !== shape.length ||
      shape.some((d, i) => i > 0 && t.shape[i] !== d)
    ) {
      throw new ShapeError(
        `${label}: expected shape [batch, ${shape.slice(1).join(', ')}], got ${t instanceof tf.Tensor ? `[${t.shape.join(', ')}]` : describeValue(t)}`,
      );
    }
    return t;
  }

  override call(inputs: Tensor | Tensor[], kwargs: { training?: boolean }): Tensor {
    const c = this.config;
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const names = timesNetInputNames(c);
    if (list.length !== names.length) {
      throw new ArgumentError(
        `inputs: task '${c.task}' takes ${names.length} input(s) [${names.join(', ')}], got ${list.length}`,
      );
    }
    const training = kwargs?.training === true;
    const x = this.checkInput(list[0], [0, c.seqLen, c.encIn], 'inputs.series') as Tensor3D;
    const b = x.shape[0];
    const marks =
      names[1] === 'timeFeatures'
        ? this.checkInput(list[1], [0, c.seqLen, c.timeFeatures], 'inputs.timeFeatures')
        : null;
    const maskIndex = names.indexOf('mask');
    const mask =
      maskIndex < 0
        ? null
        : this.checkInput(
            list[maskIndex],
            c.task === 'classification' ? [0, c.seqLen] : [0, c.seqLen, c.encIn],
            'inputs.mask',
          );
    this.lastPeriods = [];
    return tf.tidy(() => {
      // Instance normalisation (not for classification).
      let xn: Tensor = x;
      let means: Tensor | null = null;
      let stdev: Tensor | null = null;
      if (c.task === 'imputation') {
        const count = tf.sum(mask!, 1, true);
        means = tf.div(tf.sum(tf.mul(x, mask!), 1, true), count);
        const centred = tf.mul(tf.sub(x, means), mask!);
        stdev = tf.sqrt(tf.add(tf.div(tf.sum(tf.square(centred), 1, true), count), 1e-5));
        xn = tf.div(centred, stdev);
      } else if (c.task !== 'classification') {
        means = tf.mean(x, 1, true);
        const centred = tf.sub(x, means);
        stdev = tf.sqrt(tf.add(tf.mean(tf.square(centred), 1, true), 1e-5));
        xn = tf.div(centred, stdev);
      }
      // DataEmbedding: circular token conv + sinusoidal positions (+ time features), dropout.
      let h: Tensor = circularTokenConv(
        xn as Tensor3D,
        this.w('enc_embedding.value_embedding.tokenConv.weight'),
      );
      h = tf.add(h, tf.tensor2d(this.pe, [c.seqLen, c.dModel]));
      if (marks) h = tf.add(h, pointwiseConv(marks, this.w('enc_embedding.temporal_embedding.embed.weight')));
      h = this.dropout(h, training);
      let t = c.seqLen;
      if (isForecast(c.task)) {
        // predict_linear along time: [b, t, d] → [b, t + pred, d].
        t = c.seqLen + c.predLen;
        const ht = tf.reshape(tf.transpose(h, [0, 2, 1]), [b * c.dModel, c.seqLen]);
        const y = tf.add(matMul(ht, this.w('predict_linear.weight')), this.w('predict_linear.bias'));
        h = tf.transpose(tf.reshape(y, [b, c.dModel, t]), [0, 2, 1]);
      }
      const ln = (v: Tensor): Tensor => {
        const { mean, variance } = tf.moments(v, -1, true);
        return tf.add(
          tf.mul(tf.div(tf.sub(v, mean), tf.sqrt(tf.add(variance, 1e-5))), this.w('layer_norm.weight')),
          this.w('layer_norm.bias'),
        );
      };
      for (let l = 0; l < c.eLayers; l++) {
        const branch = (j: number) => {
          const kernels: Tensor[] = [];
          const biases: Tensor[] = [];
          for (let i = 0; i < c.numKernels; i++) {
            kernels.push(this.w(`model.${l}.conv.${j}.kernels.${i}.weight`));
            biases.push(this.w(`model.${l}.conv.${j}.kernels.${i}.bias`));
          }
          return { kernels, biases };
        };
        const r = timesBlock(h as Tensor3D, { conv0: branch(0), conv2: branch(2) }, c.topK);
        this.lastPeriods.push(r.periods);
        h = ln(r.output); // the one shared LayerNorm, reused after every block
      }
      if (c.task === 'classification') {
        let o = this.dropout(gelu(h), training);
        o = tf.mul(o, tf.expandDims(mask!, 2));
        return tf.add(
          matMul(tf.reshape(o, [b, t * c.dModel]), this.w('projection.weight')),
          this.w('projection.bias'),
        );
      }
      let out = pointwiseConv(h, this.w('projection.weight'), this.w('projection.bias'));
      out = tf.add(tf.mul(out, stdev!), means!);
      return isForecast(c.task) ? tf.slice(out, [0, c.seqLen, 0], [b, c.predLen, c.cOut]) : out;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), config: { ...this.config } as unknown as tf.serialization.ConfigDict };
  }
}
tf.serialization.registerClass(TimesNetLayer);

/**
 * The inputs a TimesNet of this configuration takes, in order: `'series'`, then `'timeFeatures'`
 * (forecasting and imputation with `timeFeatures > 0`), then `'mask'` (imputation, classification).
 */
export function timesNetInputNames(config: TimesNetConfig): ('series' | 'timeFeatures' | 'mask')[] {
  const names: ('series' | 'timeFeatures' | 'mask')[] = ['series'];
  if ((isForecast(config.task) || config.task === 'imputation') && config.timeFeatures > 0)
    names.push('timeFeatures');
  if (config.task === 'imputation' || config.task === 'classification') names.push('mask');
  return names;
}

/**
 * A TimesNet (Wu et al., ICLR 2023) as a trainable `tf.LayersModel` with the official parameter names
 * (load reference weights with `loadTorchSafetensors`). Call it with the inputs listed by
 * {@link timesNetInputNames}: for the ETTh1 forecaster `model.predict([series, timeFeatures])` maps
 * `[b, 96, 7]` and `[b, 96, 4]` to `[b, 96, 7]`.
 *
 * @param config - a full configuration (start from {@link timesNetConfig})
 * @param options - `seed` for initialisation and dropout
 * @throws {@link ArgumentError} for an invalid configuration
 *
 * @example
 * ```ts
 * const model = timesNet(timesNetConfig({ predLen: 192 }), { seed: 1 });
 * const forecast = model.predict([series, marks]) as tf.Tensor; // [b, 192, 7]
 * ```
 */
export function timesNet(config: TimesNetConfig, options: { seed?: number } = {}): LayersModel {
  validateTimesNetConfig(config);
  const seed = options?.seed ?? 0;
  assertInteger(seed, 'options.seed', { min: 0 });
  const inputs = timesNetInputNames(config).map((name) =>
    tf.input({
      name,
      shape:
        name === 'series'
          ? [config.seqLen, config.encIn]
          : name === 'timeFeatures'
            ? [config.seqLen, config.timeFeatures]
            : config.task === 'classification'
              ? [config.seqLen]
              : [config.seqLen, config.encIn],
    }),
  );
  const layer = new TimesNetLayer({ config, seed });
  const output = layer.apply(inputs.length === 1 ? inputs[0]! : inputs) as SymbolicTensor;
  return tf.model({ inputs, outputs: output, name: 'timesnet' });
}
