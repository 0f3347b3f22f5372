/**
 * Hutchinson against Hutch++ at the same Hessian-vector-product budget, on the demonstration models (the full
 * tour setting: 3000 training digits, 128 calibration digits), measured against the exact per-layer traces.
 * Run with `node --conditions=@tensorloom/source --import tsx bench/hutchinson.ts` (env: SEEDS, BUDGET,
 * QUICK=1 for the quick tour setting).
 *
 * The exact reference: for a network that is piecewise linear in each kernel on its own (dense/conv layers with
 * relu or linear activations, folded batch norm, pooling, additions), the logits are piecewise linear in W_i
 * with the other kernels fixed, so the diagonal Hessian block is the Gauss–Newton block,
 * `H_ii = (1/N) Σ_n J_niᵀ (diag p_n − p_n p_nᵀ) J_ni`, and its trace equals
 * `(1/N) Σ_n Σ_c p_nc ‖∇_i CE(x_n, e_c)‖²` (one gradient per sample and class): no sampling.
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { ready, tf } from '@tensorloom/core';
import { exactLayerTraces } from '../src/demo/exactTraces.js';
import { loadMnist } from '../src/demo/mnistData.js';
import { mnistCnn, mnistMlp, trainClassifier } from '../src/demo/models.js';
import { quantizeModel } from '../src/index.js';
import {
  gaussNewtonVectorProduct,
  type HutchinsonEstimator,
  hutchinsonTrace,
} from '../src/sensitivity/hessian.js';

await ready({ backend: 'wasm' });

const quick = process.env.QUICK === '1';
const seeds = Number(process.env.SEEDS ?? 10);
const budget = Number(process.env.BUDGET ?? 100);
const setting = quick
  ? { train: 40, test: 30, calibration: 32, epochs: 12, cnnEpochs: 5, hidden: 32, filters: 4 }
  : { train: 300, test: 150, calibration: 128, epochs: 15, cnnEpochs: 8, hidden: 64, filters: 8 };

const data = loadMnist(setting.train, setting.test, 1);
const calX = tf.slice(data.trainX, [0, 0], [setting.calibration, 784]);
const calY = tf.slice(data.trainY, [0, 0], [setting.calibration, 10]);
const lines: string[] = [];
for (const [name, build, epochs] of [
  ['MLP', () => mnistMlp(setting.hidden, 1), setting.epochs],
  ['CNN', () => mnistCnn(setting.filters, 1), setting.cnnEpochs],
] as [string, () => LayersModel, number][]) {
  const model = build();
  await trainClassifier(model, data.trainX, data.trainY, { epochs, seed: 1, learningRate: 5e-3 });
  const qm = quantizeModel(model);
  const kernels = qm.kernels();
  const t0 = performance.now();
  const exact = exactLayerTraces(qm, calX);
  const exactMs = performance.now() - t0;
  const exactTotal = exact.reduce((a, b) => a + b, 0);
  const loss = qm.paramLoss(calX, calY);
  const method =
    (process.env.METHOD as 'finite-difference' | undefined) ??
    (qm.secondOrderSafe ? 'auto' : 'finite-difference');
  const epsilon = Number(process.env.EPS ?? 1e-2);
  console.log(
    `${name}: exact traces ${qm.layerNames.map((l, i) => `${l} ${exact[i]!.toPrecision(4)}`).join(', ')}; total ${exactTotal.toPrecision(5)} (${(exactMs / 1000).toFixed(1)} s)`,
  );
  const logits = qm.paramLogits(calX);
  const gn = (v: Tensor[]) => gaussNewtonVectorProduct(logits, kernels, v, { epsilon });
  const configs: [HutchinsonEstimator, 'hessian' | 'gauss-newton'][] = [
    ['hutchinson', 'hessian'],
    ['hutch++', 'hessian'],
    ['hutchinson', 'gauss-newton'],
    ['hutch++', 'gauss-newton'],
  ];
  for (const [estimator, product] of configs) {
    const rel: number[] = [];
    const worstLayer: number[] = [];
    const reportedSe: number[] = [];
    let ms = 0;
    let rank = 0;
    let usedMethod = '';
    for (let seed = 0; seed < seeds; seed++) {
      const t1 = performance.now();
      const r = await hutchinsonTrace(loss, kernels, {
        seed,
        maxSamples: budget,
        tolerance: 0,
        estimator,
        ...(product === 'gauss-newton' ? { operator: gn } : { method, epsilon }),
      });
      ms += performance.now() - t1;
      rank = r.sketchRank;
      usedMethod = r.method;
      rel.push((r.trace - exactTotal) / exactTotal);
      worstLayer.push(Math.max(...r.traces.map((t, i) => Math.abs(t - exact[i]!) / exact[i]!)));
      reportedSe.push(r.standardError / Math.abs(r.trace));
    }
    const rms = (xs: number[]) => Math.sqrt(xs.reduce((a, b) => a + b * b, 0) / xs.length);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const line = `| ${name} | ${estimator}${rank ? ` (rank ${rank})` : ''}, ${product === 'gauss-newton' ? 'Gauss–Newton products' : `${usedMethod} HVPs`} | ${budget} | ${(100 * rms(rel)).toFixed(2)}% | ${(100 * Math.max(...rel.map(Math.abs))).toFixed(2)}% | ${(100 * mean(rel)).toFixed(2)}% | ${(100 * rms(worstLayer)).toFixed(1)}% | ${(100 * mean(reportedSe)).toFixed(2)}% | ${(ms / seeds / 1000).toFixed(1)} s |`;
    console.log(line);
    lines.push(line);
  }
  tf.dispose(loss as never);
  qm.dispose();
  model.dispose();
}
console.log(
  `\n${quick ? 'quick' : 'full'} setting, ${seeds} seeds, exact reference = per-sample Gauss–Newton identity`,
);
console.log(
  '| model | estimator, products | products | RMS relative error of Σ Tr(H_i) | max | mean (bias) | RMS worst-layer relative error | mean reported relative s.e. | time per estimate |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const l of lines) console.log(l);
tf.dispose([calX, calY, data.trainX, data.trainY, data.testX, data.testY]);
