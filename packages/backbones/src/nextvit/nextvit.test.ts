import { readFileSync } from 'node:fs';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import { ArgumentError, rng, ShapeError, tf } from '@tensorloom/core';
import { expectClose, expectNoLeak, testBackends, useBackend } from '@tensorloom/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import { TorchNamedLayer } from '../common/torchLayer.js';
import { loadTorchSafetensors, torchSafetensors, torchStateEntries } from '../common/torchWeights.js';
import { makeDivisible, type NextVitConfig, nextVitConfig, nextVitPlan } from './config.js';
import { foldNextVitBatchNorm } from './fold.js';
import { NextVitBlock } from './layers.js';
import { nextVitMacs } from './macs.js';
import {
  countTrainableParameters,
  nextVit,
  nextVitFeatures,
  nextVitFromConfig,
  nextVitParameterCount,
} from './model.js';

const KEYS = new URL('../__fixtures__/nextvit-small-state-dict-keys.txt', import.meta.url);

function readKeys(): { name: string; shape: number[]; kind: string; numel: number }[] {
  return readFileSync(KEYS, 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [name, shape, kind, numel] = l.split('\t');
      return {
        name: name!,
        shape: shape === 'scalar' ? [] : shape!.split('x').map(Number),
        kind: kind!,
        numel: Number(numel),
      };
    });
}

/** A tiny configuration that exercises every block type, pooling and stride. */
export function tinyConfig(): NextVitConfig {
  return {
    stemChannels: [8, 8, 8],
    depths: [1, 2, 5, 2],
    ncbChannels: [8, 16, 24, 32],
    ntbChannels: [32, 48, 64],
    headDim: 8,
    srRatios: [8, 4, 2, 1],
    mixBlockRatio: 0.75,
    numClasses: 5,
    dropPath: 0.1,
  };
}

/** Randomises every weight of a model, BatchNorm statistics included (positive variances). */
function randomise(model: { layers: unknown[] }, seed: number): void {
  const r = rng(seed);
  for (const layer of model.layers) {
    if (!(layer instanceof TorchNamedLayer)) continue;
    for (const spec of layer.weightSpecs()) {
      const n = spec.shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(n);
      const isVar = spec.name.endsWith('running_var');
      for (let i = 0; i < n; i++)
        data[i] = isVar ? 0.5 + r.uniform() : r.normal(0, spec.layout === 'same' ? 0.5 : 0.3);
      const t = tf.tensor(data, spec.shape);
      layer.variable(spec.name).write(t);
      t.dispose();
    }
  }
}

