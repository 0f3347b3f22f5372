import type { Variable } from '@tensorflow/tfjs';
import type { ProgressCallback, Tensor } from '@tensorloom/core';
import { ArgumentError, assertInteger, matMul, rng, tf, truncatedNormalTensor } from '@tensorloom/core';
import { MultiHeadAttention } from '../softmax/multiHeadAttention.js';
import { TensorAttention } from '../tensor/layer.js';

/** Options for {@link match3Experiment}. */
export interface Match3Options {
  /** Seed for data and initialisation. */
  seed: number;
  /** Sequence length N (default 5). */
  length?: number;
  /** Modulus m (default 11). */
  modulus?: number;
  /** Model width (default 8). */
  dim?: number;
  /** Training steps (default 400). */
  steps?: number;
  /** Batch size (default 128). */
  batch?: number;
  /** Adam learning rate (default 0.01). */
  learningRate?: number;
  /** Test sequences (default 1024). */
  testSize?: number;
  /** Called every 20 training steps with `{ phase: 'train-tensor' | 'train-softmax', step, total, metrics: { loss } }`. */
  onProgress?: ProgressCallback;
  /** Aborts between training steps (throws the signal's reason). */
  signal?: AbortSignal;
}

/** Test accuracies of the two models on Match3 and the positive-label rate (the majority baseline is max(p, 1−p)). */
export interface Match3Result {
  /** Test accuracy (per position) of the tensor-attention model. */
  tensorAccuracy: number;
  /** Test accuracy (per position) of the softmax-attention model of the same width. */
  softmaxAccuracy: number;
  /** Fraction of positive labels in the test set. */
  positiveRate: number;
  /** Last reported training loss of the tensor-attention model. */
  tensorLoss: number;
  /** Last reported training loss of the softmax-attention model. */
  softmaxLoss: number;
}

/**
 * Match3 labels: position i is positive when some `j, k ≠ i` (j = k allowed) give
 * `x_i + x_j + x_k ≡ 0 (mod m)` — a triple-wise property.
 */
export function match3Labels(tokens: Int32Array, length: number, modulus: number): Float32Array {
  const count = tokens.length / length;
  const labels = new Float32Array(tokens.length);
  for (let s = 0; s < count; s++) {
    for (let i = 0; i < length; i++) {
      let hit = 0;
      for (let j = 0; j < length && !hit; j++) {
        if (j === i) continue;
        for (let k = 0; k < length; k++) {
          if (k === i) continue;
          if ((tokens[s * length + i]! + tokens[s * length + j]! + tokens[s * length + k]!) % modulus === 0) {
            hit = 1;
            break;
          }
        }
      }
      labels[s * length + i] = hit;
    }
  }
  return labels;
}

interface Model {
  vars: Variable[];
  logits(x: Tensor): Tensor;
  dispose(): void;
}

function makeModel(kind: 'tensor' | 'softmax', dim: number, length: number, seed: number): Model {
  const hidden = 32;
  const v = (shape: number[], i: number, std: number): Variable =>
    tf.tidy(() => tf.variable(truncatedNormalTensor(shape, { seed: seed * 32 + i, std })));
  const embed = v([3, dim], 0, 1);
  const zeros = (shape: number[]): Variable => tf.tidy(() => tf.variable(tf.zeros(shape)));
  const bEmbed = zeros([dim]);
  const w1 = v([2 * dim, hidden], 1, 1 / Math.sqrt(2 * dim));
  const b1 = zeros([hidden]);
  const w2 = v([hidden, 1], 2, 1 / Math.sqrt(hidden));
  const b2 = zeros([1]);
  const notSelf = tf.tidy(() => tf.sub(1, tf.eye(length)));
  const tensorLayer = kind === 'tensor' ? new TensorAttention({ dim, heads: 1, seed: seed + 1 }) : undefined;
  const softLayer =
    kind === 'softmax'
      ? new MultiHeadAttention({ dim, heads: 1, seed: seed + 1, initStd: 1 / Math.sqrt(dim) })
      : undefined;
  const layerVars = tensorLayer?.trainableVariables ?? softLayer!.trainableVariables;
  return {
    vars: [embed, bEmbed, w1, b1, w2, b2, ...layerVars],
    logits(x: Tensor): Tensor {
      return tf.tidy(() => {
        const [b, n] = x.shape as [number, number, number];
        const h = tf.reshape(tf.add(matMul(tf.reshape(x, [b * n, 3]), embed), bEmbed), [b, n, dim]);
        const a = tensorLayer
          ? tensorLayer.apply(h, { k1: notSelf, k2: notSelf })
          : softLayer!.apply(h, undefined, notSelf);
        const z = tf.reshape(tf.concat([h, a], 2), [b * n, 2 * dim]);
        const hid = tf.relu(tf.add(matMul(z, w1), b1));
        return tf.reshape(tf.add(matMul(hid, w2), b2), [b, n]);
      });
    },
    dispose(): void {
      tf.dispose([embed, bEmbed, w1, b1, w2, b2, notSelf]);
      tensorLayer?.dispose();
      softLayer?.dispose();
    },
  };
}

