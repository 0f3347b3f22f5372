import { ArgumentError, matrixF64, ShapeError, solve } from '@tensorloom/core';
import { expectClose } from '@tensorloom/core/test';
import { describe, expect, it } from 'vitest';
import { fcKernels } from './fcKernels.js';
import { kernelPredict } from './predict.js';

const X = matrixF64(5, 2, Float64Array.of(1, 0, 0, 1, 1, 1, -1, 0.5, 0.3, -0.7));
const Xs = matrixF64(3, 2, Float64Array.of(0.5, 0.5, -0.2, 1, 2, -1));
const Y = matrixF64(5, 2, Float64Array.of(1, 0, 0, 1, 1, 1, -1, 0, 0.5, -0.5));

describe('kernelPredict', () => {
  const opts = { depth: 2, activation: 'relu' as const, biasStd: 0.1 };
  const K = fcKernels(X, undefined, opts).ntk;
  const Ks = fcKernels(Xs, X, opts).ntk;

  it('at t = ∞ equals K*·K⁻¹·Y (LU solve) and interpolates the training data', () => {
    const ref = solve(K, Y);
    const want = new Float64Array(6);
    for (let r = 0; r < 3; r++)
      for (let c = 0; c < 2; c++)
        for (let i = 0; i < 5; i++) want[r * 2 + c]! += Ks.data[r * 5 + i]! * ref.data[i * 2 + c]!;
    expectClose(kernelPredict({ kTrainTrain: K, kTestTrain: Ks, yTrain: Y }).data, want, {
      rtol: 1e-8,
      atol: 1e-10,
    });
    expectClose(kernelPredict({ kTrainTrain: K, kTestTrain: K, yTrain: Y }).data, Y.data, { atol: 1e-8 });
  });

  it('at finite t matches explicit Euler integration of gradient flow on the training outputs', () => {
    const t = 0.7;
    const steps = 20000;
    const dt = t / steps;
    // du/dt = −K(u − y) on training outputs; f*(t) = f*(0) − ∫ K*(u − y)
    const u = new Float64Array(10);
    const fs = new Float64Array(6);
    for (let s = 0; s < steps; s++) {
      const r = u.map((v, k) => v - Y.data[k]!);
      for (let i = 0; i < 5; i++)
        for (let c = 0; c < 2; c++) {
          let a = 0;
          for (let j = 0; j < 5; j++) a += K.data[i * 5 + j]! * r[j * 2 + c]!;
          u[i * 2 + c]! -= dt * a;
        }
      for (let i = 0; i < 3; i++)
        for (let c = 0; c < 2; c++) {
          let a = 0;
          for (let j = 0; j < 5; j++) a += Ks.data[i * 5 + j]! * r[j * 2 + c]!;
          fs[i * 2 + c]! -= dt * a;
        }
    }
    expectClose(kernelPredict({ kTrainTrain: K, kTestTrain: Ks, yTrain: Y, time: t }).data, fs, {
      rtol: 1e-3,
      atol: 1e-4,
    });
    expectClose(kernelPredict({ kTrainTrain: K, kTestTrain: K, yTrain: Y, time: t }).data, u, {
      rtol: 1e-3,
      atol: 1e-4,
    });
  });

  it('t = 0 predicts zero; ridge shrinks the solution', () => {
    expect(
      Array.from(kernelPredict({ kTrainTrain: K, kTestTrain: Ks, yTrain: Y, time: 0 }).data).every(
        (v) => v === 0,
      ),
    ).toBe(true);
    const plain = kernelPredict({ kTrainTrain: K, kTestTrain: K, yTrain: Y });
    const ridged = kernelPredict({ kTrainTrain: K, kTestTrain: K, yTrain: Y, ridge: 10 });
    const norm = (m: { data: Float64Array }): number => Math.hypot(...m.data);
    expect(norm(ridged)).toBeLessThan(norm(plain));
  });

  it('rejects inconsistent shapes and bad options', () => {
    expect(() => kernelPredict({ kTrainTrain: Ks, kTestTrain: Ks, yTrain: Y })).toThrow(/square/);
    expect(() => kernelPredict({ kTrainTrain: K, kTestTrain: matrixF64(3, 4), yTrain: Y })).toThrow(
      ShapeError,
    );
    expect(() => kernelPredict({ kTrainTrain: K, kTestTrain: Ks, yTrain: matrixF64(4, 2) })).toThrow(
      /yTrain: expected 5 rows/,
    );
    expect(() => kernelPredict({ kTrainTrain: K, kTestTrain: Ks, yTrain: Y, time: -1 })).toThrow(
      /options\.time/,
    );
    expect(() => kernelPredict({ kTrainTrain: K, kTestTrain: Ks, yTrain: Y, ridge: -1 })).toThrow(
      ArgumentError,
    );
    expect(() => kernelPredict({ kTrainTrain: [] as never, kTestTrain: Ks, yTrain: Y })).toThrow(
      /kTrainTrain: expected a MatrixF64/,
    );
  });
});
