/**
 * Reading and writing safetensors files as typed arrays or tfjs tensors. Output is little-endian whatever
 * the host, laid out as the reference writer lays it out (larger dtypes first, then by name; header padded
 * with spaces to a multiple of 8 bytes), so each tensor starts at a multiple of its item size.
 *
 * @module
 */
import type { Tensor } from '@tensorflow/tfjs';
import { ArgumentError, ShapeError } from '../errors/errors.js';
import { formatShape } from '../errors/validate.js';
import { tf } from '../setup.js';
import { SafetensorsError } from './errors.js';
import {
  float8E4M3Table,
  float8E5M2ToFloat32Bits,
  float16BitsToFloat32Bits,
  float32BitsToBfloat16Bits,
  float32BitsToFloat16Bits,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
} from './float-formats.js';
import {
  asUint8Array,
  parseSafetensorsHeader,
  SAFETENSORS_DTYPE_SIZE,
  SAFETENSORS_DTYPES,
  type SafetensorsDtype,
  type SafetensorsHeaderEntry,
} from './safetensors-format.js';

const HOST_LITTLE_ENDIAN: boolean = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The typed array a tensor is read into: floats → `Float32Array` (or `Float64Array`), integers → `Int32Array`, `BOOL` → `Uint8Array` of 0/1. */
export type SafetensorsData = Float32Array | Float64Array | Int32Array | Uint8Array;

/** One tensor read from a safetensors file. */
export interface SafetensorsTensor {
  /** The dtype stored in the file (the data may have been widened or narrowed; see {@link readSafetensors}). */
  dtype: SafetensorsDtype;
  /** Row-major shape; `[]` is a scalar. */
  shape: number[];
  /** The values, in a freshly allocated array (never a view of the input). */
  data: SafetensorsData;
}

/** What {@link readSafetensors} returns. */
export interface SafetensorsContents {
  /** Tensors by name, in header order. */
  tensors: Map<string, SafetensorsTensor>;
  /** The file's `__metadata__` (empty when it has none). */
  metadata: Record<string, string>;
}

/** Options for {@link readSafetensors}. */
export interface ReadSafetensorsOptions {
  /** Return `F64` tensors as `Float64Array` (exact) instead of narrowing them to `Float32Array`. Default `false`. */
  keepFloat64?: boolean;
  /** Receives a message when `F64` data is narrowed to float32. Default `console.warn`. */
  onWarning?: (message: string) => void;
}

/** The dtypes {@link writeSafetensors} can store (every readable dtype except the 8-bit floats). */
export type SafetensorsWritableDtype = Exclude<SafetensorsDtype, 'F8_E5M2' | 'F8_E4M3'>;

/** A tensor to write: dtype, row-major shape and values (their count must equal the shape's product). */
export interface SafetensorsTensorInput {
  /** The dtype to store. Float values are rounded to it (nearest, ties to even); integers must fit it. */
  dtype: SafetensorsWritableDtype;
  /** Row-major shape; `[]` for a scalar. */
  shape: readonly number[];
  /**
   * The values. A `Float32Array` is stored bit-exactly as `F32` (NaN payloads included) and rounded from
   * its bits for `F16`/`BF16`; a `Float64Array` is stored bit-exactly as `F64`. `BOOL` takes 0/1 (or
   * booleans).
   */
  data: ArrayLike<number>;
}

/** Options for {@link writeSafetensors}. */
export interface WriteSafetensorsOptions {
  /** String metadata stored as `__metadata__` (keys sorted for determinism). */
  metadata?: Record<string, string>;
  /** Dtype for float32 tfjs tensors (plain inputs carry their own). Default `'F32'`. */
  floatDtype?: 'F32' | 'F16' | 'BF16' | 'F64';
}

const WRITABLE_DTYPES: readonly SafetensorsWritableDtype[] = SAFETENSORS_DTYPES.filter(
  (d): d is SafetensorsWritableDtype => d !== 'F8_E5M2' && d !== 'F8_E4M3',
);

