/**
 * FFT benchmark: Tensorloom's typed-array FFT against fft.js called directly, the differentiable tfjs
 * op against `tf.spectral.fft`, both against a naive O(n²) DFT, Bluestein lengths, and the fitted
 * exponent of time versus n. Run from packages/core:
 *
 *     node --conditions=@tensorloom/source --import tsx bench/fft.ts
 *
 * @module
 */
import FFT from 'fft.js';
import { ready } from '../src/backend/ready.js';
import { fftArray } from '../src/fft/arrays.js';
import { fft1d } from '../src/fft/complex_ops.js';
import { tf } from '../src/setup.js';
import { type BenchRow, fitExponent, formatTable, timeMs } from './util.js';

interface TimingOptions {
  /** Paired samples (default 9). */
  repeats?: number;
  /** Target duration of one sample of each function, in ms (default 20). */
  sampleMs?: number;
}

function callsToFill(fn: () => void, sampleMs: number): number {
  fn(); // warm-up (JIT, plan caches)
  const start = performance.now();
  fn();
  const once = Math.max(performance.now() - start, 1e-4);
  return Math.max(1, Math.min(1 << 16, Math.round(sampleMs / once)));
}

/**
 * Times `ours` and `baseline` in alternating samples (so load from other processes hits both alike):
 * returns the median milliseconds per call of each and the median of the paired ratios baseline/ours.
 */
function compareMs(
  ours: () => void,
  baseline: () => void,
  { repeats = 9, sampleMs = 20 }: TimingOptions = {},
): { ours: number; baseline: number; speedup: number } {
  const callsA = callsToFill(ours, sampleMs);
  const callsB = callsToFill(baseline, sampleMs);
  const a: number[] = [];
  const b: number[] = [];
  const ratio: number[] = [];
  for (let r = 0; r < repeats; r++) {
    let t0 = performance.now();
    for (let c = 0; c < callsA; c++) ours();
    const ta = (performance.now() - t0) / callsA;
    t0 = performance.now();
    for (let c = 0; c < callsB; c++) baseline();
    const tb = (performance.now() - t0) / callsB;
    a.push(ta);
    b.push(tb);
    ratio.push(tb / ta);
  }
  return { ours: median(a), baseline: median(b), speedup: median(ratio) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function randomArray(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  return Float64Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  });
}

/** The O(n²) DFT from the definition (with a twiddle table), the baseline an FFT replaces. */
function naiveDft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  const cos = new Float64Array(n);
  const sin = new Float64Array(n);
  for (let m = 0; m < n; m++) {
    cos[m] = Math.cos((2 * Math.PI * m) / n);
    sin[m] = -Math.sin((2 * Math.PI * m) / n);
  }
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let j = 0, m = 0; j < n; j++, m = (m + k) % n) {
      sr += re[j]! * cos[m]! - im[j]! * sin[m]!;
      si += re[j]! * sin[m]! + im[j]! * cos[m]!;
    }
    outRe[k] = sr;
    outIm[k] = si;
  }
}

function round(x: number, digits = 4): number {
  return Number(x.toPrecision(digits));
}

/**
 * Runs the FFT benchmark and returns one row per measurement: `benchmark`, `size`, `ours_ms`,
 * `baseline`, `baseline_ms`, `speedup` (baseline time / ours), `target`. Takes about half a minute
 * (the tfjs CPU backend's own FFT is the slow part).
 *
 * @example
 * ```ts
 * console.log(formatTable(await runFftBench()));
 * ```
 */
