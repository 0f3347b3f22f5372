import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { ArgumentError } from '../errors/errors.js';
import type { Tensor } from '../setup.js';
import { tf } from '../setup.js';

/** The Emscripten module behind the WASM backend: its memory, allocator and heap view. */
interface EmscriptenModule {
  asm?: { memory?: unknown };
  HEAPU8: Uint8Array;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
}

/** What the WASM backend offers for reading and writing tensors in place on its heap. */
interface HeapBackend {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
  wasm?: EmscriptenModule;
  dataIdMap?: { get(dataId: unknown): { memoryOffset: number } | undefined };
}

/**
 * A 98-byte WebAssembly function that gathers 4-byte elements inside the backend's own memory (imported, not
 * copied): `g(x, out, idx, rows, nIn, nOut)` with byte offsets, `idx` holding byte offsets into a row:
 * for r < rows, j < nOut: out[r·nOut + j] = x[r·nIn + idx[j] / 4]. About 2.5× faster than the same loop in JS.
 */
// biome-ignore format: a hand-assembled byte table, one instruction per line
const GATHER_WASM = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x0a, 0x01, 0x60, 0x06, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x00, // type: (i32 ×6) → ()
  0x02, 0x08, 0x01, 0x01, 0x65, 0x01, 0x6d, 0x02, 0x00, 0x01, // import e.m: memory, min 1 page
  0x03, 0x02, 0x01, 0x00, // one function of type 0
  0x07, 0x05, 0x01, 0x01, 0x67, 0x00, 0x00, // export "g"
  0x0a, 0x64, 0x01, 0x62, // code: one body of 98 bytes
  0x01, 0x04, 0x7f, // locals r, ib, p, end: i32
  0x02, 0x40, 0x03, 0x40, // block, loop (rows)
  0x20, 6, 0x20, 3, 0x4f, 0x0d, 1, // if r >= rows break
  0x20, 0, 0x20, 6, 0x20, 4, 0x6c, 0x41, 2, 0x74, 0x6a, 0x21, 7, // ib = x + (r·nIn << 2)
  0x20, 2, 0x21, 8, // p = idx
  0x20, 2, 0x20, 5, 0x41, 2, 0x74, 0x6a, 0x21, 9, // end = idx + (nOut << 2)
  0x02, 0x40, 0x03, 0x40, // block, loop (columns)
  0x20, 8, 0x20, 9, 0x4f, 0x0d, 1, // if p >= end break
  0x20, 1, 0x20, 7, 0x20, 8, 0x28, 2, 0, 0x6a, 0x28, 2, 0, 0x36, 2, 0, // *out = *(ib + *p)
  0x20, 1, 0x41, 4, 0x6a, 0x21, 1, // out += 4
  0x20, 8, 0x41, 4, 0x6a, 0x21, 8, // p += 4
  0x0c, 0, 0x0b, 0x0b, // continue; end loop, block
  0x20, 6, 0x41, 1, 0x6a, 0x21, 6, // r += 1
  0x0c, 0, 0x0b, 0x0b, // continue; end loop, block
  0x0b, // end function
]);

type WasmGather = (x: number, out: number, idx: number, rows: number, nIn: number, nOut: number) => void;

/** The gather function instantiated on each backend memory (null where that failed: the JS loop is used). */
const wasmGathers = new WeakMap<object, WasmGather | null>();
/** Per module: each index array's byte-offset copy on the heap (freed when the index array is collected). */
const heapIndices = new WeakMap<object, WeakMap<Int32Array, number>>();
const heapFree = new FinalizationRegistry<{ module: EmscriptenModule; pointer: number }>(
  ({ module, pointer }) => module._free(pointer),
);

function wasmGatherFor(module: EmscriptenModule): WasmGather | null {
  const cached = wasmGathers.get(module);
  if (cached !== undefined) return cached;
  let fn: WasmGather | null = null;
  try {
    const memory = module.asm?.memory;
    if (memory instanceof WebAssembly.Memory && memory.buffer === module.HEAPU8.buffer) {
      const instance = new WebAssembly.Instance(new WebAssembly.Module(GATHER_WASM), { e: { m: memory } });
      fn = instance.exports.g as unknown as WasmGather;
    }
  } catch {
    fn = null;
  }
  wasmGathers.set(module, fn);
  return fn;
}

