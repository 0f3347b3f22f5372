import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ArgumentError, ShapeError } from '../errors/errors.js';
import { tf } from '../setup.js';
import { testBackends, useBackend } from '../test/backends.js';
import { SafetensorsError } from './errors.js';
import { float16BitsToFloat32Bits } from './float-formats.js';
import {
  readSafetensors,
  readSafetensorsToTensors,
  type SafetensorsTensorInput,
  type SafetensorsWritableDtype,
  writeSafetensors,
} from './safetensors.js';
import { loadSafetensorsFile, saveSafetensorsFile } from './safetensors-file.js';
import { parseSafetensorsHeader } from './safetensors-format.js';

// ------------------------------------------------------------------ independent helpers (from the spec)

const utf8 = new TextEncoder();

/** Builds a file by hand: u64 LE header length, header bytes, data bytes. `declaredLength` may lie. */
function buildFile(headerText: string, data: ArrayLike<number> = [], declaredLength?: bigint): Uint8Array {
  const header = utf8.encode(headerText);
  const out = new Uint8Array(8 + header.length + data.length);
  new DataView(out.buffer).setBigUint64(0, declaredLength ?? BigInt(header.length), true);
  out.set(header, 8);
  out.set(Array.from(data), 8 + header.length);
  return out;
}

/** Parses a file by hand with JSON.parse and slices, trusting nothing from the code under test. */
function handParse(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  const headerText = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  const header = JSON.parse(headerText) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const data = bytes.subarray(8 + n);
  const raw = (name: string) => data.subarray(header[name]!.data_offsets[0], header[name]!.data_offsets[1]);
  return { n, headerText, header, data, raw };
}

const bitsOf32 = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
const bitsOf64 = (a: Float64Array) => Array.from(new BigUint64Array(a.buffer, a.byteOffset, a.length));

/** Asserts `fn` throws a SafetensorsError whose message matches `pattern`. */
function expectCorrupt(fn: () => unknown, pattern: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected a SafetensorsError').toBeInstanceOf(SafetensorsError);
  expect((caught as Error).message).toMatch(pattern);
}

/** Runs `fn`; it may succeed or throw SafetensorsError, nothing else. */
function onlySafetensorsError(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (error) {
    if (error instanceof SafetensorsError) return false;
    throw error;
  }
}

const quiet = { onWarning: () => {} };

// ------------------------------------------------------------------------------------------ golden files

