import { ArgumentError, assertInteger, assertNumber, assertOneOf, describeValue } from '@tensorloom/core';

/** The role of a weight matrix in the `mup` package's rules: how many of its dimensions grow with width. */
export type MuLayerKind = 'input' | 'hidden' | 'readout';

/** The parametrizations the builders implement: maximal update (μP) and standard (SP, PyTorch-default-like). */
export type MuParametrization = 'mup' | 'sp';

/**
 * Initialisation, forward multiplier and learning-rate scales of one dense layer `h ↦ multiplier·(h·W) + b`, after
 * the `mup` package (`MuReadout`, `MuSGD`, `MuAdam`; TP5 Table 3), with `m = width / baseWidth`:
 *
 * | kind | init std of W | multiplier | SGD lr scale (W, b) | Adam lr scale (W, b) |
 * |---|---|---|---|---|
 * | input | σ/√fan_in | 1 | m, m | 1, 1 |
 * | hidden | σ/√fan_in | 1 | 1, m | 1/m, 1 |
 * | readout | σ/√baseWidth (0 with `readoutZeroInit`) | readoutMultiplier/m | m, 1 | 1, 1 |
 *
 * (The readout bias has no infinite dimension, so `MuSGD` leaves its rate alone; the multiplier scales `h·W`, not `b`,
 * as `MuReadout` scales its input.)
 *
 * Under `'sp'` every layer has std σ/√fan_in, multiplier 1 and scales 1. Biases start at zero.
 */
export interface MuLayerSpec {
  /** `'input'`, `'hidden'` or `'readout'`. */
  kind: MuLayerKind;
  /** Rows of W. */
  fanIn: number;
  /** Columns of W. */
  fanOut: number;
  /** Standard deviation of the Gaussian initialisation of W. */
  initStd: number;
  /** Forward multiplier applied to `h·W` (before the bias). */
  multiplier: number;
  /** Learning-rate multipliers of W and b under SGD. */
  sgdLrScale: { weight: number; bias: number };
  /** Learning-rate multipliers of W and b under Adam. */
  adamLrScale: { weight: number; bias: number };
}

/** Options of {@link muLayers}. */
export interface MuLayersOptions {
  /** Input dimension (finite, does not grow), ≥ 1. */
  inputDim: number;
  /** Hidden width n ≥ 1 (all hidden layers). */
  width: number;
  /** The width at which hyperparameters were tuned, 1 ≤ baseWidth ≤ width; default `width`. */
  baseWidth?: number;
  /** Number of hidden layers, ≥ 1. */
  depth: number;
  /** Output dimension, ≥ 1. */
  outputDim: number;
  /** `'mup'` (default) or `'sp'`. */
  parametrization?: MuParametrization;
  /** Initialisation gain σ > 0; default 1 (use √2 for ReLU to keep activations O(1) through depth). */
  initGain?: number;
  /** `output_mult` of `MuReadout`; default 1. */
  readoutMultiplier?: number;
  /** Initialise the readout weights to zero (`readout_zero_init`); default false. */
  readoutZeroInit?: boolean;
}

