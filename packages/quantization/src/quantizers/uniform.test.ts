import { ArgumentError, ShapeError, tf } from '@tensorloom/core';
import { expectClose, expectNoLeak, testBackends, useBackend } from '@tensorloom/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  fakeQuantize,
  integerRange,
  paramsFromRange,
  quantizationParams,
  rangeToScale,
  roundHalfEven,
} from './uniform.js';

describe('integer ranges and scales (closed forms)', () => {
  it('matches HAWQ-V3 symmetric and unsigned asymmetric ranges', () => {
    expect(integerRange(8, 'symmetric')).toEqual({ qmin: -128, qmax: 127 });
    expect(integerRange(4, 'asymmetric')).toEqual({ qmin: 0, qmax: 15 });
    expect(integerRange(16, 'symmetric')).toEqual({ qmin: -32768, qmax: 32767 });
  });
  it('computes scales by hand', () => {
    expect(rangeToScale(-0.5, 2.54, 8, 'symmetric')).toEqual({ scale: 2.54 / 127, zeroPoint: 0 });
    const a = rangeToScale(-1, 2, 2, 'asymmetric'); // 3 levels apart: scale 1, zero point 1
    expect(a.scale).toBeCloseTo(1, 12);
    expect(a.zeroPoint).toBe(1);
    // range widened to include 0
    const b = rangeToScale(1, 4, 2, 'asymmetric');
    expect(b.scale).toBeCloseTo(4 / 3, 6);
    expect(b.zeroPoint).toBe(0);
    expect(rangeToScale(0, 0, 8, 'symmetric').scale).toBe(1);
  });
  it('rounds half to even', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, -2.6].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, 2, -3]);
  });
  it('rejects bad bits, schemes and ranges with typed errors', () => {
    expect(() => integerRange(1, 'symmetric')).toThrow(ArgumentError);
    expect(() => integerRange(17, 'symmetric')).toThrow(/bits: expected a value <= 16, got 17/);
    expect(() => integerRange(4.5, 'symmetric')).toThrow(/bits: expected an integer/);
    expect(() => integerRange(8, 'wrong' as never)).toThrow(/scheme: expected one of/);
    expect(() => rangeToScale(2, 1, 8, 'symmetric')).toThrow(/range: expected finite min <= max/);
  });
});

describe.each(testBackends())('fakeQuantize on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('matches the hand-computed symmetric 3-bit grid with half-to-even ties and clamping', () => {
    // scale 1 (max 3, 2^(3-1)-1 = 3): levels -4..3
    const p = paramsFromRange({ min: -3, max: 3 }, 3, 'symmetric');
    expect(p.scale[0]).toBe(1);
    const x = tf.tensor([0.5, 1.5, 2.5, -2.5, 2.6, 7, -9, -3.5]);
    const y = fakeQuantize(x, p);
    expectClose(y, [0, 2, 2, -2, 3, 3, -4, -4]);
    tf.dispose([x, y]);
  });

  it('matches the asymmetric closed form with zero point', () => {
    const p = paramsFromRange({ min: -1, max: 2 }, 2, 'asymmetric'); // scale 1, z 1, q in [0,3] -> values -1..2
    const x = tf.tensor([-3, -0.4, 0.6, 1.5, 5]);
    const y = fakeQuantize(x, p);
    expectClose(y, [-1, -0, 1, 2, 2]);
    tf.dispose([x, y]);
  });

  it('quantises per output channel with one scale per channel', () => {
    const w = tf.tensor2d([
      [1, -10],
      [0.55, 4],
      [-0.26, 3],
    ]);
    const p = quantizationParams(w, { bits: 4, axis: -1 });
    expectClose(p.scale, [1 / 7, 10 / 7], { rtol: 1e-6 });
    const y = fakeQuantize(w, p);
    const expected = [
      [1, -10],
      [roundHalfEven(0.55 * 7) / 7, (roundHalfEven(4 * 0.7) * 10) / 7],
      [roundHalfEven(-0.26 * 7) / 7, (roundHalfEven(3 * 0.7) * 10) / 7],
    ];
    expectClose(y, expected, { rtol: 1e-6 });
    const perTensor = quantizationParams(w, { bits: 4 });
    expect(perTensor.scale.length).toBe(1);
    expect(perTensor.scale[0]).toBeCloseTo(10 / 7, 6);
    tf.dispose([w, y]);
  });

  it('error is at most half a step inside the range and the grid has 2^b levels', () => {
    const x = tf.linspace(-1, 1, 1001);
    for (const bits of [2, 4, 8, 16]) {
      const p = quantizationParams(x, { bits, scheme: 'asymmetric' });
      const y = fakeQuantize(x, p);
      const err = tf.max(tf.abs(tf.sub(y, x)));
      expect(err.dataSync()[0]!).toBeLessThanOrEqual(p.scale[0]! / 2 + 1e-6);
      const levels = new Set(Array.from(y.dataSync()).map((v) => Math.round(v / p.scale[0]!)));
      expect(levels.size).toBeLessThanOrEqual(2 ** bits);
      tf.dispose([y, err]);
    }
    x.dispose();
  });

  it('passes gradients straight through (clipped STE zero outside the range, identity STE everywhere)', () => {
    const p = paramsFromRange({ min: -1, max: 1 }, 4, 'symmetric');
    const x = tf.tensor([-2, -0.33, 0.1, 0.99, 1.5]);
    const dy = tf.tensor([1, 2, 3, 4, 5]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(fakeQuantize(t, p), dy)))(x);
    // representable range [-8/7, 1]: -2 and 1.5 are outside
    expectClose(g, [0, 2, 3, 4, 0]);
    const gi = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(fakeQuantize(t, p, 'identity'), dy)))(x);
    expectClose(gi, [1, 2, 3, 4, 5]);
    tf.dispose([x, dy, g, gi]);
  });

  it('does not leak and validates shapes', async () => {
    const w = tf.ones([3, 4]);
    const p = quantizationParams(w, { bits: 8, axis: 1 });
    await expectNoLeak(() => fakeQuantize(w, p));
    const wrong = tf.ones([4, 3]);
    expect(() => fakeQuantize(wrong, p)).toThrow(ShapeError);
    expect(() => quantizationParams(w, { bits: 8, axis: 2 })).toThrow(/axis: expected a value <= 1/);
    expect(() => quantizationParams(w, { bits: 0 })).toThrow(/bits/);
    expect(() => fakeQuantize([1] as never, p)).toThrow(/x: expected a tf.Tensor/);
    tf.dispose([w, wrong]);
  });
});
