import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import {
  ArgumentError,
  describeValue,
  readSafetensors,
  type SafetensorsContents,
  ShapeError,
  tf,
  writeSafetensors,
} from '@tensorloom/core';
import { type TorchLayout, TorchNamedLayer, torchShape, torchToOursPerm } from './torchLayer.js';

/** One entry of a model's PyTorch-named state. */
export interface TorchStateEntry {
  /** The official PyTorch `state_dict` name. */
  name: string;
  /** Shape in PyTorch's layout. */
  torchShape: number[];
  /** Shape in ours. */
  shape: number[];
  /** Layout relation. */
  layout: TorchLayout;
  /** Whether it is a trainable parameter (false for BatchNorm running statistics). */
  trainable: boolean;
}

/** What {@link loadTorchSafetensors} did. */
export interface TorchLoadReport {
  /** Names that were loaded. */
  loaded: string[];
  /** File tensors that were skipped (`num_batches_tracked`, fixed buffers). */
  skipped: string[];
}

function torchLayers(model: LayersModel): TorchNamedLayer[] {
  if (!(model instanceof tf.LayersModel)) {
    throw new ArgumentError(`model: expected a tf.LayersModel, got ${describeValue(model)}`);
  }
  return model.layers.filter((l): l is TorchNamedLayer => l instanceof TorchNamedLayer);
}

/**
 * The PyTorch-named weights of a model built from Tensorloom torch-named layers (Next-ViT, TimesNet), in
 * model order: name, PyTorch shape, our shape.
 */
export function torchStateEntries(model: LayersModel): TorchStateEntry[] {
  const out: TorchStateEntry[] = [];
  for (const layer of torchLayers(model)) {
    for (const spec of layer.weightSpecs()) {
      out.push({
        name: spec.name,
        torchShape: torchShape(spec.shape, spec.layout),
        shape: [...spec.shape],
        layout: spec.layout,
        trainable: spec.trainable,
      });
    }
  }
  return out;
}

/** Names in a PyTorch state dict that carry no weights of ours (counters and fixed buffers). */
const SKIPPED = /(\.num_batches_tracked|\.position_embedding\.pe)$/;

/**
 * Loads weights saved from the official PyTorch model (as safetensors, with its `state_dict` names) into
 * a model built here: each tensor is checked against the expected PyTorch shape, permuted to our layout
 * (conv `[o, i, kh, kw]` → `[kh, kw, i, o]`, linear `[o, i]` → `[i, o]`, conv1d `[o, i, k]` → `[k, i, o]`)
 * and written. BatchNorm running statistics are included; `num_batches_tracked` and fixed buffers are
 * skipped.
 *
 * @param model - a model from `nextVit`/`timesNet`
 * @param source - safetensors bytes or already parsed contents
 * @param options - `strict` (default true): throw on missing or unexpected names
 * @throws {@link ArgumentError} for missing/unexpected names (strict) and {@link ShapeError} for shape mismatches
 *
 * @example
 * ```ts
 * const model = nextVit('small');
 * loadTorchSafetensors(model, await readFile('nextvit_small_in1k.safetensors'));
 * ```
 */
export function loadTorchSafetensors(
  model: LayersModel,
  source: Uint8Array | ArrayBuffer | SafetensorsContents,
  options: { strict?: boolean } = {},
): TorchLoadReport {
  const contents =
    source instanceof Uint8Array || source instanceof ArrayBuffer
      ? readSafetensors(source)
      : (source as SafetensorsContents);
  if (!contents || !(contents.tensors instanceof Map)) {
    throw new ArgumentError(`source: expected safetensors bytes or contents, got ${describeValue(source)}`);
  }
  const strict = options.strict !== false;
  const loaded: string[] = [];
  const expected = new Set<string>();
  const writes: [TorchNamedLayer, string, Tensor][] = [];
  try {
    for (const layer of torchLayers(model)) {
      for (const spec of layer.weightSpecs()) {
        expected.add(spec.name);
        const t = contents.tensors.get(spec.name);
        if (!t) {
          if (strict) throw new ArgumentError(`source: missing weight '${spec.name}'`);
          continue;
        }
        const want = torchShape(spec.shape, spec.layout);
        if (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i])) {
          throw new ShapeError(
            `source: weight '${spec.name}' has shape [${t.shape.join(', ')}], expected [${want.join(', ')}]`,
          );
        }
        const perm = torchToOursPerm(spec.layout);
        const value = tf.tidy(() => {
          const raw = tf.tensor(Float32Array.from(t.data as ArrayLike<number>), t.shape, 'float32');
          return perm ? tf.transpose(raw, perm) : raw;
        });
        writes.push([layer, spec.name, value]);
      }
    }
    const skipped: string[] = [];
    for (const name of contents.tensors.keys()) {
      if (expected.has(name)) continue;
      if (SKIPPED.test(name)) skipped.push(name);
      else if (strict) throw new ArgumentError(`source: unexpected weight '${name}' (not in this model)`);
      else skipped.push(name);
    }
    for (const [layer, name, value] of writes) {
      layer.variable(name).write(value);
      loaded.push(name);
    }
    return { loaded, skipped };
  } finally {
    tf.dispose(writes.map(([, , v]) => v));
  }
}

/**
 * Serialises a model's weights as a safetensors file with the official PyTorch names and layouts (plus
 * `num_batches_tracked = 0` for each BatchNorm, as PyTorch writes), loadable with `load_state_dict`.
 */
export function torchSafetensors(model: LayersModel): Uint8Array {
  const tensors: Record<string, { dtype: 'F32' | 'I64'; shape: number[]; data: ArrayLike<number> }> = {};
  for (const layer of torchLayers(model)) {
    for (const spec of layer.weightSpecs()) {
      const perm = torchToOursPerm(spec.layout);
      const value = tf.tidy(() => {
        const v = layer.variable(spec.name).read();
        return perm ? tf.transpose(v, inversePerm(perm)) : tf.clone(v);
      });
      tensors[spec.name] = { dtype: 'F32', shape: value.shape, data: value.dataSync() as Float32Array };
      value.dispose();
      if (spec.name.endsWith('.running_var')) {
        tensors[spec.name.replace(/running_var$/, 'num_batches_tracked')] = {
          dtype: 'I64',
          shape: [],
          data: [0],
        };
      }
    }
  }
  return writeSafetensors(tensors);
}

function inversePerm(perm: number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => {
    inv[p] = i;
  });
  return inv;
}
