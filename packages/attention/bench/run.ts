/**
 * Benchmark: exact streamed tensor attention vs the polynomial-method approximation.
 * Run with `pnpm bench` (WASM backend, one thread). Prints times, ratios, fitted growth exponents,
 * the crossover n, ℓ∞ error against the guaranteed bound for degrees 1–8 (vs a float64 brute
 * force), and the exact form's memory high-water mark.
 *
 * Times are process CPU time (user + system; tfjs-WASM runs on one thread), which stays meaningful
 * when the machine is shared; wall time equals it on an idle machine.
 *
 * Exact times for n ≥ 1024 are measured on a subset of 64 queries (all n² key pairs) and scaled by
 * n/64: the exact cost is the same for every query, so this is the full-run time up to per-call overhead.
 */
import { randomUniformTensor, ready, type Tensor, tf } from '@tensorloom/core';
import { bestExpPolynomial, expPolynomial, tensorAttention, tensorAttentionApprox } from '../src/index.js';

await ready();
const d = 4;
const degree = 4;
const blockSize = 1 << 18;
const quick = process.argv.includes('--quick');
const sizes = quick ? [64, 128, 256, 512, 1024] : [64, 128, 256, 512, 1024, 2048, 4096];
const subset = 64;

function inputs(n: number, seed: number): Tensor[] {
  return [0, 1, 2, 3, 4].map((i) => randomUniformTensor([n, d], { seed: seed * 10 + i, min: -1, max: 1 }));
}

/** Median wall time of `repeats` runs (after one warm-up run); returns the last output. */
/** Milliseconds of process CPU time since `start` (a `process.cpuUsage()` reading). */
function cpuMs(start: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(start);
  return (c.user + c.system) / 1000;
}

function time(fn: () => Tensor, repeats: number): { ms: number; out: Tensor } {
  fn().dispose();
  const times: number[] = [];
  let out: Tensor | undefined;
  for (let r = 0; r < repeats; r++) {
    out?.dispose();
    const t0 = process.cpuUsage();
    out = fn();
    out.dataSync();
    times.push(cpuMs(t0));
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)]!, out: out! };
}

function timeOnce(fn: () => Tensor): { ms: number; out: Tensor } {
  const t0 = process.cpuUsage();
  const out = fn();
  out.dataSync();
  return { ms: cpuMs(t0), out };
}

