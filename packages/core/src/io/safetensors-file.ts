/**
 * Node file helpers for safetensors. `node:fs/promises` is imported only when they are called, so browser
 * bundles that use the byte-level reader and writer stay clean.
 *
 * @module
 */
import type { Tensor } from '@tensorflow/tfjs';
import { ArgumentError } from '../errors/errors.js';
import { describe } from '../errors/validate.js';
import { importNodeFs } from './node-modules.js';
import {
  type ReadSafetensorsOptions,
  readSafetensors,
  type SafetensorsContents,
  type SafetensorsTensorInput,
  type WriteSafetensorsOptions,
  writeSafetensors,
} from './safetensors.js';

function assertPath(path: unknown, name: string): asserts path is string {
  if (typeof path !== 'string' || path.length === 0) {
    throw new ArgumentError(`${name}: expected a non-empty file path string, got ${describe(path)}`);
  }
}

/** Reads a whole file, turning "no such file" into an {@link ArgumentError} that names the path. */
export async function readWholeFile(path: string, name: string): Promise<Uint8Array> {
  const fs = await importNodeFs();
  try {
    return await fs.readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ArgumentError(`${name}: no file at '${path}'`, { cause: error });
    }
    throw error;
  }
}

/**
 * Reads a safetensors file from disk (Node only) into typed arrays; see {@link readSafetensors}.
 *
 * @throws {@link ArgumentError} when the path is empty or no file exists there
 * @throws {@link SafetensorsError} when the file is corrupt
 *
 * @example
 * ```ts
 * const { tensors, metadata } = await loadSafetensorsFile('model.safetensors');
 * ```
 */
export async function loadSafetensorsFile(
  path: string,
  options: ReadSafetensorsOptions = {},
): Promise<SafetensorsContents> {
  assertPath(path, 'path');
  return readSafetensors(await readWholeFile(path, 'path'), options);
}

/**
 * Writes tensors to a safetensors file on disk (Node only); see {@link writeSafetensors} for the accepted
 * values and the layout. The file is written to a temporary sibling first and renamed into place, so a
 * crash never leaves a half-written file under `path`.
 *
 * @throws {@link ArgumentError} / {@link ShapeError} as {@link writeSafetensors} does, or for an empty path
 *
 * @example
 * ```ts
 * await saveSafetensorsFile('weights.safetensors', { w: tf.ones([2, 2]) }, { metadata: { step: '100' } });
 * ```
 */
export async function saveSafetensorsFile(
  path: string,
  tensors: Record<string, SafetensorsTensorInput | Tensor>,
  options: WriteSafetensorsOptions = {},
): Promise<void> {
  assertPath(path, 'path');
  const bytes = writeSafetensors(tensors, options);
  await writeFileAtomically(path, bytes);
}

/** Writes `bytes` to `path` through a temporary sibling file and a rename. */
export async function writeFileAtomically(path: string, bytes: Uint8Array | string): Promise<void> {
  const fs = await importNodeFs();
  const temporary = `${path}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`;
  try {
    await fs.writeFile(temporary, bytes);
    await fs.rename(temporary, path);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}
