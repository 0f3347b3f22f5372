import { readFileSync } from 'node:fs';
import type { Tensor, Tensor3D, Tensor4D } from '@tensorflow/tfjs';
import { ArgumentError, rng, ShapeError, tf, writeSafetensors } from '@tensorloom/core';
import { expectClose, expectNoLeak, gradCheck, testBackends, useBackend } from '@tensorloom/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2dSame } from '../common/convOps.js';
import type { TorchNamedLayer } from '../common/torchLayer.js';
import { loadTorchSafetensors, torchSafetensors, torchStateEntries } from '../common/torchWeights.js';
import { countTrainableParameters } from '../nextvit/model.js';
import {
  circularTokenConv,
  inceptionBlock,
  mergedInceptionKernel,
  positionalEmbedding,
  timesBlock,
} from './blocks.js';
import {
  type TimesNetConfig,
  TimesNetLayer,
  timesNet,
  timesNetConfig,
  timesNetInputNames,
  timesNetParameterCount,
} from './model.js';
import { fftPeriods, findPeriods } from './periods.js';

const KEYS = new URL('../__fixtures__/timesnet-etth1-state-dict-keys.txt', import.meta.url);

function readKeys(): { name: string; shape: number[]; kind: string; numel: number }[] {
  return readFileSync(KEYS, 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [name, shape, kind, numel] = l.split('\t');
      return { name: name!, shape: shape!.split('x').map(Number), kind: kind!, numel: Number(numel) };
    });
}

// ------------------------------------------------------------------ float64 reference (written here)

