import type { LayersModel, Sequential, Tensor } from '@tensorflow/tfjs';
import { ArgumentError, assertInteger, assertNumber, describeValue, ShapeError, tf } from '@tensorloom/core';
import {
  type NextVitConfig,
  type NextVitVariant,
  nextVitConfig,
  nextVitPlan,
  validateNextVitConfig,
} from './config.js';
import { NextVitBlock, NextVitHead, NextVitStem } from './layers.js';

/** Options of {@link nextVit}. */
export interface NextVitOptions {
  /** Classifier outputs (default 1000; 0 for a headless backbone returning pooled features). */
  numClasses?: number;
  /** Square input size in pixels (default 224); `null` builds a model that takes any size. */
  inputSize?: number | null;
  /** Largest stochastic-depth rate (default: the variant's official rate, 0.1 for S and 0.2 for B/L). */
  dropPath?: number;
  /** Seed for weight initialisation and stochastic depth (default 0). */
  seed?: number;
  /** Build the deployment form with every BatchNorm folded away (used by {@link foldNextVitBatchNorm}). */
  deploy?: boolean;
}

/**
 * A Next-ViT (Li et al. 2022) as a trainable `tf.Sequential` over channels-last images `[b, h, w, 3]`:
 * stem → NHS-stacked NCB/NTB blocks → BN, average pool, linear. Layers carry the official PyTorch
 * parameter names (see {@link loadNextVitSafetensors}); BatchNorm follows PyTorch semantics (batch
 * statistics and running-average updates when called with `training: true`).
 *
 * @param variant - `'small'`, `'base'` or `'large'`
 * @throws {@link ArgumentError} for an unknown variant or bad options
 *
 * @example
 * ```ts
 * const model = nextVit('small', { numClasses: 10, inputSize: 224 });
 * const logits = model.predict(tf.zeros([1, 224, 224, 3])) as tf.Tensor;
 * ```
 */
export function nextVit(variant: NextVitVariant, options: NextVitOptions = {}): Sequential {
  const config = nextVitConfig(variant);
  if (options === null || typeof options !== 'object') {
    throw new ArgumentError(`options: expected an options object, got ${describeValue(options)}`);
  }
  if (options.numClasses !== undefined) config.numClasses = options.numClasses;
  if (options.dropPath !== undefined) config.dropPath = options.dropPath;
  return nextVitFromConfig(config, options);
}

/**
 * Builds a Next-ViT from a full {@link NextVitConfig} (the official ones come from `nextVitConfig`);
 * tiny configurations exercise the same code as the published models.
 *
 * @throws {@link ArgumentError} for an invalid config or options
 */
export function nextVitFromConfig(
  config: NextVitConfig,
  options: Pick<NextVitOptions, 'inputSize' | 'seed' | 'deploy'> = {},
): Sequential {
  validateNextVitConfig(config);
  const inputSize = options.inputSize === undefined ? 224 : options.inputSize;
  if (inputSize !== null) assertInteger(inputSize, 'options.inputSize', { min: 1 });
  const seed = options.seed ?? 0;
  assertNumber(seed, 'options.seed');
  const deploy = options.deploy === true;
  const plan = nextVitPlan(config);
  const s = config.stemChannels;
  const model = tf.sequential({ name: 'next_vit' });
  model.add(
    new NextVitStem({
      channels: [s[0], s[1], s[2], s[2]],
      deploy,
      seed,
      inputShape: [inputSize, inputSize, 3],
    } as never),
  );
  for (const block of plan) {
    model.add(
      new NextVitBlock({
        block,
        headDim: config.headDim,
        mixBlockRatio: config.mixBlockRatio,
        deploy,
        seed: seed + 101 * (block.index + 1),
      }),
    );
  }
  model.add(
    new NextVitHead({
      channels: plan[plan.length - 1]!.outChannels,
      numClasses: config.numClasses,
      deploy,
      seed: seed + 99_991,
    }),
  );
  return model;
}

/**
 * Runs a Next-ViT body and returns the output of each of the four stages (strides 4, 8, 16 and 32
 * relative to the input) — the feature pyramid that the official detection and segmentation models feed
 * to their FPN necks.
 *
 * @param model - a model from {@link nextVit} / {@link nextVitFromConfig}
 * @param images - `[b, h, w, 3]`
 * @returns four tensors `[b, h/4, w/4, c1]` … `[b, h/32, w/32, c4]` (the caller disposes them)
 * @throws {@link ArgumentError} when `model` is not a Next-ViT
 */
export function nextVitFeatures(
  model: LayersModel,
  images: Tensor,
  options: { training?: boolean } = {},
): Tensor[] {
  const layers = model.layers;
  if (!(layers[0] instanceof NextVitStem)) {
    throw new ArgumentError(`model: expected a Next-ViT built by nextVit(), got ${describeValue(model)}`);
  }
  if (images.rank !== 4)
    throw new ShapeError(`images: expected rank 4 [b, h, w, 3], got rank ${images.rank}`);
  const training = options.training === true;
  return tf.tidy(() => {
    let x = layers[0]!.apply(images, { training }) as Tensor;
    const outs: Tensor[] = [];
    const blocks = layers.filter((l): l is NextVitBlock => l instanceof NextVitBlock);
    blocks.forEach((blk, i) => {
      x = blk.apply(x, { training }) as Tensor;
      const next = blocks[i + 1];
      if (!next || next.block.stage !== blk.block.stage) outs.push(x);
    });
    return outs;
  });
}

/** Number of trainable parameters of a model (what the official parameter counts count). */
export function countTrainableParameters(model: LayersModel): number {
  return model.trainableWeights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
}

/**
 * The trainable parameter count of a Next-ViT, computed from the layers' weight lists without
 * allocating any weights (the same lists `build` allocates from).
 *
 * @param variant - an official variant name or a full config
 * @param numClasses - classifier outputs (default: the config's, 1000 for the official variants)
 */
export function nextVitParameterCount(variant: NextVitVariant | NextVitConfig, numClasses?: number): number {
  const config = typeof variant === 'string' ? nextVitConfig(variant) : { ...variant };
  if (numClasses !== undefined) config.numClasses = numClasses;
  const plan = nextVitPlan(config);
  const s = config.stemChannels;
  const layers = [
    new NextVitStem({ channels: [s[0], s[1], s[2], s[2]] }),
    ...plan.map(
      (block) => new NextVitBlock({ block, headDim: config.headDim, mixBlockRatio: config.mixBlockRatio }),
    ),
    new NextVitHead({ channels: plan[plan.length - 1]!.outChannels, numClasses: config.numClasses }),
  ];
  let n = 0;
  for (const layer of layers) {
    for (const spec of layer.weightSpecs()) if (spec.trainable) n += spec.shape.reduce((a, b) => a * b, 1);
  }
  return n;
}
