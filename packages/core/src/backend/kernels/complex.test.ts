/**
 * Tests for `backend/kernels/complex.ts` (complex64 storage and the Complex, Real, Imag, ComplexAbs,
 * FFT, IFFT kernels on WASM): the standard tfjs complex and spectral ops on `wasm` must give the CPU
 * backend's results, agree with the float64 FFT, and free their memory.
 */
import type { Tensor } from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fftArray } from '../../fft/arrays.js';
import { tf } from '../../setup.js';
import { expectClose, testBackends, useBackend } from '../../test/index.js';
import { complexKernels, installComplexStorage } from './complex.js';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
}

const SHAPES: number[][] = [[3, 8], [2, 7], [2, 3, 5], [4, 1], [2, 2], [6], [2, 16]];

/** The standard tfjs ops under test, each returning one tensor from float32 `re`, `im` of one shape. */
const OPS: Record<string, (re: Tensor, im: Tensor) => Tensor> = {
  complex: (re, im) => tf.complex(re, im),
  real: (re, im) => tf.real(tf.complex(re, im)),
  imag: (re, im) => tf.imag(tf.complex(re, im)),
  abs: (re, im) => tf.abs(tf.complex(re, im)),
  fft: (re, im) => tf.spectral.fft(tf.complex(re, im)),
  ifft: (re, im) => tf.spectral.ifft(tf.complex(re, im)),
  rfft: (re) => tf.spectral.rfft(re),
  irfft: (re, im) => tf.spectral.irfft(tf.complex(re, im)),
  clone: (re, im) => tf.clone(tf.complex(re, im)),
  'reshape+fft': (re, im) => tf.spectral.fft(tf.reshape(tf.complex(re, im), [-1])),
  'real(fft)': (re, im) => tf.real(tf.spectral.fft(tf.complex(re, im))),
};

function inputs(shape: number[], seed: number): { re: Float32Array; im: Float32Array } {
  const size = shape.reduce((a, b) => a * b, 1);
  const next = rng(seed);
  return { re: Float32Array.from({ length: size }, next), im: Float32Array.from({ length: size }, next) };
}

/** Runs every op on every shape on the active backend; returns the data read back, keyed by case. */
function runAll(): Map<string, { values: Float32Array; shape: number[]; dtype: string }> {
  const results = new Map<string, { values: Float32Array; shape: number[]; dtype: string }>();
  SHAPES.forEach((shape, s) => {
    const { re, im } = inputs(shape, s + 1);
    for (const [name, op] of Object.entries(OPS)) {
      const out = tf.tidy(() => op(tf.tensor(re, shape), tf.tensor(im, shape)));
      results.set(`${name} ${JSON.stringify(shape)}`, {
        values: Float32Array.from(out.dataSync() as Float32Array),
        shape: out.shape,
        dtype: out.dtype,
      });
      out.dispose();
    }
  });
  return results;
}

const wasmTested = testBackends().includes('wasm');