type Arr = Float64Array;
/** Naive float64 DFT amplitude of each channel: |Σ x_t e^{−2πi ft/T}|, f = 0..⌊T/2⌋. */
function naiveAmplitude(x: Arr, b: number, t: number, c: number): Float64Array[] {
  const bins = Math.floor(t / 2) + 1;
  const out: Float64Array[] = [];
  for (let i = 0; i < b; i++) {
    const amp = new Float64Array(bins);
    for (let ch = 0; ch < c; ch++) {
      for (let f = 0; f < bins; f++) {
        let re = 0;
        let im = 0;
        for (let s = 0; s < t; s++) {
          const v = x[(i * t + s) * c + ch]!;
          re += v * Math.cos((2 * Math.PI * f * s) / t);
          im -= v * Math.sin((2 * Math.PI * f * s) / t);
        }
        amp[f]! += Math.hypot(re, im) / c;
      }
    }
    out.push(amp);
  }
  return out;
}
function erf(x: number): number {
  // Maclaurin series (|x| < 3) or the asymptotic complement; float64-accurate enough for float32 checks.
  const ax = Math.abs(x);
  if (ax > 5) return Math.sign(x);
  let sum = 0;
  let term = x;
  for (let n = 0; n < 200; n++) {
    sum += term / (2 * n + 1);
    term *= (-x * x) / (n + 1);
    if (Math.abs(term) < 1e-17) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
const geluF64 = (v: number) => 0.5 * v * (1 + erf(v / Math.SQRT2));
/** Same-padded stride-1 conv, NHWC, kernel [k, k, cin, cout] plus bias. */
function conv2dRef(x: Arr, [b, h, w, cin]: number[], k: Arr, ks: number, cout: number, bias: Arr): Arr {
  const out = new Float64Array(b * h * w * cout);
  const p = (ks - 1) / 2;
  for (let n = 0; n < b; n++)
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++)
        for (let o = 0; o < cout; o++) {
          let s = bias[o]!;
          for (let di = 0; di < ks; di++)
            for (let dj = 0; dj < ks; dj++) {
              const ii = i + di - p;
              const jj = j + dj - p;
              if (ii < 0 || jj < 0 || ii >= h || jj >= w) continue;
              for (let c = 0; c < cin; c++)
                s += x[((n * h + ii) * w + jj) * cin + c]! * k[((di * ks + dj) * cin + c) * cout + o]!;
            }
          out[((n * h + i) * w + j) * cout + o] = s;
        }
  return out;
}
type W64 = Map<string, Arr>;
function weights64(layer: TorchNamedLayer): W64 {
  const m: W64 = new Map();
  for (const s of layer.weightSpecs())
    m.set(s.name, Float64Array.from(layer.variable(s.name).read().dataSync()));
  return m;
}
/** Inception (averaged branches, each computed separately). */
function inceptionRef(x: Arr, shape: number[], W: W64, prefix: string, nk: number, cout: number): Arr {
  const [b, h, w] = shape;
  const acc = new Float64Array(b! * h! * w! * cout);
  for (let i = 0; i < nk; i++) {
    const y = conv2dRef(
      x,
      shape,
      W.get(`${prefix}.kernels.${i}.weight`)!,
      2 * i + 1,
      cout,
      W.get(`${prefix}.kernels.${i}.bias`)!,
    );
    for (let q = 0; q < acc.length; q++) acc[q]! += y[q]! / nk;
  }
  return acc;
}
/** One TimesBlock in float64, returning the output and the periods. */
function timesBlockRef(
  x: Arr,
  b: number,
  t: number,
  n: number,
  W: W64,
  l: number,
  cfg: TimesNetConfig,
): [Arr, number[]] {
  const amps = naiveAmplitude(x, b, t, n);
  const mean = new Float64Array(amps[0]!.length);
  for (const a of amps) for (let f = 0; f < a.length; f++) mean[f]! += a[f]! / b;
  mean[0] = 0;
  const top = Array.from(mean.keys())
    .sort((p, q) => mean[q]! - mean[p]! || p - q)
    .slice(0, cfg.topK);
  const periods = top.map((f) => Math.floor(t / f));
  const res = periods.map((p) => {
    const len = Math.ceil(t / p) * p;
    const grid = new Float64Array(b * len * n);
    for (let i = 0; i < b; i++)
      for (let s = 0; s < t; s++)
        for (let c = 0; c < n; c++) grid[(i * len + s) * n + c] = x[(i * t + s) * n + c]!;
    const shape = [b, len / p, p, n];
    const h1 = inceptionRef(grid, shape, W, `model.${l}.conv.0`, cfg.numKernels, cfg.dFf).map(geluF64);
    return inceptionRef(h1, [b, len / p, p, cfg.dFf], W, `model.${l}.conv.2`, cfg.numKernels, n);
  });
  const out = new Float64Array(b * t * n);
  for (let i = 0; i < b; i++) {
    const a = top.map((f) => amps[i]![f]!);
    const mx = Math.max(...a);
    const e = a.map((v) => Math.exp(v - mx));
    const z = e.reduce((u, v) => u + v, 0);
    for (let s = 0; s < t; s++)
      for (let c = 0; c < n; c++) {
        let v = x[(i * t + s) * n + c]!;
        res.forEach((r, kk) => {
          const len = r.length / (b * n);
          v += (e[kk]! / z) * r[(i * len + s) * n + c]!;
        });
        out[(i * t + s) * n + c] = v;
      }
  }
  return [out, periods];
}
/** The whole forecast forward in float64. */
function forecastRef(x: Arr, marks: Arr, b: number, W: W64, cfg: TimesNetConfig): Arr {
  const { seqLen: t, encIn: c, dModel: d, predLen: P } = cfg;
  const xn = new Float64Array(x.length);
  const means: number[] = [];
  const stds: number[] = [];
  for (let i = 0; i < b; i++)
    for (let ch = 0; ch < c; ch++) {
      let m = 0;
      for (let s = 0; s < t; s++) m += x[(i * t + s) * c + ch]! / t;
      let v = 0;
      for (let s = 0; s < t; s++) v += (x[(i * t + s) * c + ch]! - m) ** 2 / t;
      const sd = Math.sqrt(v + 1e-5);
      means[i * c + ch] = m;
      stds[i * c + ch] = sd;
      for (let s = 0; s < t; s++) xn[(i * t + s) * c + ch] = (x[(i * t + s) * c + ch]! - m) / sd;
    }
  const K = W.get('enc_embedding.value_embedding.tokenConv.weight')!; // [3, c, d]
  const Wt = W.get('enc_embedding.temporal_embedding.embed.weight')!; // [F, d]
  const F = cfg.timeFeatures;
  const emb = new Float64Array(b * t * d);
  for (let i = 0; i < b; i++)
    for (let s = 0; s < t; s++)
      for (let o = 0; o < d; o++) {
        let v = 0;
        for (let kk = 0; kk < 3; kk++) {
          const ss = (s + kk - 1 + t) % t;
          for (let ch = 0; ch < c; ch++) v += xn[(i * t + ss) * c + ch]! * K[(kk * c + ch) * d + o]!;
        }
        const j = Math.floor(o / 2) * 2;
        const ang = s * Math.exp(j * -(Math.log(10000) / d));
        v += o % 2 === 0 ? Math.sin(ang) : Math.cos(ang);
        for (let f = 0; f < F; f++) v += marks[(i * t + s) * F + f]! * Wt[f * d + o]!;
        emb[(i * t + s) * d + o] = v;
      }
  const T = t + P;
  const Wp = W.get('predict_linear.weight')!; // [t, T]
  const bp = W.get('predict_linear.bias')!;
  let h = new Float64Array(b * T * d);
  for (let i = 0; i < b; i++)
    for (let u = 0; u < T; u++)
      for (let o = 0; o < d; o++) {
        let v = bp[u]!;
        for (let s = 0; s < t; s++) v += emb[(i * t + s) * d + o]! * Wp[s * T + u]!;
        h[(i * T + u) * d + o] = v;
      }
  const g = W.get('layer_norm.weight')!;
  const be = W.get('layer_norm.bias')!;
  for (let l = 0; l < cfg.eLayers; l++) {
    const [y] = timesBlockRef(h, b, T, d, W, l, cfg);
    h = new Float64Array(y.length);
    for (let r = 0; r < b * T; r++) {
      let m = 0;
      for (let o = 0; o < d; o++) m += y[r * d + o]! / d;
      let v = 0;
      for (let o = 0; o < d; o++) v += (y[r * d + o]! - m) ** 2 / d;
      for (let o = 0; o < d; o++) h[r * d + o] = ((y[r * d + o]! - m) / Math.sqrt(v + 1e-5)) * g[o]! + be[o]!;
    }
  }
  const Wo = W.get('projection.weight')!; // [d, cOut]
  const bo = W.get('projection.bias')!;
  const out = new Float64Array(b * P * cfg.cOut);
  for (let i = 0; i < b; i++)
    for (let u = 0; u < P; u++)
      for (let o = 0; o < cfg.cOut; o++) {
        let v = bo[o]!;
        for (let e = 0; e < d; e++) v += h[(i * T + t + u) * d + e]! * Wo[e * cfg.cOut + o]!;
        out[(i * P + u) * cfg.cOut + o] = v * stds[i * c + o]! + means[i * c + o]!;
      }
  return out;
}

function tinyConfig(overrides: Partial<TimesNetConfig> = {}): TimesNetConfig {
  return timesNetConfig({
    seqLen: 12,
    predLen: 6,
    encIn: 3,
    cOut: 3,
    dModel: 4,
    dFf: 6,
    eLayers: 2,
    topK: 2,
    numKernels: 3,
    timeFeatures: 2,
    ...overrides,
  });
}

/** Random weights everywhere (scaled so that activations stay O(1)). */
function randomise(layer: TorchNamedLayer, seed: number): void {
  const r = rng(seed);
  for (const spec of layer.weightSpecs()) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const data = Float32Array.from({ length: n }, () => r.normal(0, spec.layout === 'same' ? 0.3 : 0.25));
    const t = tf.tensor(data, spec.shape);
    layer.variable(spec.name).write(t);
    t.dispose();
  }
}

