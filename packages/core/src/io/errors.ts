import { TensorloomError } from '../errors/errors.js';

/**
 * A safetensors file is corrupt, truncated or hostile: a bad header length, invalid UTF-8 or JSON, an
 * unknown dtype, a shape that does not match its byte range, offsets that overlap, leave gaps or point past
 * the end, or integer values that do not fit the requested output type. The message names the tensor (or
 * header field) and what was wrong.
 *
 * @example
 * ```ts
 * import { readSafetensors, SafetensorsError } from '@tensorloom/core';
 * try { readSafetensors(bytes); } catch (e) { if (e instanceof SafetensorsError) console.error(e.message); }
 * ```
 */
export class SafetensorsError extends TensorloomError {}

/**
 * A tfjs model directory is missing files or holds a `model.json` / weight files that cannot be read: bad
 * JSON, a missing `modelTopology`, a weights manifest naming files outside the directory, or weight files
 * whose total size disagrees with the manifest.
 */
export class ModelFileError extends TensorloomError {}