function fitExponent(xs: number[], ys: number[]): number {
  const lx = xs.map(Math.log);
  const ly = ys.map(Math.log);
  const mx = lx.reduce((a, b) => a + b, 0) / lx.length;
  const my = ly.reduce((a, b) => a + b, 0) / ly.length;
  let num = 0;
  let den = 0;
  lx.forEach((x, i) => {
    num += (x - mx) * (ly[i]! - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

const rows: {
  n: number;
  exact: number;
  approx: number;
  err: number;
  bound: number;
  extrapolated: boolean;
  peakMiB: number;
}[] = [];
for (const n of sizes) {
  const [q, k1, k2, v1, v2] = inputs(n, n);
  const extrapolated = n >= 1024;
  const qe = extrapolated ? tf.slice(q!, [0, 0], [subset, d]) : q!;
  // memory high-water mark of the exact streaming form (tfjs-tracked bytes above the baseline)
  const base = tf.memory().numBytes;
  let peak = base;
  const exact = timeOnce(() =>
    tensorAttention(qe, k1!, k2!, v1!, v2!, {
      blockSize,
      onProgress: () => {
        peak = Math.max(peak, tf.memory().numBytes);
      },
    }),
  );
  const exactMs = extrapolated ? (exact.ms * n) / subset : exact.ms;
  const approxRepeats = 7;
  const approx = time(() => {
    const res = tensorAttentionApprox(q!, k1!, k2!, v1!, v2!, { degree });
    return res.output;
  }, approxRepeats);
  const res = tensorAttentionApprox(q!, k1!, k2!, v1!, v2!, { degree });
  const approxRows = extrapolated ? tf.slice(res.output, [0, 0], [subset, d]) : res.output;
  const err = tf.tidy(() => tf.max(tf.abs(tf.sub(approxRows, exact.out)))).dataSync()[0]!;
  rows.push({
    n,
    exact: exactMs,
    approx: approx.ms,
    err,
    bound: res.bound,
    extrapolated,
    peakMiB: (peak - base) / 2 ** 20,
  });
  console.error(
    `n=${n}: exact ${exactMs.toFixed(0)} ms${extrapolated ? ' (extrapolated)' : ''}, approx ${approx.ms.toFixed(2)} ms`,
  );
  tf.dispose([q!, k1!, k2!, v1!, v2!, exact.out, approx.out, res.output, approxRows]);
  if (extrapolated) qe.dispose();
}

console.log(
  `\n## Exact (streamed, block ${blockSize}) vs approximate (degree ${degree}) tensor attention, d = ${d}, entries in [−1, 1], WASM, CPU time in ms\n`,
);
console.log(
  '| n | exact ms | approx ms | exact/approx | ℓ∞ error (vs exact) | guaranteed bound | exact peak MiB |',
);
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(
    `| ${r.n} | ${r.exact.toFixed(1)}${r.extrapolated ? '*' : ''} | ${r.approx.toFixed(2)} | ${(r.exact / r.approx).toFixed(0)} | ${r.err.toExponential(2)} | ${r.bound.toExponential(2)} | ${r.peakMiB.toFixed(2)} |`,
  );
}
console.log(`\n\\* measured on ${subset} queries × all n² key pairs, scaled by n/${subset}.`);
const ns = rows.map((r) => r.n);
const expExact = fitExponent(
  ns,
  rows.map((r) => r.exact),
);
const expApprox = fitExponent(
  ns,
  rows.map((r) => r.approx),
);
const bigger = rows.filter((r) => r.n >= 512);
const expApproxLarge =
  bigger.length >= 2
    ? fitExponent(
        bigger.map((r) => r.n),
        bigger.map((r) => r.approx),
      )
    : Number.NaN;
const expExactLarge =
  bigger.length >= 2
    ? fitExponent(
        bigger.map((r) => r.n),
        bigger.map((r) => r.exact),
      )
    : Number.NaN;
const crossover = rows.find((r) => r.approx < r.exact)?.n;
console.log(
  `\nfitted exponent in n: exact ${expExact.toFixed(2)} (n ≥ 512: ${expExactLarge.toFixed(2)}), approx ${expApprox.toFixed(2)} (n ≥ 512: ${expApproxLarge.toFixed(2)})`,
);
console.log(`crossover: approx faster from n = ${crossover ?? 'none'} (smallest measured n)`);
const last = rows[rows.length - 1]!;
console.log(
  `targets at n = ${last.n}: ratio ${(last.exact / last.approx).toFixed(0)} (≥ 100), error ${last.err.toExponential(2)} (≤ 1e-3), approx exponent ${expApprox.toFixed(2)} (≤ 1.2)`,
);
const peakBlock = (blockSize * 4) / 2 ** 20;
console.log(
  `exact memory: peak ${Math.max(...rows.map((r) => r.peakMiB)).toFixed(2)} MiB over all n (one score tile = ${peakBlock.toFixed(2)} MiB; n·d floats at n = 4096 = ${((4096 * d * 4) / 2 ** 20).toFixed(3)} MiB)`,
);

// Error vs bound for degrees 1..8 against a float64 brute force (n = 96).
{
  const n = 96;
  const [q, k1, k2, v1, v2] = inputs(n, 7);
  const [qa, k1a, k2a, v1a, v2a] = [q, k1, k2, v1, v2].map((t) => Float64Array.from(t!.dataSync()));
  const ref = new Float64Array(n * d);
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    let m = Number.NEGATIVE_INFINITY;
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++) {
        let dot = 0;
        for (let l = 0; l < d; l++) dot += qa![i * d + l]! * k1a![a * d + l]! * k2a![b * d + l]!;
        s[a * n + b] = dot / d;
        m = Math.max(m, dot / d);
      }
    let z = 0;
    const acc = new Float64Array(d);
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++) {
        const e = Math.exp(s[a * n + b]! - m);
        z += e;
        for (let c = 0; c < d; c++) acc[c]! += e * v1a![a * d + c]! * v2a![b * d + c]!;
      }
    for (let c = 0; c < d; c++) ref[i * d + c] = acc[c]! / z;
  }
  console.log(
    `\n## ℓ∞ error vs guaranteed bound (n = ${n}, d = ${d}, entries in [−1, 1]; float64 brute-force reference)\n`,
  );
  console.log(
    '| degree | rank | polynomial | score radius R | certified η | bound | measured ℓ∞ error | within bound |',
  );
  console.log('| ---: | ---: | --- | ---: | ---: | ---: | ---: | --- |');
  for (let g = 1; g <= 8; g++) {
    const res = tensorAttentionApprox(q!, k1!, k2!, v1!, v2!, { degree: g });
    const out = res.output.dataSync();
    let err = 0;
    for (let i = 0; i < out.length; i++) err = Math.max(err, Math.abs(out[i]! - ref[i]!));
    console.log(
      `| ${g} | ${res.rank} | ${res.polynomial} | ${res.scoreRadius.toFixed(3)} | ${res.relativeError.toExponential(2)} | ${res.bound.toExponential(2)} | ${err.toExponential(2)} | ${err <= res.bound + 2e-6 * res.valueBound ? 'yes' : 'NO'} |`,
    );
    res.output.dispose();
  }
  tf.dispose([q!, k1!, k2!, v1!, v2!]);
}

// Taylor vs Chebyshev (certified relative error of exp on [−1, 1]).
console.log('\n## Polynomial choice: certified relative error of exp on [−1, 1]\n');
console.log('| degree | Taylor η | Chebyshev η | chosen |');
console.log('| ---: | ---: | ---: | --- |');
for (let g = 1; g <= 8; g++) {
  const t = expPolynomial(g, 1, 'taylor').relativeError;
  const c = expPolynomial(g, 1, 'chebyshev').relativeError;
  console.log(`| ${g} | ${t.toExponential(2)} | ${c.toExponential(2)} | ${bestExpPolynomial(g, 1).kind} |`);
}