describe('Next-ViT architecture (official definitions)', () => {
  beforeAll(() => useBackend('wasm'));
  it('makeDivisible follows the official rounding', () => {
    expect(makeDivisible(96 * 3, 32)).toBe(288);
    expect(makeDivisible(256 * 2, 32)).toBe(512);
    expect(makeDivisible(192, 32)).toBe(192);
    expect(makeDivisible(10, 32)).toBe(32);
    expect(makeDivisible(50, 32)).toBe(64); // 64 ≥ 0.9·50
    expect(makeDivisible(18, 8)).toBe(24); // 16 < 0.9·18 → one step up
  });

  it('the NHS plan of Next-ViT-S matches the official module list', () => {
    const plan = nextVitPlan(nextVitConfig('small'));
    expect(plan.map((b) => b.type).join('')).toBe(
      'ncbncbncbncbncbncbntbncbncbncbncbntbncbncbncbncbntbncbncbntb'.replace(/(ncb|ntb)/g, (m) => m),
    );
    expect(plan.length).toBe(20);
    expect(plan.filter((b) => b.type === 'ntb').map((b) => b.index)).toEqual([6, 11, 16, 19]);
    expect(plan.filter((b) => b.stride === 2).map((b) => b.index)).toEqual([3, 7, 17]);
    expect(plan[19]!.dropPath).toBeCloseTo(0.1, 7);
    expect(plan[0]!.dropPath).toBe(0);
  });

  it('Next-ViT-S has exactly the official parameters: every name and shape of the reference state dict', () => {
    const keys = readKeys();
    const model = nextVit('small', { inputSize: null });
    const expected = keys.filter((k) => !k.name.endsWith('num_batches_tracked'));
    const ours = torchStateEntries(model);
    expect(ours.map((e) => e.name).sort()).toEqual(expected.map((k) => k.name).sort());
    const byName = new Map(ours.map((e) => [e.name, e]));
    for (const k of expected) {
      expect(byName.get(k.name)!.torchShape, k.name).toEqual(k.shape);
      expect(byName.get(k.name)!.trainable, k.name).toBe(k.kind === 'param');
    }
    const official = keys.filter((k) => k.kind === 'param').reduce((a, k) => a + k.numel, 0);
    expect(official).toBe(31_763_368);
    expect(countTrainableParameters(model)).toBe(official);
    expect(nextVitParameterCount('small')).toBe(official);
    model.dispose();
  });

  it('B and L add exactly 2 and 4 copies of the stage-3 [NCB×4, NTB] group of the reference', () => {
    const keys = readKeys();
    const group = keys
      .filter((k) => k.kind === 'param' && /^features\.(1[2-6])\./.test(k.name))
      .reduce((a, k) => a + k.numel, 0);
    const s = nextVitParameterCount('small');
    expect(nextVitParameterCount('base')).toBe(s + 2 * group);
    expect(nextVitParameterCount('large')).toBe(s + 4 * group);
    // The paper's counts, truncated to 0.1M: 31.7M, 44.8M, 57.8M.
    expect(nextVitParameterCount('small')).toBe(31_763_368);
    expect(nextVitParameterCount('base')).toBe(44_818_856);
    expect(nextVitParameterCount('large')).toBe(57_874_344);
    expect(
      [s, nextVitParameterCount('base'), nextVitParameterCount('large')].map((n) => Math.floor(n / 1e5) / 10),
    ).toEqual([31.7, 44.8, 57.8]);
  });

  it('loads a safetensors file with the official names into the right weights (running stats included)', async () => {
    await useBackend('wasm');
    const keys = readKeys();
    const r = rng(3);
    const tensors: Record<string, { dtype: 'F32' | 'I64'; shape: number[]; data: Float32Array | number[] }> =
      {};
    const source = new Map<string, Float32Array>();
    for (const k of keys) {
      if (k.name.endsWith('num_batches_tracked')) {
        tensors[k.name] = { dtype: 'I64', shape: [], data: [7] };
        continue;
      }
      const data = new Float32Array(k.numel);
      const base = r.normal();
      for (let i = 0; i < data.length; i++) data[i] = base + i * 1e-3;
      tensors[k.name] = { dtype: 'F32', shape: k.shape, data };
      source.set(k.name, data);
    }
    const { writeSafetensors } = await import('@tensorloom/core');
    const bytes = writeSafetensors(tensors);
    const model = nextVit('small', { inputSize: null });
    const report = loadTorchSafetensors(model, bytes);
    expect(report.loaded.length).toBe(source.size);
    expect(report.skipped.every((n) => n.endsWith('num_batches_tracked'))).toBe(true);
    // Independent check of the layout: element [o, i, y, x] of a torch conv must sit at [y, x, i, o].
    for (const layer of model.layers as TorchNamedLayer[]) {
      for (const spec of layer.weightSpecs()) {
        const torch = source.get(spec.name)!;
        const ours = layer.variable(spec.name).read().dataSync();
        const s = spec.shape;
        const probe = [0, 1, torch.length - 1, Math.floor(torch.length / 3)];
        for (const t of probe) {
          let idx = t;
          if (spec.layout === 'conv2d') {
            const [kh, kw, ci, co] = s as [number, number, number, number];
            const xx = t % kw;
            const yy = Math.floor(t / kw) % kh;
            const ii = Math.floor(t / (kw * kh)) % ci;
            const oo = Math.floor(t / (kw * kh * ci));
            idx = ((yy * kw + xx) * ci + ii) * co + oo;
          } else if (spec.layout === 'linear') {
            const [ci, co] = s as [number, number];
            idx = (t % ci) * co + Math.floor(t / ci);
          }
          expect(ours[idx], `${spec.name}[${t}]`).toBe(torch[t]);
        }
      }
    }
    // And back: our writer reproduces the official file's tensors.
    const again = torchSafetensors(model);
    const { readSafetensors } = await import('@tensorloom/core');
    const back = readSafetensors(again).tensors;
    for (const [name, data] of source) {
      const got = back.get(name)!;
      expect(got.shape, name).toEqual(tensors[name]!.shape);
      expect(got.data[data.length - 1]).toBe(data[data.length - 1]);
    }
    model.dispose();
  });

  it('rejects bad variants, options and configs with typed errors', () => {
    expect(() => nextVit('tiny' as never)).toThrow(ArgumentError);
    expect(() => nextVit('small', { inputSize: 0 })).toThrow(/options.inputSize/);
    expect(() => nextVitFromConfig({ ...tinyConfig(), depths: [1, 2, 4, 2] })).toThrow(/depths\[2\]/);
    expect(() => nextVitFromConfig({ ...tinyConfig(), ncbChannels: [8, 16, 20, 32] })).toThrow(
      /multiple of headDim/,
    );
    expect(() => nextVitFromConfig({ ...tinyConfig(), dropPath: 2 })).toThrow(ArgumentError);
  });
});