/**
 * Whether gathers on the active backend run the WebAssembly loop (WASM backend, instantiated on its memory);
 * for tests and diagnostics, not exported from the package.
 */
export function wasmGatherActive(): boolean {
  const heap = tf.backend() as unknown as HeapBackend;
  return tf.getBackend() === 'wasm' && heap.wasm !== undefined && wasmGatherFor(heap.wasm) !== null;
}

/** Copies `safe` (as byte offsets within a row) onto the module's heap; the caller frees the pointer. */
function copyToHeap(module: EmscriptenModule, safe: Int32Array): number {
  const pointer = module._malloc(Math.max(4, 4 * safe.length));
  new Int32Array(module.HEAPU8.buffer, pointer, safe.length).set(safe.map((k) => 4 * k));
  return pointer;
}

/** Byte offset of `safe` on the module's heap for a private index copy (see {@link checkIndices}), copied once. */
function heapIndex(module: EmscriptenModule, idx: Int32Array, safe: Int32Array): number {
  let table = heapIndices.get(module);
  if (!table) {
    table = new WeakMap();
    heapIndices.set(module, table);
  }
  const hit = table.get(idx);
  if (hit !== undefined) return hit;
  const pointer = copyToHeap(module, safe);
  table.set(idx, pointer);
  heapFree.register(idx, { module, pointer });
  return pointer;
}

/** The gather on the WASM heap by the WASM loop; false when unavailable (the caller falls back to JS). */
function gatherOnHeap(
  heap: HeapBackend,
  x: TensorInfo,
  out: TensorInfo,
  idx: Int32Array,
  nIn: number,
): boolean {
  const module = heap.wasm;
  const xInfo = heap.dataIdMap?.get(x.dataId);
  const oInfo = heap.dataIdMap?.get(out.dataId);
  if (!module || !xInfo || !oInfo) return false;
  const fn = wasmGatherFor(module);
  if (!fn) return false;
  const { safe, zeros, runs } = prepareIndex(idx);
  if (runs !== null) return false; // long runs: block copies in JS are faster
  const rows = rowsOf(x);
  if (rows === 0 || idx.length === 0) return true;
  // a private (reused) index keeps its heap copy; a one-off index (from a number[]) is freed right away
  const cached = privateCopies.has(idx);
  const pointer = cached ? heapIndex(module, idx, safe) : copyToHeap(module, safe);
  try {
    fn(xInfo.memoryOffset, oInfo.memoryOffset, pointer, rows, nIn, idx.length);
  } finally {
    if (!cached) module._free(pointer);
  }
  if (zeros.length > 0) {
    const os = heap.typedArrayFromHeap(out);
    for (let r = 0; r < rows; r++)
      for (let z = 0; z < zeros.length; z++) os[r * idx.length + (zeros[z] as number)] = 0;
  }
  return true;
}

/** What the CPU backend offers: its value store and output construction, both without copies. */
interface CpuBackend {
  data: { get(dataId: unknown): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array | Int32Array): TensorInfo;
}

type Values = Float32Array | Int32Array;

const GATHER = 'TensorloomGatherColumns';
const SCATTER = 'TensorloomScatterColumns';

interface ColumnAttrs {
  indices: Int32Array;
  size: number;
}

/** A gather index prepared for fast loops: zero columns split off, contiguous runs found. */
interface Prepared {
  /** idx with −1 replaced by 0 (those columns are zeroed afterwards). */
  safe: Int32Array;
  /** Output columns that are zero (idx = −1). */
  zeros: Int32Array;
  /** (source, destination, length) triples of contiguous runs, when runs are long enough to copy as blocks. */
  runs: Int32Array | null;
}

