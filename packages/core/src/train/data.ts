import type { Tensor } from '@tensorflow/tfjs';
import { ArgumentError, ShapeError } from '../errors/errors.js';
import { describe, formatShape } from '../errors/validate.js';
import { tf } from '../setup.js';
import { randomPermutation } from './seededShuffle.js';

/** The tensors of one side of a batch: one tensor, or several (multi-input or multi-output models). */
export type BatchTensors = Tensor | Tensor[];

/**
 * Inputs and targets with the example index on axis 0. As `fit`'s `data` it is the whole dataset,
 * which `fit` slices into batches (shuffled per epoch); as an element of a list or an iterator it is
 * one batch, used as is.
 */
export interface Batch<X extends BatchTensors = Tensor, Y extends BatchTensors = Tensor> {
  inputs: X;
  targets: Y;
}

/**
 * Batches produced afresh for each epoch (an array, a generator, an async generator). `fit` does not
 * dispose the tensors it receives. A generator that creates tensors disposes each batch in a
 * `finally` around its `yield`: `fit` resumes the generator when it is done with the batch, and
 * closes it (running the `finally`) when it stops early or reaches `stepsPerEpoch`.
 *
 * @example
 * ```ts
 * function* batches(epoch: number) {
 *   for (let i = 0; i < 10; i++) {
 *     const batch = makeBatch(epoch, i);
 *     try { yield batch; } finally { tf.dispose([batch.inputs, batch.targets]); }
 *   }
 * }
 * ```
 */
export type BatchSource<X extends BatchTensors = Tensor, Y extends BatchTensors = Tensor> = (
  epoch: number,
) => Iterable<Batch<X, Y>> | AsyncIterable<Batch<X, Y>>;

/**
 * Training or validation data: the whole dataset as one {@link Batch} (sliced into `batchSize`
 * batches, reshuffled every epoch when `shuffle`), a list of ready batches (their order reshuffled
 * every epoch when `shuffle`; tensors not disposed), or a {@link BatchSource} (used in its own order).
 */
export type FitData<X extends BatchTensors = Tensor, Y extends BatchTensors = Tensor> =
  | Batch<X, Y>
  | readonly Batch<X, Y>[]
  | BatchSource<X, Y>;

/** One batch as the loop sees it. @internal */
export interface PlannedBatch<X extends BatchTensors, Y extends BatchTensors> {
  batch: Batch<X, Y>;
  /** Examples in the batch (axis 0 of the first input), the weight of its loss in epoch means. */
  size: number;
  /** Whether the loop created these tensors and must dispose them. */
  owned: boolean;
}

/** How to walk a {@link FitData} epoch by epoch. @internal */
export interface DataPlan<X extends BatchTensors, Y extends BatchTensors> {
  /** Batches per epoch, when known in advance. */
  batchesPerEpoch: number | undefined;
  /** Yields the batches of one epoch (at most `limit` of them). */
  batches(epoch: number): AsyncGenerator<PlannedBatch<X, Y>>;
}

/** Settings for {@link planData}. @internal */
export interface PlanSettings {
  batchSize: number;
  shuffle: boolean;
  /** Uniform [0, 1) generator shared across epochs (used only when `shuffle`). */
  random: () => number;
  /** Cap on batches per epoch. */
  limit: number;
}

function tensorsOf(x: unknown): unknown[] {
  return Array.isArray(x) ? x : [x];
}

function mapTensors<T extends BatchTensors>(x: T, f: (t: Tensor) => Tensor): T {
  return (Array.isArray(x) ? x.map(f) : f(x)) as T;
}

function checkBatch(value: unknown, label: string): number {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ArgumentError(`${label}: expected { inputs, targets } with tensors, got ${describe(value)}`);
  }
  const b = value as Record<string, unknown>;
  let size: number | undefined;
  for (const side of ['inputs', 'targets'] as const) {
    const list = tensorsOf(b[side]);
    if (list.length === 0)
      throw new ArgumentError(`${label}.${side}: expected at least one tensor, got an empty array`);
    list.forEach((t, i) => {
      const where = Array.isArray(b[side]) ? `${label}.${side}[${i}]` : `${label}.${side}`;
      if (!(t instanceof tf.Tensor))
        throw new ArgumentError(`${where}: expected a tf.Tensor, got ${describe(t)}`);
      if (t.isDisposed) throw new ArgumentError(`${where}: tensor is disposed`);
      if (size === undefined) size = t.rank === 0 ? 1 : t.shape[0]!;
    });
  }
  return size!;
}