/** Naive float64 NHWC helpers for the reference block. */
type Img = { h: number; w: number; c: number; d: Float64Array };
const at = (x: Img, y: number, xx: number, c: number) => x.d[(y * x.w + xx) * x.c + c]!;
function conv1x1(x: Img, k: Float32Array, cout: number, bias?: Float32Array): Img {
  const d = new Float64Array(x.h * x.w * cout);
  for (let p = 0; p < x.h * x.w; p++)
    for (let o = 0; o < cout; o++) {
      let s = bias ? bias[o]! : 0;
      for (let i = 0; i < x.c; i++) s += x.d[p * x.c + i]! * k[i * cout + o]!;
      d[p * cout + o] = s;
    }
  return { h: x.h, w: x.w, c: cout, d };
}
function bnRef(x: Img, L: NextVitBlock, prefix: string): Img {
  const g = L.variable(`${prefix}.weight`).read().dataSync();
  const b = L.variable(`${prefix}.bias`).read().dataSync();
  const m = L.variable(`${prefix}.running_mean`).read().dataSync();
  const v = L.variable(`${prefix}.running_var`).read().dataSync();
  const d = x.d.map((val, i) => {
    const c = i % x.c;
    return ((val - m[c]!) / Math.sqrt(v[c]! + 1e-5)) * g[c]! + b[c]!;
  });
  return { ...x, d };
}
function groupConvRef(x: Img, k: Float32Array, groups: number): Img {
  const gin = x.c / groups;
  const d = new Float64Array(x.h * x.w * x.c);
  for (let y = 0; y < x.h; y++)
    for (let xx = 0; xx < x.w; xx++)
      for (let o = 0; o < x.c; o++) {
        const g = Math.floor(o / gin);
        let s = 0;
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const yy = y + dy;
            const x2 = xx + dx;
            if (yy < 0 || yy >= x.h || x2 < 0 || x2 >= x.w) continue;
            for (let i = 0; i < gin; i++)
              s += at(x, yy, x2, g * gin + i) * k[(((dy + 1) * 3 + dx + 1) * gin + i) * x.c + o]!;
          }
        d[(y * x.w + xx) * x.c + o] = s;
      }
  return { h: x.h, w: x.w, c: x.c, d };
}
const relu = (x: Img): Img => ({ ...x, d: x.d.map((v) => Math.max(0, v)) });
const add = (a: Img, b: Img): Img => ({ ...a, d: a.d.map((v, i) => v + b.d[i]!) });
function avgPoolCeilRef(x: Img): Img {
  const h = Math.ceil(x.h / 2);
  const w = Math.ceil(x.w / 2);
  const d = new Float64Array(h * w * x.c);
  for (let y = 0; y < h; y++)
    for (let xx = 0; xx < w; xx++)
      for (let c = 0; c < x.c; c++) {
        let s = 0;
        let n = 0;
        for (let a = 2 * y; a < Math.min(2 * y + 2, x.h); a++)
          for (let b = 2 * xx; b < Math.min(2 * xx + 2, x.w); b++) {
            s += at(x, a, b, c);
            n++;
          }
        d[(y * w + xx) * x.c + c] = s / n;
      }
  return { h, w, c: x.c, d };
}

