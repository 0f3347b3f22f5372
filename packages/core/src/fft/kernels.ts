/**
 * Three tfjs kernels behind the differentiable FFT ops, registered lazily for whichever backend is
 * active (they run in JS on typed arrays, so every backend can host them):
 *
 * - `TensorloomFFT` — inputs `{re, im}`, outputs `[re, im]`: `scale · F` (or `scale · conj F` when
 *   `inverse`) over the last `axes` (1 or 2) axes.
 * - `TensorloomRFFT` — input `{x}`, outputs `[re, im]` with the last axis W → ⌊W/2⌋+1:
 *   `scale · M · P · F x` (P keeps the first ⌊W/2⌋+1 bins of the last axis, M multiplies interior bins
 *   by `interiorWeight`).
 * - `TensorloomIRFFT` — inputs `{re, im}`, output `x` with the last axis ⌊W/2⌋+1 → `width`:
 *   `scale · Re(Fᴴ · Pᵀ · M · X)`.
 *
 * Each kernel's gradient is another of these kernels (the adjoint): FFT(inverse, s) ↔ FFT(!inverse, s),
 * and RFFT(s, m) ↔ IRFFT(s, m) with the same attributes, since for real inputs
 * (s·M·P·F)ᵀ = s·Re(Fᴴ·Pᵀ·M ·). So gradients of any order stay inside the three kernels.
 *
 * @module
 */
import type {
  GradConfig,
  KernelConfig,
  KernelFunc,
  NamedAttrMap,
  Tensor,
  TensorInfo,
} from '@tensorflow/tfjs';
import { tf } from '../setup.js';
import { runOnArrays } from './kernel_io.js';
import {
  columnLayout,
  halfSpectrumLength,
  halfToRealLines,
  realToHalfLines,
  rowLayout,
  splitSource,
  splitTarget,
  transformComplexLines,
} from './lines.js';

/** Kernel names of the differentiable FFT ops. */
export const SPECTRAL_KERNEL_NAMES: {
  readonly complex: 'TensorloomFFT';
  readonly realToHalf: 'TensorloomRFFT';
  readonly halfToReal: 'TensorloomIRFFT';
} = { complex: 'TensorloomFFT', realToHalf: 'TensorloomRFFT', halfToReal: 'TensorloomIRFFT' };

/** Attributes of `TensorloomFFT`. */
export interface ComplexTransformAttrs {
  /** Use e^{+2πi…} (no implicit 1/n; put it in `scale`). */
  inverse: boolean;
  /** Factor applied to the output. */
  scale: number;
  /** Transform the last 1 or 2 axes. */
  axes: 1 | 2;
}

/** Attributes of `TensorloomRFFT` and `TensorloomIRFFT` (a kernel and its adjoint share them). */
export interface RealTransformAttrs {
  /** Factor applied to the output. */
  scale: number;
  /** Transform the last 1 or 2 axes. */
  axes: 1 | 2;
  /** Weight of the interior bins (1: plain real FFT and its adjoint; 2: inverse real FFT and its adjoint). */
  interiorWeight: number;
  /** Length of the real side's last axis (RFFT input, IRFFT output). */
  width: number;
}

function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

/** Splits a shape into (batch, height, width) for a transform over its last `axes` axes. */
function frame(shape: readonly number[], axes: 1 | 2): { batch: number; height: number; width: number } {
  const width = shape[shape.length - 1]!;
  const height = axes === 2 ? shape[shape.length - 2]! : 1;
  const per = height * width;
  return { batch: per === 0 ? 0 : sizeOf(shape) / per, height, width };
}

const complexTransformKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const { re, im } = inputs as { re: TensorInfo; im: TensorInfo };
  const { inverse, scale, axes } = attrs as unknown as ComplexTransformAttrs;
  const shape = re.shape;
  const { batch, height, width } = frame(shape, axes);
  const spec = { shape: [...shape], dtype: 'float32' as const };
  return runOnArrays(backend, [re, im], [spec, spec], ([xr, xi], [yr, yi]) => {
    if (batch === 0) return;
    const target = splitTarget(yr!, yi!);
    const rows = rowLayout(batch * height, width);
    transformComplexLines(width, splitSource(xr!, xi!), rows, target, rows, inverse, axes === 1 ? scale : 1);
    if (axes === 2) {
      const columns = columnLayout(batch, height, width);
      transformComplexLines(height, target, columns, target, columns, inverse, scale);
    }
  });
};

const realToHalfKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: TensorInfo };
  const { scale, axes, interiorWeight } = attrs as unknown as RealTransformAttrs;
  const { batch, height, width } = frame(x.shape, axes);
  const bins = halfSpectrumLength(width);
  const spec = { shape: [...x.shape.slice(0, -1), bins], dtype: 'float32' as const };
  return runOnArrays(backend, [x], [spec, spec], ([xv], [yr, yi]) => {
    if (batch === 0) return;
    const target = splitTarget(yr!, yi!);
    const rowScale = axes === 1 ? scale : 1;
    realToHalfLines(
      width,
      { data: xv!, offset: 0 },
      rowLayout(batch * height, width),
      target,
      rowLayout(batch * height, bins),
      rowScale,
      interiorWeight,
    );
    if (axes === 2) {
      const columns = columnLayout(batch, height, bins);
      transformComplexLines(height, target, columns, target, columns, false, scale);
    }
  });
};

const halfToRealKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const { re, im } = inputs as { re: TensorInfo; im: TensorInfo };
  const { scale, axes, interiorWeight, width } = attrs as unknown as RealTransformAttrs;
  const { batch, height, width: bins } = frame(re.shape, axes);
  const spec = { shape: [...re.shape.slice(0, -1), width], dtype: 'float32' as const };
  return runOnArrays(backend, [re, im], [spec], ([xr, xi], [y]) => {
    if (batch === 0) return;
    let source = splitSource(xr!, xi!);
    if (axes === 2) {
      // Inverse column transforms first (into scratch: inputs are read-only), then rows to real.
      const work = splitTarget(new Float64Array(xr!.length), new Float64Array(xr!.length));
      const columns = columnLayout(batch, height, bins);
      transformComplexLines(height, source, columns, work, columns, true, 1);
      source = work;
    }
    halfToRealLines(
      width,
      source,
      rowLayout(batch * height, bins),
      { data: y!, offset: 0 },
      rowLayout(batch * height, width),
      scale,
      interiorWeight,
    );
  });
};

function pair(dy: Tensor | Tensor[]): [Tensor, Tensor] {
  const [a, b] = dy as Tensor[];
  return [a!, b!];
}

const gradients: GradConfig[] = [
  {
    kernelName: SPECTRAL_KERNEL_NAMES.complex,
    gradFunc: (dy, _saved, attrs) => {
      const a = attrs as unknown as ComplexTransformAttrs;
      const [dRe, dIm] = pair(dy);
      // Adjoint of s·F is s·Fᴴ = s·conj F: the same kernel with the other sign.
      const [gRe, gIm] = runComplexTransform(dRe, dIm, { inverse: !a.inverse, scale: a.scale, axes: a.axes });
      return { re: () => gRe, im: () => gIm };
    },
  },
  {
    kernelName: SPECTRAL_KERNEL_NAMES.realToHalf,
    gradFunc: (dy, _saved, attrs) => {
      const [dRe, dIm] = pair(dy);
      const g = runHalfToReal(dRe, dIm, realAttrs(attrs));
      return { x: () => g };
    },
  },
  {
    kernelName: SPECTRAL_KERNEL_NAMES.halfToReal,
    gradFunc: (dy, _saved, attrs) => {
      const [gRe, gIm] = runRealToHalf(dy as Tensor, realAttrs(attrs));
      return { re: () => gRe, im: () => gIm };
    },
  },
];

function realAttrs(attrs: NamedAttrMap): RealTransformAttrs {
  const a = attrs as unknown as RealTransformAttrs;
  return { scale: a.scale, axes: a.axes, interiorWeight: a.interiorWeight, width: a.width };
}

const registeredBackends = new Set<string>();

/**
 * Registers the three spectral kernels for the active backend and their gradients (once each).
 * Called by every op before it runs a kernel, so no import-time side effects are needed.
 */
export function ensureSpectralKernels(): void {
  const backendName = tf.getBackend();
  if (registeredBackends.has(backendName)) return;
  const configs: KernelConfig[] = [
    { kernelName: SPECTRAL_KERNEL_NAMES.complex, backendName, kernelFunc: complexTransformKernel },
    { kernelName: SPECTRAL_KERNEL_NAMES.realToHalf, backendName, kernelFunc: realToHalfKernel },
    { kernelName: SPECTRAL_KERNEL_NAMES.halfToReal, backendName, kernelFunc: halfToRealKernel },
  ];
  for (const config of configs) {
    if (tf.getKernel(config.kernelName, backendName) === undefined) tf.registerKernel(config);
  }
  for (const config of gradients) {
    if (tf.getGradient(config.kernelName) === undefined) tf.registerGradient(config);
  }
  registeredBackends.add(backendName);
}

/** Runs `TensorloomFFT`; returns `[re, im]`. Inputs must be float32 of equal shape (checked by the ops). */
export function runComplexTransform(re: Tensor, im: Tensor, attrs: ComplexTransformAttrs): [Tensor, Tensor] {
  ensureSpectralKernels();
  const out = tf
    .engine()
    .runKernel(SPECTRAL_KERNEL_NAMES.complex, { re, im }, attrs as unknown as NamedAttrMap);
  return out as [Tensor, Tensor];
}

/** Runs `TensorloomRFFT`; returns `[re, im]`. */
export function runRealToHalf(x: Tensor, attrs: RealTransformAttrs): [Tensor, Tensor] {
  ensureSpectralKernels();
  const out = tf
    .engine()
    .runKernel(SPECTRAL_KERNEL_NAMES.realToHalf, { x }, attrs as unknown as NamedAttrMap);
  return out as [Tensor, Tensor];
}

/** Runs `TensorloomIRFFT`; returns the real tensor. */
export function runHalfToReal(re: Tensor, im: Tensor, attrs: RealTransformAttrs): Tensor {
  ensureSpectralKernels();
  const out = tf
    .engine()
    .runKernel(SPECTRAL_KERNEL_NAMES.halfToReal, { re, im }, attrs as unknown as NamedAttrMap);
  // A kernel that returns an array of one output yields an array of one tensor.
  return (out as Tensor[])[0]!;
}