describe('safetensors golden files', () => {
  it('writes the reference implementation test vector byte for byte', () => {
    // safetensors' own serialization test: {"attn.0": F32 [1,2,3] = 0..5}. The header is exactly 64 bytes (no
    // padding needed), followed by the little-endian float32s.
    const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    expect(header.length).toBe(64);
    const data = [
      0, 0, 0, 0, 0, 0, 0x80, 0x3f, 0, 0, 0, 0x40, 0, 0, 0x40, 0x40, 0, 0, 0x80, 0x40, 0, 0, 0xa0, 0x40,
    ];
    const expected = buildFile(header, data);
    const written = writeSafetensors({
      'attn.0': { dtype: 'F32', shape: [1, 2, 3], data: [0, 1, 2, 3, 4, 5] },
    });
    expect(Array.from(written)).toEqual(Array.from(expected));
    const read = readSafetensors(expected);
    expect(Array.from(read.tensors.get('attn.0')!.data)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(read.tensors.get('attn.0')!.shape).toEqual([1, 2, 3]);
  });

  it('pads the header with spaces to a multiple of 8, metadata first', () => {
    const header = '{"__metadata__":{"a":"1","b":"x"},"w":{"dtype":"I32","shape":[],"data_offsets":[0,4]}}';
    const padded = header + ' '.repeat((8 - (header.length % 8)) % 8);
    const expected = buildFile(padded, [0xfe, 0xff, 0xff, 0xff]);
    const written = writeSafetensors(
      { w: { dtype: 'I32', shape: [], data: [-2] } },
      { metadata: { b: 'x', a: '1' } },
    );
    expect(Array.from(written)).toEqual(Array.from(expected));
  });

  it('reads a hand-built file with every dtype, unaligned offsets, whitespace, metadata and padding', () => {
    const header = `{
      "w": {"dtype": "F16", "shape": [3], "data_offsets": [0, 6]},
      "b": {"dtype": "BF16", "shape": [2], "data_offsets": [6, 10]},
      "i": {"dtype": "I64", "shape": [2], "data_offsets": [10, 26]},
      "s": {"dtype": "F64", "shape": [], "data_offsets": [26, 34]},
      "m": {"dtype": "BOOL", "shape": [2, 1], "data_offsets": [34, 36]},
      "e": {"dtype": "F32", "shape": [0, 5], "data_offsets": [36, 36]},
      "u": {"dtype": "U8", "shape": [2], "data_offsets": [36, 38]},
      "k": {"dtype": "I8", "shape": [1], "data_offsets": [38, 39]},
      "d": {"dtype": "F32", "shape": [1], "data_offsets": [39, 43]},
      "q": {"dtype": "F8_E4M3", "shape": [1], "data_offsets": [43, 44]},
      "h": {"dtype": "I16", "shape": [1], "data_offsets": [44, 46]},
      "g": {"dtype": "U16", "shape": [1], "data_offsets": [46, 48]},
      "U": {"dtype": "U32", "shape": [1], "data_offsets": [48, 52]},
      "z": {"dtype": "U64", "shape": [1], "data_offsets": [52, 60]},
      "j": {"dtype": "I32", "shape": [1], "data_offsets": [60, 64]},
      "f": {"dtype": "F8_E5M2", "shape": [1], "data_offsets": [64, 65]},
      "__metadata__": {"format": "pt", "note": "h\\u00e9llo ✓"}
    }     `;
    const data = [
      ...[0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b], // F16 1, -2, 65504
      ...[0x49, 0x40, 0x00, 0x80], // BF16 3.140625, -0
      ...[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0], // I64 -1, 2^31-1
      ...[0x9a, 0x99, 0x99, 0x99, 0x99, 0x99, 0xb9, 0x3f], // F64 0.1
      ...[0x01, 0x00], // BOOL
      ...[0x00, 0xff], // U8 0, 255
      0x80, // I8 -128
      ...[0x00, 0x00, 0xc0, 0x3f], // F32 1.5
      0x7e, // F8_E4M3 448
      ...[0xfe, 0xff], // I16 -2
      ...[0xff, 0xff], // U16 65535
      ...[0x07, 0, 0, 0], // U32 7
      ...[0x05, 0, 0, 0, 0, 0, 0, 0], // U64 5
      ...[0xfb, 0xff, 0xff, 0xff], // I32 -5
      0x3c, // F8_E5M2 1
    ];
    const warnings: string[] = [];
    const { tensors, metadata } = readSafetensors(buildFile(header, data), {
      onWarning: (m) => warnings.push(m),
    });
    expect(metadata).toEqual({ format: 'pt', note: 'héllo ✓' });
    const values = (name: string) => Array.from(tensors.get(name)!.data as ArrayLike<number>);
    expect(values('w')).toEqual([1, -2, 65504]);
    expect(values('b')).toEqual([3.140625, -0]);
    expect(Object.is(values('b')[1], -0)).toBe(true);
    expect(values('i')).toEqual([-1, 2147483647]);
    expect(values('s')).toEqual([Math.fround(0.1)]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/F64 tensor "s" rounded to float32/);
    expect(values('m')).toEqual([1, 0]);
    expect(tensors.get('m')!.shape).toEqual([2, 1]);
    expect(tensors.get('m')!.data).toBeInstanceOf(Uint8Array);
    expect(values('e')).toEqual([]);
    expect(tensors.get('e')!.shape).toEqual([0, 5]);
    expect(values('u')).toEqual([0, 255]);
    expect(values('k')).toEqual([-128]);
    expect(values('d')).toEqual([1.5]);
    expect(values('q')).toEqual([448]);
    expect(values('h')).toEqual([-2]);
    expect(values('g')).toEqual([65535]);
    expect(values('U')).toEqual([7]);
    expect(values('z')).toEqual([5]);
    expect(values('j')).toEqual([-5]);
    expect(values('f')).toEqual([1]);
    for (const name of ['i', 'u', 'k', 'h', 'g', 'U', 'z', 'j'])
      expect(tensors.get(name)!.data).toBeInstanceOf(Int32Array);
    expect([...tensors.keys()]).toEqual([
      'w',
      'b',
      'i',
      's',
      'm',
      'e',
      'u',
      'k',
      'd',
      'q',
      'h',
      'g',
      'U',
      'z',
      'j',
      'f',
    ]);

    const kept = readSafetensors(buildFile(header, data), {
      keepFloat64: true,
      onWarning: () => warnings.push('!'),
    });
    expect(kept.tensors.get('s')!.data).toBeInstanceOf(Float64Array);
    expect(Array.from(kept.tensors.get('s')!.data)).toEqual([0.1]);
    expect(warnings).toHaveLength(1);
  });

  it('writes a file that a hand parser reads: sorted by dtype size then name, contiguous and aligned', () => {
    const bytes = writeSafetensors(
      {
        zeta: { dtype: 'U8', shape: [3], data: [1, 2, 3] },
        alpha: { dtype: 'F32', shape: [2], data: [0.5, -1] },
        beta: { dtype: 'F16', shape: [1], data: [1] },
        gamma: { dtype: 'F64', shape: [1, 1], data: [Math.PI] },
        delta: { dtype: 'I64', shape: [2], data: [-3, 2 ** 40] },
        eps: { dtype: 'BOOL', shape: [2], data: [1, 0] },
      },
      { metadata: { z: 'last', a: 'first' } },
    );
    const { n, headerText, header, raw, data } = handParse(bytes);
    expect(n % 8).toBe(0);
    expect(headerText.trimEnd().length).toBeGreaterThan(n - 8);
    expect(Object.keys(header)).toEqual(['__metadata__', 'delta', 'gamma', 'alpha', 'beta', 'zeta', 'eps']);
    expect(header.__metadata__).toEqual({ a: 'first', z: 'last' });
    expect(header.gamma).toEqual({ dtype: 'F64', shape: [1, 1], data_offsets: [16, 24] });
    expect(Array.from(raw('alpha'))).toEqual([0, 0, 0, 0x3f, 0, 0, 0x80, 0xbf]);
    expect(Array.from(raw('beta'))).toEqual([0x00, 0x3c]);
    expect(Array.from(raw('delta'))).toEqual([
      0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 1, 0, 0,
    ]);
    expect(new DataView(raw('gamma').slice().buffer).getFloat64(0, true)).toBe(Math.PI);
    expect(Array.from(raw('zeta'))).toEqual([1, 2, 3]);
    expect(Array.from(raw('eps'))).toEqual([1, 0]);
    expect(data.length).toBe(16 + 8 + 8 + 2 + 3 + 2);
  });

  it('writes an empty file as a padded "{}"', () => {
    expect(Array.from(writeSafetensors({}))).toEqual(Array.from(buildFile('{}      ')));
    expect(readSafetensors(buildFile('{}')).tensors.size).toBe(0);
  });
});

// ------------------------------------------------------------------------------------ exact round trips

describe('safetensors round trips', () => {
  it('keeps F32 bits exactly: NaN payloads (quiet and signalling), -0, subnormals, infinities', () => {
    const bits = new Uint32Array([
      0x7fc00001, 0x7f800001, 0xffc12345, 0x80000000, 0x00000001, 0x807fffff, 0x7f800000, 0x3f800000,
    ]);
    const values = new Float32Array(bits.buffer);
    const read = readSafetensors(writeSafetensors({ x: { dtype: 'F32', shape: [8], data: values } }));
    expect(bitsOf32(read.tensors.get('x')!.data as Float32Array)).toEqual(Array.from(bits));
  });

  it('keeps F64 bits exactly with keepFloat64', () => {
    const bits = new BigUint64Array([
      0x7ff8000000000001n,
      0x7ff0000000000001n,
      0x8000000000000000n,
      1n,
      0x3fb999999999999an,
    ]);
    const values = new Float64Array(bits.buffer);
    const bytes = writeSafetensors({ x: { dtype: 'F64', shape: [5], data: values } });
    const read = readSafetensors(bytes, { keepFloat64: true });
    expect(bitsOf64(read.tensors.get('x')!.data as Float64Array)).toEqual(Array.from(bits));
  });

  it('keeps F16 and BF16 bits exactly (every pattern, NaN payloads included)', () => {
    const halfBits = Uint16Array.from({ length: 0x10000 }, (_, i) => i);
    const asF32 = new Float32Array(Uint32Array.from(halfBits, float16BitsToFloat32Bits).buffer);
    const asBf = new Float32Array(Uint32Array.from(halfBits, (b) => b << 16).buffer);
    const bytes = writeSafetensors({
      h: { dtype: 'F16', shape: [256, 256], data: asF32 },
      b: { dtype: 'BF16', shape: [0x10000], data: asBf },
    });
    const hand = handParse(bytes);
    const rawHalf = hand.raw('h');
    expect(Array.from(new Uint16Array(rawHalf.slice().buffer))).toEqual(Array.from(halfBits));
    const rawBf = hand.raw('b');
    expect(Array.from(new Uint16Array(rawBf.slice().buffer))).toEqual(Array.from(halfBits));
    const read = readSafetensors(bytes);
    expect(bitsOf32(read.tensors.get('h')!.data as Float32Array)).toEqual(bitsOf32(asF32));
    expect(bitsOf32(read.tensors.get('b')!.data as Float32Array)).toEqual(bitsOf32(asBf));
  });

  it('round-trips integer dtypes at their extremes, BOOL, scalars and empty tensors', () => {
    const inputs: Record<string, SafetensorsTensorInput> = {
      u8: { dtype: 'U8', shape: [3], data: [0, 1, 255] },
      i8: { dtype: 'I8', shape: [3], data: [-128, 0, 127] },
      u16: { dtype: 'U16', shape: [2], data: [0, 65535] },
      i16: { dtype: 'I16', shape: [2], data: [-32768, 32767] },
      i32: { dtype: 'I32', shape: [2], data: new Int32Array([-(2 ** 31), 2 ** 31 - 1]) },
      u32: { dtype: 'U32', shape: [2], data: [0, 2 ** 31 - 1] },
      i64: { dtype: 'I64', shape: [2], data: [-(2 ** 31), 2 ** 31 - 1] },
      u64: { dtype: 'U64', shape: [2], data: [0, 2 ** 31 - 1] },
      flag: { dtype: 'BOOL', shape: [4], data: [1, 0, 0, 1] },
      scalar: { dtype: 'F32', shape: [], data: [42] },
      empty: { dtype: 'F16', shape: [2, 0, 3], data: [] },
    };
    const { tensors } = readSafetensors(writeSafetensors(inputs));
    for (const [name, input] of Object.entries(inputs)) {
      const got = tensors.get(name)!;
      expect(got.dtype, name).toBe(input.dtype);
      expect(got.shape, name).toEqual(input.shape);
      expect(Array.from(got.data), name).toEqual(Array.from(input.data));
    }
  });

  it('stores I64/U64 beyond int32 (hand-checked bytes) and refuses to read them into int32', () => {
    const bytes = writeSafetensors({ big: { dtype: 'I64', shape: [2], data: [1, -(2 ** 53) + 1] } });
    const raw = handParse(bytes).raw('big');
    expect(new DataView(raw.slice().buffer).getBigInt64(8, true)).toBe(-(2n ** 53n) + 1n);
    expectCorrupt(
      () => readSafetensors(bytes),
      /"big" \(I64\): value -9007199254740991 at flat index 1 does not fit in int32/,
    );
    const unsigned = writeSafetensors({ u: { dtype: 'U32', shape: [1], data: [2 ** 31] } });
    expectCorrupt(() => readSafetensors(unsigned), /"u" \(U32\): value 2147483648/);
    const u64 = writeSafetensors({ u: { dtype: 'U64', shape: [1], data: [2 ** 32] } });
    expectCorrupt(() => readSafetensors(u64), /value 4294967296/);
  });

  it('rounds float64 inputs once, to nearest even, for F16/BF16', () => {
    const bytes = writeSafetensors({
      h: { dtype: 'F16', shape: [3], data: [1 + 2 ** -11, 1 + 2 ** -11 + 2 ** -40, 70000] },
      b: { dtype: 'BF16', shape: [2], data: new Float64Array([1 + 2 ** -8, 1 + 2 ** -8 + 2 ** -40]) },
    });
    const { raw } = handParse(bytes);
    expect(Array.from(new Uint16Array(raw('h').slice().buffer))).toEqual([0x3c00, 0x3c01, 0x7c00]);
    expect(Array.from(new Uint16Array(raw('b').slice().buffer))).toEqual([0x3f80, 0x3f81]);
  });

  it('reports F64 narrowing through console.warn by default', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      readSafetensors(
        writeSafetensors({
          a: { dtype: 'F64', shape: [1], data: [0.1] },
          b: { dtype: 'F64', shape: [], data: [1] },
        }),
      );
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(/F64 tensors "a", "b" rounded to float32.*keepFloat64/);
    } finally {
      warn.mockRestore();
    }
  });

  it('accepts ArrayBuffers and Node Buffers at any byte offset', () => {
    const bytes = writeSafetensors({ x: { dtype: 'F32', shape: [2], data: [1, 2] } });
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect(Array.from(readSafetensors(shifted.subarray(3)).tensors.get('x')!.data)).toEqual([1, 2]);
    expect(Array.from(readSafetensors(bytes.slice().buffer).tensors.get('x')!.data)).toEqual([1, 2]);
    expect(Array.from(readSafetensors(Buffer.from(bytes)).tensors.get('x')!.data)).toEqual([1, 2]);
  });
});

