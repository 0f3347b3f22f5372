/**
 * The safetensors container format: dtypes and header parsing with full validation.
 *
 * Layout (https://github.com/huggingface/safetensors): an 8-byte little-endian unsigned header length `N`,
 * `N` bytes of UTF-8 JSON (`{"<name>": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__"?:
 * {string: string}}`, possibly padded with trailing spaces), then the byte buffer. Offsets are relative to
 * the start of the byte buffer; tensors are row-major, little-endian, and must tile the buffer exactly.
 *
 * @module
 */
import { ArgumentError } from '../errors/errors.js';
import { SafetensorsError } from './errors.js';
import { JsonNumber, type JsonValue, parseStrictJson } from './strict-json.js';

/**
 * The safetensors dtypes this library reads, in the reference implementation's enum order (its writer
 * stores larger dtypes first, ordered by this list reversed, then by name).
 */
export const SAFETENSORS_DTYPES: readonly SafetensorsDtype[] = [
  'BOOL',
  'U8',
  'I8',
  'F8_E5M2',
  'F8_E4M3',
  'I16',
  'U16',
  'F16',
  'BF16',
  'I32',
  'U32',
  'F32',
  'F64',
  'I64',
  'U64',
];

/**
 * A safetensors dtype name. `F16`/`BF16`/`F8_*` are narrow floats, `I*`/`U*` signed/unsigned integers of that
 * many bits, `BOOL` one byte per element.
 */
export type SafetensorsDtype =
  | 'BOOL'
  | 'U8'
  | 'I8'
  | 'F8_E5M2'
  | 'F8_E4M3'
  | 'I16'
  | 'U16'
  | 'F16'
  | 'BF16'
  | 'I32'
  | 'U32'
  | 'F32'
  | 'F64'
  | 'I64'
  | 'U64';

/** Bytes per element of each {@link SafetensorsDtype}. */
export const SAFETENSORS_DTYPE_SIZE: Readonly<Record<SafetensorsDtype, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};

/** Dtypes the reference format defines but this library does not decode (sub-byte, exponent-only, complex). */
const UNSUPPORTED_DTYPES: ReadonlySet<string> = new Set(['F4', 'F6_E2M3', 'F6_E3M2', 'F8_E8M0', 'C64']);

/** The largest header the reference implementation accepts (100 MB). */
export const SAFETENSORS_MAX_HEADER_LENGTH = 100_000_000;

/** One tensor's entry in a safetensors header. */
export interface SafetensorsHeaderEntry {
  /** The tensor's name (the JSON key). */
  name: string;
  /** Its dtype as stored in the file. */
  dtype: SafetensorsDtype;
  /** Its shape (row-major); `[]` is a scalar. */
  shape: number[];
  /** `[begin, end)` byte range relative to the start of the byte buffer (which starts at `dataStart`). */
  dataOffsets: [number, number];
}

/** A validated safetensors header. */
export interface SafetensorsHeader {
  /** `N`, the header's length in bytes (padding included). */
  headerLength: number;
  /** Absolute byte position where the byte buffer starts: `8 + N`. */
  dataStart: number;
  /** Tensor entries in header (JSON key) order. */
  tensors: SafetensorsHeaderEntry[];
  /** The `__metadata__` map (empty when the header has none). */
  metadata: Record<string, string>;
}

