/**
 * Saving and loading tfjs models to the file system in Node without `@tensorflow/tfjs-node`. The files are
 * those tfjs-node's `file://` handler writes and reads — a `model.json` (`modelTopology`, `weightsManifest`
 * with `paths: ['weights.bin']`, `format`, `generatedBy`, `convertedBy`, and `trainingConfig`, `signature`,
 * `userDefinedMetadata` when present) beside a `weights.bin` — so directories move freely between the two.
 * Loading also accepts converter output with several weight shards.
 *
 * @module
 */
import type { io, LayersModel } from '@tensorflow/tfjs';
import { ArgumentError } from '../errors/errors.js';
import { describe } from '../errors/validate.js';
import { tf } from '../setup.js';
import { ModelFileError } from './errors.js';
import { importNodeFs, importNodePath } from './node-modules.js';
import { writeFileAtomically } from './safetensors-file.js';

/** File name of the model description, as tfjs-node names it. */
export const MODEL_JSON_FILENAME = 'model.json';
/** File name of the concatenated weights, as tfjs-node names it. */
export const WEIGHTS_BINARY_FILENAME = 'weights.bin';

function assertPath(path: unknown, name: string): asserts path is string {
  if (typeof path !== 'string' || path.length === 0) {
    throw new ArgumentError(`${name}: expected a non-empty path string, got ${describe(path)}`);
  }
}

/**
 * A tfjs `IOHandler` that saves a model into directory `path` (created if missing) as `model.json` +
 * `weights.bin`, and loads from `path` — a directory holding `model.json`, or the `model.json` file itself.
 * Use it wherever tfjs takes a handler: `model.save(handler)`, `tf.loadLayersModel(handler)`,
 * `tf.loadGraphModel(handler)`.
 *
 * @throws {@link ArgumentError} (from `save`) when `path` exists as a file or the topology is binary
 * @throws {@link ModelFileError} (from `load`) when files are missing or corrupt
 *
 * @example
 * ```ts
 * await model.save(fileSystemHandler('/tmp/my-model'));
 * const again = await tf.loadLayersModel(fileSystemHandler('/tmp/my-model'));
 * ```
 */
export function fileSystemHandler(path: string): io.IOHandler {
  assertPath(path, 'path');
  return {
    save: (artifacts: io.ModelArtifacts) => saveArtifacts(path, artifacts),
    load: () => loadArtifacts(path),
  };
}

async function saveArtifacts(directory: string, artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new ArgumentError(
      'modelArtifacts.modelTopology: binary (GraphDef) topologies cannot be saved; expected JSON',
    );
  }
  const fs = await importNodeFs();
  const nodePath = await importNodePath();
  try {
    await fs.mkdir(directory, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      throw new ArgumentError(`path: '${directory}' exists as a file; expected a directory or a new path`, {
        cause: error,
      });
    }
    throw error;
  }
  const modelJSON: io.ModelJSON = {
    modelTopology: artifacts.modelTopology as io.ModelJSON['modelTopology'],
    weightsManifest: [{ paths: [WEIGHTS_BINARY_FILENAME], weights: artifacts.weightSpecs ?? [] }],
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
  };
  if (artifacts.trainingConfig != null) modelJSON.trainingConfig = artifacts.trainingConfig;
  if (artifacts.signature != null) modelJSON.signature = artifacts.signature;
  if (artifacts.userDefinedMetadata != null) modelJSON.userDefinedMetadata = artifacts.userDefinedMetadata;
  const weightData = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0));
  // Weights first, then model.json: a model.json on disk always has its weights beside it.
  await writeFileAtomically(nodePath.join(directory, WEIGHTS_BINARY_FILENAME), new Uint8Array(weightData));
  await writeFileAtomically(nodePath.join(directory, MODEL_JSON_FILENAME), JSON.stringify(modelJSON));
  return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
}