/** Reference NCB/NTB forward (inference), written from the official PyTorch code. */
function blockRef(L: NextVitBlock, x: Img): Img {
  const W = (n: string) => L.variable(n).read().dataSync() as Float32Array;
  const p = L.prefix;
  const embed = (z: Img, name: string, cout: number, stride: number) => {
    if (!(stride === 2 || z.c !== cout)) return z;
    const pooled = stride === 2 ? avgPoolCeilRef(z) : z;
    return bnRef(conv1x1(pooled, W(`${p}.${name}.conv.weight`), cout), L, `${p}.${name}.norm`);
  };
  const mhca = (z: Img) =>
    conv1x1(
      relu(bnRef(groupConvRef(z, W(`${p}.mhca.group_conv3x3.weight`), z.c / 8), L, `${p}.mhca.norm`)),
      W(`${p}.mhca.projection.weight`),
      z.c,
    );
  const mlp = (z: Img) => {
    const w1 = W(`${p}.mlp.conv1.weight`);
    const hid = w1.length / z.c;
    return conv1x1(
      relu(conv1x1(z, w1, hid, W(`${p}.mlp.conv1.bias`))),
      W(`${p}.mlp.conv2.weight`),
      z.c,
      W(`${p}.mlp.conv2.bias`),
    );
  };
  const b = L.block;
  let h = embed(x, 'patch_embed', L.embedChannels, b.stride);
  if (b.type === 'ncb') {
    h = add(h, mhca(h));
    return add(h, mlp(bnRef(h, L, `${p}.norm`)));
  }
  const cs = h.c;
  const n = h.h * h.w;
  const t = bnRef(h, L, `${p}.norm1`);
  const lin = (z: Img, name: string) =>
    conv1x1(z, W(`${p}.e_mhsa.${name}.weight`), cs, W(`${p}.e_mhsa.${name}.bias`));
  const q = lin(t, 'q');
  let kvIn = t;
  if (b.srRatio > 1) {
    const r2 = b.srRatio ** 2;
    const m = Math.floor(n / r2);
    const d = new Float64Array(m * cs);
    for (let j = 0; j < m; j++)
      for (let c = 0; c < cs; c++) {
        let s = 0;
        for (let u = 0; u < r2; u++) s += t.d[(j * r2 + u) * cs + c]!;
        d[j * cs + c] = s / r2;
      }
    kvIn = bnRef({ h: 1, w: m, c: cs, d }, L, `${p}.e_mhsa.norm`);
  }
  const k = lin(kvIn, 'k');
  const v = lin(kvIn, 'v');
  const m = kvIn.h * kvIn.w;
  const o = new Float64Array(n * cs);
  for (let head = 0; head < cs / 8; head++)
    for (let i = 0; i < n; i++) {
      const sc = new Float64Array(m);
      for (let j = 0; j < m; j++) {
        let s = 0;
        for (let e = 0; e < 8; e++) s += q.d[i * cs + head * 8 + e]! * k.d[j * cs + head * 8 + e]!;
        sc[j] = s / Math.sqrt(8);
      }
      const mx = Math.max(...sc);
      const ex = sc.map((s) => Math.exp(s - mx));
      const z = ex.reduce((a, c) => a + c, 0);
      for (let e = 0; e < 8; e++) {
        let s = 0;
        for (let j = 0; j < m; j++) s += (ex[j]! / z) * v.d[j * cs + head * 8 + e]!;
        o[i * cs + head * 8 + e] = s;
      }
    }
  h = add(h, lin({ h: h.h, w: h.w, c: cs, d: o }, 'proj'));
  let y = embed(h, 'projection', b.outChannels - cs, 1);
  y = add(y, mhca(y));
  const cat = new Float64Array(n * b.outChannels);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < cs; c++) cat[i * b.outChannels + c] = h.d[i * cs + c]!;
    for (let c = 0; c < y.c; c++) cat[i * b.outChannels + cs + c] = y.d[i * y.c + c]!;
  }
  const z: Img = { h: h.h, w: h.w, c: b.outChannels, d: cat };
  return add(z, mlp(bnRef(z, L, `${p}.norm2`)));
}