function features(tokens: Int32Array, count: number, length: number, modulus: number): Tensor {
  const f = new Float32Array(tokens.length * 3);
  tokens.forEach((x, i) => {
    f[3 * i] = Math.cos((2 * Math.PI * x) / modulus);
    f[3 * i + 1] = Math.sin((2 * Math.PI * x) / modulus);
    f[3 * i + 2] = 1;
  });
  return tf.tensor3d(f, [count, length, 3]);
}

/**
 * Trains a one-layer tensor-attention model and a one-layer softmax-attention model of the same
 * width (same embedding and MLP readout) on Match3 and reports their test accuracies. Tokens enter
 * as fixed Fourier features `[cos 2πx/m, sin 2πx/m, 1]`; a single tensor-attention head can express
 * `cos(2π(x_i + x_j + x_k)/m)` as a trilinear score, a softmax head only pairwise scores.
 *
 * @throws {@link ArgumentError} for invalid sizes
 */
export async function match3Experiment(options: Match3Options): Promise<Match3Result> {
  const length = options.length ?? 5;
  const modulus = options.modulus ?? 11;
  const dim = options.dim ?? 8;
  const steps = options.steps ?? 400;
  const batch = options.batch ?? 128;
  const testSize = options.testSize ?? 1024;
  const lr = options.learningRate ?? 0.01;
  assertInteger(length, 'length', { min: 3 });
  assertInteger(modulus, 'modulus', { min: 2 });
  assertInteger(dim, 'dim', { min: 1 });
  assertInteger(steps, 'steps', { min: 0 });
  assertInteger(batch, 'batch', { min: 1 });
  assertInteger(testSize, 'testSize', { min: 1 });
  if (!(lr > 0)) throw new ArgumentError(`learningRate: expected a positive number, got ${lr}`);
  const gen = rng(options.seed);
  const sample = (count: number): { x: Tensor; y: Tensor; labels: Float32Array } => {
    const tokens = Int32Array.from({ length: count * length }, () => gen.int(modulus));
    const labels = match3Labels(tokens, length, modulus);
    return { x: features(tokens, count, length, modulus), y: tf.tensor2d(labels, [count, length]), labels };
  };
  const test = sample(testSize);
  const result: Partial<Match3Result> = {
    positiveRate: test.labels.reduce((a, c) => a + c, 0) / test.labels.length,
  };
  for (const kind of ['tensor', 'softmax'] as const) {
    const model = makeModel(kind, dim, length, options.seed);
    const opt = tf.train.adam(lr);
    let last = 0;
    for (let step = 0; step < steps; step++) {
      if (options.signal?.aborted) {
        model.dispose();
        opt.dispose();
        tf.dispose([test.x, test.y]);
        throw options.signal.reason ?? new Error('aborted');
      }
      const { x, y } = sample(batch);
      const loss = opt.minimize(
        () => tf.losses.sigmoidCrossEntropy(y, model.logits(x)) as tf.Scalar,
        true,
        model.vars,
      );
      if (step % 20 === 0 || step === steps - 1) {
        last = loss!.dataSync()[0]!;
        options.onProgress?.({
          phase: `train-${kind}`,
          step: step + 1,
          total: steps,
          metrics: { loss: last },
        });
        await new Promise((r) => setTimeout(r, 0));
      }
      tf.dispose([x, y, loss!]);
    }
    const acc = tf.tidy(() =>
      tf.mean(tf.cast(tf.equal(tf.greater(model.logits(test.x), 0), tf.cast(test.y, 'bool')), 'float32')),
    );
    const a = acc.dataSync()[0]!;
    acc.dispose();
    if (kind === 'tensor') {
      result.tensorAccuracy = a;
      result.tensorLoss = last;
    } else {
      result.softmaxAccuracy = a;
      result.softmaxLoss = last;
    }
    model.dispose();
    opt.dispose();
  }
  tf.dispose([test.x, test.y]);
  return result as Match3Result;
}
