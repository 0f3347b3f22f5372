import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

interface HeapBackend {
  makeOutput(shape: number[], dtype: string, memoryOffset?: number, values?: unknown): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/**
 * `UnsortedSegmentSum` for the WASM backend as one pass over the data in JS (working on views of the
 * WASM heap): `out[s, …] = Σ_{i : ids[i] = s} x[i, …]`; ids outside `[0, numSegments)` are dropped, as
 * in TensorFlow. The CPU backend's kernel builds one comparison mask per segment, which costs
 * O(numSegments · size) and dozens of kernel launches — far too slow to bridge for gather gradients.
 */
export function unsortedSegmentSumKernel(backendName: string): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, attrs, backend }) => {
    const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
    const numSegments = (attrs as { numSegments: number }).numSegments;
    const heap = backend as unknown as HeapBackend;
    const idCount = segmentIds.shape.reduce((p, d) => p * d, 1);
    const innerShape = x.shape.slice(segmentIds.shape.length);
    const inner = innerShape.reduce((p, d) => p * d, 1);
    const out = heap.makeOutput([numSegments, ...innerShape], x.dtype);
    const xs = heap.typedArrayFromHeap(x);
    const ids = heap.typedArrayFromHeap(segmentIds);
    const os = heap.typedArrayFromHeap(out);
    os.fill(0);
    for (let i = 0; i < idCount; i++) {
      const s = ids[i]!;
      if (s < 0 || s >= numSegments) continue;
      const src = i * inner;
      const dst = s * inner;
      for (let j = 0; j < inner; j++) os[dst + j]! += xs[src + j]!;
    }
    return out;
  };
  return { kernelName: 'UnsortedSegmentSum', backendName, kernelFunc };
}
