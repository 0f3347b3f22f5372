/**
 * `loom tour` demos of `@tensorloom/backbones`.
 *
 * @module
 */
import type { Tensor } from '@tensorflow/tfjs';
import {
  randomUniformTensor,
  type TourContext,
  type TourDemo,
  type TourResult,
  type TourRow,
  tf,
} from '@tensorloom/core';
import { runEbvDemo } from './ebv/demo.js';
import type { NextVitConfig } from './nextvit/config.js';
import { foldNextVitBatchNorm } from './nextvit/fold.js';
import { nextVitMacs } from './nextvit/macs.js';
import { nextVit, nextVitFromConfig, nextVitParameterCount } from './nextvit/model.js';
import { runTimesNetDemo } from './timesnet/demo.js';

/** A tiny Next-ViT with every block type, for quick mode. */
const QUICK_CONFIG: NextVitConfig = {
  stemChannels: [8, 8, 8],
  depths: [1, 2, 5, 2],
  ncbChannels: [8, 16, 24, 32],
  ntbChannels: [32, 48, 64],
  headDim: 8,
  srRatios: [8, 4, 2, 1],
  mixBlockRatio: 0.75,
  numClasses: 5,
  dropPath: 0.1,
};

const PAPER: Record<'small' | 'base' | 'large', { params: number; g224: number; g384: number }> = {
  small: { params: 31.7, g224: 5.8, g384: 17.3 },
  base: { params: 44.8, g224: 8.3, g384: 24.6 },
  large: { params: 57.8, g224: 10.8, g384: 32.0 },
};

async function runNextVit(ctx: TourContext): Promise<TourResult> {
  const rows: TourRow[] = [];
  for (const v of ['small', 'base', 'large'] as const) {
    const params = nextVitParameterCount(v);
    rows.push({
      metric: `Next-ViT-${v[0]!.toUpperCase()} parameters (M)`,
      value: Math.floor(params / 1e5) / 10,
      reference: PAPER[v].params,
      setting: `${params} exactly; 1000 classes`,
      pass: Math.floor(params / 1e5) / 10 === PAPER[v].params,
    });
    for (const size of [224, 384] as const) {
      const g = nextVitMacs(v, size) / 1e9;
      const ref = size === 224 ? PAPER[v].g224 : PAPER[v].g384;
      rows.push({
        metric: `Next-ViT-${v[0]!.toUpperCase()} GMACs at ${size}`,
        value: Number(g.toFixed(2)),
        reference: ref,
        setting: 'conv + linear + attention products',
        pass: Math.abs(g - ref) / ref < 0.01,
      });
    }
  }
  ctx.onProgress({ phase: 'count', step: 1, total: 2 });
  if (ctx.signal.aborted) return { rows };
  const size = ctx.quick ? 64 : 224;
  // Quick mode times a tiny configuration (every block type, same code path) so that it takes seconds.
  const model = ctx.quick
    ? nextVitFromConfig(QUICK_CONFIG, { inputSize: size, seed: ctx.seed })
    : nextVit('small', { inputSize: size, seed: ctx.seed });
  const label = ctx.quick ? 'Next-ViT (tiny config)' : 'Next-ViT-S';
  const folded = foldNextVitBatchNorm(model);
  const x = randomUniformTensor([1, size, size, 3], { seed: ctx.seed, min: -1, max: 1 });
  const timeIt = (m: typeof model): [number, Tensor] => {
    tf.dispose(m.predict(x) as Tensor);
    const t0 = performance.now();
    const y = m.predict(x) as Tensor;
    y.dataSync();
    return [performance.now() - t0, y];
  };
  const [t1, y1] = timeIt(model);
  const [t2, y2] = timeIt(folded);
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(y1, y2))).dataSync()[0]!);
  const scale = tf.tidy(() => tf.max(tf.abs(y1)).dataSync()[0]!);
  rows.push(
    {
      metric: `${label} forward (ms)`,
      value: Number(t1.toFixed(1)),
      setting: `${size}², batch 1, ${tf.getBackend()}`,
      unit: 'ms',
    },
    {
      metric: `${label} forward, BatchNorm folded (ms)`,
      value: Number(t2.toFixed(1)),
      reference: ctx.quick ? undefined : 98,
      setting: `${size}², batch 1, ${tf.getBackend()}; reference: PyTorch 1 thread`,
      unit: 'ms',
    },
    {
      metric: 'folded vs unfolded max |Δ logit| / max |logit|',
      value: Number((diff / scale).toExponential(2)),
      reference: '≤ 1e-4',
      setting: 'random weights, inference mode',
      pass: diff / scale <= 1e-4,
    },
  );
  tf.dispose([x, y1, y2]);
  model.dispose();
  folded.dispose();
  ctx.onProgress({ phase: 'forward', step: 2, total: 2 });
  return { rows };
}

/** The package's tour demos. */
export const demos: TourDemo[] = [
  {
    id: 'backbones/next-vit',
    title: 'Next-ViT: exact parameter counts, MACs, and BatchNorm folding',
    paper: 'Li et al. 2022, Next-ViT (arXiv 2207.05501)',
    run: runNextVit,
  },
  {
    id: 'backbones/timesnet',
    title: 'TimesNet: planted periods found by FFT, forecasts against seasonal-naive and linear baselines',
    paper: 'Wu et al. 2023, TimesNet (ICLR 2023, arXiv 2210.02186)',
    run: runTimesNetDemo,
  },
  {
    id: 'backbones/ebv',
    title:
      'Equiangular basis vectors: generation to α, and an EBV head against a fully connected head on mnist digits',
    paper: 'Shen et al. 2023, Equiangular Basis Vectors (CVPR 2023, arXiv 2303.11637)',
    run: runEbvDemo,
  },
];