function checkDataset(data: Batch<BatchTensors, BatchTensors>, label: string): number {
  checkBatch(data, label);
  let n: number | undefined;
  let first = '';
  for (const side of ['inputs', 'targets'] as const) {
    tensorsOf(data[side]).forEach((value, i) => {
      const t = value as Tensor;
      const where = Array.isArray(data[side]) ? `${label}.${side}[${i}]` : `${label}.${side}`;
      if (t.rank === 0) {
        throw new ShapeError(`${where}: expected rank >= 1 (examples on axis 0), got rank 0 (shape [])`);
      }
      if (n === undefined) {
        n = t.shape[0]!;
        first = where;
      } else if (t.shape[0] !== n) {
        throw new ShapeError(
          `${where}: expected ${n} examples on axis 0 (like ${first}), got shape ${formatShape(t.shape)}`,
        );
      }
    });
  }
  if (n === 0) throw new ShapeError(`${first}: expected at least one example, got 0 on axis 0`);
  return n!;
}

function isIterable(x: unknown): x is Iterable<unknown> | AsyncIterable<unknown> {
  return (
    typeof x === 'object' &&
    x !== null &&
    (typeof (x as Iterable<unknown>)[Symbol.iterator] === 'function' ||
      typeof (x as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function')
  );
}

/**
 * Validates `data` and returns how to produce each epoch's batches.
 * @throws {@link ArgumentError} or {@link ShapeError} naming `label` and the offending part
 * @internal
 */
export function planData<X extends BatchTensors, Y extends BatchTensors>(
  data: FitData<X, Y>,
  label: string,
  settings: PlanSettings,
): DataPlan<X, Y> {
  const { batchSize, shuffle, random, limit } = settings;
  if (typeof data === 'function') {
    return {
      batchesPerEpoch: Number.isFinite(limit) ? limit : undefined,
      async *batches(epoch) {
        const produced = data(epoch);
        if (!isIterable(produced)) {
          throw new ArgumentError(
            `${label}: the batch source must return an iterable or async iterable, got ${describe(produced)}`,
          );
        }
        let i = 0;
        for await (const batch of produced as AsyncIterable<Batch<X, Y>>) {
          const size = checkBatch(batch, `${label}: epoch ${epoch} batch ${i}`);
          yield { batch, size, owned: false };
          if (++i >= limit) break;
        }
        if (i === 0)
          throw new ArgumentError(`${label}: the batch source yielded no batches in epoch ${epoch}`);
      },
    };
  }
  if (Array.isArray(data)) {
    if (data.length === 0)
      throw new ArgumentError(`${label}: expected at least one batch, got an empty array`);
    const sizes = data.map((b, i) => checkBatch(b, `${label}[${i}]`));
    const count = Math.min(data.length, limit);
    return {
      batchesPerEpoch: count,
      async *batches() {
        const order = shuffle ? randomPermutation(data.length, random) : null;
        for (let i = 0; i < count; i++) {
          const k = order ? order[i]! : i;
          yield { batch: data[k]!, size: sizes[k]!, owned: false };
        }
      },
    };
  }
  const dataset = data as Batch<X, Y>;
  const n = checkDataset(dataset as Batch<BatchTensors, BatchTensors>, label);
  const count = Math.min(Math.ceil(n / batchSize), limit);
  return {
    batchesPerEpoch: count,
    async *batches() {
      const order = shuffle ? randomPermutation(n, random) : null;
      for (let b = 0; b < count; b++) {
        const start = b * batchSize;
        const size = Math.min(n, start + batchSize) - start;
        const batch = tf.tidy(() => {
          let take: (t: Tensor) => Tensor;
          if (order) {
            const indices = tf.tensor1d(order.subarray(start, start + size), 'int32');
            take = (t) => tf.gather(t, indices);
          } else {
            take = (t) => tf.slice(t, [start, ...t.shape.slice(1).map(() => 0)], [size, ...t.shape.slice(1)]);
          }
          return { inputs: mapTensors(dataset.inputs, take), targets: mapTensors(dataset.targets, take) };
        }) as Batch<X, Y>;
        yield { batch, size, owned: true };
      }
    },
  };
}
