import { assertInteger } from '@tensorloom/core';
import {
  makeDivisible,
  type NextVitConfig,
  type NextVitVariant,
  nextVitConfig,
  nextVitPlan,
  ntbSplit,
} from './config.js';

/**
 * Multiply-accumulates of one Next-ViT forward pass on a square image (what the paper reports as
 * "FLOPs"): convolutions, linear layers and the two attention products; BatchNorm, activations, pooling
 * and softmax are not counted (fvcore's convention).
 *
 * @param variant - an official variant or a full config
 * @param inputSize - image side in pixels
 * @throws {@link ArgumentError} for a bad input size or config
 */
export function nextVitMacs(variant: NextVitVariant | NextVitConfig, inputSize: number): number {
  assertInteger(inputSize, 'inputSize', { min: 1 });
  const config = typeof variant === 'string' ? nextVitConfig(variant) : variant;
  const d = config.headDim;
  const conv3 = (n: number) => Math.floor((n - 1) / 2) + 1;
  let h = inputSize;
  let w = inputSize;
  let macs = 0;
  const s = config.stemChannels;
  const stem = [
    [3, s[0], 2],
    [s[0], s[1], 1],
    [s[1], s[2], 1],
    [s[2], s[2], 2],
  ] as const;
  for (const [cin, cout, stride] of stem) {
    if (stride === 2) {
      h = conv3(h);
      w = conv3(w);
    }
    macs += h * w * 9 * cin * cout;
  }
  const mhca = (c: number) => h * w * (9 * d * c + c * c);
  const mlp = (c: number, ratio: number) => 2 * h * w * c * makeDivisible(c * ratio, d);
  for (const b of nextVitPlan(config)) {
    if (b.stride === 2) {
      h = Math.ceil(h / 2);
      w = Math.ceil(w / 2);
    }
    const embedOut = b.type === 'ncb' ? b.outChannels : ntbSplit(b.outChannels, config.mixBlockRatio, d)[0];
    if (b.stride === 2 || b.inChannels !== embedOut) macs += h * w * b.inChannels * embedOut;
    if (b.type === 'ncb') {
      macs += mhca(b.outChannels) + mlp(b.outChannels, 3);
      continue;
    }
    const [cs, cc] = ntbSplit(b.outChannels, config.mixBlockRatio, d);
    const n = h * w;
    const m = b.srRatio > 1 ? Math.floor(n / b.srRatio ** 2) : n;
    macs += 2 * n * cs * cs + 2 * m * cs * cs + 2 * n * m * cs;
    if (cs !== cc) macs += n * cs * cc;
    macs += mhca(cc) + mlp(b.outChannels, 2);
  }
  const last = config.ntbChannels[2];
  return macs + last * config.numClasses;
}
