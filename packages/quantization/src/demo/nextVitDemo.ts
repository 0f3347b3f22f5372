import type { Tensor } from '@tensorflow/tfjs';
import { foldNextVitBatchNorm, type NextVitConfig, nextVitFromConfig } from '@tensorloom/backbones';
import { type Rng, rng, type TourContext, type TourResult, type TourRow, tf } from '@tensorloom/core';
import { hookedGaussNewtonTraces } from '../model/hookedTraces.js';
import {
  quantizableWeights,
  type WeightConfig,
  weightOnlySize,
  withQuantizedWeights,
} from '../model/weightHook.js';
import { searchWeightOnly } from '../search/weightOnlySearch.js';

/** The tiny Next-ViT of the demo: every block type (NCB, NTB with E-MHSA and MHCA), 32×32 inputs. */
export function tinyNextVitConfig(): NextVitConfig {
  return {
    stemChannels: [8, 8, 8],
    depths: [1, 1, 5, 1],
    ncbChannels: [8, 16, 24, 32],
    ntbChannels: [32, 48, 64],
    headDim: 8,
    srRatios: [8, 4, 2, 1],
    mixBlockRatio: 0.75,
    numClasses: 10,
    dropPath: 0,
  };
}

/**
 * Weight-only quantisation of a tiny Next-ViT (from `@tensorloom/backbones`) through the weight hook: its
 * NCB/NTB blocks are custom layers that `quantizeModel` cannot wrap, so the conv and linear kernels inside
 * them are quantised in place, per output channel, after the deployment transform has folded every batch
 * norm. The model is untrained (random weights of unit scale, seeded): the rows measure fidelity to the float
 * model — top-1 agreement and relative logit error on random inputs — not accuracy.
 */
/**
 * Overwrites every weight of `model` with seeded values of unit-ish scale (kernels 0.3·N(0,1), vectors 0.5·N(0,1),
 * BatchNorm running variances 0.5 + |N(0,1)|): the official init gives a near-zero classifier output, which would make
 * quantisation fidelity meaningless.
 */
export function randomizeWeights(
  model: { layers: { weights: { name: string; shape: (number | null)[]; write(t: Tensor): void }[] }[] },
  g: Rng,
): void {
  for (const layer of model.layers) {
    for (const v of layer.weights) {
      const size = v.shape.reduce<number>((a, b) => a * (b ?? 1), 1);
      const isVar = v.name.includes('running_var');
      const t = tf.tensor(
        Float32Array.from(g.normalArray(size), (z) =>
          isVar ? 0.5 + Math.abs(z) : (v.shape.length >= 2 ? 0.3 : 0.5) * z,
        ),
        v.shape as number[],
      );
      v.write(t);
      t.dispose();
    }
  }
}

