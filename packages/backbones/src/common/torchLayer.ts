import type { LayerVariable, Tensor } from '@tensorflow/tfjs';
import { ArgumentError, rng, tf } from '@tensorloom/core';

/**
 * How a weight is laid out in PyTorch relative to ours:
 * - `conv2d`: torch `[out, in/groups, kh, kw]` ↔ ours `[kh, kw, in/groups, out]`;
 * - `conv1d`: torch `[out, in, k]` ↔ ours `[k, in, out]`;
 * - `linear`: torch `[out, in]` ↔ ours `[in, out]`;
 * - `same`: identical (biases, BatchNorm vectors and statistics).
 */
export type TorchLayout = 'conv2d' | 'conv1d' | 'linear' | 'same';

/** One weight of a {@link TorchNamedLayer}: its official PyTorch name, our shape and how it is initialised. */
export interface TorchWeightSpec {
  /** The full PyTorch `state_dict` name, e.g. `features.3.mhca.group_conv3x3.weight`. */
  name: string;
  /** Shape in our (tfjs, channels-last) layout. */
  shape: number[];
  /** Layout relation to PyTorch. */
  layout: TorchLayout;
  /**
   * Initialiser: truncated normal (std 0.02, Next-ViT's init), zeros, ones, Kaiming-normal fan-out (ReLU
   * gain), Kaiming-normal fan-in with leaky-ReLU gain (slope 0.01), or PyTorch's default `U(±1/√fan_in)`.
   */
  init: 'trunc02' | 'zeros' | 'ones' | 'kaimingFanOut' | 'kaimingFanInLeaky' | 'uniformFanIn';
  /** Fan-in for `uniformFanIn` on a bias (whose own shape does not tell it). */
  fanIn?: number;
  /** False for BatchNorm running statistics. */
  trainable: boolean;
}

/** The permutation taking a PyTorch tensor to our layout (its inverse for the other direction). */
export function torchToOursPerm(layout: TorchLayout): number[] | null {
  if (layout === 'conv2d') return [2, 3, 1, 0];
  if (layout === 'conv1d') return [2, 1, 0];
  if (layout === 'linear') return [1, 0];
  return null;
}

/** The PyTorch shape of a weight with our `shape` and `layout`. */
export function torchShape(shape: readonly number[], layout: TorchLayout): number[] {
  if (layout === 'conv2d') return [shape[3]!, shape[2]!, shape[0]!, shape[1]!];
  if (layout === 'conv1d') return [shape[2]!, shape[1]!, shape[0]!];
  if (layout === 'linear') return [shape[1]!, shape[0]!];
  return [...shape];
}

function makeInitializer(spec: TorchWeightSpec, seed: number) {
  switch (spec.init) {
    case 'zeros':
      return tf.initializers.zeros();
    case 'ones':
      return tf.initializers.ones();
    case 'trunc02':
      return tf.initializers.truncatedNormal({ stddev: 0.02, seed });
    case 'kaimingFanOut':
      return tf.initializers.varianceScaling({ scale: 2, mode: 'fanOut', distribution: 'normal', seed });
    case 'kaimingFanInLeaky':
      return tf.initializers.varianceScaling({
        scale: 2 / (1 + 0.01 ** 2),
        mode: 'fanIn',
        distribution: 'normal',
        seed,
      });
    default:
      if (spec.fanIn !== undefined) {
        const bound = 1 / Math.sqrt(spec.fanIn);
        return tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed });
      }
      // PyTorch's default for Linear/Conv: U(±1/√fan_in) on weights (kaiming_uniform with a = √5).
      return tf.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform', seed });
  }
}

/** The serialisable config every Tensorloom torch-named layer carries. */
export interface TorchLayerArgs {
  name?: string;
  trainable?: boolean;
  /** Seed for weight initialisation and stochastic depth. */
  seed?: number;
}

/**
 * A tfjs layer whose weights carry their official PyTorch `state_dict` names, so models can be
 * loaded from and saved to safetensors files written by the reference code. Subclasses list their
 * weights in {@link TorchNamedLayer.weightSpecs}; `build` creates them in that order.
 */
