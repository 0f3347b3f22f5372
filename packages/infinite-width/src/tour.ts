import {
  fit,
  linePlotSvg,
  matrixF64,
  randomNormalTensor,
  rng,
  type Tensor,
  type Tensor2D,
  TensorloomError,
  type TourContext,
  type TourDemo,
  type TourResult,
  type TourRow,
  tf,
} from '@tensorloom/core';
import { type AbcPresetName, abcPreset, classifyAbc } from './abc/abc.js';
import { abcMLP } from './abc/abcMLP.js';
import { mnistDigits } from './data/digits.js';
import { featureContrast } from './featureContrast.js';
import { empiricalNtk, randomFcNetwork } from './kernels/empirical.js';
import { fcKernels } from './kernels/fcKernels.js';
import { kernelPredict } from './kernels/predict.js';
import { linearLimitConvergence, logLogSlope } from './limits/linear1.js';
import { coordCheck, coordCheckSvg } from './mup/coordCheck.js';
import { muAdam, muMLP } from './mup/muMLP.js';
import { muTransformer } from './mup/muTransformer.js';

const PAPER = 'Yang & Hu 2021, Feature Learning in Infinite-Width Neural Networks (TP4)';

function checkAbort(signal: AbortSignal): void {
  if (signal.aborted) throw new TensorloomError('tour demo aborted');
}

async function abcTable(ctx: TourContext): Promise<TourResult> {
  const rows: TourRow[] = [];
  const table: [AbcPresetName, number, string][] = [
    ['sp', 3, 'unstable'],
    ['sp-lr-1/n', 3, 'kernel (r = 1/2)'],
    ['ntk', 3, 'kernel (r = 1/2)'],
    ['mean-field', 1, 'feature-learning (r = 0)'],
    ['mup', 3, 'feature-learning (r = 0)'],
  ];
  table.forEach(([name, L, reference], i) => {
    const k = classifyAbc(abcPreset(name, L));
    const value = k.regime === 'unstable' ? 'unstable' : `${k.regime} (r = ${k.r === 0.5 ? '1/2' : k.r})`;
    rows.push({
      metric: `regime of ${name}`,
      value,
      reference,
      setting: `L = ${L}`,
      pass: value === reference,
    });
    ctx.onProgress({ phase: 'classify', step: i + 1, total: table.length });
  });
  return { rows };
}

async function kernelsVsFinite(ctx: TourContext): Promise<TourResult> {
  const widths = ctx.quick ? [32, 128, 512] : [32, 128, 512, 2048];
  const seeds = ctx.quick ? 4 : 8;
  const g = rng(ctx.seed);
  const X = matrixF64(6, 4, g.normalArray(24));
  const opts = { depth: 2, activation: 'relu' as const, weightStd: 1.4, biasStd: 0.1 };
  const analytic = fcKernels(X, undefined, opts).ntk.data;
  const x = tf.tensor2d(Float32Array.from(X.data), [6, 4]) as Tensor2D;
  const errors: number[] = [];
  try {
    for (const [wi, width] of widths.entries()) {
      let err = 0;
      for (let s = 0; s < seeds; s++) {
        checkAbort(ctx.signal);
        const net = randomFcNetwork({ ...opts, inputDim: 4, width, seed: ctx.seed * 100 + s });
        const emp = await empiricalNtk(net.apply, net.params, x, net.lrScales);
        net.dispose();
        let num = 0;
        let den = 0;
        for (let k = 0; k < analytic.length; k++) {
          num += (emp.data[k]! - analytic[k]!) ** 2;
          den += analytic[k]! ** 2;
        }
        err += Math.sqrt(num / den) / seeds;
      }
      errors.push(err);
      ctx.onProgress({ phase: 'width', step: wi + 1, total: widths.length });
    }
  } finally {
    x.dispose();
  }
  const slope = logLogSlope(widths, errors);
  const rows: TourRow[] = widths.map((w, i) => ({
    metric: `‖Θ_emp − Θ‖/‖Θ‖ at width ${w}`,
    value: Number(errors[i]!.toFixed(4)),
    setting: `ReLU, depth 2, NTK param., ${seeds} seeds`,
  }));
  rows.push({
    metric: 'fitted rate of empirical → analytic NTK',
    value: Number(slope.toFixed(3)),
    reference: -0.5,
    setting: `widths ${widths.join(', ')}`,
    pass: Math.abs(slope + 0.5) < 0.15,
  });
  const svg = linePlotSvg({
    title: 'empirical NTK → analytic NTK',
    xLabel: 'width',
    yLabel: 'relative error',
    logX: true,
    logY: true,
    series: [
      { name: 'measured', x: widths, y: errors },
      { name: 'n^-1/2', x: widths, y: widths.map((w) => errors[0]! * Math.sqrt(widths[0]! / w)) },
    ],
  });
  return { rows, artifacts: [{ name: 'ntk-convergence.svg', mediaType: 'image/svg+xml', content: svg }] };
}

