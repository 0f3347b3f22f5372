import { beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, ShapeError } from '../errors/errors.js';
import { tf } from '../setup.js';
import { testBackends, useBackend } from '../test/backends.js';
import { fromNestedArray } from './matrix.js';
import { matrixFromTensor, matrixFromTensorSync, matrixToTensor } from './tensor.js';

describe.each(testBackends())('MatrixF64 ↔ tensor on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('round-trips through a float32 Tensor2D, rounding each entry to float32', async () => {
    const before = tf.memory().numTensors;
    const A = fromNestedArray([
      [1, 0.1, -3],
      [1e-3, 123456.789, Math.PI],
    ]);
    const t = matrixToTensor(A);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    const back = await matrixFromTensor(t);
    const backSync = matrixFromTensorSync(t);
    t.dispose();
    expect(back).toEqual(backSync);
    expect([back.rows, back.cols]).toEqual([2, 3]);
    for (let i = 0; i < 6; i++) {
      expect(back.data[i]).toBe(Math.fround(A.data[i]!));
      expect(Math.abs(back.data[i]! - A.data[i]!)).toBeLessThanOrEqual(2 ** -24 * Math.abs(A.data[i]!));
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reads int32 tensors exactly and leaves the tensor alive', () => {
    const before = tf.memory().numTensors;
    const t = tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32');
    const A = matrixFromTensorSync(t);
    expect(Array.from(A.data)).toEqual([1, 2, 3, 4]);
    expect(t.isDisposed).toBe(false);
    t.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects non-2-D tensors with ShapeError and non-tensors with ArgumentError', async () => {
    const before = tf.memory().numTensors;
    const v = tf.tensor1d([1, 2, 3]);
    expect(() => matrixFromTensorSync(v)).toThrow(ShapeError);
    await expect(matrixFromTensor(v)).rejects.toThrow(/t: expected rank 2, got rank 1 \(shape \[3\]\)/);
    v.dispose();
    expect(() => matrixFromTensorSync([[1]] as never)).toThrow(ArgumentError);
    expect(() => matrixToTensor({ rows: 2, cols: 2, data: new Float64Array(3) })).toThrow(ShapeError);
    expect(tf.memory().numTensors).toBe(before);
  });
});
