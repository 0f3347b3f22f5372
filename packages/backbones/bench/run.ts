/**
 * Backbones benchmark (WASM, one thread): grouped 3×3 conv strategies for MHCA, Next-ViT-S images/s at
 * 224 (BatchNorm-folded vs unfolded) against a ResNet-50 built from tfjs layers in the same run, and the
 * raw matMul rate that bounds them. Run with `pnpm bench`.
 */
import type { LayersModel, SymbolicTensor, Tensor, Tensor4D } from '@tensorflow/tfjs';
import { ready, tf } from '@tensorloom/core';
import { groupedConv2d } from '../src/common/convOps.js';
import {
  conv2dSame,
  foldNextVitBatchNorm,
  generateEBV,
  generateSeasonalSeries,
  nextVit,
  nextVitMacs,
  prepareForecastData,
  timesNet,
  timesNetConfig,
  welchBound,
} from '../src/index.js';

await ready({ backend: 'wasm' });

function time(f: () => Tensor, reps: number): number {
  tf.dispose(f());
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) {
    const y = f();
    y.dataSync();
    y.dispose();
  }
  return (performance.now() - t0) / reps;
}

console.log('## Grouped 3×3 conv (MHCA, groups = C/32), ms per call, batch 1\n');
console.log(
  '| feature map | split + concat (ours) | block-diagonal dense kernel | depthwise ×32 then sum | dense / split | depthwise / split |',
);
console.log('|---|---|---|---|---|---|');
for (const [hw, c] of [
  [56, 96],
  [28, 192],
  [14, 384],
  [7, 768],
] as const) {
  const g = c / 32;
  const x = tf.randomNormal([1, hw, hw, c]) as Tensor4D;
  const wg = tf.randomNormal([3, 3, 32, c]) as Tensor4D;
  const dense = tf.tidy(() =>
    tf.concat(
      tf.split(wg, g, 3).map((w, i) =>
        tf.pad(w, [
          [0, 0],
          [0, 0],
          [i * 32, c - (i + 1) * 32],
          [0, 0],
        ]),
      ),
      3,
    ),
  ) as Tensor4D;
  const dwk = tf.tidy(() =>
    tf.reshape(tf.transpose(tf.reshape(wg, [3, 3, 32, g, 32]), [0, 1, 3, 2, 4]), [3, 3, c, 32]),
  ) as Tensor4D;
  const tSplit = time(() => groupedConv2d(x, wg, g), 10);
  const tDense = time(() => tf.conv2d(x, dense, 1, 'same'), 10);
  const tDw = time(
    () =>
      tf.tidy(() =>
        tf.reshape(tf.sum(tf.reshape(tf.depthwiseConv2d(x, dwk, 1, 'same'), [1, hw, hw, g, 32, 32]), 4), [
          1,
          hw,
          hw,
          c,
        ]),
      ),
    10,
  );
  console.log(
    `| ${hw}×${hw}×${c} | ${tSplit.toFixed(2)} | ${tDense.toFixed(2)} | ${tDw.toFixed(2)} | ${(tDense / tSplit).toFixed(2)}× | ${(tDw / tSplit).toFixed(2)}× |`,
  );
  tf.dispose([x, wg, dense, dwk]);
}

/** ResNet-50 (v1.5, torchvision layout) from stock tfjs layers: conv + BN + ReLU bottlenecks. */
function resnet50(): LayersModel {
  const input = tf.input({ shape: [224, 224, 3] });
  const cbr = (x: SymbolicTensor, f: number, k: number, s: number, relu = true): SymbolicTensor => {
    let y = tf.layers
      .conv2d({ filters: f, kernelSize: k, strides: s, padding: 'same', useBias: false })
      .apply(x) as SymbolicTensor;
    y = tf.layers.batchNormalization({ epsilon: 1e-5 }).apply(y) as SymbolicTensor;
    return relu ? (tf.layers.reLU().apply(y) as SymbolicTensor) : y;
  };
  let x = cbr(input, 64, 7, 2);
  x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(x) as SymbolicTensor;
  const stages: [number, number][] = [
    [64, 3],
    [128, 4],
    [256, 6],
    [512, 3],
  ];
  stages.forEach(([w, n], si) => {
    for (let i = 0; i < n; i++) {
      const s = i === 0 && si > 0 ? 2 : 1;
      let y = cbr(x, w, 1, 1);
      y = cbr(y, w, 3, s);
      y = cbr(y, 4 * w, 1, 1, false);
      const sc = i === 0 ? cbr(x, 4 * w, 1, s, false) : x;
      x = tf.layers.reLU().apply(tf.layers.add().apply([y, sc]) as SymbolicTensor) as SymbolicTensor;
    }
  });
  const pooled = tf.layers.globalAveragePooling2d({}).apply(x) as SymbolicTensor;
  return tf.model({
    inputs: input,
    outputs: tf.layers.dense({ units: 1000 }).apply(pooled) as SymbolicTensor,
  });
}

