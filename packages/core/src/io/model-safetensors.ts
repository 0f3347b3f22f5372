/**
 * A tfjs `LayersModel`'s weights as a safetensors file, keyed by the tfjs weight names
 * (`dense_Dense1/kernel`, …), so checkpoints move to and from PyTorch/JAX tooling. Only weights travel: the
 * architecture is rebuilt in code (or saved with {@link saveLayersModel}).
 *
 * @module
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { ArgumentError, ShapeError } from '../errors/errors.js';
import { describe, formatShape } from '../errors/validate.js';
import { tf } from '../setup.js';
import { SafetensorsError } from './errors.js';
import {
  readSafetensors,
  type SafetensorsTensor,
  type WriteSafetensorsOptions,
  writeSafetensors,
} from './safetensors.js';
import { readWholeFile, writeFileAtomically } from './safetensors-file.js';

/**
 * Metadata key under which {@link modelWeightsToSafetensors} stores the model's weight names in
 * `model.weights` order (a JSON array), used by `match: 'order'`.
 */
export const WEIGHT_ORDER_METADATA_KEY = 'tensorloom.weight_order';

/** Options for {@link modelWeightsToSafetensors} and {@link saveModelSafetensors}. */
export interface SaveModelSafetensorsOptions {
  /** Extra string metadata. The key {@link WEIGHT_ORDER_METADATA_KEY} is reserved. */
  metadata?: Record<string, string>;
  /** Dtype for float32 weights. Default `'F32'` (exact); `'F16'`/`'BF16'` halve the file and round. */
  floatDtype?: WriteSafetensorsOptions['floatDtype'];
}

/** Options for {@link setModelWeightsFromSafetensors} and {@link loadModelSafetensors}. */
export interface LoadModelSafetensorsOptions {
  /**
   * How file tensors are matched to `model.weights`: `'name'` (default) by tfjs weight name; `'order'` by
   * position, through the weight order that {@link modelWeightsToSafetensors} records — use it to load into
   * a freshly built copy of the model, whose automatic layer names (`dense_Dense7`) differ.
   */
  match?: 'name' | 'order';
  /**
   * With `true` (default) every model weight must be found and every file tensor used; with `false`, weights
   * missing from the file keep their values and extra file tensors are ignored.
   */
  strict?: boolean;
  /** Receives warnings (e.g. F64 data narrowed). Default `console.warn`. */
  onWarning?: (message: string) => void;
}

function assertLayersModel(model: unknown): asserts model is LayersModel {
  if (!(model instanceof tf.LayersModel)) {
    throw new ArgumentError(`model: expected a tf.LayersModel, got ${describe(model)}`);
  }
}

/**
 * Serialises a model's weights (all of `model.weights`, trainable or not) to safetensors bytes, each under its
 * tfjs name, with the weight order recorded in metadata.
 *
 * @throws {@link ArgumentError} when `model` is not a LayersModel, two weights share a name, or metadata
 *   uses the reserved key
 *
 * @example
 * ```ts
 * const bytes = modelWeightsToSafetensors(model, { metadata: { epoch: '3' } });
 * ```
 */
export function modelWeightsToSafetensors(
  model: LayersModel,
  options: SaveModelSafetensorsOptions = {},
): Uint8Array {
  assertLayersModel(model);
  if (options.metadata !== undefined && Object.hasOwn(options.metadata, WEIGHT_ORDER_METADATA_KEY)) {
    throw new ArgumentError(`options.metadata: the key '${WEIGHT_ORDER_METADATA_KEY}' is reserved`);
  }
  const tensors: Record<string, Tensor> = {};
  const names: string[] = [];
  for (const weight of model.weights) {
    const name = weight.originalName;
    if (Object.hasOwn(tensors, name)) throw new ArgumentError(`model: two weights are named '${name}'`);
    tensors[name] = weight.read();
    names.push(name);
  }
  const writeOptions: WriteSafetensorsOptions = {
    metadata: { ...options.metadata, [WEIGHT_ORDER_METADATA_KEY]: JSON.stringify(names) },
  };
  if (options.floatDtype !== undefined) writeOptions.floatDtype = options.floatDtype;
  return writeSafetensors(tensors, writeOptions);
}

/**
 * Sets a model's weights from safetensors bytes (see {@link LoadModelSafetensorsOptions} for matching).
 * Shapes must agree; float data loads into float32 weights, integer data into int32, `BOOL` into bool.
 * Nothing is changed unless every check passes.
 *
 * @throws {@link SafetensorsError} for a corrupt file (or a bad recorded weight order)
 * @throws {@link ArgumentError} when weights are missing or left over (strict), or dtypes disagree
 * @throws {@link ShapeError} when a tensor's shape differs from its weight's
 *
 * @example
 * ```ts
 * setModelWeightsFromSafetensors(freshModel, bytes, { match: 'order' });
 * ```
 */