const INTEGER_RANGES: Partial<Record<SafetensorsDtype, [number, number]>> = {
  U8: [0, 0xff],
  I8: [-0x80, 0x7f],
  U16: [0, 0xffff],
  I16: [-0x8000, 0x7fff],
  U32: [0, 0xffffffff],
  I32: [-0x80000000, 0x7fffffff],
  U64: [0, Number.MAX_SAFE_INTEGER],
  I64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

// ---------------------------------------------------------------------------------------------- reading

/**
 * Reads a safetensors file into typed arrays, validating it completely first (see
 * {@link parseSafetensorsHeader}). Conversions: `F32` → `Float32Array` (bit-exact); `F16`, `BF16`, `F8_E4M3`,
 * `F8_E5M2` → `Float32Array` (exact); `F64` → `Float32Array` rounded to nearest with a warning, or
 * `Float64Array` with `keepFloat64`; `I8`, `U8`, `I16`, `U16`, `I32` → `Int32Array` (exact); `U32`, `I64`,
 * `U64` → `Int32Array`, failing if a value does not fit in int32; `BOOL` → `Uint8Array` of 0/1 (non-zero bytes
 * read as 1). Output arrays are fresh copies; their total size is at most twice the file's.
 *
 * @param bytes - the whole file
 * @throws {@link SafetensorsError} for corrupt files or integers outside int32
 *
 * @example
 * ```ts
 * const { tensors, metadata } = readSafetensors(bytes);
 * const w = tensors.get('weight'); // { dtype: 'F16', shape: [4, 3], data: Float32Array(12) }
 * ```
 */
export function readSafetensors(
  bytes: Uint8Array | ArrayBuffer,
  options: ReadSafetensorsOptions = {},
): SafetensorsContents {
  const input = asUint8Array(bytes, 'bytes');
  const header = parseSafetensorsHeader(input);
  const keepFloat64 = options.keepFloat64 === true;
  const buffer = input.subarray(header.dataStart);
  const tensors = new Map<string, SafetensorsTensor>();
  const narrowed: string[] = [];
  for (const entry of header.tensors) {
    const raw = buffer.subarray(entry.dataOffsets[0], entry.dataOffsets[1]);
    if (entry.dtype === 'F64' && !keepFloat64) narrowed.push(entry.name);
    tensors.set(entry.name, {
      dtype: entry.dtype,
      shape: entry.shape,
      data: decodeTensor(entry, raw, keepFloat64),
    });
  }
  if (narrowed.length > 0) {
    const warn = options.onWarning ?? ((message: string) => console.warn(message));
    warn(
      `safetensors: F64 tensor${narrowed.length > 1 ? 's' : ''} ${narrowed.map((n) => JSON.stringify(n)).join(', ')} ` +
        'rounded to float32 (pass keepFloat64: true to keep float64)',
    );
  }
  return { tensors, metadata: header.metadata };
}

/** A fresh copy of `raw` as its own ArrayBuffer (aligned for any typed array). */
function copyBytes(raw: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(raw.length);
  copy.set(raw);
  return copy.buffer;
}

/** Decodes one tensor's little-endian bytes (`raw.length` already validated against shape and dtype). */
export function decodeTensor(
  entry: SafetensorsHeaderEntry,
  raw: Uint8Array,
  keepFloat64: boolean,
): SafetensorsData {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const count = raw.length / SAFETENSORS_DTYPE_SIZE[entry.dtype];
  switch (entry.dtype) {
    case 'F32': {
      if (HOST_LITTLE_ENDIAN) return new Float32Array(copyBytes(raw));
      const bits = new Uint32Array(count);
      for (let i = 0; i < count; i++) bits[i] = view.getUint32(4 * i, true);
      return new Float32Array(bits.buffer);
    }
    case 'F64': {
      if (keepFloat64) {
        if (HOST_LITTLE_ENDIAN) return new Float64Array(copyBytes(raw));
        const out = new Float64Array(count);
        for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, true);
        return out;
      }
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, true);
      return out;
    }
    case 'F16': {
      const bits = new Uint32Array(count);
      for (let i = 0; i < count; i++) bits[i] = float16BitsToFloat32Bits(view.getUint16(2 * i, true));
      return new Float32Array(bits.buffer);
    }
    case 'BF16': {
      const bits = new Uint32Array(count);
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(2 * i, true) << 16;
      return new Float32Array(bits.buffer);
    }
    case 'F8_E5M2': {
      const bits = new Uint32Array(count);
      for (let i = 0; i < count; i++) bits[i] = float8E5M2ToFloat32Bits(raw[i]!);
      return new Float32Array(bits.buffer);
    }
    case 'F8_E4M3': {
      const table = float8E4M3Table();
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = table[raw[i]!]!;
      return out;
    }
    case 'BOOL': {
      const out = new Uint8Array(count);
      for (let i = 0; i < count; i++) out[i] = raw[i] === 0 ? 0 : 1;
      return out;
    }
    case 'U8':
      return Int32Array.from(raw);
    case 'I8':
      return Int32Array.from(new Int8Array(raw.buffer, raw.byteOffset, raw.byteLength));
    case 'I16': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(2 * i, true);
      return out;
    }
    case 'U16': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getUint16(2 * i, true);
      return out;
    }
    case 'I32': {
      if (HOST_LITTLE_ENDIAN) return new Int32Array(copyBytes(raw));
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, true);
      return out;
    }
    case 'U32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const value = view.getUint32(4 * i, true);
        if (value > 0x7fffffff) throw outOfInt32(entry, i, String(value));
        out[i] = value;
      }
      return out;
    }
    case 'I64':
    case 'U64': {
      const signed = entry.dtype === 'I64';
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const low = view.getInt32(8 * i, true);
        const high = view.getInt32(8 * i + 4, true);
        // Fits int32 exactly when the high word is the sign extension of the low word.
        if (high !== (signed ? low >> 31 : 0) || (!signed && low < 0)) {
          throw outOfInt32(
            entry,
            i,
            String(signed ? view.getBigInt64(8 * i, true) : view.getBigUint64(8 * i, true)),
          );
        }
        out[i] = low;
      }
      return out;
    }
  }
}