async function coordCheckDemo(ctx: TourContext): Promise<TourResult> {
  const widths = ctx.quick ? [32, 128, 512] : [64, 256, 1024, 4096];
  const build = (parametrization: 'mup' | 'sp') => (n: number, seed: number) =>
    muMLP({ inputDim: 16, width: n, baseWidth: widths[0]!, depth: 4, outputDim: 1, parametrization, seed });
  const rows: TourRow[] = [];
  const artifacts = [];
  for (const p of ['sp', 'mup'] as const) {
    const t0 = performance.now();
    const r = await coordCheck({
      build: build(p),
      widths,
      steps: 4,
      optimizer: 'adam',
      learningRate: 0.01,
      seed: ctx.seed,
      signal: ctx.signal,
      onProgress: (e) => ctx.onProgress({ ...e, message: p }),
    });
    const ms = performance.now() - t0;
    rows.push({
      metric: `${p === 'mup' ? 'μP' : 'SP'}: max slope of log mean|h| vs log width (hidden layers)`,
      value: Number(r.maxHiddenSlope.toFixed(3)),
      reference: p === 'mup' ? '≈ 0 (flat)' : '> 0 (blow-up)',
      setting: `5-layer ReLU MLP, Adam lr 0.01, widths ${widths.join('–')}, 4 steps; ${(ms / 1000).toFixed(1)} s`,
      pass: p === 'mup' ? Math.abs(r.maxHiddenSlope) < 0.15 : r.maxHiddenSlope > 0.3,
    });
    artifacts.push({
      name: `coord-check-${p}.svg`,
      mediaType: 'image/svg+xml',
      content: coordCheckSvg(r, p === 'mup' ? 'μP' : 'SP'),
    });
  }
  return { rows, artifacts };
}

/** Mean-squared error after training a μP or SP MLP on a random teacher task, for a learning rate and a width. */
async function trainLoss(
  parametrization: 'mup' | 'sp',
  width: number,
  baseWidth: number,
  lr: number,
  steps: number,
  seed: number,
  signal: AbortSignal,
): Promise<number> {
  const d = 16;
  const x = randomNormalTensor([256, d], { seed });
  const teacher = muMLP({
    inputDim: d,
    width: 64,
    depth: 2,
    outputDim: 1,
    activation: 'tanh',
    seed: seed + 1,
    initGain: 2,
  });
  const y = tf.tidy(() => {
    const out = teacher.apply(x);
    return tf.div(out, tf.add(tf.sqrt(tf.moments(out).variance), 1e-6));
  });
  teacher.dispose();
  const model = muMLP({
    inputDim: d,
    width,
    baseWidth,
    depth: 3,
    outputDim: 1,
    parametrization,
    seed: seed + 2,
    readoutZeroInit: parametrization === 'mup',
  });
  const loss = (a: Tensor, b: Tensor): Tensor => tf.mean(tf.square(tf.sub(model.apply(a), b)));
  try {
    const history = await fit({
      ...muAdam(model),
      learningRate: lr,
      loss,
      data: { inputs: x, targets: y },
      batchSize: 64,
      epochs: steps,
      seed,
      signal,
    });
    const last = history.epochs.at(-1)?.loss ?? Number.NaN;
    return Number.isFinite(last) ? last : Number.POSITIVE_INFINITY;
  } finally {
    model.dispose();
    tf.dispose([x, y]);
  }
}