function seriesArray(b: number, t: number, c: number, seed: number): Float64Array {
  const r = rng(seed);
  const x = new Float64Array(b * t * c);
  for (let i = 0; i < b; i++)
    for (let s = 0; s < t; s++)
      for (let ch = 0; ch < c; ch++)
        x[(i * t + s) * c + ch] =
          Math.sin((2 * Math.PI * s) / (3 + ch)) * (1 + i) +
          0.5 * Math.cos((2 * Math.PI * s) / 4) +
          0.3 * r.normal() +
          0.1 * s;
  return x;
}

describe('TimesNet parameters and names (ETTh1 script)', () => {
  beforeAll(() => useBackend('wasm'));
  it('has exactly the reference state dict: every name and shape, 605,479 parameters', () => {
    const keys = readKeys();
    const params = keys.filter((k) => k.kind === 'param');
    const config = timesNetConfig();
    expect(timesNetParameterCount(config)).toBe(605_479);
    expect(params.reduce((n, k) => n + k.numel, 0)).toBe(605_479);
    const model = timesNet(config);
    expect(countTrainableParameters(model)).toBe(605_479);
    const entries = torchStateEntries(model);
    expect(entries.map((e) => e.name)).toEqual(params.map((k) => k.name));
    expect(entries.map((e) => e.torchShape)).toEqual(params.map((k) => k.shape));
    model.dispose();
  });

  it('loads a safetensors file with every official name into the right weights (pe buffer skipped)', async () => {
    await useBackend('wasm');
    const keys = readKeys();
    const r = rng(3);
    const file: Record<string, { dtype: 'F32'; shape: number[]; data: Float32Array }> = {};
    for (const k of keys)
      file[k.name] = {
        dtype: 'F32',
        shape: k.shape,
        data: Float32Array.from({ length: k.numel }, () => r.normal()),
      };
    const model = timesNet(timesNetConfig());
    const report = loadTorchSafetensors(model, writeSafetensors(file));
    expect(report.skipped).toEqual(['enc_embedding.position_embedding.pe']);
    const layer = model.layers.find((l) => l instanceof TimesNetLayer) as TimesNetLayer;
    // Independent index maths per layout: torch [o, i, kh, kw] → ours [kh, kw, i, o]; [o, i, k] → [k, i, o]; [o, i] → [i, o].
    const probe = (name: string, torchIndex: number[], ours: number[]) => {
      const k = keys.find((e) => e.name === name)!;
      let flat = 0;
      for (let a = 0; a < k.shape.length; a++) flat = flat * k.shape[a]! + torchIndex[a]!;
      const v = layer.variable(name).read();
      const got = tf.tidy(
        () =>
          tf
            .slice(
              v,
              ours,
              ours.map(() => 1),
            )
            .dataSync()[0]!,
      );
      expect(got).toBeCloseTo(file[name]!.data[flat]!, 6);
    };
    probe('model.1.conv.0.kernels.5.weight', [31, 15, 10, 2], [10, 2, 15, 31]);
    probe('model.0.conv.2.kernels.3.weight', [3, 30, 1, 6], [1, 6, 30, 3]);
    probe('enc_embedding.value_embedding.tokenConv.weight', [13, 6, 2], [2, 6, 13]);
    probe('enc_embedding.temporal_embedding.embed.weight', [9, 3], [3, 9]);
    probe('predict_linear.weight', [150, 77], [77, 150]);
    probe('projection.bias', [4], [4]);
    // Round trip: writing back gives the file's values under the same names.
    const back = torchSafetensors(model);
    const model2 = timesNet(timesNetConfig(), { seed: 9 });
    loadTorchSafetensors(model2, back);
    const a = layer.variable('model.0.conv.0.kernels.4.weight').read();
    const b2 = (model2.layers[model2.layers.length - 1] as TimesNetLayer)
      .variable('model.0.conv.0.kernels.4.weight')
      .read();
    expectClose(b2, a, { rtol: 0, atol: 0 });
    expect(() =>
      loadTorchSafetensors(model, writeSafetensors({ ...file, 'extra.weight': file['projection.bias']! })),
    ).toThrow(ArgumentError);
    const bad = {
      ...file,
      'projection.weight': { dtype: 'F32' as const, shape: [16, 7], data: file['projection.weight']!.data },
    };
    expect(() => loadTorchSafetensors(model, writeSafetensors(bad))).toThrow(ShapeError);
    model.dispose();
    model2.dispose();
  });

  it('counts parameters per task like the reference heads', () => {
    const d = 16;
    const base = timesNetParameterCount(timesNetConfig());
    const imp = timesNetParameterCount(timesNetConfig({ task: 'imputation' }));
    expect(base - imp).toBe(96 * 192 + 192); // no predict_linear
    const cls = timesNetParameterCount(timesNetConfig({ task: 'classification', numClass: 4 }));
    expect(cls - imp).toBe(d * 96 * 4 + 4 - (d * 7 + 7));
    expect(timesNetParameterCount(timesNetConfig({ timeFeatures: 0 }))).toBe(base - 64);
  });

  it('rejects bad configurations with named errors', () => {
    expect(() => timesNetConfig({ dModel: 15 })).toThrow(/config\.dModel.*even/);
    expect(() => timesNetConfig({ seqLen: 4, predLen: 2, topK: 5 })).toThrow(/config\.topK/);
    expect(() => timesNetConfig({ task: 'classification', predLen: 0 })).toThrow(/config\.numClass/);
    expect(() => timesNetConfig({ task: 'imputation', predLen: 3 })).toThrow(/config\.predLen/);
    expect(() => timesNetConfig({ task: 'nope' as never })).toThrow(ArgumentError);
    expect(() => timesNetConfig({ predLen: 0 })).toThrow(/horizon/);
  });
});