export async function runNextVitWeightHookDemo(ctx: TourContext): Promise<TourResult> {
  const n = ctx.quick ? 16 : 64;
  const source = nextVitFromConfig(tinyNextVitConfig(), { inputSize: 32, seed: ctx.seed });
  const g = rng(ctx.seed + 11);
  randomizeWeights(source, g);
  const model = foldNextVitBatchNorm(source);
  source.dispose();
  const x = tf.tensor(Float32Array.from(g.normalArray(n * 32 * 32 * 3)), [n, 32, 32, 3]);
  const rows: TourRow[] = [];
  try {
    const weights = quantizableWeights(model);
    const floatBits = weightOnlySize(weights, {});
    const setting = `tiny Next-ViT (${weights.length} conv/linear kernels in ${new Set(weights.map((w) => w.layer)).size} custom layers, BN folded), ${n} random 32×32 inputs, seed ${ctx.seed}`;
    const float = model.predict(x) as Tensor;
    const floatTop = tf.argMax(float, -1);
    for (const bits of [16, 8, 6, 4]) {
      ctx.signal.throwIfAborted();
      const config = Object.fromEntries(weights.map((w) => [w.name, bits]));
      const [agree, relErr] = await withQuantizedWeights(model, config, () =>
        tf.tidy(() => {
          const y = model.predict(x) as Tensor;
          return [
            tf.mean(tf.cast(tf.equal(tf.argMax(y, -1), floatTop), 'float32')).dataSync()[0]!,
            tf.div(tf.norm(tf.sub(y, float)), tf.norm(float)).dataSync()[0]!,
          ];
        }),
      );
      ctx.onProgress({ phase: 'nextvit', step: bits, metrics: { agree: agree!, relErr: relErr! } });
      rows.push({
        metric: `Next-ViT W${bits} (weights only): top-1 agreement with float / relative logit error`,
        value: `${(100 * agree!).toFixed(1)}% / ${(100 * relErr!).toFixed(2)}%`,
        setting: `${setting}; size ${(weightOnlySize(weights, config) / floatBits).toFixed(3)}× float32 kernels`,
      });
    }
    // weight-only bisection over the 8/4-bit kernels (perturbation order): keep the fidelity 1 − relative
    // logit error within 5% of its all-8-bit value
    const fidelity = (config: WeightConfig) =>
      withQuantizedWeights(model, config, () =>
        tf.tidy(() => {
          const y = model.predict(x) as Tensor;
          return 1 - tf.div(tf.norm(tf.sub(y, float)), tf.norm(float)).dataSync()[0]!;
        }),
      );
    const r = await searchWeightOnly(model, { evaluate: fidelity, tolerance: 0.05, signal: ctx.signal });
    const at4 = Object.values(r.config).filter((p) => p === 4).length;
    rows.push({
      metric:
        'Next-ViT weight-only search (8/4 bits, fidelity within 5% of W8): size vs W8 / fidelity / evaluations',
      value: `${(r.size / r.baselineSize).toFixed(3)}× / ${(100 * r.metric).toFixed(2)}% / ${r.evaluations}`,
      reference: `W8 fidelity ${(100 * r.baseline).toFixed(2)}%; ≤ ${Math.ceil(Math.log2(weights.length)) + 2} evaluations`,
      pass: r.evaluations <= Math.ceil(Math.log2(weights.length)) + 2 && r.size < r.baselineSize,
      setting: `${at4} of ${weights.length} kernels at 4 bits (least relative perturbation first; fidelity = 1 − relative logit error)`,
    });
    // the same search ordered by HAWQ scores from Gauss–Newton block traces through the hook (G needs no labels)
    const traceInputs = ctx.quick ? tf.slice(x, [0], [4]) : x;
    const traces = await hookedGaussNewtonTraces(model, {
      inputs: traceInputs,
      seed: ctx.seed,
      maxSamples: ctx.quick ? 15 : 100,
      signal: ctx.signal,
    });
    if (traceInputs !== x) traceInputs.dispose();
    const h = await searchWeightOnly(model, {
      evaluate: fidelity,
      tolerance: 0.05,
      order: 'hawq',
      traces: traces.perParameter,
      signal: ctx.signal,
    });
    rows.push({
      metric:
        'Next-ViT weight-only search, HAWQ order from Gauss–Newton traces: size vs W8 / fidelity / evaluations',
      value: `${(h.size / h.baselineSize).toFixed(3)}× / ${(100 * h.metric).toFixed(2)}% / ${h.evaluations}`,
      reference: `perturbation order: ${(r.size / r.baselineSize).toFixed(3)}×; ≤ ${Math.ceil(Math.log2(weights.length)) + 2} evaluations`,
      pass: h.evaluations <= Math.ceil(Math.log2(weights.length)) + 2 && h.size < h.baselineSize,
      setting: `${Object.values(h.config).filter((p) => p === 4).length} of ${weights.length} kernels at 4 bits; Hutch++ with ${traces.hessianVectorProducts} Gauss–Newton products through the weight hook on ${traceInputs.shape[0]} inputs`,
    });
    tf.dispose([float, floatTop]);
  } finally {
    x.dispose();
    model.dispose();
  }
  return { rows };
}