export function setModelWeightsFromSafetensors(
  model: LayersModel,
  bytes: Uint8Array | ArrayBuffer,
  options: LoadModelSafetensorsOptions = {},
): void {
  assertLayersModel(model);
  const match = options.match ?? 'name';
  if (match !== 'name' && match !== 'order') {
    throw new ArgumentError(`options.match: expected 'name' or 'order', got ${describe(match)}`);
  }
  const strict = options.strict ?? true;
  const { tensors, metadata } = readSafetensors(
    bytes,
    options.onWarning ? { onWarning: options.onWarning } : {},
  );
  const weights = model.weights;
  const fileNames =
    match === 'name' ? weights.map((w) => w.originalName) : recordedOrder(metadata, weights.length, strict);

  const assignments: [number, SafetensorsTensor][] = [];
  const missing: string[] = [];
  const used = new Set<string>();
  weights.forEach((weight, i) => {
    const fileName = fileNames[i];
    const found = fileName === undefined ? undefined : tensors.get(fileName);
    if (found === undefined) {
      missing.push(weight.originalName);
      return;
    }
    used.add(fileName!);
    const label = `tensor '${fileName}' (for weight '${weight.originalName}')`;
    if (found.shape.length !== weight.shape.length || found.shape.some((d, k) => d !== weight.shape[k])) {
      throw new ShapeError(
        `${label}: expected shape ${formatShape(weight.shape)}, got ${formatShape(found.shape)}`,
      );
    }
    const kind =
      found.data instanceof Uint8Array ? 'bool' : found.data instanceof Int32Array ? 'int32' : 'float32';
    if (kind !== weight.dtype) {
      throw new ArgumentError(
        `${label}: expected ${weight.dtype} data, got ${found.dtype} (read as ${kind})`,
      );
    }
    assignments.push([i, found]);
  });
  if (strict) {
    const extra = [...tensors.keys()].filter((name) => !used.has(name));
    if (missing.length > 0 || extra.length > 0) {
      const list = (names: string[]) =>
        names
          .slice(0, 8)
          .map((n) => `'${n}'`)
          .join(', ') + (names.length > 8 ? ', …' : '');
      throw new ArgumentError(
        'model and file do not match' +
          (missing.length > 0 ? `; weights missing from the file: ${list(missing)}` : '') +
          (extra.length > 0 ? `; file tensors matching no weight: ${list(extra)}` : '') +
          (match === 'name'
            ? " (to load into a rebuilt model with different layer names, pass match: 'order')"
            : ''),
      );
    }
  }
  for (const [i, found] of assignments) {
    const weight = weights[i]!;
    const value = tf.tensor(found.data as Float32Array | Int32Array | Uint8Array, found.shape, weight.dtype);
    try {
      weight.write(value);
    } finally {
      tf.dispose(value);
    }
  }
}

function recordedOrder(metadata: Record<string, string>, count: number, strict: boolean): string[] {
  const text = metadata[WEIGHT_ORDER_METADATA_KEY];
  if (text === undefined) {
    throw new SafetensorsError(
      `match 'order' needs the weight order that modelWeightsToSafetensors records in __metadata__['${WEIGHT_ORDER_METADATA_KEY}'], and the file has none`,
    );
  }
  let names: unknown;
  try {
    names = JSON.parse(text);
  } catch {
    names = undefined;
  }
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) {
    throw new SafetensorsError(
      `__metadata__['${WEIGHT_ORDER_METADATA_KEY}']: expected a JSON array of strings`,
    );
  }
  if (strict && names.length !== count) {
    throw new ArgumentError(`model has ${count} weights but the file records ${names.length}`);
  }
  return names as string[];
}

/**
 * Saves a model's weights to a safetensors file (Node only); see {@link modelWeightsToSafetensors}.
 *
 * @example
 * ```ts
 * await saveModelSafetensors(model, 'model.safetensors');
 * ```
 */
export async function saveModelSafetensors(
  model: LayersModel,
  path: string,
  options: SaveModelSafetensorsOptions = {},
): Promise<void> {
  if (typeof path !== 'string' || path.length === 0) {
    throw new ArgumentError(`path: expected a non-empty file path string, got ${describe(path)}`);
  }
  await writeFileAtomically(path, modelWeightsToSafetensors(model, options));
}

/**
 * Loads a model's weights from a safetensors file (Node only); see {@link setModelWeightsFromSafetensors}.
 *
 * @example
 * ```ts
 * const model = buildModel();                     // same architecture
 * await loadModelSafetensors(model, 'model.safetensors', { match: 'order' });
 * ```
 */
export async function loadModelSafetensors(
  model: LayersModel,
  path: string,
  options: LoadModelSafetensorsOptions = {},
): Promise<void> {
  assertLayersModel(model);
  if (typeof path !== 'string' || path.length === 0) {
    throw new ArgumentError(`path: expected a non-empty file path string, got ${describe(path)}`);
  }
  setModelWeightsFromSafetensors(model, await readWholeFile(path, 'path'), options);
}