async function muTransfer(ctx: TourContext): Promise<TourResult> {
  const widths = ctx.quick ? [32, 256] : [32, 128, 512];
  const lrs = ctx.quick ? [1e-3, 1e-2, 1e-1] : [3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1];
  const epochs = ctx.quick ? 3 : 10;
  const rows: TourRow[] = [];
  const series = [];
  const total = 2 * widths.length * lrs.length;
  let done = 0;
  for (const p of ['mup', 'sp'] as const) {
    const best: number[] = [];
    for (const width of widths) {
      const losses: number[] = [];
      for (const lr of lrs) {
        checkAbort(ctx.signal);
        losses.push(await trainLoss(p, width, widths[0]!, lr, epochs, ctx.seed, ctx.signal));
        ctx.onProgress({ phase: 'sweep', step: ++done, total });
      }
      series.push({ name: `${p} w=${width}`, x: lrs, y: losses });
      best.push(lrs[losses.indexOf(Math.min(...losses))]!);
      rows.push({
        metric: `${p === 'mup' ? 'μP' : 'SP'} width ${width}: loss per lr`,
        value: losses.map((l) => l.toPrecision(3)).join(' / '),
        setting: `lr ${lrs.join(' / ')}; Adam, ${epochs} epochs, 3-layer MLP on a random tanh teacher`,
      });
    }
    const shift = Math.abs(Math.log10(best.at(-1)! / best[0]!));
    rows.push({
      metric: `${p === 'mup' ? 'μP' : 'SP'}: optimal lr across widths`,
      value: best.join(' → '),
      reference: p === 'mup' ? 'stays put' : 'drifts',
      setting: `widths ${widths.join(', ')}; |log10 shift| = ${shift.toFixed(2)}`,
      pass: p === 'mup' ? shift <= 0.5 : undefined,
    });
  }
  const svg = linePlotSvg({
    title: 'μTransfer: training loss vs learning rate',
    xLabel: 'learning rate',
    yLabel: 'train MSE',
    logX: true,
    logY: true,
    series,
  });
  return { rows, artifacts: [{ name: 'mu-transfer.svg', mediaType: 'image/svg+xml', content: svg }] };
}

/** Training cross-entropy of a μP/SP MLP on MNIST digits after Adam training (the μTransfer sweep's cell). */
async function mnistLoss(
  parametrization: 'mup' | 'sp',
  width: number,
  baseWidth: number,
  lr: number,
  epochs: number,
  data: { inputs: Tensor; targets: Tensor },
  seed: number,
  signal: AbortSignal,
): Promise<number> {
  const model = muMLP({
    inputDim: 784,
    width,
    baseWidth,
    depth: 2,
    outputDim: 10,
    parametrization,
    seed,
    initGain: Math.SQRT2,
    readoutZeroInit: parametrization === 'mup',
  });
  try {
    await fit({
      ...muAdam(model),
      learningRate: lr,
      loss: (a, b) => tf.losses.softmaxCrossEntropy(b, model.apply(a)),
      data,
      batchSize: 100,
      epochs,
      seed,
      signal,
    });
    const loss = tf.tidy(() => tf.losses.softmaxCrossEntropy(data.targets, model.apply(data.inputs)));
    const value = (await loss.data())[0]!;
    loss.dispose();
    return Number.isFinite(value) ? value : Number.POSITIVE_INFINITY;
  } finally {
    model.dispose();
  }
}

