/**
 * Benchmarks of @tensorloom/infinite-width: `pnpm bench`.
 * - NNGP/NTK Gram matrices (batched closed form) against a naive per-pair recursion, and the growth exponent in N;
 * - the coordinate check of a 5-layer MLP over widths 64–4096 (target: under a minute);
 * - the convergence rate of finite-width linear μP nets to the exact limit (theory −1/2).
 */
import { matrixF64, ready, rng } from '@tensorloom/core';
import { coordCheck, fcKernels, linearLimitConvergence, muMLP } from '../src/index.js';
import { DUALS } from '../src/kernels/fcKernels.js';
import { logLogSlope } from '../src/limits/linear1.js';

await ready();
const g = rng(0);
const d = 64;
const depth = 10;
const opts = { depth, activation: 'relu' as const, weightStd: 1.4, biasStd: 0.1 };

/** Naive: every pair recurses its own (q11, q22, q12) through the layers. */
function naive(x: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  const dual = DUALS.relu;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let q11 = 0;
      let q22 = 0;
      let q12 = 0;
      for (let k = 0; k < d; k++) {
        q11 += x[i * d + k]! ** 2 / d;
        q22 += x[j * d + k]! ** 2 / d;
        q12 += (x[i * d + k]! * x[j * d + k]!) / d;
      }
      let s11 = 1.96 * q11 + 0.01;
      let s22 = 1.96 * q22 + 0.01;
      let s12 = 1.96 * q12 + 0.01;
      let t = s12;
      for (let l = 0; l < depth; l++) {
        const e = dual.value(s11, s22, s12);
        const ed = dual.derivative(s11, s22, s12);
        const e11 = dual.value(s11, s11, s11);
        const e22 = dual.value(s22, s22, s22);
        s12 = 1.96 * e + 0.01;
        t = s12 + 1.96 * ed * t;
        s11 = 1.96 * e11 + 0.01;
        s22 = 1.96 * e22 + 0.01;
      }
      out[i * n + j] = t;
    }
  }
  return out;
}

const time = (f: () => unknown): number => {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
};

const rows: string[][] = [];
const sizes = [250, 500, 1000, 2000];
const times: number[] = [];
for (const n of sizes) {
  const x = matrixF64(n, d, g.normalArray(n * d));
  const ours = time(() => fcKernels(x, undefined, opts));
  times.push(ours);
  if (n <= 1000) {
    const base = time(() => naive(x.data, n));
    const a = fcKernels(x, undefined, opts).ntk.data;
    const b = naive(x.data, n);
    let err = 0;
    for (let k = 0; k < a.length; k++) err = Math.max(err, Math.abs(a[k]! - b[k]!) / Math.abs(b[k]!));
    rows.push([
      `NNGP+NTK, N=${n}, depth ${depth}`,
      `${ours.toFixed(0)} ms`,
      `${base.toFixed(0)} ms (per-pair)`,
      (base / ours).toFixed(2),
      `max rel diff ${err.toExponential(1)}`,
    ]);
  } else rows.push([`NNGP+NTK, N=${n}, depth ${depth}`, `${ours.toFixed(0)} ms`, '–', '–', '']);
}
rows.push(['growth exponent of time in N', logLogSlope(sizes, times).toFixed(2), 'theory 2', '', '']);

const t0 = performance.now();
const cc = await coordCheck({
  build: (n, seed) => muMLP({ inputDim: 32, width: n, baseWidth: 64, depth: 4, outputDim: 1, seed }),
  widths: [64, 256, 1024, 4096],
  steps: 3,
  optimizer: 'adam',
  learningRate: 0.01,
  seed: 0,
});
rows.push([
  'coordCheck μP 5-layer MLP, widths 64–4096, 3 steps',
  `${((performance.now() - t0) / 1000).toFixed(1)} s`,
  'target < 60 s',
  '',
  `max hidden slope ${cc.maxHiddenSlope.toFixed(3)}`,
]);

const t1 = performance.now();
const lin = linearLimitConvergence({ widths: [64, 256, 1024, 4096, 16384], seeds: 16, steps: 20, seed: 0 });
rows.push([
  'finite → exact linear μP limit, widths 64–16384',
  `rate ${lin.slope.toFixed(3)}`,
  'theory −0.5',
  '',
  `${((performance.now() - t1) / 1000).toFixed(1)} s; errors ${lin.errors.map((e) => e.toExponential(2)).join(', ')}`,
]);

console.log('| case | ours | reference | ratio | note |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