function outOfInt32(entry: SafetensorsHeaderEntry, index: number, value: string): SafetensorsError {
  return new SafetensorsError(
    `tensor ${JSON.stringify(entry.name)} (${entry.dtype}): value ${value} at flat index ${index} does not fit in int32`,
  );
}

/**
 * Reads a safetensors file into tfjs tensors: float dtypes → `float32`, integer dtypes → `int32` (values must
 * fit), `BOOL` → `bool`. `F64` is narrowed to float32 with a warning (see {@link readSafetensors}). The caller
 * owns (and must dispose) the returned tensors.
 *
 * @throws {@link SafetensorsError} for corrupt files or integers outside int32
 *
 * @example
 * ```ts
 * const weights = readSafetensorsToTensors(bytes);
 * const y = tf.matMul(x, weights['dense.weight']);
 * tf.dispose(Object.values(weights));
 * ```
 */
export function readSafetensorsToTensors(
  bytes: Uint8Array | ArrayBuffer,
  options: Pick<ReadSafetensorsOptions, 'onWarning'> = {},
): Record<string, Tensor> {
  const { tensors } = readSafetensors(bytes, { ...options, keepFloat64: false });
  const entries: [string, Tensor][] = [];
  try {
    for (const [name, t] of tensors) {
      const dtype =
        t.data instanceof Uint8Array ? 'bool' : t.data instanceof Int32Array ? 'int32' : 'float32';
      entries.push([name, tf.tensor(t.data as Float32Array | Int32Array | Uint8Array, t.shape, dtype)]);
    }
  } catch (error) {
    tf.dispose(entries.map(([, t]) => t));
    throw error;
  }
  return Object.fromEntries(entries);
}

// ---------------------------------------------------------------------------------------------- writing

interface EncodedTensor {
  name: string;
  nameBytes: Uint8Array;
  dtype: SafetensorsWritableDtype;
  shape: number[];
  bytes: Uint8Array;
}