describe.each(testBackends())('Next-ViT layers on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  const cases = [
    { type: 'ncb' as const, inChannels: 16, outChannels: 24, stride: 2, srRatio: 2, h: 7, w: 5 },
    { type: 'ntb' as const, inChannels: 16, outChannels: 32, stride: 2, srRatio: 2, h: 11, w: 9 },
    { type: 'ntb' as const, inChannels: 24, outChannels: 32, stride: 1, srRatio: 1, h: 3, w: 4 },
  ];
  it.each(cases)(
    '$type $inChannels→$outChannels stride $stride sr $srRatio on $h×$w matches a float64 reference',
    (c) => {
      const layer = new NextVitBlock({
        block: {
          type: c.type,
          index: 4,
          stage: 1,
          inChannels: c.inChannels,
          outChannels: c.outChannels,
          stride: c.stride,
          srRatio: c.srRatio,
          dropPath: 0.2,
        },
        headDim: 8,
        mixBlockRatio: 0.75,
        seed: 1,
      });
      const r = rng(11);
      const n = c.h * c.w * c.inChannels;
      const xd = Float64Array.from({ length: n }, () => r.normal());
      const x = tf.tensor4d(Float32Array.from(xd), [1, c.h, c.w, c.inChannels]);
      layer.apply(x); // build
      randomise({ layers: [layer] }, 5);
      const y = layer.apply(x, { training: false }) as Tensor;
      const ref = blockRef(layer, { h: c.h, w: c.w, c: c.inChannels, d: Float64Array.from(x.dataSync()) });
      expect(y.shape).toEqual([1, ref.h, ref.w, ref.c]);
      expectClose(y, ref.d, { rtol: 2e-4, atol: 2e-4 });
      tf.dispose([x, y]);
      layer.dispose();
    },
  );

  it('builds a tiny Next-ViT: logits, feature pyramid, folding, training step, serialization, no leaks', async () => {
    const model = nextVitFromConfig(tinyConfig(), { inputSize: 64, seed: 2 });
    randomise(model, 9);
    const x = tf.randomUniform([2, 64, 64, 3], -1, 1, 'float32', 4);
    // The first inference call caches MHCA's per-group kernels; later calls allocate nothing that stays.
    tf.dispose(model.predict(x) as Tensor);
    await expectNoLeak(() => model.predict(x));
    const y = model.predict(x) as Tensor;
    expect(y.shape).toEqual([2, 5]);
    const feats = nextVitFeatures(model, x);
    expect(feats.map((f) => f.shape)).toEqual([
      [2, 16, 16, 8],
      [2, 8, 8, 32],
      [2, 4, 4, 48],
      [2, 2, 2, 64],
    ]);
    tf.dispose(feats);

    // BatchNorm folding: same outputs, no BatchNorm weights left.
    const folded = foldNextVitBatchNorm(model);
    expect(torchStateEntries(folded).some((e) => /norm\.running_mean/.test(e.name))).toBe(false);
    const yf = folded.predict(x) as Tensor;
    expectClose(yf, y, { rtol: 1e-4, atol: 1e-4 });
    tf.dispose([yf]);
    folded.dispose();

    // Serialization round trip through the registered custom layers.
    const json = model.toJSON(undefined, false) as object;
    const clone = await tf.models.modelFromJSON(json as never);
    clone.setWeights(model.getWeights());
    const yc = clone.predict(x) as Tensor;
    expectClose(yc, y, { rtol: 1e-6, atol: 1e-6 });
    tf.dispose(yc);
    clone.dispose();

    // One training step: BatchNorm running statistics move, the loss falls, gradients reach every weight.
    const before = (model.layers[0] as TorchNamedLayer)
      .variable('stem.0.norm.running_mean')
      .read()
      .dataSync()
      .slice();
    const labels = tf.oneHot(tf.tensor1d([1, 3], 'int32'), 5);
    const opt = tf.train.sgd(0.01);
    const lossOf = () =>
      tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as Tensor) as tf.Scalar;
    const l0 = lossOf();
    const l0v = l0.dataSync()[0]!;
    l0.dispose();
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(lossOf, vars);
    const missing = Object.entries(grads).filter(([, g]) => g.abs().sum().dataSync()[0] === 0);
    expect(missing.map(([k]) => k)).toEqual([]);
    opt.applyGradients(grads);
    tf.dispose([value, grads]);
    const after = (model.layers[0] as TorchNamedLayer).variable('stem.0.norm.running_mean').read().dataSync();
    expect(Array.from(after)).not.toEqual(Array.from(before));
    void l0v;
    opt.dispose();
    tf.dispose([x, y, labels]);
    model.dispose();
  });

  it('inference caches per-group MHCA kernels, refreshes them when weights change, and frees them on dispose', () => {
    const n0 = tf.memory().numTensors;
    const model = nextVitFromConfig(tinyConfig(), { inputSize: 32, seed: 3 });
    randomise(model, 4);
    const x = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 5);
    const y1 = model.predict(x) as Tensor;
    const y2 = model.predict(x) as Tensor;
    expectClose(y2, y1, { rtol: 0, atol: 0 });
    // New weights (a new dataId for every variable): the cache must not serve the old slices.
    randomise(model, 8);
    const y3 = model.predict(x) as Tensor;
    const fresh = nextVitFromConfig(tinyConfig(), { inputSize: 32, seed: 3 });
    fresh.setWeights(model.getWeights());
    const y4 = fresh.predict(x) as Tensor;
    expectClose(y3, y4, { rtol: 1e-6, atol: 1e-6 });
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(y3, y1))).dataSync()[0])).toBeGreaterThan(1e-3);
    tf.dispose([x, y1, y2, y3, y4]);
    fresh.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(n0);
  });

  it('rejects wrong channels and too-small inputs with ShapeError', () => {
    const model = nextVitFromConfig(tinyConfig(), { inputSize: null });
    const x1 = tf.zeros([1, 64, 64, 1]);
    expect(() => nextVitFeatures(model, x1)).toThrow(ShapeError);
    expect(() => model.predict(x1)).toThrow(/shape/);
    const x2 = tf.zeros([1, 16, 16, 3]) as Tensor4D;
    expect(() => model.predict(x2)).toThrow(ShapeError);
    expect(() => model.predict(x2)).toThrow(/stage 2 has 4 tokens, fewer than the 16/);
    tf.dispose([x1, x2]);
    model.dispose();
  });
});

