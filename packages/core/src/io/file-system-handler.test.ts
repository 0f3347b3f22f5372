import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError } from '../errors/errors.js';
import { tf } from '../setup.js';
import { testBackends, useBackend } from '../test/backends.js';
import { ModelFileError } from './errors.js';
import { fileSystemHandler, loadLayersModel, saveLayersModel } from './file-system-handler.js';

/** A small conv + dense model with seeded, non-zero weights (biases included). */
function buildModel(seed: number): LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [6, 6, 2],
        filters: 3,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
        biasInitializer: tf.initializers.randomNormal({ seed: seed + 1 }),
      }),
      tf.layers.flatten(),
      tf.layers.dense({
        units: 4,
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }),
        biasInitializer: tf.initializers.randomNormal({ seed: seed + 3 }),
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

describe.each(testBackends())('tfjs model files on %s', (backend) => {
  let dir: string;
  beforeAll(async () => {
    await useBackend(backend);
    dir = await mkdtemp(join(tmpdir(), `tensorloom-fs-${backend}-`));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('saves model.json + weights.bin in the tfjs-node layout and loads identical predictions', async () => {
    const before = tf.memory().numTensors;
    const model = buildModel(1);
    const x = tf.randomNormal([2, 6, 6, 2], 0, 1, 'float32', 7);
    const expected = predict(model, x);
    const target = join(dir, 'nested', 'model-a');
    const result = await saveLayersModel(model, target);
    expect(result.modelArtifactsInfo.weightDataBytes).toBe((3 * 3 * 2 * 3 + 3 + 48 * 4 + 4) * 4);

    // The files, read by hand.
    const json = JSON.parse(await readFile(join(target, 'model.json'), 'utf8'));
    expect(Object.keys(json)).toEqual([
      'modelTopology',
      'weightsManifest',
      'format',
      'generatedBy',
      'convertedBy',
    ]);
    expect(json.format).toBe('layers-model');
    expect(json.generatedBy).toMatch(/^TensorFlow\.js tfjs-layers v/);
    expect(json.convertedBy).toBeNull();
    expect(json.modelTopology.class_name).toBe('Sequential');
    expect(json.weightsManifest).toHaveLength(1);
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(json.weightsManifest[0].weights).toEqual(
      model.weights.map((w) => ({ name: w.originalName, shape: w.shape, dtype: 'float32' })),
    );
    const bin = await readFile(join(target, 'weights.bin'));
    const concatenated = model.weights.flatMap((w) => Array.from(w.read().dataSync()));
    expect(Array.from(new Float32Array(bin.buffer, bin.byteOffset, bin.byteLength / 4))).toEqual(
      concatenated,
    );

    // Loading through our helper (directory or model.json path) gives identical predictions.
    const loaded = await loadLayersModel(target);
    expect(predict(loaded, x)).toEqual(expected);
    const viaFile = await tf.loadLayersModel(fileSystemHandler(join(target, 'model.json')));
    expect(predict(viaFile, x)).toEqual(expected);
    // A differently initialised model predicts differently (so the comparison can fail).
    const other = buildModel(99);
    expect(predict(other, x)).not.toEqual(expected);

    // tfjs itself reads the files the way tfjs-node does (model.json + weights.bin through fromMemory).
    const fromMemory = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      }),
    );
    expect(predict(fromMemory, x)).toEqual(expected);

    for (const m of [model, loaded, viaFile, other, fromMemory]) m.dispose();
    tf.dispose(x);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('loads converter-style output with several weight shards', async () => {
    const before = tf.memory().numTensors;
    const model = buildModel(3);
    const x = tf.randomNormal([1, 6, 6, 2], 0, 1, 'float32', 8);
    const expected = predict(model, x);
    const { data, specs } = await tf.io.encodeWeights(
      model.weights.map((w) => ({ name: w.originalName, tensor: w.read() })),
    );
    const bytes = new Uint8Array(data as ArrayBuffer);
    const target = join(dir, 'converted');
    await mkdir(target);
    await writeFile(join(target, 'group1-shard1of2.bin'), bytes.subarray(0, 100));
    await writeFile(join(target, 'group1-shard2of2.bin'), bytes.subarray(100));
    const modelJSON = {
      format: 'layers-model',
      generatedBy: 'keras v2.15.0',
      convertedBy: 'TensorFlow.js Converter v4.22.0',
      modelTopology: model.toJSON(undefined, false),
      weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: specs }],
    };
    await writeFile(join(target, 'model.json'), JSON.stringify(modelJSON));
    const loaded = await loadLayersModel(join(target, 'model.json'));
    expect(predict(loaded, x)).toEqual(expected);
    model.dispose();
    loaded.dispose();
    tf.dispose(x);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports missing, corrupt and unsafe files with ModelFileError', async () => {
    const before = tf.memory().numTensors;
    const model = buildModel(5);
    const good = join(dir, 'good');
    await saveLayersModel(model, good);
    const json = await readFile(join(good, 'model.json'), 'utf8');
    const bin = await readFile(join(good, 'weights.bin'));
    const variant = async (name: string, modelJSON: string, weights?: Uint8Array) => {
      const path = join(dir, name);
      await mkdir(path);
      await writeFile(join(path, 'model.json'), modelJSON);
      if (weights) await writeFile(join(path, 'weights.bin'), weights);
      return path;
    };

    await expect(loadLayersModel(join(dir, 'absent'))).rejects.toThrow(/path: nothing exists at '.*absent'/);
    await expect(loadLayersModel(await variant('no-bin', json))).rejects.toThrow(
      /weight file '.*weights\.bin' does not exist/,
    );
    await expect(loadLayersModel(await variant('bad-json', '{"modelTopology":', bin))).rejects.toThrow(
      /is not valid JSON/,
    );
    await expect(
      loadLayersModel(await variant('no-topology', '{"weightsManifest":[]}', bin)),
    ).rejects.toThrow(/expected a 'modelTopology' object, got undefined/);
    await expect(
      loadLayersModel(
        await variant('bad-manifest', '{"modelTopology":{},"weightsManifest":[{"paths":"x"}]}'),
      ),
    ).rejects.toThrow(/expected 'weightsManifest' to be an array/);
    await expect(
      loadLayersModel(await variant('short-bin', json, bin.subarray(0, bin.length - 4))),
    ).rejects.toThrow(
      new RegExp(`describes ${bin.length} bytes but the weight files hold ${bin.length - 4}`),
    );
    const escaping = JSON.stringify({
      ...JSON.parse(json),
      weightsManifest: [{ paths: ['../good/weights.bin'], weights: [] }],
    });
    await expect(loadLayersModel(await variant('escape', escaping))).rejects.toThrow(
      /leaves the model directory/,
    );
    await expect(loadLayersModel(join(dir, 'escape'))).rejects.toBeInstanceOf(ModelFileError);

    // Saving onto a file, or something that is not a model, is an argument error.
    await writeFile(join(dir, 'a-file'), 'x');
    await expect(saveLayersModel(model, join(dir, 'a-file'))).rejects.toThrow(/'.*a-file' exists as a file/);
    await expect(saveLayersModel({} as LayersModel, join(dir, 'x'))).rejects.toThrow(ArgumentError);
    expect(() => fileSystemHandler('')).toThrow(/path: expected a non-empty path string, got ''/);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
