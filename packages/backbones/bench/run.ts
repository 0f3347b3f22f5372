/**
 * Backbones benchmark (WASM, one thread): grouped 3×3 conv strategies for MHCA, Next-ViT-S images/s at
 * 224 (BatchNorm-folded vs unfolded) against a ResNet-50 built from tfjs layers in the same run, and the
 * raw matMul rate that bounds them. Run with `pnpm bench`.
 */
import type { LayersModel, SymbolicTensor, Tensor, Tensor4D } from '@tensorflow/tfjs';
import { ready, tf } from '@tensorloom/core';
import { groupedConv2d } from '../src/common/convOps.js';
import { GroupedKernelCache, groupedConvSame } from '../src/common/groupedConv.js';
import {
  conv2dSame,
  foldNextVitBatchNorm,
  generateSeasonalSeries,
  nextVit,
  nextVitMacs,
  prepareForecastData,
  timesNet,
  timesNetConfig,
} from '../src/index.js';
import { NextVitBlock } from '../src/nextvit/layers.js';

await ready({ backend: 'wasm' });

/**
 * CPU time of one call, ms (this process's user + system time). WASM runs on one thread, so on a shared,
 * oversubscribed machine this counts the work done rather than the time spent waiting for a core.
 */
function cpuTime(f: () => Tensor): number {
  const c0 = process.cpuUsage();
  const y = f();
  y.dataSync();
  y.dispose();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

/** Minimum CPU time over `reps` calls, ms. */
function minCpu(f: () => Tensor, reps: number): number {
  tf.dispose(f());
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < reps; i++) best = Math.min(best, cpuTime(f));
  return best;
}

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

console.log('## Grouped 3×3 conv (MHCA, groups = C/32), CPU ms per call, batch 1 (min of 15)\n');
console.log(
  '| feature map | split + concat (before) | groupedConvSame | groupedConvSame, cached kernels | block-diagonal dense kernel | depthwise ×32 then sum | split / cached |',
);
console.log('|---|---|---|---|---|---|---|');
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
  const cache = new GroupedKernelCache();
  const tSplit = minCpu(() => groupedConv2d(x, wg, g), 15);
  const tFast = minCpu(() => groupedConvSame(x, wg, g), 15);
  const tCached = minCpu(() => groupedConvSame(x, wg, g, { cache }), 15);
  const tDense = minCpu(() => tf.conv2d(x, dense, 1, 'same'), 15);
  const tDw = minCpu(
    () =>
      tf.tidy(() =>
        tf.reshape(tf.sum(tf.reshape(tf.depthwiseConv2d(x, dwk, 1, 'same'), [1, hw, hw, g, 32, 32]), 4), [
          1,
          hw,
          hw,
          c,
        ]),
      ),
    15,
  );
  console.log(
    `| ${hw}×${hw}×${c} | ${tSplit.toFixed(2)} | ${tFast.toFixed(2)} | ${tCached.toFixed(2)} | ${tDense.toFixed(2)} | ${tDw.toFixed(2)} | ${(tSplit / tCached).toFixed(1)}× |`,
  );
  cache.dispose();
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
// Round-robin repetitions so that load changes on the shared machine hit all three models alike; each
// call's CPU time (the work of the one WASM thread) and wall time are recorded.
const reps = 9;
const models = [
  { name: 'Next-ViT-S', model: nv as LayersModel, macs: nextVitMacs('small', 224) / 1e9, target: 328 },
  {
    name: 'Next-ViT-S, BatchNorm folded',
    model: folded as LayersModel,
    macs: nextVitMacs('small', 224) / 1e9,
    target: 196,
  },
  { name: 'ResNet-50 (tfjs layers)', model: rn, macs: 4.09, target: null },
];
const cpu = models.map(() => [] as number[]);
const wall = models.map(() => [] as number[]);
for (const m of models) tf.dispose(m.model.predict(img) as Tensor);
for (let r = 0; r < reps; r++) {
  models.forEach((m, i) => {
    const t0 = performance.now();
    cpu[i]!.push(cpuTime(() => m.model.predict(img) as Tensor));
    wall[i]!.push(performance.now() - t0);
  });
}
const median = (v: number[]) => [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)]!;
const a = tf.randomNormal([196, 384]);
const b = tf.randomNormal([384, 1152]);
const tMm = minCpu(() => tf.matMul(a, b), 20);
const gmac = (196 * 384 * 1152) / tMm / 1e6;
console.log(
  '| model | CPU ms / image (median of 9) | images/s (CPU) | GMAC/s | vs ResNet-50 | wall ms (median, min) | target (½ PyTorch) |',
);
console.log('|---|---|---|---|---|---|---|');
const tRn = median(cpu[2]!);
models.forEach((m, i) => {
  const t = median(cpu[i]!);
  console.log(
    `| ${m.name} | ${t.toFixed(0)} | ${(1000 / t).toFixed(2)} | ${(m.macs / (t / 1000)).toFixed(2)} | ${(tRn / t).toFixed(2)}× | ${median(wall[i]!).toFixed(0)}, ${Math.min(...wall[i]!).toFixed(0)} | ${m.target === null ? '' : `≤ ${m.target} ms`} |`,
  );
});
const macs = models[0]!.macs;
console.log(
  `\nfolding speed-up (CPU): ${(median(cpu[0]!) / median(cpu[1]!)).toFixed(2)}×; plain 2-D matMul 196×384·384×1152 runs at ${gmac.toFixed(2)} GMAC/s (min of 20), which puts ${macs.toFixed(2)} GMACs at ≥ ${((macs / gmac) * 1000).toFixed(0)} ms.`,
);
console.log('Reference (PyTorch, 1 CPU thread, from the issue): 164 ms unfolded, 98 ms folded.');

