/**
 * Benchmarks for @tensorloom/quantization: each row is our way against the naive/reference way measured in
 * the same run. Run with `pnpm bench`.
 */
import { float16BitsToFloat32, float32ToFloat16Bits, ready, rng, tf } from '@tensorloom/core';
import {
  fakeQuantize,
  hessianVectorProduct,
  paretoFrontier,
  quantizationParams,
  quantizeModel,
  roundHalfEven,
  roundToFloat,
  searchMixedPrecision,
} from '../src/index.js';

await ready({ backend: 'wasm' });

function time(fn: () => void, repeats = 5): number {
  fn();
  const ts: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return ts.sort((a, b) => a - b)[Math.floor(repeats / 2)]!;
}

const rows: [string, string, string, string][] = [];
const g = rng(0);

// 1. per-channel fake quantisation: tfjs op vs a float64 JS loop
{
  const n = 512;
  const values = Float32Array.from(g.normalArray(n * n));
  const w = tf.tensor2d(values, [n, n]);
  const p = quantizationParams(w, { bits: 4, axis: 1 });
  const ours = time(() => tf.tidy(() => fakeQuantize(w, p).dataSync()));
  const naive = time(() => {
    const out = new Float32Array(n * n);
    for (let i = 0; i < n * n; i++) {
      const c = i % n;
      const s = p.scale[c]!;
      out[i] = Math.max(-8, Math.min(7, roundHalfEven(values[i]! / s))) * s;
    }
  });
  rows.push([
    'fakeQuantize 512×512 per-channel 4-bit',
    `${ours.toFixed(2)} ms`,
    `${naive.toFixed(2)} ms (JS loop)`,
    (naive / ours).toFixed(2),
  ]);
  w.dispose();
}

// 2. float16 emulation: tensor op vs core's scalar bit converters
{
  const n = 1 << 18;
  const values = Float32Array.from(g.normalArray(n, 0, 100));
  const x = tf.tensor1d(values);
  const ours = time(() => tf.tidy(() => roundToFloat(x, 'float16').dataSync()));
  const naive = time(() => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = float16BitsToFloat32(float32ToFloat16Bits(values[i]!));
  });
  rows.push([
    'roundToFloat float16, 2^18 values',
    `${ours.toFixed(2)} ms`,
    `${naive.toFixed(2)} ms (core bit converters)`,
    (naive / ours).toFixed(2),
  ]);
  x.dispose();
}

// 3. Hessian-vector product: double backprop vs finite differences (two gradients) on an MLP
{
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 64, inputShape: [784], activation: 'relu' }),
      tf.layers.dense({ units: 32, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
  const qm = quantizeModel(model);
  const x = tf.randomNormal([128, 784], 0, 1, 'float32', 1);
  const y = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: 128 }, (_, i) => i % 10),
      'int32',
    ),
    10,
  );
  const loss = qm.paramLoss(x, y);
  const ks = qm.kernels();
  const v = ks.map((k) => tf.onesLike(k));
  const db = time(() => tf.dispose(hessianVectorProduct(loss, ks, v, { method: 'double-backprop' })));
  const fd = time(() => tf.dispose(hessianVectorProduct(loss, ks, v, { method: 'finite-difference' })));
  rows.push([
    'HVP, MLP 784-64-32-10, batch 128',
    `${db.toFixed(2)} ms (double backprop)`,
    `${fd.toFixed(2)} ms (finite differences)`,
    (fd / db).toFixed(2),
  ]);
  tf.dispose([x, y, ...v]);
  qm.dispose();
  model.dispose();
}

// 4. evaluations: bisection vs exhaustive search, L layers, synthetic monotone metric
const counts: [number, number, number][] = [];
for (const L of [2, 4, 6, 8]) {
  const layers = Array.from({ length: L }, (_, i) =>
    tf.layers.dense({ units: 4, ...(i === 0 ? { inputShape: [4] } : {}), name: `l${i}` }),
  );
  const model = tf.sequential({ layers });
  const qm = quantizeModel(model);
  const penalty = Array.from({ length: L }, () => g.uniform(0, 0.02));
  const evaluate = (c: Record<string, unknown>) =>
    1 - penalty.reduce((s, p, i) => s + (c[`l${i}`] === 4 ? p : 0), 0);
  const x = tf.ones([2, 4]);
  const t = tf.oneHot([0, 1], 4);
  const r = await searchMixedPrecision(qm, {
    calibration: { inputs: x, targets: t },
    evaluate,
    tolerance: 0.05,
    order: qm.layerNames,
  });
  const { points } = await paretoFrontier(qm, { evaluate, candidates: [8, 4] });
  counts.push([L, r.evaluations, points.length]);
  rows.push([
    `evaluations, L = ${L} layers (8/4 bits)`,
    `${r.evaluations} (bisection)`,
    `${points.length} (exhaustive)`,
    (points.length / r.evaluations).toFixed(1),
  ]);
  tf.dispose([x, t]);
  qm.dispose();
  model.dispose();
}
const fitExp = (pts: [number, number][]): number => {
  const xs = pts.map(([a]) => Math.log(a));
  const ys = pts.map(([, b]) => Math.log(b));
  const mx = xs.reduce((a, b) => a + b) / xs.length;
  const my = ys.reduce((a, b) => a + b) / ys.length;
  return xs.reduce((s, x, i) => s + (x - mx) * (ys[i]! - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
};

console.log('| benchmark | ours | reference | speed-up / ratio |');
console.log('|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log(
  `\nfitted growth exponent in L (log-log): bisection ${fitExp(counts.map(([L, b]) => [L, b])).toFixed(2)}, exhaustive ${fitExp(counts.map(([L, , e]) => [L, e])).toFixed(2)} (2^L)`,
);
