import type { TensorInfo } from '@tensorflow/tfjs';
import type { NumericArray } from './lines.js';

/** What a JS kernel needs to produce one output: its shape and dtype. */
export interface OutputSpec {
  shape: number[];
  dtype: 'float32' | 'complex64';
}

/** A backend that keeps tensors in a WASM heap (the tfjs WASM backend). */
interface HeapBackend {
  makeOutput(shape: number[], dtype: string, memoryOffset?: number, values?: unknown): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): NumericArray;
}

/** A backend that reads and makes tensors from JS arrays (CPU, WebGL, WebGPU). */
interface ArrayBackend {
  readSync(dataId: object): unknown;
  makeTensorInfo(shape: number[], dtype: string, values?: unknown): TensorInfo;
}

function isHeapBackend(backend: unknown): backend is HeapBackend {
  const b = backend as Partial<HeapBackend> | null;
  return b != null && typeof b.typedArrayFromHeap === 'function' && typeof b.makeOutput === 'function';
}

function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

/**
 * Runs a JS kernel body on typed arrays, on any backend. `compute` receives the inputs (read-only) and
 * freshly allocated outputs (float32; complex64 as interleaved re/im pairs) and must write every output
 * element. On the WASM backend the outputs are allocated in the heap first and all arrays are views of
 * the heap (no copies, and no allocation happens while the views are alive, so they stay valid); other
 * backends read inputs with `readSync` and take the output arrays as new tensor data.
 */
export function runOnArrays(
  backend: unknown,
  inputs: readonly TensorInfo[],
  outputs: readonly OutputSpec[],
  compute: (inputs: NumericArray[], outputs: Float32Array[]) => void,
): TensorInfo[] {
  if (isHeapBackend(backend)) {
    const infos = outputs.map((o) => backend.makeOutput(o.shape, o.dtype));
    const ins = inputs.map((t) => backend.typedArrayFromHeap(t));
    const outs = infos.map((t) => backend.typedArrayFromHeap(t) as Float32Array);
    compute(ins, outs);
    return infos;
  }
  if (outputs.some((o) => o.dtype === 'complex64')) {
    throw new Error('Tensorloom: complex64 outputs from JS kernels need a heap backend (WASM)');
  }
  const arrays = backend as ArrayBackend;
  const ins = inputs.map((t) => arrays.readSync(t.dataId) as NumericArray);
  const outs = outputs.map((o) => new Float32Array(sizeOf(o.shape) * (o.dtype === 'complex64' ? 2 : 1)));
  compute(ins, outs);
  return outputs.map((o, i) => arrays.makeTensorInfo(o.shape, o.dtype, outs[i]));
}