export abstract class TorchNamedLayer extends tf.layers.Layer {
  /** Seed for initialisation and stochastic depth. */
  readonly seed: number;
  private readonly byName = new Map<string, LayerVariable>();
  private readonly specByName = new Map<string, TorchWeightSpec>();
  private dropRng: ReturnType<typeof rng>;

  constructor(args: TorchLayerArgs) {
    super(args);
    this.seed = args.seed ?? 0;
    this.dropRng = rng(this.seed + 7919);
  }

  /** The weights this layer owns, with PyTorch names and our shapes. */
  abstract weightSpecs(): TorchWeightSpec[];

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    let k = 0;
    for (const spec of this.weightSpecs()) {
      const v = this.addWeight(
        spec.name,
        spec.shape,
        'float32',
        makeInitializer(spec, (this.seed * 1_000_003 + 17 * ++k) % 2_147_483_647),
        undefined,
        spec.trainable,
      );
      this.byName.set(spec.name, v);
      this.specByName.set(spec.name, spec);
    }
    super.build(inputShape);
  }

  /** The variable holding the weight with PyTorch name `name`. */
  variable(name: string): LayerVariable {
    const v = this.byName.get(name);
    if (!v) throw new ArgumentError(`name: layer '${this.name}' has no weight '${name}'`);
    return v;
  }

  /** The current value of weight `name`. */
  protected w(name: string): Tensor {
    return this.variable(name).read();
  }

  /** Whether the layer has a weight with this PyTorch name. */
  hasWeight(name: string): boolean {
    return this.byName.has(name);
  }

  /** Weight specs by name (after build). */
  spec(name: string): TorchWeightSpec | undefined {
    return this.specByName.get(name);
  }

  /**
   * BatchNorm over the last axis with PyTorch semantics: in training, normalise with the biased
   * batch variance and update the running statistics with momentum 0.1 and the unbiased variance;
   * otherwise use the running statistics.
   */
  protected batchNorm(x: Tensor, prefix: string, training: boolean, eps = 1e-5): Tensor {
    const gamma = this.w(`${prefix}.weight`);
    const beta = this.w(`${prefix}.bias`);
    if (!training) {
      return tf.batchNorm(
        x,
        this.w(`${prefix}.running_mean`),
        this.w(`${prefix}.running_var`),
        beta,
        gamma,
        eps,
      );
    }
    const axes = x.shape.slice(0, -1).map((_, i) => i);
    const { mean, variance } = tf.moments(x, axes);
    const n = axes.reduce((p, a) => p * x.shape[a]!, 1);
    const runMean = this.variable(`${prefix}.running_mean`);
    const runVar = this.variable(`${prefix}.running_var`);
    const [newMean, newVar] = tf.tidy(() => {
      const m = mean;
      const v = variance;
      const unbiased = n > 1 ? tf.mul(v, n / (n - 1)) : v;
      return [
        tf.add(tf.mul(runMean.read(), 0.9), tf.mul(m, 0.1)),
        tf.add(tf.mul(runVar.read(), 0.9), tf.mul(unbiased, 0.1)),
      ];
    });
    runMean.write(newMean);
    runVar.write(newVar);
    tf.dispose([newMean, newVar]);
    return tf.batchNorm(x, mean, variance, beta, gamma, eps);
  }

  /** Stochastic depth: in training, zero whole samples with probability `rate` and rescale the rest. */
  protected dropPath(x: Tensor, rate: number, training: boolean): Tensor {
    if (!training || rate <= 0) return x;
    const keep = 1 - rate;
    const b = x.shape[0]!;
    const mask = new Float32Array(b);
    for (let i = 0; i < b; i++) mask[i] = this.dropRng.uniform() < keep ? 1 / keep : 0;
    const shape = [b, ...x.shape.slice(1).map(() => 1)];
    return tf.mul(x, tf.tensor(mask, shape));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), seed: this.seed };
  }
}