const preparedCache = new WeakMap<Int32Array, Prepared>();

function prepareIndex(idx: Int32Array): Prepared {
  const hit = preparedCache.get(idx);
  if (hit) return hit;
  const safe = Int32Array.from(idx, (k) => Math.max(k, 0));
  const zeroList: number[] = [];
  idx.forEach((k, j) => {
    if (k < 0) zeroList.push(j);
  });
  const zeros = Int32Array.from(zeroList);
  const runs: number[] = [];
  for (let j = 0; j < idx.length; ) {
    const k = idx[j] as number;
    let len = 1;
    if (k >= 0) while (j + len < idx.length && idx[j + len] === k + len) len++;
    if (k >= 0) runs.push(k, j, len);
    j += len;
  }
  // block copies (TypedArray.set on a fresh subarray) pay ~100 ns per call: worth it only for long runs
  const p: Prepared = {
    safe,
    zeros,
    runs: runs.length * 64 <= 3 * idx.length ? Int32Array.from(runs) : null,
  };
  preparedCache.set(idx, p);
  return p;
}

/** out[r, j] = x[r, idx[j]] (0 where idx[j] < 0); `rows` rows of `nIn` → `nOut` columns. */
function gatherLoop(xs: Values, os: Values, idx: Int32Array, rows: number, nIn: number): void {
  const nOut = idx.length;
  const { safe, zeros, runs } = prepareIndex(idx);
  if (runs !== null) {
    if (zeros.length > 0) os.fill(0);
    for (let r = 0; r < rows; r++) {
      const ib = r * nIn;
      const ob = r * nOut;
      for (let q = 0; q < runs.length; q += 3) {
        const s = ib + (runs[q] as number);
        os.set(xs.subarray(s, s + (runs[q + 2] as number)), ob + (runs[q + 1] as number));
      }
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    const ib = r * nIn;
    const ob = r * nOut;
    for (let j = 0; j < nOut; j++) os[ob + j] = xs[ib + (safe[j] as number)] as number;
    for (let z = 0; z < zeros.length; z++) os[ob + (zeros[z] as number)] = 0;
  }
}

/** out[r, idx[j]] += x[r, j] (idx[j] < 0 dropped); `rows` rows of `idx.length` → `size` columns (zeroed first). */
function scatterLoop(xs: Values, os: Values, idx: Int32Array, rows: number, size: number): void {
  const nIn = idx.length;
  os.fill(0);
  for (let r = 0; r < rows; r++) {
    const ib = r * nIn;
    const ob = r * size;
    for (let j = 0; j < nIn; j++) {
      const k = idx[j] as number;
      if (k >= 0) os[ob + k] = (os[ob + k] as number) + (xs[ib + j] as number);
    }
  }
}

function outShape(x: TensorInfo, columns: number): number[] {
  return [...x.shape.slice(0, -1), columns];
}

function rowsOf(x: TensorInfo): number {
  return x.shape.slice(0, -1).reduce((p, d) => p * d, 1);
}

function kernel(name: string, backendName: string): KernelConfig {
  const gather = name === GATHER;
  const kernelFunc: KernelFunc = ({ inputs, attrs, backend }) => {
    const { x } = inputs as { x: TensorInfo };
    const { indices, size } = attrs as unknown as ColumnAttrs;
    const columns = gather ? indices.length : size;
    const nIn = x.shape[x.shape.length - 1] as number;
    const shape = outShape(x, columns);
    const rows = rowsOf(x);
    const loop = (xs: Values, os: Values): void =>
      gather ? gatherLoop(xs, os, indices, rows, nIn) : scatterLoop(xs, os, indices, rows, size);
    if (backendName === 'wasm') {
      const heap = backend as unknown as HeapBackend;
      // allocate first: the heap may grow (and move) on allocation, so views are taken afterwards
      const out = heap.makeOutput(shape, x.dtype);
      if (!(gather && gatherOnHeap(heap, x, out, indices, nIn))) {
        loop(heap.typedArrayFromHeap(x) as Values, heap.typedArrayFromHeap(out) as Values);
      }
      return out;
    }
    const cpu = backend as unknown as CpuBackend;
    const xs = cpu.data.get(x.dataId).values as Values;
    const os = x.dtype === 'int32' ? new Int32Array(rows * columns) : new Float32Array(rows * columns);
    loop(xs, os);
    return cpu.makeTensorInfo(shape, x.dtype, os);
  };
  return { kernelName: name, backendName, kernelFunc };
}

/** Backends with an in-place kernel (registered on first use). */
const NATIVE = new Set(['wasm', 'cpu']);

function hasKernel(): boolean {
  const backendName = tf.getBackend();
  if (!NATIVE.has(backendName)) return false;
  for (const name of [GATHER, SCATTER]) {
    if (tf.getKernel(name, backendName) === undefined) tf.registerKernel(kernel(name, backendName));
  }
  return true;
}

/**
 * Per caller `Int32Array`: a private copy of its indices (validated, with its largest index), which every cache
 * below (prepared loops, the heap copy) is keyed by. Each call compares the caller's array with the copy (O(n),
 * small next to the gather's rows × n), so an index mutated after use is validated and prepared afresh instead of
 * running stale (or out-of-range) cached indices.
 */
const owned = new WeakMap<Int32Array, { copy: Int32Array; top: number }>();
/** The private copies of {@link owned} (their heap copies are kept; other index arrays are one-off). */
const privateCopies = new WeakSet<Int32Array>();

function sameContents(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return false;
  return true;
}

/** Checks that every index is an integer in [−1, bound); returns an index array that nobody else mutates. */
function checkIndices(indices: Int32Array | readonly number[], bound: number, name: string): Int32Array {
  const rangeError = (j: number, v: number): ArgumentError =>
    new ArgumentError(`${name}[${j}] must be in [-1, ${bound}) (−1 = zero column), got ${v}`);
  if (!(indices instanceof Int32Array)) {
    (indices as readonly number[]).forEach((v, j) => {
      if (!Number.isInteger(v)) throw new ArgumentError(`${name}[${j}] must be an integer, got ${v}`);
      if (v < -1 || v >= bound) throw rangeError(j, v);
    });
    return Int32Array.from(indices as number[]);
  }
  const hit = owned.get(indices);
  if (hit !== undefined && hit.top < bound && sameContents(hit.copy, indices)) return hit.copy;
  let top = -1;
  for (let j = 0; j < indices.length; j++) {
    const v = indices[j] as number;
    if (v < -1 || v >= bound) throw rangeError(j, v);
    if (v > top) top = v;
  }
  const copy = indices.slice();
  owned.set(indices, { copy, top });
  privateCopies.add(copy);
  return copy;
}

function checkTensor(x: Tensor, name: string): void {
  if (!(x instanceof tf.Tensor)) throw new ArgumentError(`${name} must be a tf.Tensor`);
  if (x.rank < 1) throw new ArgumentError(`${name} must have rank ≥ 1, got a scalar`);
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new ArgumentError(`${name} must be float32 or int32, got ${x.dtype}`);
  }
}

