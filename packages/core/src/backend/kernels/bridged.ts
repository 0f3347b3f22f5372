import type { KernelConfig } from '@tensorflow/tfjs';
import { bridgedKernel } from './bridge.js';

/**
 * Kernels the WASM backend lacks that are filled by running the CPU backend's implementation on
 * copied data. They are training-time or rarely hot kernels; each is covered by a wasm-vs-cpu test.
 */
export const BRIDGED_KERNEL_NAMES: readonly string[] = [
  'Einsum',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'LRN',
  'LRNGrad',
];

/** Kernel configs that bridge {@link BRIDGED_KERNEL_NAMES} to the CPU backend for `backendName`. */
export function bridgedKernels(backendName: string): KernelConfig[] {
  return BRIDGED_KERNEL_NAMES.map((name) => bridgedKernel(name, backendName));
}
