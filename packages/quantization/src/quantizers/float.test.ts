import {
  bfloat16BitsToFloat32,
  float16BitsToFloat32,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
  rng,
  tf,
} from '@tensorloom/core';
import { expectClose, expectNoLeak, testBackends, useBackend } from '@tensorloom/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import { roundToFloat } from './float.js';

function samples(): number[] {
  const r = rng(7);
  const out = [
    0,
    -0,
    1,
    -1,
    65504,
    65519,
    65520,
    1e5,
    -1e6,
    2 ** -24,
    2 ** -25,
    3 * 2 ** -26,
    2 ** -14,
    1e-30,
    3.4e38,
  ];
  // ties: 1 + 2^-11 (float16 tie to even -> 1), 1 + 3·2^-11 (-> 1 + 2^-9), bfloat16 ties
  out.push(1 + 2 ** -11, 1 + 3 * 2 ** -11, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 2 ** 15, 2 ** 16 - 1, 0.1, 1 / 3);
  for (let i = 0; i < 400; i++) out.push(Math.fround(r.normal() * 10 ** r.uniform(-9, 6)));
  for (let i = 0; i < 100; i++) out.push(Math.fround(r.uniform(-2, 2) * 2 ** r.int(40) * 2 ** -20));
  return out.map(Math.fround);
}

describe.each(testBackends())('roundToFloat on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('matches core float16 bit conversion elementwise (ties to even, subnormals, overflow)', () => {
    const xs = samples();
    const expected = xs.map((v) => float16BitsToFloat32(float32ToFloat16Bits(v)));
    const x = tf.tensor(xs);
    const y = roundToFloat(x, 'float16');
    expectClose(y, expected, { rtol: 0, atol: 0 });
    tf.dispose([x, y]);
  });

  it('matches core bfloat16 bit conversion elementwise', () => {
    const xs = samples();
    const expected = xs.map((v) => bfloat16BitsToFloat32(float32ToBfloat16Bits(v)));
    const x = tf.tensor(xs);
    const y = roundToFloat(x, 'bfloat16');
    expectClose(y, expected, { rtol: 0, atol: 0 });
    tf.dispose([x, y]);
  });

  it('keeps NaN, has identity STE gradient, and does not leak', async () => {
    const x = tf.tensor([Number.NaN, 1.00001, -3]);
    const y = roundToFloat(x, 'float16');
    expect(Number.isNaN(y.dataSync()[0]!)).toBe(true);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(roundToFloat(t, 'bfloat16'), tf.tensor([1, 2, 3]))))(
      tf.tensor([0.3, 1e-3, 7]),
    );
    expectClose(g, [1, 2, 3]);
    await expectNoLeak(() => roundToFloat(x, 'bfloat16'));
    expect(() => roundToFloat(x, 'float8' as never)).toThrow(/format: expected one of 'float16', 'bfloat16'/);
    tf.dispose([x, y, g]);
  });
});
