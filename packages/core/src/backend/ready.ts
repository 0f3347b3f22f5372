import type { KernelConfig } from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { ArgumentError, TensorloomError } from '../errors/errors.js';
import { tf } from '../setup.js';
import { BRIDGED_KERNEL_NAMES, bridgedKernels } from './kernels/bridged.js';
import { complexKernels, installComplexStorage } from './kernels/complex.js';
import { conv2dBackpropFilterKernel } from './kernels/convFilter.js';
import { unsortedSegmentSumKernel } from './kernels/segment.js';

/** Backends Tensorloom knows how to select. */
export type BackendName = 'wasm' | 'cpu' | 'webgl' | 'webgpu';

/** All {@link BackendName}s, in no particular order. */
export const BACKEND_NAMES: readonly BackendName[] = ['wasm', 'cpu', 'webgl', 'webgpu'];

/** Options for {@link ready}. */
export interface ReadyOptions {
  /**
   * Which backend to use. `'auto'` (the default) picks WASM then CPU in Node, and WebGPU, WebGL, WASM,
   * CPU in browsers (the first that initialises). In Node the environment variable `TENSORLOOM_BACKEND`
   * overrides `'auto'`.
   */
  backend?: BackendName | 'auto';
  /**
   * Where the WASM binaries live: a directory prefix or a map of the three file names to URLs. Leave
   * unset in Node (the installed package's own files are used, offline). Must be set before the first
   * WASM initialisation; `usePlatformFetch` is never used.
   */
  wasmPaths?: string | Record<string, string>;
}

/** What {@link backendInfo} reports about the active backend. */
export interface BackendInfo {
  /** Active tfjs backend name. */
  name: string;
  /** `'node'` or `'browser'`. */
  environment: 'node' | 'browser';
  /** Whether the WASM binary in use has SIMD (null when the backend is not WASM). */
  simd: boolean | null;
  /** WASM threads in use (always 1 in Node; null when the backend is not WASM). */
  threads: number | null;
  /** Kernels Tensorloom registered for the active backend because it lacked them. */
  filledKernels: string[];
  /** tfjs-core version. */
  tfjsVersion: string;
  /** Why a preferred backend was skipped, when `'auto'` fell back. */
  fallbackReason?: string;
}

const isNode: boolean =
  typeof process !== 'undefined' && process.versions != null && process.versions.node != null;

const filledByBackend = new Map<string, string[]>();
let fallbackReason: string | undefined;
let wasmPathsSet = false;

/** Registers, once per backend, the kernels that backend lacks. Idempotent. */
export function fillKernels(backendName: string): string[] {
  const done = filledByBackend.get(backendName);
  if (done !== undefined) return done;
  const native: KernelConfig[] =
    backendName === 'wasm'
      ? [unsortedSegmentSumKernel(backendName), conv2dBackpropFilterKernel(backendName)]
      : [];
  const candidates: KernelConfig[] = [
    ...complexKernels(backendName),
    ...native,
    ...bridgedKernels(backendName),
  ];
  const filled: string[] = [];
  for (const config of candidates) {
    if (tf.getKernel(config.kernelName, backendName) === undefined) {
      tf.registerKernel(config);
      filled.push(config.kernelName);
    }
  }
  filledByBackend.set(backendName, filled);
  return filled;
}

async function trySet(name: BackendName): Promise<boolean> {
  if (tf.findBackendFactory(name) === null) return false;
  try {
    const ok = await tf.setBackend(name);
    if (!ok) return false;
    await tf.ready();
    return true;
  } catch (error) {
    fallbackReason = `${name}: ${(error as Error).message}`;
    return false;
  }
}

/**
 * Initialises TensorFlow.js for Tensorloom: selects the backend, fills the kernels it lacks (FFT and
 * complex numbers, Einsum, convolution filter gradients, segment sums on WASM) and resolves with
 * {@link backendInfo}. Call once before any tensor work; calling again switches backends.
 *
 * @throws {@link ArgumentError} for an unknown backend name
 * @throws {@link TensorloomError} when the requested backend cannot start
 *
 * @example
 * ```ts
 * import { ready, tf } from '@tensorloom/core';
 * const info = await ready();           // WASM in Node, offline
 * console.log(info.name, info.simd);    // 'wasm' true
 * await ready({ backend: 'cpu' });      // switch to the pure-JS backend
 * ```
 */
export async function ready(options: ReadyOptions = {}): Promise<BackendInfo> {
  let requested: string = options.backend ?? 'auto';
  if (requested === 'auto' && isNode && process.env.TENSORLOOM_BACKEND) {
    requested = process.env.TENSORLOOM_BACKEND;
  }
  if (requested !== 'auto' && !(BACKEND_NAMES as readonly string[]).includes(requested)) {
    throw new ArgumentError(
      `backend: expected one of 'auto', ${BACKEND_NAMES.map((b) => `'${b}'`).join(', ')}, got '${requested}'`,
    );
  }
  if (options.wasmPaths !== undefined && !wasmPathsSet) {
    setWasmPaths(options.wasmPaths as string);
    wasmPathsSet = true;
  }
  // The kernel bridge and the tests need the CPU backend alive alongside the chosen one. Its first
  // write prints advice to install tfjs-node, which cannot install offline; Tensorloom uses WASM instead.
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu !== null && 'firstUse' in cpu) cpu.firstUse = false;
  fallbackReason = undefined;
  const order: BackendName[] =
    requested === 'auto'
      ? isNode
        ? ['wasm', 'cpu']
        : ['webgpu', 'webgl', 'wasm', 'cpu']
      : [requested as BackendName];
  let chosen: BackendName | undefined;
  for (const name of order) {
    if (await trySet(name)) {
      chosen = name;
      break;
    }
  }
  if (chosen === undefined) {
    throw new TensorloomError(
      `backend: could not initialise ${order.map((b) => `'${b}'`).join(', ')}` +
        (fallbackReason ? ` (${fallbackReason})` : ''),
    );
  }
  fillKernels(chosen);
  if (chosen === 'wasm') installComplexStorage(tf.backend());
  return backendInfo();
}

function wasmSimd(): boolean {
  try {
    return Boolean(tf.env().get('WASM_HAS_SIMD_SUPPORT'));
  } catch {
    return false;
  }
}

/**
 * Describes the active backend: its name, environment, WASM SIMD and threads, the kernels Tensorloom
 * filled for it, and the tfjs version.
 *
 * @example
 * ```ts
 * const { name, filledKernels } = backendInfo();
 * ```
 */
export function backendInfo(): BackendInfo {
  const name = tf.getBackend();
  const isWasm = name === 'wasm';
  const info: BackendInfo = {
    name,
    environment: isNode ? 'node' : 'browser',
    simd: isWasm ? wasmSimd() : null,
    threads: isWasm ? getThreadsCount() : null,
    filledKernels: [...(filledByBackend.get(name) ?? [])],
    tfjsVersion: tf.version_core,
  };
  if (fallbackReason !== undefined) info.fallbackReason = fallbackReason;
  return info;
}

/** Names of kernels that are filled by bridging to the CPU backend (the rest of the fills are native). */
export { BRIDGED_KERNEL_NAMES };