describe('TimesNet period discovery', () => {
  it('recovers planted periods (floor rule) in float64 and float32', async () => {
    await useBackend('wasm');
    const t = 96;
    const vals = new Float64Array(t * 2);
    for (let s = 0; s < t; s++) {
      vals[s * 2] = 3 * Math.sin((2 * Math.PI * s) / 24) + Math.sin((2 * Math.PI * s) / 12);
      vals[s * 2 + 1] = 2 * Math.sin((2 * Math.PI * s) / 24 + 1) + 0.5 * Math.cos((2 * Math.PI * s) / 7);
    }
    const found = findPeriods(vals, [t, 2], 3);
    expect(found.frequencies).toEqual([4, 8, 14]);
    expect(found.periods).toEqual([24, 12, 6]); // 96/14 = 6.86 → 6 (floor, as the reference code)
    const x = tf.tensor3d(Float32Array.from(vals), [1, t, 2]);
    const r = fftPeriods(x, 3);
    expect(r.periods).toEqual([24, 12, 6]);
    expect(r.weights.shape).toEqual([1, 3]);
    // Amplitude at bin 4 ≈ (3·96/2 + 2·96/2)/2 = 120 (the period-7 term leaks a little); exactly the float64 value.
    expectClose(r.weights.dataSync()[0]!, found.amplitude[4]!, { rtol: 1e-5 });
    expectClose(found.amplitude[4]!, 120, { rtol: 0.01 });
    tf.dispose([x, r.weights]);
  });

  it('rejects a sequence too short for k periods and bad shapes', () => {
    const x = tf.zeros([1, 5, 2]);
    expect(() => fftPeriods(x, 3)).toThrow(/k: a sequence of length 5 has 2/);
    expect(() => fftPeriods(tf.zeros([5, 2]) as never, 1)).toThrow(ShapeError);
    expect(() => findPeriods([1, 2, 3], [2, 2], 1)).toThrow(ShapeError);
    expect(() => findPeriods(new Float64Array(8), [4, 2], 0)).toThrow(ArgumentError);
    x.dispose();
  });
});

