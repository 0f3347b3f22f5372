import { ArgumentError, assertInteger, assertNumber, assertOneOf, describeValue } from '@tensorloom/core';

/** The three published Next-ViT sizes. */
export type NextVitVariant = 'small' | 'base' | 'large';

/** The official variant names, in size order. */
export const NEXT_VIT_VARIANTS: readonly NextVitVariant[] = ['small', 'base', 'large'];

/**
 * A complete Next-ViT architecture description. The official variants differ only in `depths` and the
 * default stochastic-depth rate; the other fields exist so that tests and demos can build tiny models with
 * the same code path.
 */
export interface NextVitConfig {
  /** Stem output channels of its 2nd, 3rd and 4th conv (the 1st has `stemChannels[0]`). Official: [64, 32, 64]. */
  stemChannels: [number, number, number];
  /** Blocks per stage. Stage 3 must be a multiple of 5 (the [NCB×4, NTB] pattern). Official S: [3, 4, 10, 3]. */
  depths: [number, number, number, number];
  /** Output channels of the NCBs in each stage. Official: [96, 192, 384, 768]. */
  ncbChannels: [number, number, number, number];
  /** Output channels of the NTBs of stages 2–4. Official: [256, 512, 1024]. */
  ntbChannels: [number, number, number];
  /** Channels per attention head; MHCA uses one 3×3 conv group per head. Official: 32. */
  headDim: number;
  /** Spatial-reduction ratios per stage (E-MHSA pools `sr²` raster tokens). Official: [8, 4, 2, 1]. */
  srRatios: [number, number, number, number];
  /** Share of an NTB's channels that go through E-MHSA. Official: 0.75. */
  mixBlockRatio: number;
  /** Classifier outputs (0 for no classifier: the head stops at the pooled features). */
  numClasses: number;
  /** Largest stochastic-depth rate; rates grow linearly over the blocks from 0. */
  dropPath: number;
}

/** One block of the stacked body, as the official `NextViT.__init__` lays it out. */
export interface NextVitBlockSpec {
  /** `'ncb'` (Next Convolution Block) or `'ntb'` (Next Transformer Block). */
  type: 'ncb' | 'ntb';
  /** Position in `features` (the official module index). */
  index: number;
  /** Stage number, 0–3. */
  stage: number;
  inChannels: number;
  outChannels: number;
  /** 2 for the first block of stages 2–4, else 1. */
  stride: number;
  /** Spatial-reduction ratio of the stage (used by NTBs). */
  srRatio: number;
  /** This block's stochastic-depth rate. */
  dropPath: number;
}

const OFFICIAL_DEPTHS: Record<NextVitVariant, [number, number, number, number]> = {
  small: [3, 4, 10, 3],
  base: [3, 4, 20, 3],
  large: [3, 4, 30, 3],
};

const OFFICIAL_DROP_PATH: Record<NextVitVariant, number> = { small: 0.1, base: 0.2, large: 0.2 };

/**
 * The official configuration of a Next-ViT variant (`nextvit_small/base/large` in
 * `classification/nextvit.py`): stem (64, 32, 64), head_dim 32, sr ratios [8, 4, 2, 1], mix ratio 0.75.
 *
 * @throws {@link ArgumentError} for an unknown variant
 */
export function nextVitConfig(variant: NextVitVariant): NextVitConfig {
  assertOneOf(variant, NEXT_VIT_VARIANTS, 'variant');
  return {
    stemChannels: [64, 32, 64],
    depths: [...OFFICIAL_DEPTHS[variant]],
    ncbChannels: [96, 192, 384, 768],
    ntbChannels: [256, 512, 1024],
    headDim: 32,
    srRatios: [8, 4, 2, 1],
    mixBlockRatio: 0.75,
    numClasses: 1000,
    dropPath: OFFICIAL_DROP_PATH[variant],
  };
}

/**
 * The official `_make_divisible(v, divisor)`: round `v` to the nearest multiple of `divisor` (at least
 * `divisor`), and add one more step if that lost more than 10 %.
 */
export function makeDivisible(value: number, divisor: number): number {
  const v = Math.max(divisor, Math.floor(Math.floor(value + divisor / 2) / divisor) * divisor);
  return v < 0.9 * value ? v + divisor : v;
}

/** Channels of an NTB's attention branch (`mhsa_out_channels`) and convolution branch. */
export function ntbSplit(outChannels: number, mixBlockRatio: number, divisor: number): [number, number] {
  const mhsa = makeDivisible(Math.floor(outChannels * mixBlockRatio), divisor);
  return [mhsa, outChannels - mhsa];
}