describe.skipIf(!wasmTested)('complex64 and tf.spectral on wasm (backend/kernels/complex.ts)', () => {
  let onCpu: ReturnType<typeof runAll>;
  let tensorsAtStart = 0;
  beforeAll(async () => {
    await useBackend('cpu');
    onCpu = runAll();
    await useBackend('wasm');
    tensorsAtStart = tf.memory().numTensors;
  });
  afterAll(() => {
    expect(tf.memory().numTensors).toBe(tensorsAtStart);
  });

  it('registers the six kernels for wasm only', () => {
    const names = ['Complex', 'Real', 'Imag', 'ComplexAbs', 'FFT', 'IFFT'];
    expect(complexKernels('wasm').map((k) => k.kernelName)).toEqual(names);
    expect(complexKernels('cpu')).toEqual([]);
    for (const name of names) expect(tf.getKernel(name, 'wasm'), name).toBeDefined();
  });

  it('gives the CPU backend’s results for complex, real, imag, abs, fft, ifft, rfft, irfft, clone, reshape', () => {
    const onWasm = runAll();
    expect([...onWasm.keys()]).toEqual([...onCpu.keys()]);
    for (const [key, expected] of onCpu) {
      const actual = onWasm.get(key)!;
      expect(actual.shape, key).toEqual(expected.shape);
      expect(actual.dtype, key).toBe(expected.dtype);
      let scale = 0;
      for (const v of expected.values) scale = Math.max(scale, Math.abs(v));
      // The CPU backend's FFT is float32 (a naive DFT for non-powers of two); ours is float64 rounded once.
      try {
        expectClose(actual.values, expected.values, { rtol: 0, atol: 1e-5 * scale + 1e-6 });
      } catch (error) {
        throw new Error(`${key}: ${(error as Error).message}`);
      }
    }
  });

  it('computes FFT/IFFT over the innermost axis to float64-FFT accuracy (interleaved complex dataSync)', () => {
    const shape = [3, 12];
    const { re, im } = inputs(shape, 99);
    const [f, fi] = tf.tidy(() => {
      const c = tf.complex(tf.tensor(re, shape), tf.tensor(im, shape));
      return [tf.spectral.fft(c), tf.spectral.ifft(c)];
    });
    const data = f!.dataSync() as Float32Array;
    const inverse = fi!.dataSync() as Float32Array;
    expect(data.length).toBe(2 * 36);
    const ref = fftArray(Float64Array.from(re), Float64Array.from(im), { length: 12 });
    const refInv = fftArray(Float64Array.from(re), Float64Array.from(im), { length: 12, inverse: true });
    const interleave = (a: Float64Array, b: Float64Array) =>
      Float64Array.from({ length: 2 * a.length }, (_, i) => (i % 2 === 0 ? a : b)[i >> 1]!);
    expectClose(data, interleave(ref.re, ref.im), { rtol: 0, atol: 1e-6 });
    expectClose(inverse, interleave(refInv.re, refInv.im), { rtol: 0, atol: 1e-7 });
    expect(f!.dtype).toBe('complex64');
    tf.dispose([f!, fi!]);
  });

  it('frees complex tensors: numTensors, numBytes and the backend’s data ids return to their start', async () => {
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const before = { ...tf.memory(), ids: backend.numDataIds() };
    const re = tf.tensor2d([[1, 2, 3, 4]]);
    const c = tf.complex(re, re);
    // tfjs's engine counts no bytes for complex64 on any backend (only the float32 input's 4·4).
    expect(tf.memory().numBytes - before.numBytes).toBe(16);
    expect(backend.numDataIds() - before.ids).toBe(2);
    const f = tf.spectral.fft(c);
    const values = await f.data(); // async read goes through the patched readSync too
    expectClose(values, [10, 10, -4, 0, -2, -2, 0, -4]);
    tf.dispose([re, c, f]);
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    expect(backend.numDataIds()).toBe(before.ids);
  });

  it('installs complex storage once and leaves other backends alone', () => {
    const wasm = tf.backend() as unknown as { readSync: unknown };
    const patched = wasm.readSync;
    installComplexStorage(wasm);
    expect(wasm.readSync).toBe(patched);
    const cpu = tf.findBackend('cpu') as unknown as { readSync: unknown };
    const original = cpu.readSync;
    installComplexStorage(cpu);
    expect(cpu.readSync).toBe(original);
  });

  it('tfjs defines no gradient for FFT (nor Complex/Real/Imag): tf.grad through tf.spectral.fft fails', () => {
    // Documented limitation: Tensorloom's fft1d/fft2d/rfft1d/… on {re, im} pairs are the differentiable path.
    // (An explicit dy instead of tf.sum keeps tensors saved for backprop, which a failed pass would leak, out.)
    expect(() =>
      tf.tidy(() =>
        tf.grad((a: Tensor) => tf.real(tf.spectral.fft(tf.complex(a, tf.zerosLike(a)))))(
          tf.ones([4]),
          tf.ones([4]),
        ),
      ),
    ).toThrow(/gradient function not found for (Real|FFT|Complex)/);
  });
});
