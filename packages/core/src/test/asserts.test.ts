import type { Tensor } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../setup.js';
import { AssertionFailure, expectClose, expectNoLeak, gradCheck } from './asserts.js';
import { useBackend } from './backends.js';

describe('test helpers catch what they should', () => {
  beforeAll(() => useBackend('wasm'));

  it('expectClose passes within tolerance and fails outside it, naming the element', () => {
    expect(() => expectClose([1, 2, 3], [1, 2, 3 + 1e-7], { rtol: 1e-6 })).not.toThrow();
    expect(() => expectClose([1, 2, 3.1], [1, 2, 3], { rtol: 1e-3 })).toThrow(AssertionFailure);
    expect(() => expectClose([1, 2, 3.1], [1, 2, 3], { rtol: 1e-3 })).toThrow(
      /element 2: expected 3, got 3.1/,
    );
    expect(() => expectClose([1, 2], [1, 2, 3])).toThrow('expected 3 values, got 2');
    expect(() => expectClose([Number.NaN], [Number.NaN])).not.toThrow();
    expect(() => expectClose([Number.NaN], [1])).toThrow(AssertionFailure);
    expect(() => expectClose([[1, 2]], [1, 2])).not.toThrow();
    const t = tf.tensor1d([1, 2]);
    expect(() => expectClose(t, [1, 2.5], { rtol: 0.1 })).toThrow(AssertionFailure);
    t.dispose();
  });

  it('expectNoLeak detects a leaked tensor and accepts disposed work', async () => {
    await expect(expectNoLeak(() => tf.tidy(() => tf.add(tf.ones([2]), 1)))).resolves.toBeUndefined();
    let leaked: Tensor | undefined;
    await expect(
      expectNoLeak(() => {
        leaked = tf.ones([2]);
        return tf.add(leaked, 1);
      }),
    ).rejects.toThrow('1 tensor(s) leaked');
    leaked?.dispose();
  });

  it('gradCheck accepts a correct gradient and rejects a wrong custom gradient', () => {
    const x = tf.tensor1d([0.3, -0.7, 1.1]);
    expect(() => gradCheck((a) => tf.sum(tf.mul(tf.sin(a!), a!)), [x])).not.toThrow();
    const wrong = tf.customGrad((...args) => {
      const [a, save] = args as [Tensor, tf.GradSaveFunc];
      save([a]);
      return { value: tf.sum(tf.square(a as Tensor)), gradFunc: (dy, [s]) => tf.mul(dy, s!) }; // should be 2·a
    });
    expect(() => gradCheck((a) => wrong(a!) as Tensor, [x])).toThrow(/gradient of input 0 at flat index 0/);
    x.dispose();
  });
});