export async function runFftBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];

  // 1. Typed-array FFT (split re/im) against fft.js on preallocated interleaved arrays (its best case).
  for (const n of [256, 1024, 4096]) {
    const re = randomArray(n, 1);
    const im = randomArray(n, 2);
    const engine = new FFT(n);
    const data = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      data[2 * i] = re[i]!;
      data[2 * i + 1] = im[i]!;
    }
    const out = new Float64Array(2 * n);
    const into = { re: new Float64Array(n), im: new Float64Array(n) };
    const variants: [string, () => void][] = [
      ['fftArray (new arrays) vs fft.js direct', () => fftArray(re, im)],
      ['fftArray (out: preallocated) vs fft.js direct', () => fftArray(re, im, { out: into })],
    ];
    for (const [benchmark, ours] of variants) {
      const t = compareMs(ours, () => engine.transform(out, data));
      rows.push({
        benchmark,
        size: String(n),
        ours_ms: round(t.ours),
        baseline: 'fft.js transform (interleaved, preallocated)',
        baseline_ms: round(t.baseline),
        speedup: round(t.speedup, 3),
        target: '>= 0.5 (within 2x)',
      });
    }
  }

  // 2. Against the naive DFT and at Bluestein lengths.
  for (const n of [1000, 1024, 1031]) {
    const re = randomArray(n, 3);
    const im = randomArray(n, 4);
    const t = compareMs(
      () => fftArray(re, im),
      () => naiveDft(re, im),
      { repeats: 5 },
    );
    rows.push({
      benchmark: n === 1024 ? 'fftArray vs naive DFT' : 'fftArray (Bluestein) vs naive DFT',
      size: String(n),
      ours_ms: round(t.ours),
      baseline: 'naive O(n^2) DFT',
      baseline_ms: round(t.baseline),
      speedup: round(t.speedup, 3),
      target: 'n log n vs n^2',
    });
  }

  // 3. Scaling: fitted exponent of time against n (powers of two, and lengths that need Bluestein).
  const pow2: [number, number][] = [];
  for (let n = 256; n <= 65536; n *= 4) {
    const re = randomArray(n, 5);
    const im = randomArray(n, 6);
    pow2.push([n, timeMs(() => fftArray(re, im), { warmup: 3, repeats: 7, inner: Math.max(1, 262144 / n) })]);
  }
  const odd: [number, number][] = [];
  for (const n of [257, 1031, 4099, 16411, 65537]) {
    const re = randomArray(n, 7);
    const im = randomArray(n, 8);
    odd.push([n, timeMs(() => fftArray(re, im), { warmup: 3, repeats: 7, inner: Math.max(1, 65536 / n) })]);
  }
  rows.push({
    benchmark: 'time ∝ n^k, powers of two',
    size: '256…65536',
    ours_ms: pow2.map(([, t]) => round(t, 3)).join(' / '),
    baseline: 'exponent k',
    baseline_ms: '',
    speedup: round(
      fitExponent(
        pow2.map(([n]) => n),
        pow2.map(([, t]) => t),
      ),
      3,
    ),
    target: '≈ 1 (n log n)',
  });
  rows.push({
    benchmark: 'time ∝ n^k, primes (Bluestein)',
    size: '257…65537',
    ours_ms: odd.map(([, t]) => round(t, 3)).join(' / '),
    baseline: 'exponent k',
    baseline_ms: '',
    speedup: round(
      fitExponent(
        odd.map(([n]) => n),
        odd.map(([, t]) => t),
      ),
      3,
    ),
    target: '≈ 1 (n log n)',
  });

  // 4. The tfjs op (64 × 1024, batched over rows) against tf.spectral.fft, on the CPU backend and on WASM.
  const [batch, n] = [64, 1024];
  for (const backend of ['cpu', 'wasm'] as const) {
    await ready({ backend });
    const re = tf.tensor2d(Float32Array.from(randomArray(batch * n, 9)), [batch, n]);
    const im = tf.tensor2d(Float32Array.from(randomArray(batch * n, 10)), [batch, n]);
    const complex = tf.complex(re, im);
    const t = compareMs(
      () => {
        const out = fft1d(re, im);
        out.re.dataSync();
        tf.dispose([out.re, out.im]);
      },
      () => {
        const out = tf.spectral.fft(complex);
        out.dataSync();
        out.dispose();
      },
      { repeats: backend === 'cpu' ? 3 : 7, sampleMs: backend === 'cpu' ? 1 : 20 },
    );
    rows.push({
      benchmark: `fft1d op vs tf.spectral.fft (${backend})`,
      size: `${batch}x${n}`,
      ours_ms: round(t.ours),
      baseline: backend === 'cpu' ? 'tfjs CPU FFT kernel' : 'Tensorloom WASM FFT kernel (complex64)',
      baseline_ms: round(t.baseline),
      speedup: round(t.speedup, 3),
      target: backend === 'cpu' ? '>= 100' : '≈ 1 (same engine)',
    });
    tf.dispose([re, im, complex]);
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(formatTable(await runFftBench()));
}
