import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { runOnArrays } from '../../fft/kernel_io.js';
import {
  interleavedLayout,
  interleavedSource,
  interleavedTarget,
  type NumericArray,
  rowLayout,
  transformComplexLines,
} from '../../fft/lines.js';

/**
 * The parts of the tfjs WASM backend (`BackendWasm` in `@tensorflow/tfjs-backend-wasm`) that complex
 * storage touches. Tensors live in the module heap at `memoryOffset` with `bytesPerElement(dtype)`
 * bytes per element, which for `complex64` is 8: room for one interleaved (re, im) float32 pair.
 */
interface WasmBackendInternals {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number; dtype: string; shape: number[] } | undefined };
  readSync(dataId: object, start?: number, end?: number): unknown;
  typedArrayFromHeap(info: TensorInfo): NumericArray;
  makeOutput(shape: number[], dtype: string, memoryOffset?: number, values?: unknown): TensorInfo;
}

const COMPLEX_STORAGE = Symbol.for('tensorloom.complexStorage');

function isWasmBackend(backend: unknown): backend is WasmBackendInternals {
  const b = backend as Partial<WasmBackendInternals> | null;
  return (
    b != null &&
    typeof b.typedArrayFromHeap === 'function' &&
    typeof b.readSync === 'function' &&
    typeof b.makeOutput === 'function' &&
    b.dataIdMap != null &&
    b.wasm != null
  );
}

function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

/**
 * Teaches a WASM backend instance to hold `complex64` tensors, stored in its heap as interleaved
 * (re, im) float32 pairs (8 bytes per element, which the backend already allocates for complex64).
 * Patches the instance once (idempotent; other backends are left alone):
 *
 * - `readSync` (and so `read`, `dataSync`, `data`, `array`) returns the interleaved `Float32Array`
 *   that the CPU backend returns for complex tensors;
 * - `typedArrayFromHeap` returns an interleaved `Float32Array` view, so the WASM `Identity` kernel
 *   (`tf.clone`) copies complex tensors correctly.
 *
 * Writing (`write`/`move`/`makeOutput` with values) already copies `8·size` bytes, i.e. an interleaved
 * Float32Array, and disposal frees the heap block like any other tensor. Only the kernels of
 * {@link complexKernels} and dtype-agnostic ones (Reshape, Identity) may see complex64 inputs; other
 * WASM kernels would misread them, exactly as they lack complex support today.
 */
export function installComplexStorage(backend: unknown): void {
  if (!isWasmBackend(backend)) return;
  const marked = backend as unknown as Record<symbol, boolean>;
  if (marked[COMPLEX_STORAGE]) return;
  const readSync = backend.readSync.bind(backend);
  const typedArrayFromHeap = backend.typedArrayFromHeap.bind(backend);
  backend.readSync = (dataId: object, start?: number, end?: number) => {
    const data = backend.dataIdMap.get(dataId);
    if (data === undefined || data.dtype !== 'complex64') return readSync(dataId, start, end);
    const from = start ?? 0;
    const to = end ?? sizeOf(data.shape);
    const bytes = backend.wasm.HEAPU8.slice(data.memoryOffset + 8 * from, data.memoryOffset + 8 * to);
    return new Float32Array(bytes.buffer);
  };
  backend.typedArrayFromHeap = (info: TensorInfo) => {
    if (info.dtype !== 'complex64') return typedArrayFromHeap(info);
    const data = backend.dataIdMap.get(info.dataId)!;
    return new Float32Array(backend.wasm.HEAPU8.buffer, data.memoryOffset, 2 * sizeOf(info.shape));
  };
  marked[COMPLEX_STORAGE] = true;
}

/** Wraps a kernel so that complex storage is installed on the backend it runs on before it reads data. */
function withComplexStorage(kernelFunc: KernelFunc): KernelFunc {
  return (args) => {
    installComplexStorage(args.backend);
    return kernelFunc(args);
  };
}

