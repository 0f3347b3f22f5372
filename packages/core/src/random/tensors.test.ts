import { beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError } from '../errors/errors.js';
import { tf } from '../setup.js';
import { testBackends, useBackend } from '../test/backends.js';
import { rng } from './rng.js';
import { randomNormalTensor, randomUniformTensor, truncatedNormalTensor } from './tensors.js';

describe.each(testBackends())('seeded tensor constructors on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('randomNormalTensor holds exactly the float32-rounded draws of the seeded JS generator', async () => {
    const before = tf.memory().numTensors;
    const t = randomNormalTensor([4, 5, 6], { seed: 17, mean: 1, std: 2 });
    expect(t.shape).toEqual([4, 5, 6]);
    expect(t.dtype).toBe('float32');
    const values = await t.data();
    t.dispose();
    expect(Array.from(values)).toEqual(Array.from(Float32Array.from(rng(17).normalArray(120, 1, 2))));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('randomUniformTensor holds the seeded uniform draws in [min, max)', async () => {
    const before = tf.memory().numTensors;
    const t = randomUniformTensor([1000], { seed: 3, min: -2, max: 3 });
    const values = await t.data();
    t.dispose();
    expect(Array.from(values)).toEqual(Array.from(Float32Array.from(rng(3).uniformArray(1000, -2, 3))));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...values)).toBeLessThanOrEqual(3);
    const unit = randomUniformTensor([2, 2], { seed: 3 });
    expect(Array.from(unit.dataSync())).toEqual(Array.from(Float32Array.from(rng(3).uniformArray(4))));
    unit.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('truncatedNormalTensor redraws beyond two standard deviations, as a JS reference does', async () => {
    const before = tf.memory().numTensors;
    const t = truncatedNormalTensor([50, 40], { seed: 8, mean: 0.5, std: 0.1 });
    const values = await t.data();
    t.dispose();
    const reference = rng(8);
    const expected = new Float32Array(2000);
    for (let i = 0; i < 2000; i++) {
      let z = reference.normal();
      while (Math.abs(z) > 2) z = reference.normal();
      expected[i] = 0.5 + 0.1 * z;
    }
    expect(Array.from(values)).toEqual(Array.from(expected));
    for (const v of values) expect(Math.abs(v - 0.5)).toBeLessThanOrEqual(0.2 + 1e-7);
    let variance = 0;
    for (const v of values) variance += (v - 0.5) ** 2 / values.length;
    expect(Math.sqrt(variance) / 0.1).toBeCloseTo(0.8796, 1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('takes an Rng as seed and advances it, so consecutive tensors differ', () => {
    const before = tf.memory().numTensors;
    const generator = rng(4);
    const a = randomNormalTensor([10], { seed: generator });
    const b = randomNormalTensor([10], { seed: generator });
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(b.dataSync()));
    const again = rng(4);
    again.normalArray(10);
    expect(Array.from(b.dataSync())).toEqual(Array.from(Float32Array.from(again.normalArray(10))));
    tf.dispose([a, b]);
    const empty = randomUniformTensor([0, 3], { seed: 1 });
    expect(empty.shape).toEqual([0, 3]);
    empty.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad shapes, seeds and parameters with ArgumentError, creating no tensors', () => {
    const before = tf.memory().numTensors;
    expect(() => randomNormalTensor([2, -1], { seed: 0 })).toThrow(
      /shape: expected non-negative integer sizes, got -1 at index 1/,
    );
    expect(() => randomNormalTensor([2], { seed: 0.5 })).toThrow(/options.seed: expected an integer seed/);
    expect(() => randomNormalTensor([2], undefined as never)).toThrow(ArgumentError);
    expect(() => randomNormalTensor([2], { seed: 0, std: -1 })).toThrow(/options.std: expected a value >= 0/);
    expect(() => randomUniformTensor([2], { seed: 0, min: 1, max: 0 })).toThrow(
      /options.max: expected max ≥ min/,
    );
    expect(() => truncatedNormalTensor('3' as never, { seed: 0 })).toThrow(
      /shape: expected an array of sizes/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
