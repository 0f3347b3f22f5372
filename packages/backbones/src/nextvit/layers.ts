import type { Tensor, Tensor3D, Tensor4D } from '@tensorflow/tfjs';
import { batchMatMul, ShapeError, tf } from '@tensorloom/core';
import { avgPool2x2Ceil, pointwiseConv, pointwiseConvFused } from '../common/convOps.js';
import { GroupedKernelCache, groupedConvSame } from '../common/groupedConv.js';
import { type TorchLayerArgs, TorchNamedLayer, type TorchWeightSpec } from '../common/torchLayer.js';
import { makeDivisible, type NextVitBlockSpec, ntbSplit } from './config.js';

type Kwargs = { training?: boolean };

function single(inputs: Tensor | Tensor[]): Tensor {
  return Array.isArray(inputs) ? inputs[0]! : inputs;
}

function conv(name: string, shape: number[]): TorchWeightSpec {
  return { name, shape, layout: 'conv2d', init: 'trunc02', trainable: true };
}
function linear(name: string, cin: number, cout: number): TorchWeightSpec {
  return { name, shape: [cin, cout], layout: 'linear', init: 'trunc02', trainable: true };
}
function vector(
  name: string,
  c: number,
  init: 'zeros' | 'ones' = 'zeros',
  trainable = true,
): TorchWeightSpec {
  return { name, shape: [c], layout: 'same', init, trainable };
}
function bn(prefix: string, c: number): TorchWeightSpec[] {
  return [
    vector(`${prefix}.weight`, c, 'ones'),
    vector(`${prefix}.bias`, c),
    vector(`${prefix}.running_mean`, c, 'zeros', false),
    vector(`${prefix}.running_var`, c, 'ones', false),
  ];
}
/** A conv followed by BatchNorm; in deploy mode the BN is folded into a conv bias. */
function convBn(prefix: string, convName: string, shape: number[], deploy: boolean): TorchWeightSpec[] {
  return deploy
    ? [conv(`${prefix}.${convName}.weight`, shape), vector(`${prefix}.${convName}.bias`, shape[3]!)]
    : [conv(`${prefix}.${convName}.weight`, shape), ...bn(`${prefix}.norm`, shape[3]!)];
}

// ------------------------------------------------------------------------------------------ stem

/** Config of {@link NextVitStem}. */
export interface NextVitStemArgs extends TorchLayerArgs {
  /** Output channels of the four Conv3×3-BN-ReLU layers. */
  channels: [number, number, number, number];
  /** Input channels (3 for RGB). */
  inChannels?: number;
  /** BatchNorm folded into the convs. */
  deploy?: boolean;
}

/**
 * The Next-ViT stem: four Conv3×3(padding 1, no bias)-BN-ReLU layers with strides 2, 1, 1, 2 (224 → 56).
 * Weights: `stem.{i}.conv.weight`, `stem.{i}.norm.*`.
 */