const LONE_SURROGATE = /\p{Surrogate}/u;
const utf8Encoder = new TextEncoder();

/**
 * Serialises tensors to safetensors bytes. Each value is a tfjs tensor (`float32` → `options.floatDtype`,
 * default `F32`; `int32` → `I32`; `bool` → `BOOL`; read with `dataSync`) or `{ dtype, shape, data }`. The
 * layout follows the reference writer: tensors sorted by dtype size (largest first), then dtype, then name
 * (code-point order), stored contiguously with no gaps; the JSON header has `__metadata__` first and is
 * padded with spaces to a multiple of 8 bytes. Output is deterministic.
 *
 * @throws {@link ArgumentError} for an unsupported dtype, a reserved or ill-formed name, non-string metadata,
 *   or values that do not fit an integer dtype
 * @throws {@link ShapeError} for an invalid shape or a data length that differs from the shape's product
 *
 * @example
 * ```ts
 * const bytes = writeSafetensors(
 *   { 'layer.weight': { dtype: 'F16', shape: [2, 2], data: [1, 2, 3, 4] }, bias: tf.zeros([2]) },
 *   { metadata: { format: 'pt' } },
 * );
 * ```
 */
export function writeSafetensors(
  tensors: Record<string, SafetensorsTensorInput | Tensor>,
  options: WriteSafetensorsOptions = {},
): Uint8Array {
  if (tensors === null || typeof tensors !== 'object' || Array.isArray(tensors)) {
    throw new ArgumentError(
      `tensors: expected an object mapping names to tensors, got ${describeValue(tensors)}`,
    );
  }
  const floatDtype = options.floatDtype ?? 'F32';
  if (!['F32', 'F16', 'BF16', 'F64'].includes(floatDtype)) {
    throw new ArgumentError(
      `options.floatDtype: expected one of 'F32', 'F16', 'BF16', 'F64', got ${describeValue(floatDtype)}`,
    );
  }
  const encoded: EncodedTensor[] = [];
  for (const [name, value] of Object.entries(tensors)) {
    checkName(name, `tensors[${JSON.stringify(name)}]`);
    encoded.push(encodeInput(name, value, floatDtype));
  }
  const order = (d: SafetensorsDtype) => SAFETENSORS_DTYPES.indexOf(d);
  encoded.sort(
    (a, b) =>
      SAFETENSORS_DTYPE_SIZE[b.dtype] - SAFETENSORS_DTYPE_SIZE[a.dtype] ||
      order(b.dtype) - order(a.dtype) ||
      compareBytes(a.nameBytes, b.nameBytes),
  );

  const parts: string[] = [];
  if (options.metadata !== undefined) parts.push(`"__metadata__":${encodeMetadata(options.metadata)}`);
  let offset = 0;
  for (const t of encoded) {
    const end = offset + t.bytes.length;
    parts.push(
      `${JSON.stringify(t.name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(',')}],"data_offsets":[${offset},${end}]}`,
    );
    offset = end;
  }
  const headerText = utf8Encoder.encode(`{${parts.join(',')}}`);
  const headerLength = Math.ceil(headerText.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength % 0x100000000, true);
  view.setUint32(4, Math.floor(headerLength / 0x100000000), true);
  out.set(headerText, 8);
  out.fill(0x20, 8 + headerText.length, 8 + headerLength);
  let position = 8 + headerLength;
  for (const t of encoded) {
    out.set(t.bytes, position);
    position += t.bytes.length;
  }
  return out;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'object') return `an object of type ${value.constructor?.name ?? 'Object'}`;
  return `${String(value)} (${typeof value})`;
}

