import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, ShapeError } from '../errors/errors.js';
import { tf } from '../setup.js';
import { testBackends, useBackend } from '../test/backends.js';
import { SafetensorsError } from './errors.js';
import {
  loadModelSafetensors,
  modelWeightsToSafetensors,
  saveModelSafetensors,
  setModelWeightsFromSafetensors,
  WEIGHT_ORDER_METADATA_KEY,
} from './model-safetensors.js';
import { writeSafetensors } from './safetensors.js';

function buildModel(seed: number, units = 4, names?: [string, string]): LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [5, 5, 1],
        filters: 2,
        kernelSize: 2,
        activation: 'tanh',
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
        biasInitializer: tf.initializers.randomNormal({ seed: seed + 1 }),
        ...(names ? { name: names[0] } : {}),
      }),
      tf.layers.flatten(),
      tf.layers.dense({
        units,
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }),
        biasInitializer: tf.initializers.randomNormal({ seed: seed + 3 }),
        ...(names ? { name: names[1] } : {}),
      }),
    ],
  });
}

function predict(model: LayersModel, x: Tensor): number[] {
  const y = model.predict(x) as Tensor;
  const values = Array.from(y.dataSync());
  tf.dispose(y);
  return values;
}

/** Hand parser (spec): u64 LE header length, JSON header, data. */
function handParse(bytes: Uint8Array) {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  const data = bytes.subarray(8 + n);
  return {
    header,
    raw: (name: string) => data.slice(header[name].data_offsets[0], header[name].data_offsets[1]),
  };
}

describe.each(testBackends())('model weights as safetensors on %s', (backend) => {
  let dir: string;
  beforeAll(async () => {
    await useBackend(backend);
    dir = await mkdtemp(join(tmpdir(), `tensorloom-st-${backend}-`));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('saves every weight under its tfjs name and loads them into a rebuilt model (match: order)', async () => {
    const before = tf.memory().numTensors;
    const source = buildModel(1);
    const x = tf.randomNormal([3, 5, 5, 1], 0, 1, 'float32', 11);
    const expected = predict(source, x);
    const path = join(dir, 'model.safetensors');
    await saveModelSafetensors(source, path, { metadata: { epoch: '2' } });

    const { header, raw } = handParse(new Uint8Array(await readFile(path)));
    const names = source.weights.map((w) => w.originalName);
    expect(
      Object.keys(header)
        .filter((k) => k !== '__metadata__')
        .sort(),
    ).toEqual([...names].sort());
    expect(header.__metadata__).toEqual({ epoch: '2', [WEIGHT_ORDER_METADATA_KEY]: JSON.stringify(names) });
    for (const w of source.weights) {
      expect(header[w.originalName].dtype).toBe('F32');
      expect(header[w.originalName].shape).toEqual(w.shape);
      expect(Array.from(new Float32Array(raw(w.originalName).buffer))).toEqual(
        Array.from(w.read().dataSync()),
      );
    }

    const rebuilt = buildModel(50); // different weights and different automatic layer names
    expect(predict(rebuilt, x)).not.toEqual(expected);
    await expect(loadModelSafetensors(rebuilt, path)).rejects.toThrow(
      /weights missing from the file.*match: 'order'/,
    );
    await loadModelSafetensors(rebuilt, path, { match: 'order' });
    expect(predict(rebuilt, x)).toEqual(expected);

    for (const m of [source, rebuilt]) m.dispose();
    tf.dispose(x);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('matches by name, restoring overwritten weights exactly, and loads partially with strict: false', () => {
    const before = tf.memory().numTensors;
    const model = buildModel(2, 4, [`conv_${backend}`, `head_${backend}`]);
    const x = tf.randomNormal([2, 5, 5, 1], 0, 1, 'float32', 12);
    const expected = predict(model, x);
    const bytes = modelWeightsToSafetensors(model);
    const zeros = model.weights.map((w) => tf.zerosLike(w.read()));
    model.setWeights(zeros);
    tf.dispose(zeros);
    expect(predict(model, x)).not.toEqual(expected);
    setModelWeightsFromSafetensors(model, bytes);
    expect(predict(model, x)).toEqual(expected);

    // A file holding only the conv layer: strict refuses, non-strict loads what is there.
    const conv = model.weights.filter((w) => w.originalName.startsWith(`conv_${backend}/`));
    const partial = writeSafetensors({
      ...Object.fromEntries(conv.map((w) => [w.originalName, w.read()])),
      unused: { dtype: 'F32', shape: [1], data: [0] },
    });
    expect(() => setModelWeightsFromSafetensors(model, partial)).toThrow(
      new RegExp(
        `weights missing from the file: 'head_${backend}/kernel', 'head_${backend}/bias'; file tensors matching no weight: 'unused'`,
      ),
    );
    const ones = conv.map((w) => tf.onesLike(w.read()));
    for (const [i, w] of conv.entries()) w.write(ones[i]!);
    tf.dispose(ones);
    expect(predict(model, x)).not.toEqual(expected);
    setModelWeightsFromSafetensors(model, partial, { strict: false }); // conv from the file, head untouched
    expect(predict(model, x)).toEqual(expected);
    model.dispose();
    tf.dispose(x);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stores F16 on request (each weight within half an F16 ulp) and validates shapes, dtypes and options', () => {
    const before = tf.memory().numTensors;
    const model = buildModel(3);
    const half = modelWeightsToSafetensors(model, { floatDtype: 'F16' });
    const { header } = handParse(half);
    expect(header[model.weights[0]!.originalName].dtype).toBe('F16');
    const copy = buildModel(4);
    setModelWeightsFromSafetensors(copy, half, { match: 'order' });
    model.weights.forEach((w, i) => {
      const a = w.read().dataSync();
      const b = copy.weights[i]!.read().dataSync();
      for (const [k, v] of a.entries()) {
        expect(Math.abs(b[k]! - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11 + 2 ** -25);
      }
    });

    const wider = buildModel(5, 6);
    expect(() =>
      setModelWeightsFromSafetensors(wider, modelWeightsToSafetensors(model), { match: 'order' }),
    ).toThrow(ShapeError);
    expect(() =>
      setModelWeightsFromSafetensors(wider, modelWeightsToSafetensors(model), { match: 'order' }),
    ).toThrow(/expected shape \[32, 6\], got \[32, 4\]/);
    const first = model.weights[0]!;
    const ints = writeSafetensors({
      [first.originalName]: { dtype: 'I32', shape: first.shape as number[], data: new Int32Array(8) },
    });
    expect(() => setModelWeightsFromSafetensors(model, ints, { strict: false })).toThrow(
      /expected float32 data, got I32/,
    );
    const noOrder = writeSafetensors({ a: { dtype: 'F32', shape: [1], data: [1] } });
    expect(() => setModelWeightsFromSafetensors(model, noOrder, { match: 'order' })).toThrow(
      SafetensorsError,
    );
    expect(() =>
      modelWeightsToSafetensors(model, { metadata: { [WEIGHT_ORDER_METADATA_KEY]: 'x' } }),
    ).toThrow(/reserved/);
    expect(() => setModelWeightsFromSafetensors(model, noOrder, { match: 'position' as 'order' })).toThrow(
      /options\.match: expected 'name' or 'order', got 'position'/,
    );
    expect(() => modelWeightsToSafetensors({} as LayersModel)).toThrow(ArgumentError);
    for (const m of [model, copy, wider]) m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
