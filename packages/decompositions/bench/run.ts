/**
 * Benchmarks for @tensorloom/decompositions (run: `pnpm bench`).
 *
 * 1. FunBaT per-epoch time against the number of entries N (K = 3, R = 3, 200 distinct values per mode) and
 *    against R (N = 10⁴), with fitted growth exponents.
 * 2. FunBaT memory against the reference code's per-entry message storage N·(K(R²+R) + R^{2K} + R^K).
 * 3. The Kalman/RTS smoother against dense GP regression (Cholesky, O(n³)) on one mode, same posterior.
 */
import { cholesky, ready, rng, solveCholesky } from '@tensorloom/core';
import { funbat } from '../src/funbat/funbat.js';
import { kalmanSmoother } from '../src/funbat/kalman.js';
import { maternCovariance, maternStateSpace } from '../src/funbat/stateSpace.js';

await ready();
const quick = process.argv.includes('--quick');

function dataset(N: number, seed: number) {
  const r = rng(seed);
  const pools = [0, 1, 2].map(() => Array.from({ length: 200 }, () => r.uniform()));
  const indexes: number[][] = [];
  const values = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    const row = pools.map((p) => p[r.int(p.length)]!);
    indexes.push(row);
    values[n] =
      Math.sin(2 * Math.PI * row[0]!) * Math.cos(Math.PI * row[1]!) + 0.5 * row[2]! + 0.05 * r.normal();
  }
  return { indexes, values };
}

async function epochSeconds(N: number, R: number): Promise<{ s: number; doubles: number; perEntry: number }> {
  const { indexes, values } = dataset(N, 1);
  const stamps: number[] = [performance.now()];
  const m = await funbat({
    indexes,
    values,
    rank: R,
    epochs: 4,
    lengthscale: 0.2,
    onProgress: () => stamps.push(performance.now()),
  });
  // per-epoch time = the fastest of epochs 2–4 (robust to interference from other processes; epoch 1 includes set-up)
  const laps = stamps.slice(2).map((t, i) => t - stamps[i + 1]!);
  return { s: Math.min(...laps) / 1000, doubles: m.storage.doubles, perEntry: m.storage.perEntryDoubles };
}

function slope(xs: number[], ys: number[]): number {
  const lx = xs.map(Math.log);
  const ly = ys.map(Math.log);
  const mx = lx.reduce((a, b) => a + b, 0) / lx.length;
  const my = ly.reduce((a, b) => a + b, 0) / ly.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < lx.length; i++) {
    num += (lx[i]! - mx) * (ly[i]! - my);
    den += (lx[i]! - mx) ** 2;
  }
  return num / den;
}

await epochSeconds(2000, 3); // JIT warm-up
console.log('## FunBaT per-epoch time against N (K = 3, R = 3, 200 distinct values per mode)\n');
console.log('| N | s / epoch | memory (doubles) | per-entry storage (doubles) | ratio |');
console.log('|---|---|---|---|---|');
const Ns = quick ? [1000, 3000, 10000] : [1000, 3000, 10000, 30000, 100000];
const times: number[] = [];
for (const N of Ns) {
  const r = await epochSeconds(N, 3);
  times.push(r.s);
  console.log(
    `| ${N} | ${r.s.toFixed(3)} | ${r.doubles.toExponential(2)} | ${r.perEntry.toExponential(2)} | ${(r.perEntry / r.doubles).toFixed(1)}× |`,
  );
}
console.log(`\nfitted exponent of time in N: ${slope(Ns, times).toFixed(3)} (target ≤ 1.1)\n`);

console.log('## FunBaT per-epoch time against R (N = 10⁴, K = 3)\n');
console.log('| R | s / epoch | memory (doubles) | per-entry storage (doubles) |');
console.log('|---|---|---|---|');
const Rs = quick ? [1, 2, 3] : [1, 2, 3, 5, 7];
const rt: number[] = [];
for (const R of Rs) {
  const r = await epochSeconds(10000, R);
  rt.push(r.s);
  console.log(
    `| ${R} | ${r.s.toFixed(3)} | ${r.doubles.toExponential(2)} | ${r.perEntry.toExponential(2)} |`,
  );
}
console.log(
  `\nfitted exponent of time in R (R ≥ 2): ${slope(Rs.slice(1), rt.slice(1)).toFixed(2)} (per entry O(R^{2(K−1)}), per knot O(R^{2K−1}), core solve O(R^{3K}))\n`,
);

console.log('## Kalman/RTS smoother against dense GP regression (Matérn-3/2, R = 1, one mode)\n');
console.log('| n | Kalman ms | dense GP ms | speed-up | max |Δ mean| |');
console.log('|---|---|---|---|---|');
kalmanSmoother(
  maternStateSpace('matern32', 0.1, 1, 1),
  Float64Array.of(0, 1),
  Float64Array.of(1, 1),
  Float64Array.of(0, 0),
);
for (const n of quick ? [100, 200, 400] : [100, 200, 400, 800, 1600]) {
  const r = rng(n);
  const times = Float64Array.from({ length: n }, () => r.uniform()).sort();
  const lam = Float64Array.from({ length: n }, () => 4);
  const eta = Float64Array.from({ length: n }, () => 4 * r.normal());
  const ss = maternStateSpace('matern32', 0.1, 1, 1);
  // best of 5 for the (fast) smoother, to filter out GC pauses and interference
  let best = Number.POSITIVE_INFINITY;
  let sm = kalmanSmoother(ss, times, lam, eta);
  for (let rep = 0; rep < 5; rep++) {
    const a = performance.now();
    sm = kalmanSmoother(ss, times, lam, eta);
    best = Math.min(best, performance.now() - a);
  }
  const t0 = 0;
  const t1 = best;
  const d0 = performance.now();
  // dense: mean = (K⁻¹ + Λ)⁻¹ η = (K + Λ⁻¹)⁻¹ K ... computed as K (K + Λ⁻¹)⁻¹ Λ⁻¹ η
  const K = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      K[i * n + j] = maternCovariance('matern32', 0.1, 1, times[i]! - times[j]!) + (i === j ? 0.25 : 0);
  const obs = Float64Array.from(eta, (e, i) => e / lam[i]!);
  const alpha = solveCholesky({ rows: n, cols: n, data: K }, obs);
  cholesky({ rows: n, cols: n, data: K });
  const mean = new Float64Array(n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) mean[i]! += (K[i * n + j]! - (i === j ? 0.25 : 0)) * alpha[j]!;
  const t2 = t1 + (performance.now() - d0);
  let err = 0;
  for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(mean[i]! - sm.smoothedMean[i * 2]!));
  console.log(
    `| ${n} | ${(t1 - t0).toFixed(2)} | ${(t2 - t1).toFixed(2)} | ${((t2 - t1) / (t1 - t0)).toFixed(1)}× | ${err.toExponential(1)} |`,
  );
}