async function loadArtifacts(path: string): Promise<io.ModelArtifacts> {
  const fs = await importNodeFs();
  const nodePath = await importNodePath();
  let modelJSONPath = path;
  try {
    if ((await fs.stat(path)).isDirectory()) modelJSONPath = nodePath.join(path, MODEL_JSON_FILENAME);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ModelFileError(`path: nothing exists at '${path}'`, { cause: error });
    }
    throw error;
  }
  const text = await readFileOrFail(modelJSONPath, 'model.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(text));
  } catch (error) {
    throw new ModelFileError(`'${modelJSONPath}' is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const modelJSON = checkModelJSON(parsed, modelJSONPath);
  const directory = nodePath.dirname(modelJSONPath);
  return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
    const buffers: Uint8Array[] = [];
    const specs: io.WeightsManifestEntry[] = [];
    for (const group of manifest) {
      for (const relative of group.paths) {
        if (nodePath.isAbsolute(relative) || relative.split(/[\\/]/).includes('..')) {
          throw new ModelFileError(
            `'${modelJSONPath}': weight path '${relative}' leaves the model directory; expected a relative file name`,
          );
        }
        buffers.push(await readFileOrFail(nodePath.join(directory, relative), 'weight file'));
      }
      specs.push(...group.weights);
    }
    const total = buffers.reduce((sum, b) => sum + b.length, 0);
    const expected = expectedWeightBytes(specs);
    if (expected !== undefined && expected !== total) {
      throw new ModelFileError(
        `'${modelJSONPath}': the weights manifest describes ${expected} bytes but the weight files hold ${total}`,
      );
    }
    const joined = new Uint8Array(total);
    let offset = 0;
    for (const b of buffers) {
      joined.set(b, offset);
      offset += b.length;
    }
    return [specs, joined.buffer];
  });
}

async function readFileOrFail(path: string, what: string): Promise<Uint8Array> {
  const fs = await importNodeFs();
  try {
    return await fs.readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ModelFileError(`${what} '${path}' does not exist`, { cause: error });
    }
    throw error;
  }
}

function checkModelJSON(parsed: unknown, path: string): io.ModelJSON {
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ModelFileError(`'${path}': expected a JSON object`);
  }
  const json = parsed as Record<string, unknown>;
  if (json.modelTopology === null || typeof json.modelTopology !== 'object') {
    throw new ModelFileError(
      `'${path}': expected a 'modelTopology' object, got ${describe(json.modelTopology)}`,
    );
  }
  if (json.weightsManifest !== undefined) {
    const manifest = json.weightsManifest;
    const ok =
      Array.isArray(manifest) &&
      manifest.every(
        (group) =>
          group !== null &&
          typeof group === 'object' &&
          Array.isArray(group.paths) &&
          group.paths.every((p: unknown) => typeof p === 'string') &&
          Array.isArray(group.weights) &&
          group.weights.every(
            (w: unknown) =>
              w !== null &&
              typeof w === 'object' &&
              typeof (w as { name?: unknown }).name === 'string' &&
              Array.isArray((w as { shape?: unknown }).shape),
          ),
      );
    if (!ok) {
      throw new ModelFileError(
        `'${path}': expected 'weightsManifest' to be an array of { paths: string[], weights: { name, shape, dtype }[] }`,
      );
    }
  }
  return json as unknown as io.ModelJSON;
}

const BYTES_PER_ELEMENT: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** Total bytes the specs describe, or `undefined` when a spec's size is not fixed (strings) or unknown. */
function expectedWeightBytes(specs: readonly io.WeightsManifestEntry[]): number | undefined {
  let total = 0;
  for (const spec of specs) {
    const dtype = spec.quantization?.dtype ?? spec.dtype;
    const size = BYTES_PER_ELEMENT[dtype];
    if (size === undefined) return undefined;
    total += spec.shape.reduce((a, b) => a * b, 1) * size;
  }
  return total;
}

/**
 * Saves a tfjs `LayersModel` to directory `dir` (created if missing) as tfjs-node would: `model.json` and
 * `weights.bin`.
 *
 * @param config - tfjs save options (`includeOptimizer`, …)
 * @throws {@link ArgumentError} when `model` is not a LayersModel or `dir` is not a usable directory path
 *
 * @example
 * ```ts
 * await saveLayersModel(model, './checkpoints/classifier');
 * ```
 */
export async function saveLayersModel(
  model: LayersModel,
  dir: string,
  config?: io.SaveConfig,
): Promise<io.SaveResult> {
  if (!(model instanceof tf.LayersModel)) {
    throw new ArgumentError(`model: expected a tf.LayersModel, got ${describe(model)}`);
  }
  return model.save(fileSystemHandler(dir), config);
}

/**
 * Loads a tfjs `LayersModel` saved by {@link saveLayersModel}, tfjs-node or the tfjs converter. `path` is the
 * model directory or its `model.json`.
 *
 * @param options - tfjs load options; `strict: false` tolerates missing or extra weights
 * @throws {@link ModelFileError} when files are missing or corrupt
 *
 * @example
 * ```ts
 * const model = await loadLayersModel('./checkpoints/classifier');
 * ```
 */
export async function loadLayersModel(
  path: string,
  options: { strict?: boolean } = {},
): Promise<LayersModel> {
  return tf.loadLayersModel(
    fileSystemHandler(path),
    options.strict === undefined ? {} : { strict: options.strict },
  );
}
