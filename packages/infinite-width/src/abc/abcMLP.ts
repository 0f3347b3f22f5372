import { ArgumentError, assertInteger, assertNumber, assertOneOf, describeValue } from '@tensorloom/core';
import type { MuLayerSpec } from '../mup/muLayers.js';
import { buildMLP, type MuActivation, type MuMLP } from '../mup/muMLP.js';
import { type AbcParametrization, checkAbc, classifyAbc } from './abc.js';

/** Options of {@link abcMLP}. */
export interface AbcMLPOptions {
  /** The abc-parametrization; `a.length − 1` is the number of hidden layers. */
  parametrization: AbcParametrization;
  /** Input dimension ≥ 1. */
  inputDim: number;
  /** Hidden width n ≥ 1. */
  width: number;
  /** Reference width n0 (1 ≤ n0 ≤ n) at which the net is an ordinary 1/fan_in-initialised MLP; default `width`. */
  baseWidth?: number;
  /** Output dimension ≥ 1. */
  outputDim: number;
  /** Hidden nonlinearity; default `'relu'`. */
  activation?: MuActivation;
  /** Initialisation gain σ > 0; default 1. */
  initGain?: number;
  /** Build even when {@link classifyAbc} says the parametrization is unstable (to watch it blow up); default false. */
  allowUnstable?: boolean;
  /** Seed of the initialisation. */
  seed: number;
}

/**
 * Builds an MLP in a given abc-parametrization, with the width measured relative to `baseWidth` (`ρ = n/n0`): layer l
 * computes `ρ^(−a_l)·(h·w^l)` with `w^l ~ N(0, σ²ρ^(−2b_l)/fan_in0)` (fan_in0 = d for the input layer, n0 otherwise) and
 * is trained at learning-rate scale `ρ^(−c)` (the `sgdLrScale`/`adamLrScale` of its layer specs; `c` is defined for SGD,
 * see {@link shiftAbc} for Adam). Biases are frozen at zero (learning-rate scale 0), as the abc analysis has none.
 * The result plugs into {@link coordCheck} and core's `fit` through {@link muSGD}/{@link muAdam}.
 *
 * @throws {@link ArgumentError} for an unstable parametrization (unless `allowUnstable`), width < 1, baseWidth > width
 *
 * @example
 * ```ts
 * const net = abcMLP({ parametrization: abcPreset('ntk', 2), inputDim: 8, width: 1024, baseWidth: 64, outputDim: 1, seed: 0 });
 * ```
 */
export function abcMLP(options: AbcMLPOptions): MuMLP {
  if (typeof options !== 'object' || options === null) {
    throw new ArgumentError(
      `options: expected { parametrization, inputDim, width, outputDim, seed, … }, got ${describeValue(options)}`,
    );
  }
  const p = options.parametrization;
  const L = checkAbc(p, 'options.parametrization');
  assertInteger(options.inputDim, 'options.inputDim', { min: 1 });
  assertInteger(options.width, 'options.width', { min: 1 });
  const baseWidth = options.baseWidth ?? options.width;
  assertInteger(baseWidth, 'options.baseWidth', { min: 1 });
  if (baseWidth > options.width) {
    throw new ArgumentError(
      `options.baseWidth: expected a base width <= width (${options.width}), got ${baseWidth}`,
    );
  }
  assertInteger(options.outputDim, 'options.outputDim', { min: 1 });
  const activation = options.activation ?? 'relu';
  assertOneOf(activation, ['relu', 'tanh', 'identity'] as const, 'options.activation');
  const gain = options.initGain ?? 1;
  assertNumber(gain, 'options.initGain', { min: Number.MIN_VALUE });
  assertInteger(options.seed, 'options.seed');
  if (!options.allowUnstable) {
    const k = classifyAbc(p);
    if (!k.stable) {
      throw new ArgumentError(
        `options.parametrization: expected a stable abc-parametrization to train, got an unstable one (${k.reasons.join('; ')}); pass allowUnstable: true to build it anyway`,
      );
    }
  }
  const rho = options.width / baseWidth;
  const layers: MuLayerSpec[] = [];
  for (let l = 0; l <= L; l++) {
    const kind = l === 0 ? 'input' : l === L ? 'readout' : 'hidden';
    const fanIn0 = l === 0 ? options.inputDim : baseWidth;
    const lr = rho ** -p.c;
    layers.push({
      kind,
      fanIn: l === 0 ? options.inputDim : options.width,
      fanOut: l === L ? options.outputDim : options.width,
      initStd: (gain / Math.sqrt(fanIn0)) * rho ** -p.b[l]!,
      multiplier: rho ** -p.a[l]!,
      sgdLrScale: { weight: lr, bias: 0 },
      adamLrScale: { weight: lr, bias: 0 },
    });
  }
  return buildMLP(layers, activation, options.seed);
}