// ------------------------------------------------------------------------------------ reader validation

describe('safetensors reader rejects corrupt files with SafetensorsError', () => {
  const entry = (dtype: string, shape: unknown, offsets: unknown) =>
    `{"dtype":${JSON.stringify(dtype)},"shape":${JSON.stringify(shape)},"data_offsets":${JSON.stringify(offsets)}}`;

  it('checks the header length', () => {
    expectCorrupt(() => readSafetensors(new Uint8Array(5)), /at least 8 bytes.*got 5/);
    expectCorrupt(() => readSafetensors(buildFile('{}', [], 0n)), /header length 0 is too small/);
    expectCorrupt(() => readSafetensors(buildFile('{}', [], 3n)), /header length 3 exceeds the 2 bytes/);
    expectCorrupt(
      () => readSafetensors(buildFile('{}', [], 2n ** 63n + 2n)),
      /header length 9223372036854775810 exceeds/,
    );
    expectCorrupt(
      () => readSafetensors(buildFile('{}', [], 100_000_001n)),
      /exceeds the 100000000-byte limit/,
    );
    expectCorrupt(
      () => readSafetensors(buildFile('{}', [], 2n ** 32n + 2n)),
      /exceeds the 100000000-byte limit/,
    );
  });

  it('checks UTF-8, JSON syntax and structure', () => {
    const badUtf8 = buildFile('{"a":1}');
    badUtf8[10] = 0xff;
    expectCorrupt(() => readSafetensors(badUtf8), /not valid UTF-8/);
    expectCorrupt(() => readSafetensors(buildFile('\ufeff{}')), /must start with '\{'/);
    expectCorrupt(() => readSafetensors(buildFile(' {}')), /must start with '\{'/);
    expectCorrupt(() => readSafetensors(buildFile('{"a":')), /unexpected end of input/);
    expectCorrupt(() => readSafetensors(buildFile('{} x')), /trailing characters/);
    expectCorrupt(() => readSafetensors(buildFile('{}\u0000')), /trailing characters/);
    expectCorrupt(() => readSafetensors(buildFile('{"a":"\\ud800"}')), /lone high surrogate/);
    expectCorrupt(
      () => readSafetensors(buildFile(`{"a":${'['.repeat(100)}${']'.repeat(100)}}`)),
      /nesting deeper/,
    );
    expectCorrupt(() => readSafetensors(buildFile('{"a":[1,2,]}')), /unexpected character/);
    expectCorrupt(
      () => readSafetensors(buildFile('{"a":5}')),
      /tensor "a": expected an object, got the number 5/,
    );
  });

  it('refuses duplicate names, including escaped spellings', () => {
    const a = entry('U8', [1], [0, 1]);
    expectCorrupt(() => readSafetensors(buildFile(`{"a":${a},"a":${a}}`, [1])), /duplicate key "a"/);
    expectCorrupt(() => readSafetensors(buildFile(`{"a":${a},"\\u0061":${a}}`, [1])), /duplicate key "a"/);
    expectCorrupt(
      () =>
        readSafetensors(buildFile(`{"a":{"dtype":"U8","dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, [1])),
      /duplicate key "dtype"/,
    );
  });

  it('checks dtypes, shapes and offsets', () => {
    expectCorrupt(
      () => readSafetensors(buildFile(`{"a":${entry('F17', [1], [0, 4])}}`, [0, 0, 0, 0])),
      /"a"\.dtype: expected one of BOOL.*got 'F17'/,
    );
    expectCorrupt(
      () => readSafetensors(buildFile(`{"a":${entry('C64', [1], [0, 8])}}`, new Array(8).fill(0))),
      /'C64' is not supported/,
    );
    expectCorrupt(
      () => readSafetensors(buildFile(`{"a":{"shape":[1],"data_offsets":[0,1]}}`, [0])),
      /"a"\.dtype: expected a string, got nothing/,
    );
    expectCorrupt(
      () => readSafetensors(buildFile(`{"a":${entry('U8', [-1], [0, 1])}}`, [0])),
      /shape\[0\]: expected a non-negative integer below 2\^53, got -1/,
    );
    expectCorrupt(
      () => readSafetensors(buildFile(`{"a":{"dtype":"U8","shape":[1.0],"data_offsets":[0,1]}}`, [0])),
      /got 1\.0/,
    );
    expectCorrupt(
      () => readSafetensors(buildFile(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1e0]}}`, [0])),
      /data_offsets\[1\].*got 1e0/,
    );
    expectCorrupt(
      () => readSafetensors(buildFile(`{"a":${entry('U8', '1', [0, 1])}}`, [0])),
      /shape: expected an array, got a string/,
    );
    expectCorrupt(
      () => readSafetensors(buildFile(`{"a":${entry('U8', [1], [0])}}`, [0])),
      /data_offsets: expected \[begin, end\], got an array of length 1/,
    );
    expectCorrupt(
      () => readSafetensors(buildFile(`{"a":${entry('U8', [1], ['0', 1])}}`, [0])),
      /data_offsets\[0\]: expected a non-negative integer, got a string/,
    );
    expectCorrupt(
      () => readSafetensors(buildFile(`{"a":${entry('F32', [2], [0, 4])}}`, [0, 0, 0, 0])),
      /shape \[2\] of F32 needs 8 bytes, but data_offsets \[0, 4\] span 4/,
    );
    expectCorrupt(
      () => readSafetensors(buildFile(`{"a":${entry('U8', [1], [1, 0])}}`, [0])),
      /end 0 is before begin 1/,
    );
    expectCorrupt(
      () => readSafetensors(buildFile(`{"a":${entry('U8', [4], [0, 4])}}`, [0])),
      /end 4 is past the end of the 1-byte buffer/,
    );
    expectCorrupt(
      () =>
        readSafetensors(
          buildFile(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,18446744073709551617]}}`, [0]),
        ),
      /below 2\^53, got 18446744073709551617/,
    );
    expectCorrupt(
      () =>
        readSafetensors(buildFile(`{"a":${entry('F64', [2 ** 40, 2 ** 40], [0, 8])}}`, new Array(8).fill(0))),
      /too large/,
    );
    expectCorrupt(
      () => readSafetensors(buildFile(`{"a":${entry('U8', [2 ** 26, 2 ** 26, 2 ** 26], [0, 1])}}`, [0])),
      /too large/,
    );
  });

  it('requires the tensors to tile the byte buffer exactly', () => {
    const a = entry('U8', [2], [0, 2]);
    expectCorrupt(
      () => readSafetensors(buildFile(`{"a":${a},"b":${entry('U8', [2], [1, 3])}}`, [0, 0, 0])),
      /"b" starts at byte 1, overlapping tensor "a" which ends at byte 2/,
    );
    expectCorrupt(
      () => readSafetensors(buildFile(`{"a":${a},"b":${entry('U8', [1], [3, 4])}}`, [0, 0, 0, 0])),
      /"b" starts at byte 3, leaving a gap after byte 2/,
    );
    expectCorrupt(
      () => readSafetensors(buildFile(`{"a":${a}}`, [0, 0, 0])),
      /cover 2 bytes but the byte buffer holds 3/,
    );
    expectCorrupt(() => readSafetensors(buildFile(`{"a":${a},"b":${a}}`, [0, 0])), /overlapping/);
    expectCorrupt(() => readSafetensors(buildFile('{}', [0])), /cover 0 bytes but the byte buffer holds 1/);
    // Zero-sized tensors may sit anywhere inside the buffer, in any order.
    const ok = `{"z":${entry('F32', [0], [2, 2])},"b":${entry('U8', [1], [2, 3])},"a":${a},"y":${entry('I64', [3, 0], [3, 3])}}`;
    expect(readSafetensors(buildFile(ok, [1, 2, 3])).tensors.size).toBe(4);
  });

  it('checks __metadata__', () => {
    expectCorrupt(
      () => readSafetensors(buildFile('{"__metadata__":{"a":1}}')),
      /__metadata__\["a"\]: expected a string, got the number 1/,
    );
    expectCorrupt(
      () => readSafetensors(buildFile('{"__metadata__":[]}')),
      /__metadata__: expected an object of strings/,
    );
    expect(readSafetensors(buildFile('{"__metadata__":null}')).metadata).toEqual({});
    const proto = readSafetensors(buildFile('{"__metadata__":{"__proto__":"x"}}')).metadata;
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.hasOwn(proto, '__proto__')).toBe(true);
  });

  it('parses a header on its own, given the file size', () => {
    const bytes = writeSafetensors({ w: { dtype: 'F32', shape: [1000], data: new Float32Array(1000) } });
    const headerOnly = bytes.subarray(0, 8 + handParse(bytes).n);
    const header = parseSafetensorsHeader(headerOnly, { fileSize: bytes.length });
    expect(header.tensors).toEqual([{ name: 'w', dtype: 'F32', shape: [1000], dataOffsets: [0, 4000] }]);
    expect(header.dataStart).toBe(headerOnly.length);
    expectCorrupt(() => parseSafetensorsHeader(headerOnly), /end 4000 is past the end of the 0-byte buffer/);
    expect(() => parseSafetensorsHeader(headerOnly, { fileSize: 3 })).toThrow(ArgumentError);
  });

  it('rejects non-byte inputs with ArgumentError', () => {
    expect(() => readSafetensors([1, 2, 3] as unknown as Uint8Array)).toThrow(
      /bytes: expected a Uint8Array or ArrayBuffer, got an object of type Array/,
    );
    expect(() => readSafetensors('abc' as unknown as Uint8Array)).toThrow(ArgumentError);
  });
});

// ------------------------------------------------------------------------------------ writer validation

describe('safetensors writer validates its inputs', () => {
  const write = (t: unknown, o?: unknown) => () => writeSafetensors(t as never, o as never);

  it('throws ShapeError for bad shapes and length mismatches', () => {
    expect(write({ w: { dtype: 'F32', shape: [2, 3], data: [1, 2, 3, 4, 5] } })).toThrow(ShapeError);
    expect(write({ w: { dtype: 'F32', shape: [2, 3], data: [1, 2, 3, 4, 5] } })).toThrow(
      /tensors\["w"\]\.data: expected 6 values for shape \[2, 3\], got 5/,
    );
    expect(write({ w: { dtype: 'F32', shape: [-1], data: [] } })).toThrow(
      /tensors\["w"\]\.shape\[0\]: expected a non-negative integer, got -1/,
    );
    expect(write({ w: { dtype: 'F32', shape: [1.5], data: [] } })).toThrow(ShapeError);
    expect(write({ w: { dtype: 'F32', shape: 3, data: [] } })).toThrow(/shape: expected an array/);
  });

  it('throws ArgumentError for unsupported dtypes, reserved names, bad values and metadata', () => {
    expect(write({ w: { dtype: 'F8_E4M3', shape: [1], data: [1] } })).toThrow(ArgumentError);
    expect(write({ w: { dtype: 'float32', shape: [1], data: [1] } })).toThrow(
      /tensors\["w"\]\.dtype: expected one of 'BOOL'.*got 'float32'/,
    );
    expect(write({ __metadata__: { dtype: 'F32', shape: [1], data: [1] } })).toThrow(/reserved/);
    expect(write({ '\ud800': { dtype: 'F32', shape: [1], data: [1] } })).toThrow(/lone UTF-16 surrogate/);
    expect(write({ w: { dtype: 'U8', shape: [2], data: [1, 256] } })).toThrow(
      /tensors\["w"\]\.data\[1\]: expected an integer in \[0, 255\] for U8, got 256/,
    );
    expect(write({ w: { dtype: 'I32', shape: [1], data: [0.5] } })).toThrow(ArgumentError);
    expect(write({ w: { dtype: 'I64', shape: [1], data: [2 ** 60] } })).toThrow(ArgumentError);
    expect(write({ w: { dtype: 'BOOL', shape: [1], data: [2] } })).toThrow(
      /expected 0, 1, true or false for BOOL, got 2/,
    );
    expect(write({ w: { dtype: 'F32', shape: [1], data: ['1'] } })).toThrow(
      /data\[0\]: expected a number, got '1'/,
    );
    expect(write({ w: { dtype: 'F32', shape: [1], data: 'x' } })).toThrow(
      /data: expected an array or typed array/,
    );
    expect(write({ w: 5 })).toThrow(/expected a tfjs tensor or \{ dtype, shape, data \}/);
    expect(write([])).toThrow(/tensors: expected an object/);
    expect(write({}, { metadata: { a: 1 } })).toThrow(/options\.metadata\["a"\]: expected a string, got 1/);
    expect(write({}, { floatDtype: 'F8' })).toThrow(/options\.floatDtype/);
  });

  it('accepts booleans for BOOL', () => {
    const bytes = writeSafetensors({
      m: { dtype: 'BOOL', shape: [2], data: [true, false] as unknown as number[] },
    });
    expect(Array.from(handParse(bytes).raw('m'))).toEqual([1, 0]);
  });
});

// ------------------------------------------------------------------------------------ property tests

const WRITABLE: SafetensorsWritableDtype[] = [
  'F32',
  'F16',
  'BF16',
  'F64',
  'I8',
  'U8',
  'I16',
  'U16',
  'I32',
  'U32',
  'I64',
  'U64',
  'BOOL',
];
const INT_RANGE: Record<string, [number, number]> = {
  I8: [-128, 127],
  U8: [0, 255],
  I16: [-32768, 32767],
  U16: [0, 65535],
  I32: [-(2 ** 31), 2 ** 31 - 1],
  U32: [0, 2 ** 31 - 1],
  I64: [-(2 ** 31), 2 ** 31 - 1],
  U64: [0, 2 ** 31 - 1],
};

/** A random tensor plus the exact data we expect back (float data as raw bits). */
const tensorArb = fc
  .record({
    dtype: fc.constantFrom(...WRITABLE),
    shape: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
  })
  .chain(({ dtype, shape }) => {
    const count = shape.reduce((a, b) => a * b, 1);
    const n = { minLength: count, maxLength: count };
    let data: fc.Arbitrary<ArrayLike<number>>;
    if (dtype === 'F32')
      data = fc
        .array(fc.nat({ max: 0xffffffff }), n)
        .map((b) => new Float32Array(Uint32Array.from(b).buffer));
    else if (dtype === 'F64')
      data = fc
        .array(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), n)
        .map((b) => new Float64Array(BigUint64Array.from(b).buffer));
    else if (dtype === 'F16')
      data = fc
        .array(fc.nat({ max: 0xffff }), n)
        .map((b) => new Float32Array(Uint32Array.from(b, float16BitsToFloat32Bits).buffer));
    else if (dtype === 'BF16')
      data = fc
        .array(fc.nat({ max: 0xffff }), n)
        .map((b) => new Float32Array(Uint32Array.from(b, (x) => x << 16).buffer));
    else if (dtype === 'BOOL') data = fc.array(fc.constantFrom(0, 1), n);
    else data = fc.array(fc.integer({ min: INT_RANGE[dtype]![0], max: INT_RANGE[dtype]![1] }), n);
    return data.map((d): SafetensorsTensorInput => ({ dtype, shape, data: d }));
  });

const nameArb = fc.string({ unit: 'binary', maxLength: 6 }).filter((s) => s !== '__metadata__');
const tensorSetArb = fc.dictionary(nameArb, tensorArb, { maxKeys: 5 });
const metadataArb = fc.option(
  fc.dictionary(nameArb, fc.string({ unit: 'binary', maxLength: 8 }), { maxKeys: 3 }),
  { nil: undefined },
);

function exactBits(data: ArrayLike<number>): unknown[] {
  if (data instanceof Float32Array) return bitsOf32(data);
  if (data instanceof Float64Array) return bitsOf64(data);
  return Array.from(data);
}

/** A hostile JSON value, written as raw text (so integers beyond 2^64, `1.0`, `-0` and `1e3` survive). */
const hostileNumberText = fc.oneof(
  fc.integer({ min: -5, max: 40 }).map(String),
  fc.constantFrom(
    '1.0',
    '-0',
    '1e3',
    '0.5',
    '9007199254740993',
    '18446744073709551616',
    '1e400',
    '-1',
    '1099511627776',
  ),
  fc.double().map((d) => (Number.isFinite(d) ? JSON.stringify(d) : '0')),
);
const hostileValueText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: hostileNumberText },
  fc.constantFrom('null', 'true', '"F32"', '{}', '[]', '"x"'),
  fc.array(hostileNumberText, { maxLength: 4 }).map((a) => `[${a.join(',')}]`),
);
const hostileEntryText = fc
  .record({
    dtype: fc.oneof(
      fc.constantFrom('"F32"', '"U8"', '"F16"', '"I64"', '"BOOL"', '"F8_E4M3"'),
      hostileValueText,
    ),
    shape: fc.oneof(
      fc.array(hostileNumberText, { maxLength: 3 }).map((a) => `[${a.join(',')}]`),
      hostileValueText,
    ),
    offsets: fc.oneof(
      fc.tuple(hostileNumberText, hostileNumberText).map(([a, b]) => `[${a},${b}]`),
      hostileValueText,
    ),
    drop: fc.constantFrom('', 'dtype', 'shape', 'data_offsets'),
  })
  .map(({ dtype, shape, offsets, drop }) => {
    const parts = [`"dtype":${dtype}`, `"shape":${shape}`, `"data_offsets":${offsets}`].filter(
      (p) => !p.startsWith(`"${drop}"`) || drop === '',
    );
    return `{${parts.join(',')}}`;
  });
const hostileFileArb = fc
  .record({
    entries: fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', '__metadata__'), hostileEntryText), {
      maxLength: 4,
    }),
    data: fc.uint8Array({ maxLength: 48 }),
    lie: fc.option(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { freq: 4, nil: undefined }),
  })
  .map(({ entries, data, lie }) =>
    buildFile(`{${entries.map(([k, v]) => `"${k}":${v}`).join(',')}}`, data, lie),
  );

describe('safetensors property tests', () => {
  it('random valid tensor sets round-trip exactly, with a well-formed layout', () => {
    fc.assert(
      fc.property(tensorSetArb, metadataArb, (tensors, metadata) => {
        const bytes = writeSafetensors(tensors, metadata === undefined ? {} : { metadata });
        // Layout checked by hand: padded header, offsets contiguous from 0, each aligned to its item size.
        const hand = handParse(bytes);
        expect(hand.n % 8).toBe(0);
        const spans = Object.entries(hand.header).filter(([k]) => k !== '__metadata__');
        let cursor = 0;
        for (const [, info] of spans) {
          expect(info.data_offsets[0]).toBe(cursor);
          const size =
            { F64: 8, I64: 8, U64: 8, F32: 4, I32: 4, U32: 4, F16: 2, BF16: 2, I16: 2, U16: 2 }[info.dtype] ??
            1;
          expect(info.data_offsets[0] % size).toBe(0);
          cursor = info.data_offsets[1];
        }
        expect(cursor).toBe(hand.data.length);

        const read = readSafetensors(bytes, { keepFloat64: true });
        expect([...read.tensors.keys()].sort()).toEqual(Object.keys(tensors).sort());
        expect(read.metadata).toEqual({ ...metadata });
        for (const [name, input] of Object.entries(tensors)) {
          const got = read.tensors.get(name)!;
          expect(got.dtype).toBe(input.dtype);
          expect(got.shape).toEqual(input.shape);
          expect(exactBits(got.data)).toEqual(exactBits(input.data));
        }
        // Writing the same set again gives identical bytes (determinism).
        expect(writeSafetensors(tensors, metadata === undefined ? {} : { metadata })).toEqual(bytes);
      }),
      { numRuns: 150 },
    );
  });

  it('random byte strings only ever raise SafetensorsError', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 96 }),
        fc.option(fc.nat({ max: 100 }), { nil: undefined }),
        (bytes, length) => {
          if (length !== undefined && bytes.length >= 8)
            new DataView(bytes.buffer).setUint32(0, length, true);
          onlySafetensorsError(() => readSafetensors(bytes, quiet));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('truncated valid files always raise SafetensorsError', () => {
    fc.assert(
      fc.property(tensorSetArb, fc.nat(), (tensors, cut) => {
        const bytes = writeSafetensors(tensors);
        const truncated = bytes.subarray(0, cut % bytes.length);
        expect(onlySafetensorsError(() => readSafetensors(truncated, quiet))).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('corrupted bytes in valid files only ever raise SafetensorsError', () => {
    fc.assert(
      fc.property(
        tensorSetArb,
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 4 }),
        (tensors, edits) => {
          const bytes = writeSafetensors(tensors);
          for (const [at, value] of edits) bytes[at % bytes.length] = value;
          onlySafetensorsError(() => readSafetensors(bytes, quiet));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('hostile headers only ever raise SafetensorsError, and whatever parses is consistent', () => {
    fc.assert(
      fc.property(hostileFileArb, (bytes) => {
        let header: ReturnType<typeof parseSafetensorsHeader> | undefined;
        if (!onlySafetensorsError(() => (header = parseSafetensorsHeader(bytes)))) return;
        // Accepted: then every tensor's span matches its shape and the spans tile the buffer.
        const sizes: Record<string, number> = { F32: 4, U8: 1, F16: 2, I64: 8, BOOL: 1, F8_E4M3: 1 };
        let total = 0;
        for (const t of header!.tensors) {
          expect(t.shape.reduce((a, b) => a * b, 1) * sizes[t.dtype]!).toBe(
            t.dataOffsets[1] - t.dataOffsets[0],
          );
          total += t.dataOffsets[1] - t.dataOffsets[0];
        }
        expect(total).toBe(bytes.length - header!.dataStart);
        onlySafetensorsError(() => readSafetensors(bytes, quiet));
      }),
      { numRuns: 400 },
    );
  });

  it('duplicate keys anywhere in the JSON text are refused', () => {
    fc.assert(
      fc.property(
        tensorSetArb.filter((t) => Object.keys(t).length > 0),
        fc.nat(),
        (tensors, pick) => {
          const hand = handParse(writeSafetensors(tensors));
          const names = Object.keys(hand.header);
          const name = names[pick % names.length]!;
          const duplicated = hand.headerText
            .trimEnd()
            .replace(/\}$/, `,${JSON.stringify(name)}:${JSON.stringify(hand.header[name])}}`);
          expectCorrupt(() => readSafetensors(buildFile(duplicated, hand.data)), /duplicate key/);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('header lengths with high bits set are refused without allocating', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 2n ** 27n, max: 2n ** 64n - 1n }),
        fc.uint8Array({ maxLength: 32 }),
        (length, rest) => {
          expectCorrupt(() => readSafetensors(buildFile('', rest, length)), /header length \d+ exceeds/);
        },
      ),
      { numRuns: 100 },
    );
  });
});

// ------------------------------------------------------------------------------------ tensors and files

describe.each(testBackends())('safetensors with tfjs tensors on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('writes float32/int32/bool tensors and reads them back as tensors, without leaks', () => {
    const before = tf.memory().numTensors;
    const inputs = {
      f: tf.tensor2d([
        [1.5, -2],
        [Number.NaN, 3e-39],
      ]),
      i: tf.tensor1d([-7, 2 ** 31 - 1], 'int32'),
      b: tf.tensor1d([true, false, true], 'bool'),
      s: tf.scalar(0.25),
    };
    const bytes = writeSafetensors(inputs);
    const half = writeSafetensors({ f: inputs.f }, { floatDtype: 'F16' });
    const out = readSafetensorsToTensors(bytes);
    expect(out.f!.dtype).toBe('float32');
    expect(out.i!.dtype).toBe('int32');
    expect(out.b!.dtype).toBe('bool');
    expect(out.f!.shape).toEqual([2, 2]);
    expect(out.s!.shape).toEqual([]);
    expect(bitsOf32(out.f!.dataSync() as Float32Array)).toEqual(
      bitsOf32(inputs.f.dataSync() as Float32Array),
    );
    expect(Array.from(out.i!.dataSync())).toEqual([-7, 2 ** 31 - 1]);
    expect(Array.from(out.b!.dataSync())).toEqual([1, 0, 1]);
    expect(handParse(half).header.f!.dtype).toBe('F16');
    expect(Array.from(handParse(half).raw('f'))).toEqual([0x00, 0x3e, 0x00, 0xc0, 0x00, 0x7e, 0x00, 0x00]);
    tf.dispose([...Object.values(inputs), ...Object.values(out)]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reads every integer dtype as int32 tensors and F64 as float32', () => {
    const before = tf.memory().numTensors;
    const bytes = writeSafetensors({
      a: { dtype: 'U8', shape: [2], data: [0, 255] },
      b: { dtype: 'I64', shape: [1], data: [-9] },
      c: { dtype: 'F64', shape: [1], data: [0.1] },
    });
    const warnings: string[] = [];
    const out = readSafetensorsToTensors(bytes, { onWarning: (m) => warnings.push(m) });
    expect(out.a!.dtype).toBe('int32');
    expect(Array.from(out.b!.dataSync())).toEqual([-9]);
    expect(out.c!.dtype).toBe('float32');
    expect(out.c!.dataSync()[0]).toBe(Math.fround(0.1));
    expect(warnings).toHaveLength(1);
    tf.dispose(Object.values(out));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses complex and disposed tensors', () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor1d([1, 2]);
    tf.dispose(x);
    expect(() => writeSafetensors({ x })).toThrow(/tensors\["x"\]: the tensor is disposed/);
    const z = tf.tidy(() => tf.complex(tf.tensor1d([1]), tf.tensor1d([2])));
    expect(() => writeSafetensors({ z })).toThrow(
      /tensors\["z"\]: tensors of dtype 'complex64' cannot be stored/,
    );
    tf.dispose(z);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('safetensors files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tensorloom-io-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('saves and loads through the file system', async () => {
    const path = join(dir, 'w.safetensors');
    await saveSafetensorsFile(
      path,
      { w: { dtype: 'BF16', shape: [2], data: [1, -0.5] } },
      { metadata: { step: '7' } },
    );
    const { tensors, metadata } = await loadSafetensorsFile(path);
    expect(metadata).toEqual({ step: '7' });
    expect(Array.from(tensors.get('w')!.data)).toEqual([1, -0.5]);
  });

  it('reports missing and corrupt files with typed errors', async () => {
    await expect(loadSafetensorsFile(join(dir, 'nope.safetensors'))).rejects.toThrow(
      /path: no file at '.*nope\.safetensors'/,
    );
    await expect(loadSafetensorsFile('')).rejects.toThrow(ArgumentError);
    const bad = join(dir, 'bad.safetensors');
    await writeFile(bad, new Uint8Array([1, 2, 3]));
    await expect(loadSafetensorsFile(bad)).rejects.toThrow(SafetensorsError);
    await expect(
      saveSafetensorsFile(join(dir, 'x.safetensors'), { w: { dtype: 'F32', shape: [2], data: [1] } }),
    ).rejects.toThrow(ShapeError);
  });
});