async function muTransferMnist(ctx: TourContext): Promise<TourResult> {
  const widths = ctx.quick ? [32, 128] : [64, 256, 1024];
  const lrs = ctx.quick ? [3e-3, 3e-2, 3e-1] : [1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1];
  const perClass = ctx.quick ? 20 : 100;
  const epochs = ctx.quick ? 2 : 5;
  const { train } = await mnistDigits({ trainPerClass: perClass, seed: ctx.seed });
  const inputs = tf.tensor2d(train.x, [train.n, 784]);
  const targets = tf.oneHot(tf.tensor1d(train.labels, 'int32'), 10).toFloat();
  const rows: TourRow[] = [];
  const series = [];
  const total = 2 * widths.length * lrs.length;
  let done = 0;
  try {
    for (const p of ['mup', 'sp'] as const) {
      const best: number[] = [];
      for (const width of widths) {
        const losses: number[] = [];
        for (const lr of lrs) {
          checkAbort(ctx.signal);
          losses.push(
            await mnistLoss(p, width, widths[0]!, lr, epochs, { inputs, targets }, ctx.seed, ctx.signal),
          );
          ctx.onProgress({ phase: 'sweep', step: ++done, total });
        }
        series.push({ name: `${p} w=${width}`, x: lrs, y: losses });
        best.push(lrs[losses.indexOf(Math.min(...losses))]!);
        rows.push({
          metric: `${p === 'mup' ? 'μP' : 'SP'} width ${width}: train cross-entropy per lr`,
          value: losses.map((l) => l.toPrecision(3)).join(' / '),
          setting: `lr ${lrs.join(' / ')}; Adam, ${epochs} epochs, 784-n-n-10 ReLU MLP, ${train.n} MNIST digits`,
        });
      }
      const shift = Math.abs(Math.log10(best.at(-1)! / best[0]!));
      rows.push({
        metric: `${p === 'mup' ? 'μP' : 'SP'}: optimal lr across widths (MNIST)`,
        value: best.join(' → '),
        reference: p === 'mup' ? 'stays put' : 'drifts',
        setting: `widths ${widths.join(', ')}; |log10 shift| = ${shift.toFixed(2)}`,
        pass: p === 'mup' ? shift <= 0.5 : undefined,
      });
    }
  } finally {
    tf.dispose([inputs, targets]);
  }
  const svg = linePlotSvg({
    title: 'μTransfer on MNIST: training loss vs learning rate',
    xLabel: 'learning rate',
    yLabel: 'train cross-entropy',
    logX: true,
    logY: true,
    series,
  });
  return { rows, artifacts: [{ name: 'mu-transfer-mnist.svg', mediaType: 'image/svg+xml', content: svg }] };
}

async function transformerCoordCheck(ctx: TourContext): Promise<TourResult> {
  const widths = ctx.quick ? [16, 64] : [32, 128, 512];
  const rows: TourRow[] = [];
  const artifacts = [];
  for (const p of ['sp', 'mup'] as const) {
    const t0 = performance.now();
    const r = await coordCheck({
      build: (n, seed) =>
        muTransformer({
          inputDim: 8,
          width: n,
          baseWidth: widths[0]!,
          heads: 2,
          blocks: 2,
          outputDim: 1,
          parametrization: p,
          seed,
        }),
      widths,
      steps: 4,
      optimizer: 'adam',
      learningRate: 0.02,
      seed: ctx.seed,
      signal: ctx.signal,
      onProgress: (e) => ctx.onProgress({ ...e, message: p }),
    });
    const ms = performance.now() - t0;
    rows.push({
      metric: `transformer ${p === 'mup' ? 'μP (1/d attention)' : 'SP (1/√d attention)'}: max slope of log mean|x| vs log width`,
      value: Number(r.maxHiddenSlope.toFixed(3)),
      reference: p === 'mup' ? '≈ 0 (flat)' : '> 0 (blow-up)',
      setting: `2 pre-LN blocks, 2 heads, Adam lr 0.02, widths ${widths.join('–')}, 4 steps; ${(ms / 1000).toFixed(1)} s`,
      pass: p === 'mup' ? r.maxHiddenSlope < 0.2 : r.maxHiddenSlope > 0.3,
    });
    artifacts.push({
      name: `coord-check-transformer-${p}.svg`,
      mediaType: 'image/svg+xml',
      content: coordCheckSvg(r, p === 'mup' ? 'μP transformer' : 'SP transformer'),
    });
  }
  return { rows, artifacts };
}

