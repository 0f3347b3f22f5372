import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { tf } from '../../setup.js';

/** Minimal view of a backend that can move raw data in and out synchronously. */
interface SyncBackend {
  readSync(dataId: object): ArrayLike<number> | Uint8Array[];
  write(values: unknown, shape: number[], dtype: string): object;
  makeTensorInfo?(shape: number[], dtype: string, values?: unknown): TensorInfo;
  makeOutput?(shape: number[], dtype: string, memoryOffset?: number, values?: unknown): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

/** Creates a tensor on `backend` from values: `makeTensorInfo` (CPU, WebGL) or `makeOutput` (WASM). */
function makeOn(backend: SyncBackend, shape: number[], dtype: string, values: unknown): TensorInfo {
  if (backend.makeTensorInfo !== undefined) return backend.makeTensorInfo(shape, dtype, values);
  if (backend.makeOutput !== undefined) return backend.makeOutput(shape, dtype, undefined, values);
  throw new Error('Tensorloom: backend can make neither tensor infos nor outputs');
}

function cpuBackend(): SyncBackend {
  const cpu = tf.findBackend('cpu') as unknown as SyncBackend | null;
  if (cpu === null)
    throw new Error('Tensorloom: the tfjs CPU backend is not available for the kernel bridge');
  return cpu;
}

/**
 * Runs the CPU backend's implementation of `kernelName` on data held by another backend: the inputs
 * are copied into the CPU backend, the CPU kernel runs, and its outputs are copied back and freed.
 * Used for kernels the WASM backend lacks where a dedicated implementation would not pay off
 * (rare training-time kernels). Dedicated kernels (FFT, complex) are registered instead where speed matters.
 */
export function bridgedKernel(kernelName: string, backendName: string): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, attrs, backend }) => {
    const cpuKernel = tf.getKernel(kernelName, 'cpu');
    if (cpuKernel === undefined) throw new Error(`Tensorloom: no CPU kernel '${kernelName}' to bridge`);
    const cpu = cpuBackend();
    const target = backend as unknown as SyncBackend;
    const moved: TensorInfo[] = [];
    const toCpu = (t: TensorInfo): TensorInfo => {
      const values = target.readSync(t.dataId);
      const info = makeOn(cpu, t.shape, t.dtype, values);
      moved.push(info);
      return info;
    };
    const cpuInputs: Record<string, TensorInfo> | TensorInfo[] = Array.isArray(inputs)
      ? (inputs as TensorInfo[]).map(toCpu)
      : Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, toCpu(v as TensorInfo)]));
    try {
      const out = cpuKernel.kernelFunc({
        inputs: cpuInputs as never,
        attrs,
        backend: cpu as never,
      });
      const outs = Array.isArray(out) ? out : [out];
      const results = outs.map((o) => {
        const values = cpu.readSync(o.dataId);
        cpu.disposeData(o.dataId, true);
        return makeOn(target, o.shape, o.dtype, values);
      });
      return Array.isArray(out) ? results : results[0]!;
    } finally {
      for (const m of moved) cpu.disposeData(m.dataId, true);
    }
  };
  return { kernelName, backendName, kernelFunc };
}