console.log('\n## Next-ViT-S per-stage profile at 224 (folded and unfolded), CPU ms (min of 5 per layer)\n');
/** MACs of the conv / product kernels one call runs (from tf.profile's kernel shapes). */
async function kernelMacs(f: () => Tensor): Promise<number> {
  const info = await tf.profile(() => f());
  let total = 0;
  for (const k of info.kernels) {
    const s = k.inputShapes as number[][];
    const o = k.outputShapes as number[][];
    const prod = (v: number[]) => v.reduce((p, d) => p * d, 1);
    if (k.name === 'BatchMatMul' || k.name === '_FusedMatMul') {
      total += prod(s[0]!) * o[0]![o[0]!.length - 1]!;
    } else if (k.name === 'Conv2D' || k.name === 'FusedConv2D') {
      const w = s[1]!;
      total += prod(o[0]!.slice(0, 3)) * w[0]! * w[1]! * w[2]! * w[3]!;
    }
  }
  tf.dispose(info.result as Tensor);
  return total;
}
const stages = new Map<string, { folded: number; unfolded: number; macs: number; layers: number }>();
for (const [label, model] of [
  ['folded', folded],
  ['unfolded', nv],
] as const) {
  let x = img;
  for (const layer of model.layers) {
    const name = layer instanceof NextVitBlock ? `stage ${layer.block.stage + 1}` : layer.name;
    const input = x;
    const t = minCpu(() => layer.apply(input) as Tensor, 5);
    const macsHere = label === 'folded' ? await kernelMacs(() => layer.apply(input) as Tensor) : 0;
    const e = stages.get(name) ?? { folded: 0, unfolded: 0, macs: 0, layers: 0 };
    e[label] += t;
    if (label === 'folded') {
      e.macs += macsHere;
      e.layers++;
    }
    stages.set(name, e);
    x = layer.apply(input) as Tensor;
    if (input !== img) input.dispose();
  }
  x.dispose();
}
console.log('| part | layers | GMACs | unfolded ms | folded ms | folded GMAC/s | share of folded time |');
console.log('|---|---|---|---|---|---|---|');
const sumFolded = [...stages.values()].reduce((p, e) => p + e.folded, 0);
const sumUnfolded = [...stages.values()].reduce((p, e) => p + e.unfolded, 0);
const sumMacs = [...stages.values()].reduce((p, e) => p + e.macs, 0);
for (const [name, e] of stages) {
  console.log(
    `| ${name} | ${e.layers} | ${(e.macs / 1e9).toFixed(3)} | ${e.unfolded.toFixed(1)} | ${e.folded.toFixed(1)} | ${(e.macs / e.folded / 1e6).toFixed(2)} | ${((100 * e.folded) / sumFolded).toFixed(0)} % |`,
  );
}
console.log(
  `| total | | ${(sumMacs / 1e9).toFixed(3)} | ${sumUnfolded.toFixed(1)} | ${sumFolded.toFixed(1)} | ${(sumMacs / sumFolded / 1e6).toFixed(2)} | |`,
);

// ------------------------------------------------------------------ TimesNet
// `BENCH_ONLY=nextvit pnpm bench` stops after the Next-ViT sections.
if (process.env.BENCH_ONLY !== 'nextvit') {
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
  await import('./ebv.js');
}