function toF64(
  x: Float32Array,
  rows: number,
  cols: number,
): { rows: number; cols: number; data: Float64Array } {
  return { rows, cols, data: Float64Array.from(x) };
}

function accuracy(pred: Float64Array, labels: Int32Array, classes: readonly number[]): number {
  const k = classes.length;
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (pred[i * k + c]! > pred[i * k + best]!) best = c;
    if (classes[best] === labels[i]) correct++;
  }
  return correct / labels.length;
}

function oneHotF64(
  labels: Int32Array,
  classes: readonly number[],
): { rows: number; cols: number; data: Float64Array } {
  const data = new Float64Array(labels.length * classes.length);
  labels.forEach((l, i) => {
    data[i * classes.length + classes.indexOf(l)] = 1;
  });
  return { rows: labels.length, cols: classes.length, data };
}

/** Linear probe (ridge regression on features, in its kernel form) accuracy on new classes. */
function probeAccuracy(
  fTrain: Float32Array,
  fTest: Float32Array,
  dim: number,
  train: { labels: Int32Array; n: number },
  test: { labels: Int32Array; n: number },
  classes: readonly number[],
): number {
  const a = toF64(fTrain, train.n, dim);
  const b = toF64(fTest, test.n, dim);
  // normalise by the feature dimension so the ridge means the same at every width
  const { nngp: ktt } = fcKernels(a, undefined, { depth: 0, weightStd: 1 });
  const { nngp: kst } = fcKernels(b, a, { depth: 0, weightStd: 1 });
  const pred = kernelPredict({
    kTrainTrain: ktt,
    kTestTrain: kst,
    yTrain: oneHotF64(train.labels, classes),
    ridge: 1e-3,
  });
  return accuracy(pred.data, test.labels, classes);
}