export class NextVitStem extends TorchNamedLayer {
  static className = 'TensorloomNextVitStem';
  readonly channels: [number, number, number, number];
  readonly inChannels: number;
  readonly deploy: boolean;
  constructor(args: NextVitStemArgs) {
    super({ name: 'stem', ...args });
    this.channels = args.channels;
    this.inChannels = args.inChannels ?? 3;
    this.deploy = args.deploy ?? false;
  }
  weightSpecs(): TorchWeightSpec[] {
    const specs: TorchWeightSpec[] = [];
    let cin = this.inChannels;
    this.channels.forEach((c, i) => {
      specs.push(...convBn(`stem.${i}`, 'conv', [3, 3, cin, c], this.deploy));
      cin = c;
    });
    return specs;
  }
  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = s as tf.Shape;
    const down = (n: number | null) =>
      n === null ? null : Math.floor((Math.floor((n - 1) / 2) + 1 - 1) / 2) + 1;
    return [shape[0]!, down(shape[1]!), down(shape[2]!), this.channels[3]];
  }
  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor {
    return tf.tidy(() => {
      let x = single(inputs) as Tensor4D;
      if (x.rank !== 4 || x.shape[3] !== this.inChannels) {
        throw new ShapeError(
          `images: expected shape [batch, height, width, ${this.inChannels}], got [${x.shape.join(', ')}]`,
        );
      }
      const training = kwargs?.training === true;
      const strides = [2, 1, 1, 2];
      this.channels.forEach((_, i) => {
        const p = `stem.${i}`;
        const pad: [[number, number], [number, number], [number, number], [number, number]] = [
          [0, 0],
          [1, 1],
          [1, 1],
          [0, 0],
        ];
        const filter = this.w(`${p}.conv.weight`) as Tensor4D;
        if (this.deploy) {
          // Conv + bias + ReLU in one (XNNPACK) kernel.
          const bias = this.w(`${p}.conv.bias`);
          x = tf.fused.conv2d({ x, filter, strides: strides[i]!, pad, bias, activation: 'relu' });
        } else {
          const y = tf.conv2d(x, filter, strides[i]!, pad);
          x = tf.relu(this.batchNorm(y, `${p}.norm`, training)) as Tensor4D;
        }
      });
      return x;
    });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      channels: this.channels,
      inChannels: this.inChannels,
      deploy: this.deploy,
    };
  }
}

// ------------------------------------------------------------------------------------------ blocks

/** Config of {@link NextVitBlock}. */
export interface NextVitBlockArgs extends TorchLayerArgs {
  /** The block's place and shape in the NHS stacking. */
  block: NextVitBlockSpec;
  /** Channels per head (and per MHCA conv group). */
  headDim: number;
  /** Share of NTB channels in the attention branch. */
  mixBlockRatio: number;
  /** BatchNorm folded into neighbouring convs/linears. */
  deploy?: boolean;
}

/**
 * One Next-ViT body block, NCB or NTB (`features.{index}` in the official model):
 *
 * - **NCB**: `x = PatchEmbed(x); x += DropPath(MHCA(x)); x += DropPath(Mlp(BN(x)))`, MLP ratio 3.
 * - **NTB**: `x = PatchEmbed(x)` (to the attention width C_s); `x += DropPath(E-MHSA(BN(x)))`;
 *   `y = PatchEmbed(x)` (to C_c = C_out − C_s); `y += DropPath(MHCA(y))`; `x = concat(x, y)`;
 *   `x += DropPath(Mlp(BN(x)))`, MLP ratio 2, drop rates p·0.75, p·0.25, p.
 *
 * MHCA is a grouped 3×3 conv (one group per head) → BN → ReLU → 1×1 projection. E-MHSA is multi-head
 * attention whose keys and values come from `AvgPool1d(sr²)` over the raster-ordered tokens followed by
 * BatchNorm1d (when sr > 1).
 */
export class NextVitBlock extends TorchNamedLayer {
  static className = 'TensorloomNextVitBlock';
  readonly block: NextVitBlockSpec;
  readonly headDim: number;
  readonly mixBlockRatio: number;
  readonly deploy: boolean;
  /** Weight-name prefix, `features.{index}`. */
  readonly prefix: string;
  /** MHCA's per-group conv kernels, kept between inference calls (freed by `dispose`). */
  private readonly groupKernels = new GroupedKernelCache();
  private readonly groupBiases = new GroupedKernelCache();
  constructor(args: NextVitBlockArgs) {
    super({ name: `features_${args.block.index}`, ...args });
    this.block = { ...args.block };
    this.headDim = args.headDim;
    this.mixBlockRatio = args.mixBlockRatio;
    this.deploy = args.deploy ?? false;
    this.prefix = `features.${this.block.index}`;
  }

  /** Channels out of the patch embedding (the NCB width, or the NTB attention width C_s). */
  get embedChannels(): number {
    const b = this.block;
    return b.type === 'ncb' ? b.outChannels : ntbSplit(b.outChannels, this.mixBlockRatio, this.headDim)[0];
  }

