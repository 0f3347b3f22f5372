import type { Tensor3D, TensorInfo } from '@tensorflow/tfjs';
import { tf } from '../setup.js';

/**
 * The parts of the tfjs WASM backend (`BackendWasm`) that a heap-aliased product touches. Tensors live in
 * the module heap at `memoryOffset`; the C++ side finds a tensor's memory by an integer id registered
 * with `registerTensor(id, size, memoryOffset)`, and `disposeData(id)` forgets the id (and drops any
 * XNNPACK operator cached for it) without freeing memory — freeing is the JS side's `_free`.
 */
interface WasmInternals {
  wasm: {
    cwrap(name: string, returnType: null, argTypes: string[]): (...args: unknown[]) => void;
    tfjs: {
      registerTensor(id: number, size: number, memoryOffset: number): void;
      disposeData(id: number): void;
    };
  };
  dataIdNextNumber: number;
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: string): TensorInfo;
}

type WasmBatchMatMul = (
  aId: number,
  aShape: Uint8Array,
  aRank: number,
  bId: number,
  bShape: Uint8Array,
  bRank: number,
  transposeA: boolean,
  transposeB: boolean,
  outId: number,
) => void;

const bound = new WeakMap<object, WasmBatchMatMul>();

function internals(): WasmInternals | null {
  const backend = tf.backend() as unknown as Partial<WasmInternals> | null;
  if (
    backend == null ||
    backend.wasm == null ||
    typeof backend.wasm.cwrap !== 'function' ||
    backend.wasm.tfjs == null ||
    typeof backend.wasm.tfjs.registerTensor !== 'function' ||
    typeof backend.wasm.tfjs.disposeData !== 'function' ||
    typeof backend.dataIdNextNumber !== 'number' ||
    backend.dataIdMap == null ||
    typeof backend.makeOutput !== 'function'
  ) {
    return null;
  }
  return backend as WasmInternals;
}

function kernelOf(backend: WasmInternals): WasmBatchMatMul {
  let f = bound.get(backend);
  if (f === undefined) {
    const args = ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number'];
    f = backend.wasm.cwrap('BatchMatMul', null, args) as unknown as WasmBatchMatMul;
    bound.set(backend, f);
  }
  return f;
}

/** Whether {@link heapBatchedProducts} can run on the active backend. */
export function canUseHeapBatch(): boolean {
  return tf.getBackend() === 'wasm' && internals() !== null;
}

const FLOAT_BYTES = 4;

/**
 * `c[i] = a[i] · b[i]` for float32 `a: [size, m, k]`, `b: [size, k, n]` on the WASM backend, each product
 * run by WASM's own `BatchMatMul` kernel on its XNNPACK path (batch 1, no transpose flags) over *views* into
 * the heap: for every i, temporary tensor ids are registered at `a`'s, `b`'s and the output's offsets for
 * slice i, the product is computed in place, and the ids are forgotten again. No slice, copy or concat; the
 * output is one fresh tensor. Not differentiable by itself (callers wrap it in a custom gradient).
 *
 * @returns the `[size, m, n]` product, or `null` when the active backend is not WASM (or the operands are not
 *   float32 tensors held by it)
 */
export function heapBatchedProducts(a: Tensor3D, b: Tensor3D): Tensor3D | null {
  const backend = internals();
  if (backend === null || tf.getBackend() !== 'wasm') return null;
  const dataA = backend.dataIdMap.get(a.dataId);
  const dataB = backend.dataIdMap.get(b.dataId);
  if (dataA === undefined || dataB === undefined || a.dtype !== 'float32' || b.dtype !== 'float32')
    return null;
  const [size, m, k] = a.shape;
  const n = b.shape[2];
  const info = backend.makeOutput([size, m, n], 'float32');
  const out = tf.engine().makeTensorFromTensorInfo(info) as Tensor3D;
  if (size === 0 || m === 0 || n === 0) return out;
  if (k === 0) {
    out.dispose();
    return tf.zeros([size, m, n]) as Tensor3D;
  }
  const run = kernelOf(backend);
  const offA = dataA.memoryOffset;
  const offB = dataB.memoryOffset;
  const offC = backend.dataIdMap.get(info.dataId)!.memoryOffset;
  const shapeA = new Uint8Array(new Int32Array([1, m, k]).buffer);
  const shapeB = new Uint8Array(new Int32Array([1, k, n]).buffer);
  const { registerTensor, disposeData } = backend.wasm.tfjs;
  for (let i = 0; i < size; i++) {
    const idA = backend.dataIdNextNumber++;
    const idB = backend.dataIdNextNumber++;
    const idC = backend.dataIdNextNumber++;
    registerTensor(idA, m * k, offA + i * m * k * FLOAT_BYTES);
    registerTensor(idB, k * n, offB + i * k * n * FLOAT_BYTES);
    registerTensor(idC, m * n, offC + i * m * n * FLOAT_BYTES);
    try {
      run(idA, shapeA, 3, idB, shapeB, 3, false, false, idC);
    } finally {
      // Forget the aliases (and XNNPACK's operator cached for idB); the memory belongs to a, b and out.
      disposeData(idA);
      disposeData(idB);
      disposeData(idC);
    }
  }
  return out;
}