function runGather(x: Tensor, idx: Int32Array): Tensor {
  if (hasKernel()) {
    const attrs: ColumnAttrs = { indices: idx, size: idx.length };
    return tf.engine().runKernel(GATHER, { x }, attrs as unknown as NamedAttrMap) as Tensor;
  }
  return tf.tidy(() => {
    const n = x.shape[x.rank - 1] as number;
    const zero = tf.zeros([...x.shape.slice(0, -1), 1], x.dtype);
    const padded = tf.concat([x, zero], x.rank - 1);
    const safe = Int32Array.from(idx, (k) => (k < 0 ? n : k));
    return tf.gather(padded, tf.tensor1d(safe, 'int32'), x.rank - 1);
  });
}

function runScatter(x: Tensor, idx: Int32Array, size: number): Tensor {
  if (hasKernel()) {
    const attrs: ColumnAttrs = { indices: idx, size };
    return tf.engine().runKernel(SCATTER, { x }, attrs as unknown as NamedAttrMap) as Tensor;
  }
  return tf.tidy(() => {
    const last = x.rank - 1;
    const perm = [last, ...Array.from({ length: last }, (_, a) => a)];
    const moved = tf.transpose(x, perm);
    const summed = tf.unsortedSegmentSum(moved, tf.tensor1d(idx, 'int32'), size);
    const back = [...Array.from({ length: last }, (_, a) => a + 1), 0];
    return tf.transpose(summed, back);
  });
}