/** Options for {@link parseSafetensorsHeader}. */
export interface ParseSafetensorsHeaderOptions {
  /**
   * Size in bytes of the whole file, when `bytes` holds only its beginning (at least `8 + N` bytes) — lets
   * callers validate a large file's header without reading its tensors. Defaults to `bytes.length`.
   */
  fileSize?: number;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A plain `Uint8Array` view of the input (Buffers and ArrayBuffers accepted). */
export function asUint8Array(bytes: unknown, name: string): Uint8Array {
  if (bytes instanceof Uint8Array) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  throw new ArgumentError(`${name}: expected a Uint8Array or ArrayBuffer, got ${typeName(bytes)}`);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `an object of type ${value.constructor?.name ?? 'Object'}`;
  return `a value of type ${typeof value}`;
}

/**
 * Parses and validates the header of a safetensors file without touching tensor data: header length bounds,
 * strict UTF-8 JSON (duplicate keys refused), known dtypes, shapes of non-negative safe integers whose byte
 * size matches each range, and offsets that tile the byte buffer exactly (no gaps, overlaps or overrun).
 *
 * @param bytes - the file (or, with `options.fileSize`, at least its first `8 + N` bytes)
 * @throws {@link SafetensorsError} naming the field or tensor at fault
 * @throws {@link ArgumentError} when `bytes` is not a Uint8Array/ArrayBuffer or `fileSize` is invalid
 *
 * @example
 * ```ts
 * const { tensors, metadata } = parseSafetensorsHeader(bytes);
 * for (const t of tensors) console.log(t.name, t.dtype, t.shape);
 * ```
 */
export function parseSafetensorsHeader(
  bytes: Uint8Array | ArrayBuffer,
  options: ParseSafetensorsHeaderOptions = {},
): SafetensorsHeader {
  const view8 = asUint8Array(bytes, 'bytes');
  const fileSize = options.fileSize ?? view8.length;
  if (!Number.isSafeInteger(fileSize) || fileSize < view8.length) {
    throw new ArgumentError(
      `options.fileSize: expected an integer >= bytes.length (${view8.length}), got ${String(fileSize)}`,
    );
  }
  if (view8.length < 8) {
    throw new SafetensorsError(
      `file too short: expected at least 8 bytes for the header length, got ${view8.length}`,
    );
  }
  const view = new DataView(view8.buffer, view8.byteOffset, view8.byteLength);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  if (high !== 0 || low > SAFETENSORS_MAX_HEADER_LENGTH) {
    throw new SafetensorsError(
      `header length ${view.getBigUint64(0, true)} exceeds the ${SAFETENSORS_MAX_HEADER_LENGTH}-byte limit`,
    );
  }
  const headerLength = low;
  if (headerLength < 2)
    throw new SafetensorsError(`header length ${headerLength} is too small (minimum 2, '{}')`);
  if (headerLength > fileSize - 8) {
    throw new SafetensorsError(
      `header length ${headerLength} exceeds the ${fileSize - 8} bytes that follow it (file size ${fileSize})`,
    );
  }
  if (8 + headerLength > view8.length) {
    throw new SafetensorsError(
      `bytes: expected at least ${8 + headerLength} bytes (the header), got ${view8.length}`,
    );
  }
  let text: string;
  try {
    text = utf8Decoder.decode(view8.subarray(8, 8 + headerLength));
  } catch {
    throw new SafetensorsError('header is not valid UTF-8');
  }
  if (text.charCodeAt(0) !== 0x7b) throw new SafetensorsError("header JSON must start with '{'");
  const root = parseStrictJson(text);
  if (!(root instanceof Map)) throw new SafetensorsError('header JSON must be an object');
  const bufferLength = fileSize - 8 - headerLength;

  let metadata: Record<string, string> = {};
  const tensors: SafetensorsHeaderEntry[] = [];
  for (const [name, value] of root) {
    if (name === '__metadata__') metadata = parseMetadata(value);
    else tensors.push(parseEntry(name, value, bufferLength));
  }
  checkCoverage(tensors, bufferLength);
  return { headerLength, dataStart: 8 + headerLength, tensors, metadata };
}

function parseMetadata(value: JsonValue): Record<string, string> {
  if (value === null) return {};
  if (!(value instanceof Map)) throw new SafetensorsError('__metadata__: expected an object of strings');
  const entries: [string, string][] = [];
  for (const [key, item] of value) {
    if (typeof item !== 'string') {
      throw new SafetensorsError(
        `__metadata__[${JSON.stringify(key)}]: expected a string, got ${jsonKind(item)}`,
      );
    }
    entries.push([key, item]);
  }
  return Object.fromEntries(entries);
}

function jsonKind(value: JsonValue): string {
  if (value === null) return 'null';
  if (value instanceof JsonNumber) return `the number ${value.text}`;
  if (value instanceof Map) return 'an object';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function readIndex(value: JsonValue | undefined, where: string): number {
  if (!(value instanceof JsonNumber)) {
    throw new SafetensorsError(
      `${where}: expected a non-negative integer, got ${value === undefined ? 'nothing' : jsonKind(value)}`,
    );
  }
  if (!value.isPlainNonNegativeInteger() || !Number.isSafeInteger(value.value)) {
    throw new SafetensorsError(`${where}: expected a non-negative integer below 2^53, got ${value.text}`);
  }
  return value.value;
}

function parseEntry(name: string, value: JsonValue, bufferLength: number): SafetensorsHeaderEntry {
  const label = `tensor ${JSON.stringify(name)}`;
  if (!(value instanceof Map))
    throw new SafetensorsError(`${label}: expected an object, got ${jsonKind(value)}`);
  const dtype = value.get('dtype');
  if (typeof dtype !== 'string') {
    throw new SafetensorsError(
      `${label}.dtype: expected a string, got ${dtype === undefined ? 'nothing' : jsonKind(dtype)}`,
    );
  }
  if (UNSUPPORTED_DTYPES.has(dtype))
    throw new SafetensorsError(`${label}.dtype: '${dtype}' is not supported`);
  if (!(SAFETENSORS_DTYPES as readonly string[]).includes(dtype)) {
    throw new SafetensorsError(
      `${label}.dtype: expected one of ${SAFETENSORS_DTYPES.join(', ')}, got '${dtype}'`,
    );
  }
  const rawShape = value.get('shape');
  if (!Array.isArray(rawShape)) {
    throw new SafetensorsError(
      `${label}.shape: expected an array, got ${rawShape === undefined ? 'nothing' : jsonKind(rawShape)}`,
    );
  }
  const shape = rawShape.map((d, i) => readIndex(d, `${label}.shape[${i}]`));
  const rawOffsets = value.get('data_offsets');
  if (!Array.isArray(rawOffsets) || rawOffsets.length !== 2) {
    throw new SafetensorsError(
      `${label}.data_offsets: expected [begin, end], got ${rawOffsets === undefined ? 'nothing' : jsonKind(rawOffsets)}` +
        (Array.isArray(rawOffsets) ? ` of length ${rawOffsets.length}` : ''),
    );
  }
  const begin = readIndex(rawOffsets[0], `${label}.data_offsets[0]`);
  const end = readIndex(rawOffsets[1], `${label}.data_offsets[1]`);
  if (end < begin) throw new SafetensorsError(`${label}.data_offsets: end ${end} is before begin ${begin}`);
  if (end > bufferLength) {
    throw new SafetensorsError(
      `${label}.data_offsets: end ${end} is past the end of the ${bufferLength}-byte buffer`,
    );
  }
  const itemSize = SAFETENSORS_DTYPE_SIZE[dtype as SafetensorsDtype];
  const expectedBytes = checkedByteSize(shape, itemSize, label);
  if (expectedBytes !== end - begin) {
    throw new SafetensorsError(
      `${label}: shape [${shape.join(', ')}] of ${dtype} needs ${expectedBytes} bytes, but data_offsets [${begin}, ${end}] span ${end - begin}`,
    );
  }
  return { name, dtype: dtype as SafetensorsDtype, shape, dataOffsets: [begin, end] };
}

/** Element count × item size with overflow checks (any zero dimension gives 0). */
function checkedByteSize(shape: readonly number[], itemSize: number, label: string): number {
  if (shape.includes(0)) return 0;
  let count = itemSize;
  for (const d of shape) {
    if (count > Number.MAX_SAFE_INTEGER / d) {
      throw new SafetensorsError(
        `${label}: shape [${shape.join(', ')}] is too large (byte size overflows 2^53)`,
      );
    }
    count *= d;
  }
  return count;
}

function checkCoverage(tensors: readonly SafetensorsHeaderEntry[], bufferLength: number): void {
  const sorted = [...tensors].sort(
    (a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1],
  );
  let cursor = 0;
  let previous: SafetensorsHeaderEntry | undefined;
  for (const entry of sorted) {
    const [begin, end] = entry.dataOffsets;
    if (begin !== cursor) {
      const where = `tensor ${JSON.stringify(entry.name)} starts at byte ${begin}`;
      throw new SafetensorsError(
        begin > cursor
          ? `${where}, leaving a gap after byte ${cursor}`
          : `${where}, overlapping tensor ${JSON.stringify(previous?.name)} which ends at byte ${cursor}`,
      );
    }
    cursor = end;
    previous = entry;
  }
  if (cursor !== bufferLength) {
    throw new SafetensorsError(
      `tensors cover ${cursor} bytes but the byte buffer holds ${bufferLength} (unaccounted trailing bytes)`,
    );
  }
}