async function fewShotTransfer(ctx: TourContext): Promise<TourResult> {
  const oldClasses = [0, 1, 2, 3, 4];
  const newClasses = [5, 6, 7, 8, 9];
  const widths = ctx.quick ? [32, 256] : [64, 256, 1024];
  const shots = 5;
  const pre = await mnistDigits({ trainPerClass: ctx.quick ? 60 : 400, classes: oldClasses, seed: ctx.seed });
  const few = await mnistDigits({
    trainPerClass: shots,
    testPerClass: ctx.quick ? 30 : 100,
    classes: newClasses,
    seed: ctx.seed + 1,
  });
  const rows: TourRow[] = [];
  // infinite-width kernel limits: the features never move, so pretraining on the old classes cannot change them
  const xa = toF64(few.train.x, few.train.n, 784);
  const xb = toF64(few.test.x, few.test.n, 784);
  const kOpts = { depth: 2, activation: 'relu' as const, weightStd: Math.SQRT2 };
  const kTrain = fcKernels(xa, undefined, kOpts);
  const kTest = fcKernels(xb, xa, kOpts);
  const y = oneHotF64(few.train.labels, newClasses);
  const kernelAcc: Record<string, number> = {};
  for (const which of ['nngp', 'ntk'] as const) {
    const pred = kernelPredict({
      kTrainTrain: kTrain[which],
      kTestTrain: kTest[which],
      yTrain: y,
      ridge: 1e-3,
    });
    kernelAcc[which] = accuracy(pred.data, few.test.labels, newClasses);
    rows.push({
      metric: `${which.toUpperCase()} limit (∞ width, no feature learning): ${shots}-shot accuracy on digits 5–9`,
      value: Number(kernelAcc[which]!.toFixed(3)),
      setting: 'kernel regression, 3-layer ReLU kernel; pretraining cannot change it',
    });
  }
  const xPre = tf.tensor2d(pre.train.x, [pre.train.n, 784]);
  const yPre = tf.oneHot(tf.tensor1d(pre.train.labels, 'int32'), 5).toFloat();
  const xFewTrain = tf.tensor2d(few.train.x, [few.train.n, 784]);
  const xFewTest = tf.tensor2d(few.test.x, [few.test.n, 784]);
  const total = widths.length * 2;
  let done = 0;
  const pretrainedAcc: number[] = [];
  try {
    for (const width of widths) {
      for (const pretrain of [false, true]) {
        checkAbort(ctx.signal);
        const model = muMLP({
          inputDim: 784,
          width,
          baseWidth: widths[0]!,
          depth: 2,
          outputDim: 5,
          seed: ctx.seed + 5,
          initGain: Math.SQRT2,
          readoutZeroInit: true,
        });
        try {
          if (pretrain) {
            await fit({
              ...muAdam(model),
              learningRate: 0.01,
              loss: (a, b) => tf.losses.softmaxCrossEntropy(b, model.apply(a)),
              data: { inputs: xPre, targets: yPre },
              batchSize: 100,
              epochs: ctx.quick ? 2 : 5,
              seed: ctx.seed,
              signal: ctx.signal,
            });
          }
          const features = (x: Tensor): Tensor =>
            tf.tidy(() => {
              const acts = model.forward(x).activations;
              return acts[0]!.value; // first hidden layer (most general features)
            });
          const fa = features(xFewTrain);
          const fb = features(xFewTest);
          const acc = probeAccuracy(
            (await fa.data()) as Float32Array,
            (await fb.data()) as Float32Array,
            width,
            few.train,
            few.test,
            newClasses,
          );
          tf.dispose([fa, fb]);
          if (pretrain) pretrainedAcc.push(acc);
          rows.push({
            metric: `μP width ${width}, ${pretrain ? 'pretrained on digits 0–4' : 'random features (no pretraining)'}: ${shots}-shot probe accuracy on 5–9`,
            value: Number(acc.toFixed(3)),
            setting: `784-n-n ReLU MLP, linear probe on the first hidden layer${pretrain ? `, Adam lr 0.01, ${ctx.quick ? 2 : 5} epochs` : ''}`,
          });
        } finally {
          model.dispose();
        }
        ctx.onProgress({ phase: 'width', step: ++done, total });
      }
    }
  } finally {
    tf.dispose([xPre, yPre, xFewTrain, xFewTest]);
  }
  const bestKernel = Math.max(kernelAcc.nngp!, kernelAcc.ntk!);
  rows.push({
    metric: 'μP (pretrained, widest) − best kernel limit: few-shot accuracy gain from feature learning',
    value: Number((pretrainedAcc.at(-1)! - bestKernel).toFixed(3)),
    reference: '> 0 (TP4: the μP limit learns features, NNGP/NTK do not)',
    setting: `widths ${widths.join(', ')}; ${shots} shots per new class`,
    // not reproduced in this small setting (see README): reported, not asserted
  });
  return { rows };
}

async function linearLimit(ctx: TourContext): Promise<TourResult> {
  const widths = ctx.quick ? [64, 256, 1024, 4096] : [64, 256, 1024, 4096, 16384];
  const r = linearLimitConvergence({
    widths,
    seeds: ctx.quick ? 8 : 32,
    steps: ctx.quick ? 10 : 20,
    seed: ctx.seed,
    signal: ctx.signal,
    onProgress: (e) => ctx.onProgress(e),
  });
  const rows: TourRow[] = widths.map((w, i) => ({
    metric: `RMS |f_n − f_∞| at width ${w}`,
    value: Number(r.errors[i]!.toPrecision(3)),
    setting: `1-hidden-layer linear μP net, d = 6, d_out = 2, ${ctx.quick ? 10 : 20} SGD steps`,
  }));
  rows.push({
    metric: 'fitted convergence rate to the exact limit',
    value: Number(r.slope.toFixed(3)),
    reference: -0.5,
    setting: `widths ${widths.join(', ')}`,
    pass: Math.abs(r.slope + 0.5) < 0.1,
  });
  const svg = linePlotSvg({
    title: 'finite-width nets → exact μP limit',
    xLabel: 'width',
    yLabel: 'RMS output distance',
    logX: true,
    logY: true,
    series: [
      { name: 'measured', x: widths, y: r.errors },
      { name: 'n^-1/2', x: widths, y: widths.map((w) => r.errors[0]! * Math.sqrt(widths[0]! / w)) },
    ],
  });
  return { rows, artifacts: [{ name: 'linear-limit.svg', mediaType: 'image/svg+xml', content: svg }] };
}

