import type { Tensor } from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, ShapeError } from '../errors/errors.js';
import { tf } from '../setup.js';
import { expectClose, gradCheck, testBackends, useBackend } from '../test/index.js';
import { fft2dArray, fftArray, irfft2dArray, irfftArray, rfft2dArray, rfftArray } from './arrays.js';
import { fft1d, fft2d, ifft1d, ifft2d } from './complex_ops.js';
import { irfft1d, irfft2d, rfft1d, rfft2d } from './real_ops.js';

function random(shape: number[], seed: number): Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}

function f64(t: Tensor): Float64Array {
  return Float64Array.from(t.dataSync() as Float32Array);
}

/** Closeness for float32 results against float64 references: error ≤ 2e-6 · max |reference| (+ tiny). */
function expectMatches(actual: Tensor, expected: Float64Array): void {
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  expectClose(actual, expected, { rtol: 0, atol: 2e-6 * scale + 1e-7 });
}

/** Scalar loss Σ wRe·re + Σ wIm·im (a random projection), the adjoint test for linear complex outputs. */
function projection(out: { re: Tensor; im: Tensor }, wRe: Tensor, wIm: Tensor): Tensor {
  return tf.add(tf.sum(tf.mul(out.re, wRe)), tf.sum(tf.mul(out.im, wIm)));
}

