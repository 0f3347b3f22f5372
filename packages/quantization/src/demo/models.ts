import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { fit, modelLoss, tf } from '@tensorloom/core';

/** A small MLP for 784-pixel digits: 784 → hidden (relu) → hidden/2 (relu) → 10 logits. */
export function mnistMlp(hidden: number, seed: number): LayersModel {
  const init = (k: number) => tf.initializers.heNormal({ seed: seed * 31 + k });
  return tf.sequential({
    layers: [
      tf.layers.dense({
        units: hidden,
        inputShape: [784],
        activation: 'relu',
        name: 'fc1',
        kernelInitializer: init(1),
      }),
      tf.layers.dense({ units: hidden / 2, activation: 'relu', name: 'fc2', kernelInitializer: init(2) }),
      tf.layers.dense({ units: 10, name: 'fc3', kernelInitializer: init(3) }),
    ],
  });
}

/**
 * A small CNN: reshape to 28×28×1 → conv 3×3 (stride 2) + batch norm + relu → depthwise 3×3 (stride 2, relu)
 * → conv 1×1 (relu) → flatten → dense 10 logits.
 */
export function mnistCnn(filters: number, seed: number): LayersModel {
  const init = (k: number) => tf.initializers.heNormal({ seed: seed * 31 + k });
  return tf.sequential({
    layers: [
      tf.layers.reshape({ targetShape: [28, 28, 1], inputShape: [784] }),
      tf.layers.conv2d({
        filters,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        name: 'conv1',
        kernelInitializer: init(1),
      }),
      tf.layers.batchNormalization({ name: 'bn1' }),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.depthwiseConv2d({
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: 'relu',
        name: 'dw2',
        depthwiseInitializer: init(2),
      }),
      tf.layers.conv2d({
        filters: filters * 2,
        kernelSize: 1,
        activation: 'relu',
        name: 'pw3',
        kernelInitializer: init(3),
      }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, name: 'fc4', kernelInitializer: init(4) }),
    ],
  });
}

/**
 * A small ResNet (functional model): reshape 28×28×1 → conv 3×3 s2 + BN + relu (`stem`) → residual block 1 with
 * a strided 1×1 downsample shortcut (`b1_conv1` s2, `b1_conv2`, `b1_down`; the last two meet at an addition and
 * are tied) → identity residual block 2 (`b2_conv1`, `b2_conv2`) → global average pool → dense 10 logits (`fc`).
 * 7 quantisable layers in 6 precision groups.
 */
export function mnistResNet(filters: number, seed: number): LayersModel {
  const init = (k: number) => tf.initializers.heNormal({ seed: seed * 31 + k });
  let k = 0;
  const convBn = (
    x: tf.SymbolicTensor,
    name: string,
    f: number,
    size: number,
    strides: number,
    relu: boolean,
  ) => {
    let y = tf.layers
      .conv2d({ filters: f, kernelSize: size, strides, padding: 'same', name, kernelInitializer: init(++k) })
      .apply(x) as tf.SymbolicTensor;
    y = tf.layers.batchNormalization({ name: `${name}_bn`, momentum: 0.9 }).apply(y) as tf.SymbolicTensor;
    return relu ? (tf.layers.reLU().apply(y) as tf.SymbolicTensor) : y;
  };
  const input = tf.input({ shape: [784] });
  const img = tf.layers.reshape({ targetShape: [28, 28, 1] }).apply(input) as tf.SymbolicTensor;
  const stem = convBn(img, 'stem', filters, 3, 2, true);
  const a = convBn(stem, 'b1_conv1', 2 * filters, 3, 2, true);
  const b = convBn(a, 'b1_conv2', 2 * filters, 3, 1, false);
  const down = convBn(stem, 'b1_down', 2 * filters, 1, 2, false);
  const s1 = tf.layers
    .reLU()
    .apply(tf.layers.add().apply([b, down]) as tf.SymbolicTensor) as tf.SymbolicTensor;
  const c = convBn(s1, 'b2_conv1', 2 * filters, 3, 1, true);
  const d = convBn(c, 'b2_conv2', 2 * filters, 3, 1, false);
  const s2 = tf.layers.reLU().apply(tf.layers.add().apply([d, s1]) as tf.SymbolicTensor) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(s2) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 10, name: 'fc', kernelInitializer: init(++k) })
    .apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** Trains a logits model with Adam on softmax cross-entropy (core's `fit`). */
export async function trainClassifier(
  model: LayersModel,
  x: Tensor,
  y: Tensor,
  options: { epochs: number; seed: number; signal?: AbortSignal; learningRate?: number },
): Promise<void> {
  await fit({
    model,
    loss: modelLoss(model, (t, p) => tf.losses.softmaxCrossEntropy(t, p)),
    data: { inputs: x, targets: y },
    optimizer: 'adam',
    learningRate: options.learningRate ?? 3e-3,
    epochs: options.epochs,
    batchSize: 32,
    seed: options.seed,
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