async function featureLearning(ctx: TourContext): Promise<TourResult> {
  const widths = ctx.quick ? [32, 128, 512] : [64, 256, 1024, 2048];
  const rows: TourRow[] = [];
  const presets: AbcPresetName[] = ctx.quick ? ['mup', 'ntk'] : ['mup', 'ntk', 'sp-lr-1/n'];
  for (const [i, name] of presets.entries()) {
    const p = abcPreset(name, 3);
    const r = await coordCheck({
      build: (n, seed) =>
        abcMLP({ parametrization: p, inputDim: 8, width: n, baseWidth: widths[0]!, outputDim: 1, seed }),
      widths,
      steps: 2,
      optimizer: 'sgd',
      learningRate: 0.05,
      seeds: ctx.quick ? 3 : 6,
      seed: ctx.seed,
      signal: ctx.signal,
    });
    const r0 = classifyAbc(p).r;
    const measured = r.layers[2]!.deltaSlopes[1]!;
    rows.push({
      metric: `${name}: slope of log mean|Δh| (3rd hidden layer, one SGD step) vs log width`,
      value: Number(measured.toFixed(3)),
      reference: -r0,
      setting: `4-layer ReLU MLP, widths ${widths.join('–')}; ${r0 === 0 ? 'features move at every width (feature learning)' : 'features freeze as width grows (kernel regime)'}`,
      pass: Math.abs(measured + r0) < 0.15,
    });
    ctx.onProgress({ phase: 'preset', step: i + 1, total: presets.length });
  }
  return { rows };
}

/** The package's `loom tour` demos. */
export const demos: TourDemo[] = [
  {
    id: 'infinite-width/abc-table',
    title: 'abc-parametrizations: the classification table',
    paper: PAPER,
    run: abcTable,
  },
  {
    id: 'infinite-width/feature-learning',
    title: 'Feature learning (μP) vs kernel regime (NTK, SP): Δh ∝ width^−r',
    paper: PAPER,
    run: featureLearning,
  },
  {
    id: 'infinite-width/ntk-convergence',
    title: 'Empirical NTK of wide nets → analytic NTK',
    paper: PAPER,
    run: kernelsVsFinite,
  },
  {
    id: 'infinite-width/coord-check',
    title: 'Coordinate check: SP blows up, μP is flat',
    paper: PAPER,
    run: coordCheckDemo,
  },
  {
    id: 'infinite-width/mu-transfer',
    title: 'μTransfer: the optimal learning rate across widths',
    paper: PAPER,
    run: muTransfer,
  },
  {
    id: 'infinite-width/mu-transfer-mnist',
    title: 'μTransfer on MNIST digits: the optimal learning rate across widths',
    paper: PAPER,
    run: muTransferMnist,
  },
  {
    id: 'infinite-width/transformer-coord-check',
    title: 'μP transformer (1/d attention): coordinate check flat, SP blows up',
    paper: PAPER,
    run: transformerCoordCheck,
  },
  {
    id: 'infinite-width/few-shot-transfer',
    title: 'Few-shot transfer on MNIST: μP networks (pretrained / random) vs NNGP/NTK limits (measured)',
    paper: PAPER,
    run: fewShotTransfer,
  },
  {
    id: 'infinite-width/feature-contrast',
    title:
      'Multi-index target y = x₁x₂: NNGP/NTK limits vs μP and NTK-parametrised nets over widths (measured)',
    paper: PAPER,
    run: featureContrast,
  },
  {
    id: 'infinite-width/linear-limit',
    title: 'Exact infinite-width linear μP network',
    paper: PAPER,
    run: linearLimit,
  },
];