function checkName(name: string, label: string): void {
  if (name === '__metadata__')
    throw new ArgumentError(`${label}: the name '__metadata__' is reserved for metadata`);
  if (LONE_SURROGATE.test(name)) throw new ArgumentError(`${label}: name contains a lone UTF-16 surrogate`);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function encodeMetadata(metadata: Record<string, string>): string {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new ArgumentError(
      `options.metadata: expected an object of strings, got ${describeValue(metadata)}`,
    );
  }
  const keys = Object.keys(metadata).sort((a, b) =>
    compareBytes(utf8Encoder.encode(a), utf8Encoder.encode(b)),
  );
  const parts = keys.map((key) => {
    const value = metadata[key];
    const label = `options.metadata[${JSON.stringify(key)}]`;
    if (typeof value !== 'string')
      throw new ArgumentError(`${label}: expected a string, got ${describeValue(value)}`);
    if (LONE_SURROGATE.test(key) || LONE_SURROGATE.test(value)) {
      throw new ArgumentError(`${label}: contains a lone UTF-16 surrogate`);
    }
    return `${JSON.stringify(key)}:${JSON.stringify(value)}`;
  });
  return `{${parts.join(',')}}`;
}

function isTypedNumberArray(data: unknown): data is ArrayLike<number> & ArrayBufferView {
  return (
    ArrayBuffer.isView(data) &&
    !(data instanceof DataView) &&
    !(data instanceof BigInt64Array) &&
    !(data instanceof BigUint64Array)
  );
}