describe.each(testBackends())('TimesNet layers on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('conv2dSame: forward equals tf.conv2d, gradients (all forward convs) match finite differences', () => {
    const r = rng(11);
    const x = tf.tensor4d(
      Float32Array.from({ length: 2 * 4 * 3 * 2 }, () => r.normal()),
      [2, 4, 3, 2],
    );
    const k = tf.tensor4d(
      Float32Array.from({ length: 5 * 3 * 2 * 3 }, () => r.normal()),
      [5, 3, 2, 3],
    );
    const w = tf.tensor4d(
      Float32Array.from({ length: 2 * 4 * 3 * 3 }, () => r.normal()),
      [2, 4, 3, 3],
    );
    const y = conv2dSame(x, k);
    const ref = tf.conv2d(x, k, 1, 'same');
    expectClose(y, ref, { rtol: 1e-5, atol: 1e-5 });
    gradCheck((a, b) => tf.sum(tf.mul(conv2dSame(a as Tensor4D, b as Tensor4D), w)), [x, k], {
      rtol: 2e-2,
      atol: 2e-2,
    });
    expect(() => conv2dSame(x, tf.zeros([2, 2, 2, 3]) as Tensor4D)).toThrow(ArgumentError);
    tf.dispose([x, k, w, y, ref]);
  });

  it('conv2dSame crops kernel taps that only meet padding: values and gradients equal tf.conv2d', () => {
    const r = rng(12);
    const x = tf.tensor4d(
      Float32Array.from({ length: 2 * 2 * 3 * 2 }, () => r.normal()),
      [2, 2, 3, 2],
    );
    // 7×9 kernel on a 2×3 map: only the central 3×5 taps ever touch data.
    const k = tf.tensor4d(
      Float32Array.from({ length: 7 * 9 * 2 * 3 }, () => r.normal()),
      [7, 9, 2, 3],
    );
    const w = tf.tensor4d(
      Float32Array.from({ length: 2 * 2 * 3 * 3 }, () => r.normal()),
      [2, 2, 3, 3],
    );
    const f = (conv: (a: Tensor4D, b: Tensor4D) => Tensor) =>
      tf.grads((a: Tensor, b: Tensor) => tf.sum(tf.mul(conv(a as Tensor4D, b as Tensor4D), w)))([x, k]);
    const ours = f(conv2dSame);
    const ref = f((a, b) => tf.conv2d(a, b, 1, 'same'));
    expectClose(conv2dSame(x, k), tf.conv2d(x, k, 1, 'same'), { rtol: 1e-5, atol: 1e-5 });
    expectClose(ours[0]!, ref[0]!, { rtol: 1e-4, atol: 1e-4 });
    expectClose(ours[1]!, ref[1]!, { rtol: 1e-4, atol: 1e-4 });
    // The outer taps' gradient is exactly zero.
    expect(tf.sum(tf.abs(tf.slice(ours[1]!, [0, 0, 0, 0], [2, 9, 2, 3]))).dataSync()[0]).toBe(0);
    tf.dispose([x, k, w, ...ours, ...ref]);
  });

  it('the merged Inception kernel equals the average of the separate branches', () => {
    const r = rng(5);
    const x = tf.tensor4d(
      Float32Array.from({ length: 2 * 5 * 4 * 3 }, () => r.normal()),
      [2, 5, 4, 3],
    );
    const ks = [1, 3, 5].map((k) =>
      tf.tensor4d(
        Float32Array.from({ length: k * k * 12 }, () => r.normal()),
        [k, k, 3, 4],
      ),
    );
    const bs = [0, 1, 2].map(() => tf.tensor1d(Float32Array.from({ length: 4 }, () => r.normal())));
    const got = inceptionBlock(x, ks, bs);
    const ref = tf.tidy(() =>
      tf.div(tf.addN(ks.map((k, i) => tf.add(tf.conv2d(x, k as Tensor4D, 1, 'same'), bs[i]!))), 3),
    );
    expectClose(got, ref, { rtol: 1e-4, atol: 1e-5 });
    expect(mergedInceptionKernel(ks).shape).toEqual([5, 5, 3, 4]);
    tf.dispose([x, ...ks, ...bs, got, ref]);
  });

  it('token conv (circular) and positional embedding match the definitions', () => {
    const x = tf.tensor3d([1, 2, 3, 4, 5, 6], [1, 3, 2]);
    const k = tf.tensor3d(
      Float32Array.from({ length: 3 * 2 * 1 }, (_, i) => i + 1),
      [3, 2, 1],
    ); // [k, in, out]
    const y = circularTokenConv(x, k);
    // t=0: x[-1]=x[2]=(5,6)·(1,2) + x[0]=(1,2)·(3,4) + x[1]=(3,4)·(5,6) = 17 + 11 + 39 = 67
    expectClose(y.dataSync()[0]!, 67);
    const pe = positionalEmbedding(3, 4);
    expectClose(
      pe,
      [
        0,
        1,
        0,
        1,
        Math.sin(1),
        Math.cos(1),
        Math.sin(0.01),
        Math.cos(0.01),
        Math.sin(2),
        Math.cos(2),
        Math.sin(0.02),
        Math.cos(0.02),
      ],
      { rtol: 1e-6, atol: 1e-7 },
    );
    tf.dispose([x, k, y]);
  });

  it('period discovery + one TimesBlock match a float64 reference', () => {
    const cfg = tinyConfig();
    const layer = new TimesNetLayer({ config: cfg, seed: 1 });
    layer.build([null, cfg.seqLen, cfg.encIn]);
    randomise(layer, 2);
    const W = weights64(layer);
    const [b, t, n] = [2, 13, cfg.dModel];
    const x64 = seriesArray(b, t, n, 4);
    const [ref, refPeriods] = timesBlockRef(x64, b, t, n, W, 0, cfg);
    const x = tf.tensor3d(Float32Array.from(x64), [b, t, n]) as Tensor3D;
    const branch = (j: number) => ({
      kernels: [0, 1, 2].map((i) => layer.variable(`model.0.conv.${j}.kernels.${i}.weight`).read()),
      biases: [0, 1, 2].map((i) => layer.variable(`model.0.conv.${j}.kernels.${i}.bias`).read()),
    });
    const res = timesBlock(x, { conv0: branch(0), conv2: branch(2) }, cfg.topK);
    expect(res.periods).toEqual(refPeriods);
    expect(refPeriods.some((p) => t % p !== 0)).toBe(true); // padding path exercised
    expectClose(res.output, ref, { rtol: 1e-4, atol: 1e-4 });
    tf.dispose([x, res.output]);
    for (const v of layer.weights) v.dispose(); // the layer was built but never applied
  });

  it('the whole forecaster matches a float64 reference; all heads give their shapes; no leaks; trains', async () => {
    const cfg = tinyConfig();
    const model = timesNet(cfg, { seed: 3 });
    const layer = model.layers[model.layers.length - 1] as TimesNetLayer;
    randomise(layer, 7);
    const b = 2;
    const x64 = seriesArray(b, cfg.seqLen, cfg.encIn, 8);
    const r = rng(9);
    const m64 = Float64Array.from({ length: b * cfg.seqLen * 2 }, () => r.uniform(-0.5, 0.5));
    const ref = forecastRef(x64, m64, b, weights64(layer), cfg);
    const x = tf.tensor3d(Float32Array.from(x64), [b, cfg.seqLen, cfg.encIn]);
    const marks = tf.tensor3d(Float32Array.from(m64), [b, cfg.seqLen, 2]);
    const y = model.predict([x, marks]) as Tensor;
    expect(y.shape).toEqual([b, 6, 3]);
    expectClose(y, ref, { rtol: 1e-3, atol: 2e-4 });
    y.dispose();
    await expectNoLeak(() => model.predict([x, marks]));
    await expectNoLeak(() => tf.tidy(() => model.apply([x, marks], { training: true }) as Tensor));
    // Gradients reach every weight.
    const { grads, value } = tf.variableGrads(
      () => tf.mean(tf.square(model.apply([x, marks], { training: true }) as Tensor)) as tf.Scalar,
    );
    expect(Object.keys(grads).length).toBe(layer.weightSpecs().length);
    for (const g of Object.values(grads))
      expect(Number.isFinite(tf.sum(tf.abs(g)).dataSync()[0]!)).toBe(true);
    tf.dispose([value, ...Object.values(grads)]);
    expect(() => model.predict([tf.zeros([1, 11, 3]), tf.zeros([1, 11, 2])])).toThrow();
    expect(() => layer.apply([tf.zeros([1, 12, 4]), tf.zeros([1, 12, 2])])).toThrow(ShapeError);
    expect(() => layer.apply(tf.zeros([1, 12, 3]))).toThrow(/takes 2 input/);
    model.dispose();

    // Other heads.
    const imp = timesNet(tinyConfig({ task: 'imputation', predLen: 0 }));
    expect(timesNetInputNames(tinyConfig({ task: 'imputation', predLen: 0 }))).toEqual([
      'series',
      'timeFeatures',
      'mask',
    ]);
    const ones = tf.onesLike(x);
    const yi = imp.predict([x, marks, ones]) as Tensor;
    expect(yi.shape).toEqual([b, 12, 3]);
    const an = timesNet(tinyConfig({ task: 'anomalyDetection', predLen: 0 }));
    const ya = an.predict(x) as Tensor;
    expect(ya.shape).toEqual([b, 12, 3]);
    const cl = timesNet(tinyConfig({ task: 'classification', predLen: 0, numClass: 5 }));
    const pad = tf.ones([b, 12]);
    const yc = cl.predict([x, pad]) as Tensor;
    expect(yc.shape).toEqual([b, 5]);
    const st = timesNet(tinyConfig({ task: 'shortTermForecast' }));
    const ys = st.predict([x, marks]) as Tensor;
    expect(ys.shape).toEqual([b, 6, 3]);
    tf.dispose([yi, ya, yc, ys, x, marks, ones, pad]);
    for (const m of [imp, an, cl, st]) m.dispose();
  });
});