describe.each(testBackends())('differentiable FFT ops on %s', (backend) => {
  let tensorsAtStart = 0;
  beforeAll(async () => {
    await useBackend(backend);
    tensorsAtStart = tf.memory().numTensors;
  });
  afterAll(() => {
    expect(tf.memory().numTensors).toBe(tensorsAtStart);
  });

  describe('forward passes match the float64 typed-array FFT', () => {
    const SHAPES = [
      [2, 3, 8],
      [2, 5, 7],
      [2, 2, 3, 6],
    ];

    it.each(SHAPES)('fft1d / ifft1d / fft2d / ifft2d on %j', (...shape) => {
      const re = random(shape, 1);
      const im = random(shape, 2);
      const [h, w] = shape.slice(-2) as [number, number];
      const a = f64(re);
      const b = f64(im);
      const outs = [fft1d(re, im), ifft1d(re, im), fft2d(re, im), ifft2d(re, im)];
      const refs = [
        fftArray(a, b, { length: w }),
        fftArray(a, b, { length: w, inverse: true }),
        fft2dArray(a, b, [h, w]),
        fft2dArray(a, b, [h, w], { inverse: true }),
      ];
      outs.forEach((out, i) => {
        expect(out.re.shape).toEqual(shape);
        expectMatches(out.re, refs[i]!.re);
        expectMatches(out.im, refs[i]!.im);
      });
      tf.dispose([re, im, ...outs.flatMap((o) => [o.re, o.im])]);
    });

    it.each(SHAPES)('rfft1d / irfft1d / rfft2d / irfft2d on %j', (...shape) => {
      const x = random(shape, 3);
      const [h, w] = shape.slice(-2) as [number, number];
      const bins = Math.floor(w / 2) + 1;
      const a = f64(x);
      const r1 = rfft1d(x);
      const r2 = rfft2d(x);
      expect(r1.re.shape).toEqual([...shape.slice(0, -1), bins]);
      expect(r2.im.shape).toEqual([...shape.slice(0, -1), bins]);
      const ref1 = rfftArray(a, { length: w });
      const ref2 = rfft2dArray(a, [h, w]);
      expectMatches(r1.re, ref1.re);
      expectMatches(r1.im, ref1.im);
      expectMatches(r2.re, ref2.re);
      expectMatches(r2.im, ref2.im);
      // Inverses of arbitrary (non-Hermitian-consistent) half spectra.
      const sRe = random([...shape.slice(0, -1), bins], 4);
      const sIm = random([...shape.slice(0, -1), bins], 5);
      const i1 = irfft1d(sRe, sIm, w);
      const i2 = irfft2d(sRe, sIm, w);
      expect(i1.shape).toEqual(shape);
      expectMatches(i1, irfftArray(f64(sRe), f64(sIm), w));
      expectMatches(i2, irfft2dArray(f64(sRe), f64(sIm), [h, w]));
      // Round trips.
      const back1 = irfft1d(r1.re, r1.im, w);
      const back2 = irfft2d(r2.re, r2.im, w);
      expectClose(back1, a, { rtol: 0, atol: 1e-5 });
      expectClose(back2, a, { rtol: 0, atol: 1e-5 });
      tf.dispose([x, r1.re, r1.im, r2.re, r2.im, sRe, sIm, i1, i2, back1, back2]);
    });

    it('transforms length-1 axes and empty batches', () => {
      const x = tf.tensor2d([[2], [3]]);
      const out = fft1d(x, x);
      expectClose(out.re, [2, 3]);
      expectClose(out.im, [2, 3]);
      const empty = tf.zeros([0, 4]);
      const e = fft1d(empty, empty);
      expect(e.re.shape).toEqual([0, 4]);
      const half = rfft1d(empty);
      expect(half.re.shape).toEqual([0, 3]);
      tf.dispose([x, out.re, out.im, empty, e.re, e.im, half.re, half.im]);
    });
  });

  describe('gradients match central finite differences', () => {
    it('fft1d, ifft1d, fft2d, ifft2d (random projections of re and im)', () => {
      const shape = [2, 3, 5];
      const re = random(shape, 11);
      const im = random(shape, 12);
      const wRe = random(shape, 13);
      const wIm = random(shape, 14);
      for (const op of [fft1d, ifft1d, fft2d, ifft2d]) {
        gradCheck((a, b) => projection(op(a!, b!), wRe, wIm), [re, im], { rtol: 2e-2, atol: 2e-3 });
      }
      tf.dispose([re, im, wRe, wIm]);
    });

    it.each([4, 5])(
      'rfft1d, rfft2d, irfft1d, irfft2d with width %i (Hermitian half-spectrum weights)',
      (width) => {
        const shape = [2, 3, width];
        const half = [2, 3, Math.floor(width / 2) + 1];
        const x = random(shape, 21);
        const wx = random(shape, 22);
        const sRe = random(half, 23);
        const sIm = random(half, 24);
        const wRe = random(half, 25);
        const wIm = random(half, 26);
        const tol = { rtol: 2e-2, atol: 2e-3 };
        gradCheck((a) => projection(rfft1d(a!), wRe, wIm), [x], tol);
        gradCheck((a) => projection(rfft2d(a!), wRe, wIm), [x], tol);
        gradCheck((a, b) => tf.sum(tf.mul(irfft1d(a!, b!, width), wx)), [sRe, sIm], tol);
        gradCheck((a, b) => tf.sum(tf.mul(irfft2d(a!, b!, width), wx)), [sRe, sIm], tol);
        tf.dispose([x, wx, sRe, sIm, wRe, wIm]);
      },
    );

    it('a non-linear loss: the weighted power spectrum Σ w·(re² + im²) of rfft2d', () => {
      const x = random([2, 4, 6], 31);
      const w = tf.tidy(() => tf.abs(random([2, 4, 4], 32)));
      gradCheck(
        (a) => {
          const s = rfft2d(a!);
          return tf.sum(tf.mul(w, tf.add(tf.square(s.re), tf.square(s.im))));
        },
        [x],
        { rtol: 2e-2, atol: 5e-3 },
      );
      tf.dispose([x, w]);
    });

    it('round trips have identity gradients: d/dx Σ w·irfft2d(rfft2d(x)) = w', () => {
      const x = random([3, 4, 7], 41);
      const w = random([3, 4, 7], 42);
      const g = tf.grad((a: Tensor) => tf.sum(tf.mul(irfft2d(rfft2d(a).re, rfft2d(a).im, 7), w)))(x);
      expectClose(g, w.dataSync(), { rtol: 1e-5, atol: 1e-5 });
      const z = tf.zerosLike(x);
      const [gRe, gIm] = tf.grads((a: Tensor, b: Tensor) => {
        const f = fft2d(a, b);
        return projection(ifft2d(f.re, f.im), w, w);
      })([x, z]);
      expectClose(gRe!, w.dataSync(), { rtol: 1e-5, atol: 1e-5 });
      expectClose(gIm!, w.dataSync(), { rtol: 1e-5, atol: 1e-5 });
      tf.dispose([x, w, g, z, gRe!, gIm!]);
    });

    it('second-order gradients stay inside the spectral kernels', () => {
      // f(x) = Σ (rfft1d(x).re)², so ∇f = 2·Rᵀ R x is linear and ∇(v·∇f) = 2·RᵀR v.
      const x = random([5], 51);
      const v = random([5], 52);
      const hv = tf.grad((a: Tensor) =>
        tf.sum(tf.mul(tf.grad((b: Tensor) => tf.sum(tf.square(rfft1d(b).re)))(a), v)),
      )(x);
      const back = tf.tidy(() =>
        tf.mul(2, tf.grad((b: Tensor) => tf.sum(tf.mul(rfft1d(b).re, rfft1d(v).re)))(x)),
      );
      expectClose(hv, back.dataSync(), { rtol: 1e-4, atol: 1e-5 });
      tf.dispose([x, v, hv, back]);
    });
  });

  it('does not leak tensors (forward and backward)', () => {
    const x = random([2, 4, 6], 61);
    const before = tf.memory().numTensors;
    const r = rfft2d(x);
    const back = irfft2d(r.re, r.im, 6);
    const c = fft2d(x, x);
    const i = ifft1d(c.re, c.im);
    tf.dispose([r.re, r.im, back, c.re, c.im, i.re, i.im]);
    const g = tf.grad((a: Tensor) =>
      tf.sum(irfft2d(rfft2d(a).re, tf.slice(fft2d(a, a).im, [0, 0, 0], [2, 4, 4]), 6)),
    )(x);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  describe('validation', () => {
    it('rejects non-tensors, non-float32 dtypes, low ranks and unequal shapes', () =>
      tf.tidy(() => {
        const a = tf.zeros([2, 3]);
        const b = tf.zeros([2, 4]);
        const v = tf.zeros([3]);
        const i = tf.zeros([2, 3], 'int32');
        expect(() => fft2d([1, 2] as never, a)).toThrow(ArgumentError);
        expect(() => fft2d([1, 2] as never, a)).toThrow('re: expected a tf.Tensor, got an array of length 2');
        expect(() => fft1d(a, i)).toThrow(ArgumentError);
        expect(() => fft1d(a, i)).toThrow(/im: expected dtype float32 .*got int32/);
        expect(() => fft2d(a, b)).toThrow(ShapeError);
        expect(() => fft2d(a, b)).toThrow('re and im: expected equal shapes, got [2, 3] and [2, 4]');
        expect(() => fft2d(v, v)).toThrow(ShapeError);
        expect(() => fft2d(v, v)).toThrow(
          're: expected rank >= 2 (the transform runs over the last 2 axes), got rank 1 (shape [3])',
        );
        expect(() => rfft2d(v)).toThrow('x: expected rank >= 2');
        expect(() => rfft1d(tf.scalar(1))).toThrow(
          'x: expected rank >= 1 (the transform runs over the last axis), got rank 0',
        );
        expect(() => fft1d(tf.zeros([2, 0]), tf.zeros([2, 0]))).toThrow(
          're: expected non-zero sizes on the transformed axes, got shape [2, 0]',
        );
      }));

    it('rejects an irfft width inconsistent with the number of bins', () =>
      tf.tidy(() => {
        const re = tf.zeros([2, 3, 4]);
        expect(() => irfft1d(re, re, 5)).toThrow(ShapeError);
        expect(() => irfft1d(re, re, 5)).toThrow(
          're: expected a last axis of ⌊width/2⌋+1 = 3 bins for width 5, got 4 (shape [2, 3, 4])',
        );
        expect(() => irfft2d(re, re, 0)).toThrow(ArgumentError);
        expect(() => irfft2d(re, re, 6.5)).toThrow('width: expected an integer, got 6.5');
        expect(() => irfft2d(tf.zeros([4]), tf.zeros([4]), 6)).toThrow(ShapeError);
      }));
  });
});