function encodeInput(
  name: string,
  value: SafetensorsTensorInput | Tensor,
  floatDtype: SafetensorsWritableDtype,
): EncodedTensor {
  const label = `tensors[${JSON.stringify(name)}]`;
  let dtype: SafetensorsWritableDtype;
  let shape: number[];
  let data: ArrayLike<number>;
  if (value instanceof tf.Tensor) {
    if (value.isDisposed) throw new ArgumentError(`${label}: the tensor is disposed`);
    const map: Record<string, SafetensorsWritableDtype> = { float32: floatDtype, int32: 'I32', bool: 'BOOL' };
    const mapped = map[value.dtype];
    if (mapped === undefined) {
      throw new ArgumentError(
        `${label}: tensors of dtype '${value.dtype}' cannot be stored (expected float32, int32 or bool)`,
      );
    }
    dtype = mapped;
    shape = [...value.shape];
    data = value.dataSync() as Float32Array | Int32Array | Uint8Array;
  } else {
    if (value === null || typeof value !== 'object') {
      throw new ArgumentError(
        `${label}: expected a tfjs tensor or { dtype, shape, data }, got ${describeValue(value)}`,
      );
    }
    if (!(WRITABLE_DTYPES as readonly unknown[]).includes(value.dtype)) {
      throw new ArgumentError(
        `${label}.dtype: expected one of ${WRITABLE_DTYPES.map((d) => `'${d}'`).join(', ')}, got ${describeValue(value.dtype)}`,
      );
    }
    dtype = value.dtype;
    if (!Array.isArray(value.shape))
      throw new ShapeError(`${label}.shape: expected an array, got ${describeValue(value.shape)}`);
    value.shape.forEach((d, i) => {
      if (!Number.isSafeInteger(d) || d < 0) {
        throw new ShapeError(
          `${label}.shape[${i}]: expected a non-negative integer, got ${describeValue(d)}`,
        );
      }
    });
    shape = [...value.shape];
    if (!(Array.isArray(value.data) || isTypedNumberArray(value.data))) {
      throw new ArgumentError(
        `${label}.data: expected an array or typed array of numbers, got ${describeValue(value.data)}`,
      );
    }
    data = value.data;
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (data.length !== count) {
    throw new ShapeError(
      `${label}.data: expected ${count} values for shape ${formatShape(shape)}, got ${data.length}`,
    );
  }
  return {
    name,
    nameBytes: utf8Encoder.encode(name),
    dtype,
    shape,
    bytes: encodeValues(dtype, data, `${label}.data`),
  };
}

/** The bytes of a typed array (a view, no copy). */
function bytesOf(data: ArrayBufferView): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Encodes values as little-endian bytes of `dtype`. */
export function encodeValues(
  dtype: SafetensorsWritableDtype,
  data: ArrayLike<number>,
  label: string,
): Uint8Array {
  const count = data.length;
  const out = new Uint8Array(count * SAFETENSORS_DTYPE_SIZE[dtype]);
  const view = new DataView(out.buffer);
  const plain = !ArrayBuffer.isView(data);
  if (plain && dtype !== 'BOOL') {
    for (let i = 0; i < count; i++) {
      if (typeof data[i] !== 'number')
        throw new ArgumentError(`${label}[${i}]: expected a number, got ${describeValue(data[i])}`);
    }
  }
  switch (dtype) {
    case 'F32': {
      if (data instanceof Float32Array && HOST_LITTLE_ENDIAN) return bytesOf(data).slice();
      const values = data instanceof Float32Array ? data : Float32Array.from(data);
      const bits = new Uint32Array(values.buffer, values.byteOffset, count);
      for (let i = 0; i < count; i++) view.setUint32(4 * i, bits[i]!, true);
      return out;
    }
    case 'F64': {
      if (data instanceof Float64Array && HOST_LITTLE_ENDIAN) return bytesOf(data).slice();
      for (let i = 0; i < count; i++) view.setFloat64(8 * i, data[i]!, true);
      return out;
    }
    case 'F16':
    case 'BF16': {
      const fromBits = dtype === 'F16' ? float32BitsToFloat16Bits : float32BitsToBfloat16Bits;
      const fromValue = dtype === 'F16' ? float32ToFloat16Bits : float32ToBfloat16Bits;
      if (data instanceof Float32Array) {
        const bits = new Uint32Array(data.buffer, data.byteOffset, count);
        for (let i = 0; i < count; i++) view.setUint16(2 * i, fromBits(bits[i]!), true);
      } else {
        for (let i = 0; i < count; i++) view.setUint16(2 * i, fromValue(data[i]!), true);
      }
      return out;
    }
    case 'BOOL': {
      for (let i = 0; i < count; i++) {
        const v = data[i] as unknown;
        if (v === 1 || v === true) out[i] = 1;
        else if (v !== 0 && v !== false) {
          throw new ArgumentError(
            `${label}[${i}]: expected 0, 1, true or false for BOOL, got ${describeValue(v)}`,
          );
        }
      }
      return out;
    }
    default: {
      const [min, max] = INTEGER_RANGES[dtype]!;
      for (let i = 0; i < count; i++) {
        const v = data[i]!;
        if (!Number.isInteger(v) || v < min || v > max) {
          throw new ArgumentError(
            `${label}[${i}]: expected an integer in [${min}, ${max}] for ${dtype}, got ${v}`,
          );
        }
      }
      if (dtype === 'I32' && data instanceof Int32Array && HOST_LITTLE_ENDIAN) return bytesOf(data).slice();
      writeIntegers(view, dtype, data);
      return out;
    }
  }
}

function writeIntegers(view: DataView, dtype: SafetensorsWritableDtype, data: ArrayLike<number>): void {
  const count = data.length;
  switch (dtype) {
    case 'U8':
      for (let i = 0; i < count; i++) view.setUint8(i, data[i]!);
      return;
    case 'I8':
      for (let i = 0; i < count; i++) view.setInt8(i, data[i]!);
      return;
    case 'U16':
      for (let i = 0; i < count; i++) view.setUint16(2 * i, data[i]!, true);
      return;
    case 'I16':
      for (let i = 0; i < count; i++) view.setInt16(2 * i, data[i]!, true);
      return;
    case 'U32':
      for (let i = 0; i < count; i++) view.setUint32(4 * i, data[i]!, true);
      return;
    case 'I32':
      for (let i = 0; i < count; i++) view.setInt32(4 * i, data[i]!, true);
      return;
    default:
      // I64 / U64 from safe integers: split into exact low and high 32-bit words.
      for (let i = 0; i < count; i++) {
        const v = data[i]!;
        const high = Math.floor(v / 0x100000000);
        view.setUint32(8 * i, v - high * 0x100000000, true);
        view.setInt32(8 * i + 4, high, true);
      }
  }
}