  private hasPatchEmbed(cin: number, cout: number, stride: number): boolean {
    return stride === 2 || cin !== cout;
  }

  private patchEmbedSpecs(name: string, cin: number, cout: number, stride: number): TorchWeightSpec[] {
    if (!this.hasPatchEmbed(cin, cout, stride)) return [];
    return convBn(`${this.prefix}.${name}`, 'conv', [1, 1, cin, cout], this.deploy);
  }

  private mhcaSpecs(c: number): TorchWeightSpec[] {
    const p = `${this.prefix}.mhca`;
    return [
      ...convBn(p, 'group_conv3x3', [3, 3, this.headDim, c], this.deploy),
      conv(`${p}.projection.weight`, [1, 1, c, c]),
    ];
  }

  private mlpSpecs(c: number, ratio: number): TorchWeightSpec[] {
    const h = makeDivisible(c * ratio, this.headDim);
    const p = `${this.prefix}.mlp`;
    return [
      conv(`${p}.conv1.weight`, [1, 1, c, h]),
      vector(`${p}.conv1.bias`, h),
      conv(`${p}.conv2.weight`, [1, 1, h, c]),
      vector(`${p}.conv2.bias`, c),
    ];
  }

  weightSpecs(): TorchWeightSpec[] {
    const b = this.block;
    const p = this.prefix;
    const specs = this.patchEmbedSpecs('patch_embed', b.inChannels, this.embedChannels, b.stride);
    if (b.type === 'ncb') {
      specs.push(...this.mhcaSpecs(b.outChannels));
      if (!this.deploy) specs.push(...bn(`${p}.norm`, b.outChannels));
      specs.push(...this.mlpSpecs(b.outChannels, 3));
      return specs;
    }
    const [cs, cc] = ntbSplit(b.outChannels, this.mixBlockRatio, this.headDim);
    if (!this.deploy) specs.push(...bn(`${p}.norm1`, cs));
    for (const n of ['q', 'k', 'v']) {
      specs.push(linear(`${p}.e_mhsa.${n}.weight`, cs, cs), vector(`${p}.e_mhsa.${n}.bias`, cs));
    }
    specs.push(linear(`${p}.e_mhsa.proj.weight`, cs, cs), vector(`${p}.e_mhsa.proj.bias`, cs));
    if (b.srRatio > 1 && !this.deploy) specs.push(...bn(`${p}.e_mhsa.norm`, cs));
    specs.push(...this.patchEmbedSpecs('projection', cs, cc, 1));
    specs.push(...this.mhcaSpecs(cc));
    if (!this.deploy) specs.push(...bn(`${p}.norm2`, b.outChannels));
    specs.push(...this.mlpSpecs(b.outChannels, 2));
    return specs;
  }

  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = s as tf.Shape;
    const f = (n: number | null) => (n === null ? null : this.block.stride === 2 ? Math.ceil(n / 2) : n);
    return [shape[0]!, f(shape[1]!), f(shape[2]!), this.block.outChannels];
  }

  private patchEmbed(
    x: Tensor4D,
    name: string,
    cin: number,
    cout: number,
    stride: number,
    training: boolean,
  ) {
    if (!this.hasPatchEmbed(cin, cout, stride)) return x;
    const p = `${this.prefix}.${name}`;
    const pooled = stride === 2 ? avgPool2x2Ceil(x) : x;
    const y = this.deploy
      ? pointwiseConvFused(pooled, this.w(`${p}.conv.weight`), this.w(`${p}.conv.bias`))
      : this.batchNorm(pointwiseConv(pooled, this.w(`${p}.conv.weight`)), `${p}.norm`, training);
    return y as Tensor4D;
  }

  private mhca(x: Tensor4D, training: boolean): Tensor4D {
    const p = `${this.prefix}.mhca`;
    const groups = x.shape[3] / this.headDim;
    const kernel = this.w(`${p}.group_conv3x3.weight`) as Tensor4D;
    const cache = training ? {} : { cache: this.groupKernels, biasCache: this.groupBiases };
    let y: Tensor;
    if (this.deploy) {
      // Folded BN: conv + bias + ReLU fused per group.
      y = groupedConvSame(x, kernel, groups, {
        ...cache,
        bias: this.w(`${p}.group_conv3x3.bias`),
        relu: true,
      });
    } else {
      y = tf.relu(this.batchNorm(groupedConvSame(x, kernel, groups, cache), `${p}.norm`, training));
    }
    return pointwiseConv(y, this.w(`${p}.projection.weight`)) as Tensor4D;
  }

  /** A 1×1 conv / linear with bias (and ReLU): fused into one product kernel in inference. */
  private dense(x: Tensor, name: string, training: boolean, relu = false): Tensor {
    const k = this.w(`${name}.weight`);
    const b = this.w(`${name}.bias`);
    if (!training) return pointwiseConvFused(x, k, b, relu);
    const y = pointwiseConv(x, k, b);
    return relu ? tf.relu(y) : y;
  }

  private mlp(x: Tensor, training: boolean): Tensor {
    const p = `${this.prefix}.mlp`;
    return this.dense(this.dense(x, `${p}.conv1`, training, true), `${p}.conv2`, training);
  }

  /** E-MHSA on tokens `[b, n, c]`. */
  private emhsa(tokens: Tensor3D, training: boolean): Tensor3D {
    const p = `${this.prefix}.e_mhsa`;
    const [b, n, c] = tokens.shape;
    const heads = c / this.headDim;
    const d = this.headDim;
    const q = this.dense(tokens, `${p}.q`, training);
    let kvIn: Tensor = tokens;
    const r2 = this.block.srRatio ** 2;
    if (this.block.srRatio > 1) {
      const m = Math.floor(n / r2);
      if (m < 1) {
        throw new ShapeError(
          `images: stage ${this.block.stage + 1} has ${n} tokens, fewer than the ${r2} that one key/value pool needs; use a larger input`,
        );
      }
      const used = m * r2 === n ? tokens : tf.slice(tokens, [0, 0, 0], [b, m * r2, c]);
      kvIn = tf.mean(tf.reshape(used, [b, m, r2, c]), 2);
      if (!this.deploy) kvIn = this.batchNorm(kvIn, `${p}.norm`, training);
    }
    const mTokens = kvIn.shape[1]!;
    const split = (t: Tensor, len: number) => tf.transpose(tf.reshape(t, [b, len, heads, d]), [0, 2, 1, 3]);
    const qh = split(q, n);
    const kh = split(this.dense(kvIn, `${p}.k`, training), mTokens);
    const vh = split(this.dense(kvIn, `${p}.v`, training), mTokens);
    const scores = tf.mul(batchMatMul(qh, kh, { transposeB: true }), d ** -0.5);
    const attn = tf.softmax(scores, -1);
    const out = tf.reshape(tf.transpose(batchMatMul(attn, vh), [0, 2, 1, 3]), [b, n, c]);
    return this.dense(out, `${p}.proj`, training) as Tensor3D;
  }

  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor {
    return tf.tidy(() => {
      const training = kwargs?.training === true;
      const blk = this.block;
      const p = this.prefix;
      let x = this.patchEmbed(
        single(inputs) as Tensor4D,
        'patch_embed',
        blk.inChannels,
        this.embedChannels,
        blk.stride,
        training,
      );
      if (blk.type === 'ncb') {
        x = tf.add(x, this.dropPath(this.mhca(x, training), blk.dropPath, training)) as Tensor4D;
        const out = this.deploy ? x : this.batchNorm(x, `${p}.norm`, training);
        return tf.add(x, this.dropPath(this.mlp(out, training), blk.dropPath, training));
      }
      const [bsz, h, w, cs] = x.shape;
      const cc = blk.outChannels - cs;
      const normed = this.deploy ? x : this.batchNorm(x, `${p}.norm1`, training);
      const attended = this.emhsa(tf.reshape(normed, [bsz, h * w, cs]) as Tensor3D, training);
      x = tf.add(
        x,
        this.dropPath(tf.reshape(attended, [bsz, h, w, cs]), blk.dropPath * this.mixBlockRatio, training),
      ) as Tensor4D;
      let y = this.patchEmbed(x, 'projection', cs, cc, 1, training);
      y = tf.add(
        y,
        this.dropPath(this.mhca(y, training), blk.dropPath * (1 - this.mixBlockRatio), training),
      ) as Tensor4D;
      const z = tf.concat([x, y], 3);
      const out = this.deploy ? z : this.batchNorm(z, `${p}.norm2`, training);
      return tf.add(z, this.dropPath(this.mlp(out, training), blk.dropPath, training));
    });
  }

  /** Also frees the cached per-group kernels once the layer's weights go. */
  override dispose(): { refCountAfterDispose: number; numDisposedVariables: number } {
    const result = super.dispose();
    if (result.refCountAfterDispose === 0) this.clearKernelCache();
    return result;
  }

  /** Frees the cached per-group conv kernels (rebuilt on the next inference call). */
  clearKernelCache(): void {
    this.groupKernels.dispose();
    this.groupBiases.dispose();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      block: { ...this.block },
      headDim: this.headDim,
      mixBlockRatio: this.mixBlockRatio,
      deploy: this.deploy,
    };
  }
}

