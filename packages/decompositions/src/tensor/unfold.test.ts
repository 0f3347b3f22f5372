import { ArgumentError, ready, rng, ShapeError, tf } from '@tensorloom/core';
import { expectClose, expectNoLeak, testBackends, useBackend } from '@tensorloom/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import { ndarray, ndarrayToTensor, stridesOf, toNDArray } from './ndarray.js';
import { foldTensor, modeProductTensor, unfoldTensor } from './tfops.js';
import { fold, khatriRao, kronecker, modeProduct, multiModeProduct, unfold } from './unfold.js';

function randomNd(shape: number[], seed: number) {
  const r = rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return ndarray(
    shape,
    Float64Array.from({ length: n }, () => r.normal()),
  );
}
function randomMat(rows: number, cols: number, seed: number) {
  const r = rng(seed);
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => r.normal()) };
}
function at(x: { shape: readonly number[]; data: Float64Array }, idx: number[]): number {
  const s = stridesOf(x.shape);
  return x.data[idx.reduce((a, i, k) => a + i * s[k]!, 0)]!;
}

describe('unfold / fold / modeProduct (float64, C-order convention)', () => {
  beforeAll(() => ready());
  it('unfold places X[i,j,k] at row i_n and C-order column of the others', () => {
    const x = randomNd([2, 3, 4], 1);
    const u1 = unfold(x, 1);
    expect([u1.rows, u1.cols]).toEqual([3, 8]);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 3; j++)
        for (let k = 0; k < 4; k++) {
          expect(u1.data[j * 8 + i * 4 + k]).toBe(at(x, [i, j, k]));
          expect(unfold(x, 0).data[i * 12 + j * 4 + k]).toBe(at(x, [i, j, k]));
          expect(unfold(x, 2).data[k * 6 + i * 3 + j]).toBe(at(x, [i, j, k]));
        }
  });
  it('fold inverts unfold for every mode', () => {
    const x = randomNd([3, 2, 4, 2], 2);
    for (let n = 0; n < 4; n++) expect(fold(unfold(x, n), n, x.shape).data).toEqual(x.data);
  });
  it('mode product matches the naive sum and Y_(n) = M X_(n)', () => {
    const x = randomNd([3, 4, 5], 3);
    const M = randomMat(2, 4, 4);
    const y = modeProduct(x, M, 1);
    expect(y.shape).toEqual([3, 2, 5]);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 2; j++)
        for (let k = 0; k < 5; k++) {
          let s = 0;
          for (let l = 0; l < 4; l++) s += M.data[j * 4 + l]! * at(x, [i, l, k]);
          expect(at(y, [i, j, k])).toBeCloseTo(s, 12);
        }
  });
  it('Tucker identity X_(n) = U_n G_(n) (⊗_{k≠n} U_k)ᵀ holds for every mode with the ordinary Kronecker', () => {
    const G = randomNd([2, 3, 2], 5);
    const U = [randomMat(4, 2, 6), randomMat(5, 3, 7), randomMat(3, 2, 8)];
    const X = multiModeProduct(G, U);
    for (let n = 0; n < 3; n++) {
      const kron = kronecker(U.filter((_, k) => k !== n));
      const Gn = unfold(G, n);
      const lhs = unfold(X, n);
      // U_n · G_(n) · kronᵀ, naive
      for (let i = 0; i < lhs.rows; i++)
        for (let c = 0; c < lhs.cols; c++) {
          let s = 0;
          for (let r = 0; r < Gn.rows; r++)
            for (let q = 0; q < Gn.cols; q++)
              s += U[n]!.data[i * Gn.rows + r]! * Gn.data[r * Gn.cols + q]! * kron.data[c * kron.cols + q]!;
          expect(lhs.data[i * lhs.cols + c]).toBeCloseTo(s, 10);
        }
    }
  });
  it('khatriRao is the column-wise Kronecker product', () => {
    const A = randomMat(3, 2, 9);
    const B = randomMat(4, 2, 10);
    const kr = khatriRao([A, B]);
    for (let r = 0; r < 2; r++) {
      const colA = { rows: 3, cols: 1, data: Float64Array.from([0, 1, 2], (i) => A.data[i * 2 + r]!) };
      const colB = { rows: 4, cols: 1, data: Float64Array.from([0, 1, 2, 3], (i) => B.data[i * 2 + r]!) };
      const k = kronecker([colA, colB]);
      for (let i = 0; i < 12; i++) expect(kr.data[i * 2 + r]).toBeCloseTo(k.data[i]!, 14);
    }
  });
  it('rejects bad modes, shapes and inputs with typed errors', () => {
    const x = randomNd([2, 3], 1);
    expect(() => unfold(x, 2)).toThrow(ArgumentError);
    expect(() => unfold(x, -1)).toThrow(ArgumentError);
    expect(() => fold(unfold(x, 0), 0, [3, 2])).toThrow(ShapeError);
    expect(() => modeProduct(x, randomMat(2, 2, 1), 1)).toThrow(/3 columns/);
    expect(() => ndarray([2, 0])).toThrow(ArgumentError);
    expect(() => ndarray([2, 2], new Float64Array(3))).toThrow(ShapeError);
    expect(() => toNDArray({ shape: [1], data: Float64Array.of(Number.NaN) }, 'x')).toThrow(/finite/);
    expect(() => toNDArray(42, 'x')).toThrow(ArgumentError);
    expect(() => khatriRao([randomMat(2, 2, 1), randomMat(2, 3, 1)])).toThrow(ShapeError);
    expect(() => kronecker([])).toThrow(ArgumentError);
  });
});

describe.each(testBackends())('tfjs unfold / fold / modeProduct on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  it('agree with the float64 versions and do not leak', async () => {
    const x = randomNd([3, 4, 2], 11);
    const M = randomMat(5, 4, 12);
    const xt = ndarrayToTensor(x);
    const mt = tf.tensor2d(Float32Array.from(M.data), [5, 4]);
    for (let n = 0; n < 3; n++) {
      const u = unfoldTensor(xt, n);
      expectClose(u, unfold(x, n).data, { rtol: 1e-6, atol: 1e-6 });
      const f = foldTensor(u, n, x.shape);
      expectClose(f, x.data, { rtol: 1e-6, atol: 1e-6 });
      tf.dispose([u, f]);
    }
    const y = modeProductTensor(xt, mt, 1);
    expect(y.shape).toEqual([3, 5, 2]);
    expectClose(y, modeProduct(x, M, 1).data, { rtol: 1e-5, atol: 1e-5 });
    y.dispose();
    await expectNoLeak(() => modeProductTensor(xt, mt, 1));
    expect(() => modeProductTensor(xt, mt, 0)).toThrow(ShapeError);
    expect(() => unfoldTensor(xt, 3)).toThrow(ArgumentError);
    tf.dispose([xt, mt]);
  });
});