console.log('\n## Images/s at 224×224, batch 1, WASM one thread\n');
const img = tf.randomNormal([1, 224, 224, 3]);
const nv = nextVit('small');
const folded = foldNextVitBatchNorm(nv);
const rn = resnet50();
const reps = 3;
const tNv = time(() => nv.predict(img) as Tensor, reps);
const tFold = time(() => folded.predict(img) as Tensor, reps);
const tRn = time(() => rn.predict(img) as Tensor, reps);
const a = tf.randomNormal([196, 384]);
const b = tf.randomNormal([384, 1152]);
const tMm = time(() => tf.matMul(a, b), 20);
const gmac = (196 * 384 * 1152) / tMm / 1e6;
const macs = nextVitMacs('small', 224) / 1e9;
console.log('| model | ms / image | images/s | GMAC/s | vs ResNet-50 |');
console.log('|---|---|---|---|---|');
const rnMacs = 4.09;
for (const [name, t, m] of [
  ['Next-ViT-S', tNv, macs],
  ['Next-ViT-S, BatchNorm folded', tFold, macs],
  ['ResNet-50 (tfjs layers)', tRn, rnMacs],
] as const) {
  console.log(
    `| ${name} | ${t.toFixed(0)} | ${(1000 / t).toFixed(2)} | ${(m / (t / 1000)).toFixed(2)} | ${(tRn / t).toFixed(2)}× |`,
  );
}
console.log(
  `\nfolding speed-up: ${(tNv / tFold).toFixed(2)}×; plain 2-D matMul 196×384·384×1152 runs at ${gmac.toFixed(2)} GMAC/s (the roofline).`,
);
console.log('Reference (PyTorch, 1 CPU thread, from the issue): 164 ms unfolded, 98 ms folded.');

