import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '../setup.js';

/** Thrown by the test helpers when a check fails. */
export class AssertionFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssertionFailure';
  }
}

/**
 * Runs `fn` and checks that the number of live tfjs tensors is the same afterwards (the result of
 * `fn`, if it is a tensor or a container of tensors, is disposed first). Works with async functions.
 *
 * @example
 * ```ts
 * await expectNoLeak(() => fft2d(re, im));
 * ```
 */
export async function expectNoLeak(fn: () => unknown): Promise<void> {
  const before = tf.memory().numTensors;
  const result = await fn();
  tf.dispose(result as never);
  const after = tf.memory().numTensors;
  if (after !== before) {
    throw new AssertionFailure(`expected no leaked tensors, but ${after - before} tensor(s) leaked`);
  }
}

/** Tolerances for {@link expectClose}: passes when `|a − e| ≤ atol + rtol·|e|` elementwise. */
export interface Tolerance {
  /** Relative tolerance (default 1e-5). */
  rtol?: number;
  /** Absolute tolerance (default 1e-8). */
  atol?: number;
}

type Numeric = number | ArrayLike<number> | Tensor | number[][] | number[][][];

function flatten(x: Numeric): Float64Array {
  if (typeof x === 'number') return Float64Array.of(x);
  if (x instanceof tf.Tensor) return Float64Array.from(x.dataSync() as ArrayLike<number>);
  if (Array.isArray(x) && x.length > 0 && Array.isArray(x[0]))
    return Float64Array.from((x as unknown[]).flat(3) as number[]);
  return Float64Array.from(x as ArrayLike<number>);
}

/**
 * Asserts that two numeric arrays (numbers, typed arrays, nested arrays or tensors) have the same
 * length and agree elementwise within `atol + rtol·|expected|`. NaN matches only NaN. The failure
 * message names the worst element, both values and the tolerance.
 *
 * @example
 * ```ts
 * expectClose(ours, naiveDft, { rtol: 1e-10 });
 * ```
 */
export function expectClose(actual: Numeric, expected: Numeric, tolerance: Tolerance = {}): void {
  const rtol = tolerance.rtol ?? 1e-5;
  const atol = tolerance.atol ?? 1e-8;
  const a = flatten(actual);
  const e = flatten(expected);
  if (a.length !== e.length) {
    throw new AssertionFailure(`expected ${e.length} values, got ${a.length}`);
  }
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < a.length; i++) {
    const ai = a[i]!;
    const ei = e[i]!;
    if (Number.isNaN(ei) || Number.isNaN(ai)) {
      if (Number.isNaN(ei) !== Number.isNaN(ai)) {
        throw new AssertionFailure(`element ${i}: expected ${ei}, got ${ai}`);
      }
      continue;
    }
    if (ai === ei) continue;
    const excess = Math.abs(ai - ei) - (atol + rtol * Math.abs(ei));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess)) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    throw new AssertionFailure(
      `element ${worst}: expected ${e[worst]}, got ${a[worst]} (|diff| ${Math.abs(
        a[worst]! - e[worst]!,
      ).toExponential(3)} > atol ${atol} + rtol ${rtol}·|expected|)`,
    );
  }
}

/** Options for {@link gradCheck}. */
export interface GradCheckOptions extends Tolerance {
  /** Finite-difference step (default 1e-2, suited to float32). */
  epsilon?: number;
  /** Check at most this many coordinates per input, chosen evenly (default all). */
  maxCoordinates?: number;
}

/**
 * Compares the tfjs gradient of a scalar function against central finite differences
 * `(f(x + εeᵢ) − f(x − εeᵢ)) / 2ε`, coordinate by coordinate, for every input. Throws
 * {@link AssertionFailure} naming the input, the coordinate and both values on mismatch. The function
 * must return a scalar tensor; float32 arithmetic limits accuracy, so defaults are loose (rtol 1e-2).
 *
 * @example
 * ```ts
 * gradCheck((x) => tf.sum(tf.square(fft1d(x, zeros).re)), [x]);
 * ```
 */
export function gradCheck(
  f: (...inputs: Tensor[]) => Tensor,
  inputs: Tensor[],
  options: GradCheckOptions = {},
): void {
  const epsilon = options.epsilon ?? 1e-2;
  const rtol = options.rtol ?? 1e-2;
  const atol = options.atol ?? 1e-3;
  const grads = tf.tidy(() => tf.grads((...xs: Tensor[]) => f(...xs) as never)(inputs));
  try {
    for (let which = 0; which < inputs.length; which++) {
      const x = inputs[which]!;
      const base = Float32Array.from(x.dataSync() as Float32Array);
      const analytic = grads[which]!.dataSync();
      const count = base.length;
      const step = options.maxCoordinates ? Math.max(1, Math.floor(count / options.maxCoordinates)) : 1;
      for (let i = 0; i < count; i += step) {
        const evalAt = (delta: number): number => {
          const v = Float32Array.from(base);
          v[i] = v[i]! + delta;
          return tf.tidy(() => {
            const xs = inputs.map((t, j) => (j === which ? tf.tensor(v, t.shape, t.dtype) : t));
            return f(...xs).dataSync()[0]!;
          });
        };
        const numeric = (evalAt(epsilon) - evalAt(-epsilon)) / (2 * epsilon);
        const a = analytic[i]!;
        if (!(Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric))) {
          throw new AssertionFailure(
            `gradient of input ${which} at flat index ${i}: analytic ${a}, finite difference ${numeric}`,
          );
        }
      }
    }
  } finally {
    tf.dispose(grads);
  }
}