/** Validates {@link MuLayersOptions} and fills defaults. @internal */
export function resolveMuOptions(options: unknown): Required<MuLayersOptions> {
  if (typeof options !== 'object' || options === null) {
    throw new ArgumentError(
      `options: expected { inputDim, width, baseWidth?, depth, outputDim, … }, got ${describeValue(options)}`,
    );
  }
  const o = options as MuLayersOptions;
  assertInteger(o.inputDim, 'options.inputDim', { min: 1 });
  assertInteger(o.width, 'options.width', { min: 1 });
  const baseWidth = o.baseWidth ?? o.width;
  assertInteger(baseWidth, 'options.baseWidth', { min: 1 });
  if (baseWidth > o.width) {
    throw new ArgumentError(
      `options.baseWidth: expected a base width <= width (${o.width}), got ${baseWidth}`,
    );
  }
  assertInteger(o.depth, 'options.depth', { min: 1 });
  assertInteger(o.outputDim, 'options.outputDim', { min: 1 });
  const parametrization = o.parametrization ?? 'mup';
  assertOneOf(parametrization, ['mup', 'sp'] as const, 'options.parametrization');
  const initGain = o.initGain ?? 1;
  assertNumber(initGain, 'options.initGain', { min: Number.MIN_VALUE });
  const readoutMultiplier = o.readoutMultiplier ?? 1;
  assertNumber(readoutMultiplier, 'options.readoutMultiplier', { min: Number.MIN_VALUE });
  const readoutZeroInit = o.readoutZeroInit ?? false;
  if (typeof readoutZeroInit !== 'boolean') {
    throw new ArgumentError(
      `options.readoutZeroInit: expected a boolean, got ${describeValue(readoutZeroInit)}`,
    );
  }
  return { ...o, baseWidth, parametrization, initGain, readoutMultiplier, readoutZeroInit };
}

/**
 * The μP (mup's MuReadout/MuSGD/MuAdam) or SP rules of one dense layer: initial standard deviation, output
 * multiplier and SGD/Adam learning-rate scales, for the width ratio `m = fanIn/baseFanIn` of the hidden layers.
 * Internal: shared by {@link muLayers} and the μP transformer.
 */
export function muLayerRule(
  kind: MuLayerKind,
  fanIn: number,
  fanOut: number,
  o: { baseFanIn: number; m: number; mup: boolean; readoutMultiplier: number; initGain?: number },
): MuLayerSpec {
  const gain = o.initGain ?? 1;
  const m = o.m;
  let initStd = gain / Math.sqrt(fanIn);
  let multiplier = 1;
  let sgd = { weight: 1, bias: 1 };
  let adam = { weight: 1, bias: 1 };
  if (o.mup) {
    if (kind === 'input') sgd = { weight: m, bias: m };
    if (kind === 'hidden') {
      sgd = { weight: 1, bias: m };
      adam = { weight: 1 / m, bias: 1 };
    }
    if (kind === 'readout') {
      initStd = gain / Math.sqrt(o.baseFanIn);
      multiplier = o.readoutMultiplier / m;
      sgd = { weight: m, bias: 1 };
    }
  } else if (kind === 'readout') multiplier = o.readoutMultiplier;
  return { kind, fanIn, fanOut, initStd, multiplier, sgdLrScale: sgd, adamLrScale: adam };
}

/**
 * The per-layer μP (or SP) rules for an MLP `input → (hidden) × (depth − 1) → readout` of width `width`, relative to
 * `baseWidth` (see {@link MuLayerSpec} for the table). At `width = baseWidth` μP and SP coincide, except that the
 * readout can be zero-initialised.
 *
 * @returns `depth + 1` layer specs, input layer first
 * @throws {@link ArgumentError} for width < 1, baseWidth > width, or other bad options
 *
 * @example
 * ```ts
 * muLayers({ inputDim: 10, width: 1024, baseWidth: 64, depth: 3, outputDim: 1 })[3].multiplier; // 1/16
 * ```
 */
export function muLayers(options: MuLayersOptions): MuLayerSpec[] {
  const o = resolveMuOptions(options);
  const m = o.width / o.baseWidth;
  const mup = o.parametrization === 'mup';
  const specs: MuLayerSpec[] = [];
  for (let l = 0; l <= o.depth; l++) {
    const kind: MuLayerKind = l === 0 ? 'input' : l === o.depth ? 'readout' : 'hidden';
    const fanIn = l === 0 ? o.inputDim : o.width;
    const fanOut = l === o.depth ? o.outputDim : o.width;
    const rule = muLayerRule(kind, fanIn, fanOut, {
      baseFanIn: o.baseWidth,
      m,
      mup,
      readoutMultiplier: o.readoutMultiplier,
      initGain: o.initGain,
    });
    if (kind === 'readout' && o.readoutZeroInit) rule.initStd = 0;
    specs.push(rule);
  }
  return specs;
}