const complexKernel: KernelFunc = ({ inputs, backend }) => {
  const { real, imag } = inputs as { real: TensorInfo; imag: TensorInfo };
  const [out] = runOnArrays(
    backend,
    [real, imag],
    [{ shape: [...real.shape], dtype: 'complex64' }],
    ([re, im], [z]) => {
      for (let i = 0, n = re!.length; i < n; i++) {
        z![2 * i] = re![i]!;
        z![2 * i + 1] = im![i]!;
      }
    },
  );
  return out!;
};

/** Real or imaginary part; a real (non-complex) input has itself as real part and zero imaginary part. */
function partKernel(part: 0 | 1): KernelFunc {
  return ({ inputs, backend }) => {
    const { input } = inputs as { input: TensorInfo };
    const complex = input.dtype === 'complex64';
    const [out] = runOnArrays(
      backend,
      [input],
      [{ shape: [...input.shape], dtype: 'float32' }],
      ([z], [y]) => {
        const n = y!.length;
        if (complex) {
          for (let i = 0; i < n; i++) y![i] = z![2 * i + part]!;
        } else if (part === 0) {
          for (let i = 0; i < n; i++) y![i] = z![i]!;
        } else {
          y!.fill(0);
        }
      },
    );
    return out!;
  };
}

const complexAbsKernel: KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as { x: TensorInfo };
  const [out] = runOnArrays(backend, [x], [{ shape: [...x.shape], dtype: 'float32' }], ([z], [y]) => {
    for (let i = 0, n = y!.length; i < n; i++) y![i] = Math.hypot(z![2 * i]!, z![2 * i + 1]!);
  });
  return out!;
};

/** FFT or IFFT over the innermost axis of a complex64 tensor (IFFT with the 1/n factor), as on CPU. */
function fftKernel(inverse: boolean): KernelFunc {
  return ({ inputs, backend }) => {
    const { input } = inputs as { input: TensorInfo };
    const shape = [...input.shape];
    const n = shape[shape.length - 1] ?? 1;
    const rows = n === 0 ? 0 : sizeOf(shape) / n;
    const [out] = runOnArrays(backend, [input], [{ shape, dtype: 'complex64' }], ([z], [y]) => {
      if (rows === 0) return;
      const layout = interleavedLayout(rowLayout(rows, n));
      transformComplexLines(
        n,
        interleavedSource(z!),
        layout,
        interleavedTarget(y!),
        layout,
        inverse,
        inverse ? 1 / n : 1,
      );
    });
    return out!;
  };
}

/**
 * Native (non-bridged) kernels for complex numbers and FFT on backends that lack them: `Complex`,
 * `Real`, `Imag`, `ComplexAbs`, `FFT`, `IFFT`. They need the complex storage of
 * {@link installComplexStorage}, so they are offered only for `'wasm'` (other backends ship their own);
 * FFT/IFFT run Tensorloom's float64 typed-array FFT (any length) over the innermost axis, batched.
 *
 * Gradients: tfjs registers none for `FFT`, `IFFT`, `Complex`, `Real` or `Imag` (on any backend), so
 * `tf.grad` through `tf.spectral.*` fails; the differentiable path is Tensorloom's `fft1d`/`fft2d`/
 * `rfft1d`/… ops on `{ re, im }` float32 pairs.
 */
export function complexKernels(backendName: string): KernelConfig[] {
  if (backendName !== 'wasm') return [];
  const kernels: [string, KernelFunc][] = [
    ['Complex', complexKernel],
    ['Real', partKernel(0)],
    ['Imag', partKernel(1)],
    ['ComplexAbs', complexAbsKernel],
    ['FFT', fftKernel(false)],
    ['IFFT', fftKernel(true)],
  ];
  return kernels.map(([kernelName, kernelFunc]) => ({
    kernelName,
    backendName,
    kernelFunc: withComplexStorage(kernelFunc),
  }));
}