function check4(
  value: unknown,
  name: string,
  min: number,
): asserts value is [number, number, number, number] {
  if (!Array.isArray(value) || value.length !== 4) {
    throw new ArgumentError(`${name}: expected an array of 4 integers, got ${describeValue(value)}`);
  }
  value.forEach((v, i) => {
    assertInteger(v, `${name}[${i}]`, { min });
  });
}

/**
 * Validates a {@link NextVitConfig}; every channel count must be a multiple of `headDim`.
 * @throws {@link ArgumentError} naming the offending field
 */
export function validateNextVitConfig(config: NextVitConfig): void {
  if (config === null || typeof config !== 'object') {
    throw new ArgumentError(`config: expected a NextVitConfig object, got ${describeValue(config)}`);
  }
  assertInteger(config.headDim, 'config.headDim', { min: 1 });
  check4(config.depths, 'config.depths', 1);
  if (config.depths[2] % 5 !== 0) {
    throw new ArgumentError(
      `config.depths[2]: expected a multiple of 5 (stage 3 repeats [NCB×4, NTB]), got ${config.depths[2]}`,
    );
  }
  check4(config.ncbChannels, 'config.ncbChannels', 1);
  check4(config.srRatios, 'config.srRatios', 1);
  if (!Array.isArray(config.stemChannels) || config.stemChannels.length !== 3) {
    throw new ArgumentError(
      `config.stemChannels: expected 3 integers, got ${describeValue(config.stemChannels)}`,
    );
  }
  config.stemChannels.forEach((c, i) => {
    assertInteger(c, `config.stemChannels[${i}]`, { min: 1 });
  });
  if (!Array.isArray(config.ntbChannels) || config.ntbChannels.length !== 3) {
    throw new ArgumentError(
      `config.ntbChannels: expected 3 integers, got ${describeValue(config.ntbChannels)}`,
    );
  }
  const all = [...config.ncbChannels, ...config.ntbChannels];
  all.forEach((c, i) => {
    assertInteger(c, `config channels[${i}]`, { min: 1 });
    if (c % config.headDim !== 0) {
      throw new ArgumentError(
        `config: every NCB/NTB channel count must be a multiple of headDim ${config.headDim}, got ${c}`,
      );
    }
  });
  config.ntbChannels.forEach((c, i) => {
    const [mhsa, mhca] = ntbSplit(c, config.mixBlockRatio, config.headDim);
    if (mhca <= 0 || mhsa <= 0) {
      throw new ArgumentError(
        `config.ntbChannels[${i}]: ${c} channels leave no convolution branch at mixBlockRatio ${config.mixBlockRatio}`,
      );
    }
  });
  assertNumber(config.mixBlockRatio, 'config.mixBlockRatio', { min: 0, max: 1 });
  assertInteger(config.numClasses, 'config.numClasses', { min: 0 });
  assertNumber(config.dropPath, 'config.dropPath', { min: 0, max: 1 });
}

/**
 * The Next Hybrid Strategy stacking: stage 1 is NCBs; stages 2 and 4 are NCBs closed by one NTB; stage 3
 * repeats [NCB×4, NTB]. Strides [1, 2, 2, 2] act on the first block of each stage, and stochastic-depth
 * rates are `linspace(0, dropPath, Σ depths)` over the blocks.
 */
export function nextVitPlan(config: NextVitConfig): NextVitBlockSpec[] {
  validateNextVitConfig(config);
  const { depths, ncbChannels: n, ntbChannels: t } = config;
  const stageTypes: ('ncb' | 'ntb')[][] = [
    Array(depths[0]).fill('ncb'),
    [...Array(depths[1] - 1).fill('ncb'), 'ntb'],
    Array.from({ length: depths[2] }, (_, i) => (i % 5 === 4 ? 'ntb' : 'ncb')),
    [...Array(depths[3] - 1).fill('ncb'), 'ntb'],
  ];
  const ntbOut = [0, t[0], t[1], t[2]];
  const total = depths.reduce((a, b) => a + b, 0);
  const strides = [1, 2, 2, 2];
  const plan: NextVitBlockSpec[] = [];
  let inChannels = config.stemChannels[2];
  let index = 0;
  for (let stage = 0; stage < 4; stage++) {
    stageTypes[stage]!.forEach((type, b) => {
      const outChannels = type === 'ncb' ? n[stage]! : ntbOut[stage]!;
      plan.push({
        type,
        index,
        stage,
        inChannels,
        outChannels,
        stride: b === 0 ? strides[stage]! : 1,
        srRatio: config.srRatios[stage]!,
        dropPath: total > 1 ? Math.fround((config.dropPath * index) / (total - 1)) : 0,
      });
      inChannels = outChannels;
      index++;
    });
  }
  return plan;
}