describe('Next-ViT MACs and tour', () => {
  it('multiply-adds match the paper (5.8/8.3/10.8 G at 224; 17.3/24.6/32.0 at 384 within 0.5 %)', () => {
    const g = (v: 'small' | 'base' | 'large', s: number) => nextVitMacs(v, s) / 1e9;
    expect([g('small', 224), g('base', 224), g('large', 224)].map((x) => Math.round(x * 10) / 10)).toEqual([
      5.8, 8.3, 10.8,
    ]);
    for (const [v, ref] of [
      ['small', 17.3],
      ['base', 24.6],
      ['large', 32.0],
    ] as const) {
      expect(Math.abs(g(v, 384) - ref) / ref).toBeLessThan(0.005);
    }
    // Independent hand count of the stem at 224: 112²·27·64 + 112²·9·64·32 + 112²·9·32·64 + 56²·9·64·64.
    const tinyStemOnly = 112 * 112 * 27 * 64 + 2 * 112 * 112 * 9 * 64 * 32 + 56 * 56 * 9 * 64 * 64;
    expect(nextVitMacs('small', 224)).toBeGreaterThan(tinyStemOnly);
    expect(() => nextVitMacs('small', 0)).toThrow(ArgumentError);
  });

  it('the quick tour demo runs and passes', async () => {
    await useBackend('wasm');
    const { demos } = await import('../tour.js');
    const res = await demos[0]!.run({
      quick: true,
      seed: 1,
      onProgress: () => {},
      signal: new AbortController().signal,
    });
    expect(res.rows.filter((r) => r.pass === false)).toEqual([]);
  });
});