// ------------------------------------------------------------------ TimesNet
console.log(
  "\n## TimesNet conv gradients: conv2dSame (gradients as forward convs) vs tf.conv2d (core's WASM Conv2DBackpropFilter)\n",
);
console.log(
  'value + both gradients of one merged 11×11 Inception conv, batch 32, ms; "cropped" = the same kernel-cropping applied to tf.conv2d\n',
);
console.log(
  '| map [b,h,w,cin] → cout | conv2dSame | tf.conv2d, cropped | tf.conv2d, full kernel | cropped tf / ours |',
);
console.log('|---|---|---|---|---|');
for (const [xs, cout] of [
  [[32, 12, 8, 16], 32],
  [[32, 4, 24, 32], 16],
  [[32, 8, 24, 16], 32],
  [[32, 2, 48, 16], 32],
  [[32, 96, 1, 16], 32],
] as const) {
  const x = tf.randomNormal([...xs]) as Tensor4D;
  const k = tf.randomNormal([11, 11, xs[3], cout]) as Tensor4D;
  const g = (f: (a: Tensor4D, b: Tensor4D) => Tensor) => () =>
    tf.tidy(() =>
      tf.addN(
        tf
          .grads((a: Tensor, b: Tensor) => tf.sum(f(a as Tensor4D, b as Tensor4D)))([x, k])
          .map((t) => tf.sum(t)),
      ),
    );
  const crop = (b: Tensor4D): Tensor4D => {
    const ch = Math.min(11, 2 * xs[1] - 1);
    const cw = Math.min(11, 2 * xs[2] - 1);
    return tf.slice(b, [(11 - ch) / 2, (11 - cw) / 2, 0, 0], [ch, cw, -1, -1]) as Tensor4D;
  };
  const tOurs = time(g(conv2dSame), 5);
  const tCrop = time(
    g((a, b) => tf.conv2d(a, crop(b), 1, 'same')),
    5,
  );
  const tFull = time(
    g((a, b) => tf.conv2d(a, b, 1, 'same')),
    5,
  );
  console.log(
    `| [${xs.join(',')}] → ${cout} | ${tOurs.toFixed(1)} | ${tCrop.toFixed(1)} | ${tFull.toFixed(1)} | ${(tCrop / tOurs).toFixed(2)}× |`,
  );
  tf.dispose([x, k]);
}
console.log('\n## TimesNet ETTh1 configuration (7 channels, 96→96, batch 32), windows/s\n');
{
  const model = timesNet(timesNetConfig(), { seed: 1 });
  const series = generateSeasonalSeries({ length: 1200, channels: 7, periods: [24, 12], seed: 0 });
  const data = prepareForecastData(series, 96, 96);
  const inputs: [string, Tensor[], Tensor][] = [
    [
      'seasonal series (periods 24, 12)',
      data.train.inputs.map((t) => tf.slice(t, 0, 32)),
      tf.slice(data.train.targets, 0, 32),
    ],
    [
      'white noise',
      [tf.randomNormal([32, 96, 7]), tf.randomNormal([32, 96, 4])],
      tf.randomNormal([32, 96, 7]),
    ],
  ];
  const opt = tf.train.adam(1e-4);
  console.log('| input | phase | ms / batch | windows/s | reference (PyTorch, 1 thread) | ratio |');
  console.log('|---|---|---|---|---|---|');
  for (const [name, xs, y] of inputs) {
    const step = () =>
      opt.minimize(
        () => tf.mean(tf.squaredDifference(model.apply(xs, { training: true }) as Tensor, y)) as tf.Scalar,
        true,
      ) as Tensor;
    const tTrain = time(step, 4);
    const tInfer = time(() => model.predict(xs) as Tensor, 4);
    console.log(
      `| ${name} | train | ${tTrain.toFixed(0)} | ${(32000 / tTrain).toFixed(1)} | 19 | ${(32000 / tTrain / 19).toFixed(2)} |`,
    );
    console.log(
      `| ${name} | inference | ${tInfer.toFixed(0)} | ${(32000 / tInfer).toFixed(1)} | 41 | ${(32000 / tInfer / 41).toFixed(2)} |`,
    );
    tf.dispose([...xs, y]);
  }
  opt.dispose();
  model.dispose();
  for (const t of data.train.inputs) t.dispose();
}
// ------------------------------------------------------------------ EBV
console.log("\n## EBV generation, WASM (adaptive = default step rule; sgd = the script's fixed lr 1e-3)\n");
console.log('| N × d | Welch bound | α | rule | steps | max |cos| | converged | seconds | s / step |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const [n, d, alpha, rule, steps] of [
  [81, 81, 0.002, 'sgd', 100_000],
  [81, 81, 0.002, 'adaptive', 100_000],
  [150, 150, 0.002, 'sgd', 100_000],
  [150, 150, 0.002, 'adaptive', 100_000],
  [1000, 512, 0.05, 'sgd', 300],
  [1000, 512, 0.05, 'adaptive', 300],
  [1000, 512, 0.045, 'adaptive', 300],
] as const) {
  const t0 = performance.now();
  const r = await generateEBV(n, d, { alpha, maxSteps: steps, stepRule: rule });
  const s = (performance.now() - t0) / 1000;
  console.log(
    `| ${n} × ${d} | ${welchBound(n, d).toFixed(4)} | ${alpha} | ${rule} | ${r.steps} | ${r.maxCos.toFixed(4)} | ${r.converged} | ${s.toFixed(1)} | ${(s / Math.max(1, r.steps)).toFixed(3)} |`,
  );
}