// ------------------------------------------------------------------------------------------ head

/** Config of {@link NextVitHead}. */
export interface NextVitHeadArgs extends TorchLayerArgs {
  channels: number;
  /** Classifier outputs; 0 returns the pooled features. */
  numClasses: number;
  deploy?: boolean;
}

/**
 * The Next-ViT head: BatchNorm → global average pool → Linear (`norm.*`, `proj_head.0.*`). In deploy
 * mode the BatchNorm is folded into the linear layer (it commutes with the average pool).
 */
export class NextVitHead extends TorchNamedLayer {
  static className = 'TensorloomNextVitHead';
  readonly channels: number;
  readonly numClasses: number;
  readonly deploy: boolean;
  constructor(args: NextVitHeadArgs) {
    super({ name: 'head', ...args });
    this.channels = args.channels;
    this.numClasses = args.numClasses;
    this.deploy = args.deploy ?? false;
  }
  weightSpecs(): TorchWeightSpec[] {
    const specs: TorchWeightSpec[] = [];
    if (!this.deploy) specs.push(...bn('norm', this.channels));
    if (this.numClasses > 0) {
      specs.push(
        linear('proj_head.0.weight', this.channels, this.numClasses),
        vector('proj_head.0.bias', this.numClasses),
      );
    } else if (this.deploy) {
      specs.push(vector('norm.scale', this.channels, 'ones'), vector('norm.shift', this.channels));
    }
    return specs;
  }
  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    return [(s as tf.Shape)[0]!, this.numClasses > 0 ? this.numClasses : this.channels];
  }
  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      const normed = this.deploy ? x : this.batchNorm(x, 'norm', kwargs?.training === true);
      let pooled = tf.mean(normed, [1, 2]);
      if (this.numClasses === 0) {
        if (this.deploy) pooled = tf.add(tf.mul(pooled, this.w('norm.scale')), this.w('norm.shift'));
        return pooled;
      }
      const conv = kwargs?.training === true ? pointwiseConv : pointwiseConvFused;
      return conv(pooled, this.w('proj_head.0.weight'), this.w('proj_head.0.bias'));
    });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      channels: this.channels,
      numClasses: this.numClasses,
      deploy: this.deploy,
    };
  }
}

tf.serialization.registerClass(NextVitStem);
tf.serialization.registerClass(NextVitBlock);
tf.serialization.registerClass(NextVitHead);