function gatherOp(idx: Int32Array, size: number): (x: Tensor) => Tensor {
  return tf.customGrad((x, save) => {
    void save;
    return {
      value: runGather(x as Tensor, idx),
      gradFunc: (dy) => scatterOp(idx, size)(dy as Tensor),
    };
  }) as (x: Tensor) => Tensor;
}

function scatterOp(idx: Int32Array, size: number): (x: Tensor) => Tensor {
  return tf.customGrad((x, save) => {
    void save;
    return {
      value: runScatter(x as Tensor, idx, size),
      gradFunc: (dy) => gatherOp(idx, size)(dy as Tensor),
    };
  }) as (x: Tensor) => Tensor;
}

/**
 * Gathers columns of the last axis with a fixed index list: `out[..., j] = x[..., indices[j]]`, and zero where
 * `indices[j] = −1` (padding). Repeats are allowed. Differentiable (the gradient scatters back, summing repeats).
 *
 * On WASM it is one pass of a tiny WebAssembly loop instantiated on the backend's own memory (no copies: about
 * 0.6 ns per element, against ≈ 30 for `tf.gather` on WASM), or JS block copies where the index has long
 * contiguous runs; on the CPU backend a JS loop over its arrays; elsewhere
 * `tf.gather`. Meant for constant permutations and layout changes inside models (reordering, interleaving,
 * column blocks); an `Int32Array` index is validated and prepared once and should be reused across calls (it is
 * compared with its prepared copy on every call, so mutating it afterwards is safe but prepares it again).
 *
 * @param x - float32 or int32 tensor `[..., n]`
 * @param indices - integers in [−1, n), length = the new last axis
 * @returns `[..., indices.length]`, same dtype
 * @throws {@link ArgumentError} for an index out of range, a non-tensor or an unsupported dtype
 *
 * @example
 * ```ts
 * const swapped = gatherColumns(x, Int32Array.of(1, 0, -1)); // [..., 3]: x₁, x₀, 0
 * ```
 */
export function gatherColumns(x: Tensor, indices: Int32Array | readonly number[]): Tensor {
  checkTensor(x, 'x');
  const n = x.shape[x.rank - 1] as number;
  const idx = checkIndices(indices, n, 'indices');
  return gatherOp(idx, n)(x);
}

/**
 * The adjoint of {@link gatherColumns}: `out[..., indices[j]] += x[..., j]` into `size` zero columns (entries with
 * `indices[j] = −1` are dropped). Differentiable (the gradient is the gather). Same backends and cost as
 * {@link gatherColumns}.
 *
 * @param x - float32 or int32 tensor `[..., indices.length]`
 * @param indices - integers in [−1, size)
 * @param size - length of the output's last axis
 * @returns `[..., size]`, same dtype
 * @throws {@link ArgumentError} for an index out of range, a length mismatch, a bad size or tensor
 */
export function scatterColumns(x: Tensor, indices: Int32Array | readonly number[], size: number): Tensor {
  checkTensor(x, 'x');
  if (!Number.isInteger(size) || size < 0) {
    throw new ArgumentError(`size must be a non-negative integer, got ${size}`);
  }
  const idx = checkIndices(indices, size, 'indices');
  if (idx.length !== x.shape[x.rank - 1]) {
    throw new ArgumentError(
      `indices must have one entry per column of x (${x.shape[x.rank - 1]}), got ${idx.length}`,
    );
  }
  return scatterOp(idx, size)(x);
}
