import {
  ArgumentError,
  assertInteger,
  assertOneOf,
  assertPositive,
  matMul,
  randomNormalTensor,
  ShapeError,
  type Tensor,
  type Tensor1D,
  tf,
} from '@tensorloom/core';
import { lmaxFromDim, shDim, sphericalHarmonics } from '../sh/sphericalHarmonics.js';
import { fourierConvolve, fourierToSh, gauntTensorProduct, shToFourier } from '../tensor-product/gaunt.js';
import { sphereGridTensors } from '../tensor-product/sphereGrid.js';

type Variable = ReturnType<typeof tf.variable>;

function degreeExpander(lmax: number): Tensor {
  return tf.tensor1d(
    Int32Array.from({ length: shDim(lmax) }, (_, i) => Math.floor(Math.sqrt(i))),
    'int32',
  );
}

/** Per-channel, per-degree weights initialised near one (seeded). */
function degreeWeights(channels: number, lmax: number, seed: number): Variable {
  return tf.tidy(() =>
    tf.variable(randomNormalTensor([channels, lmax + 1], { seed, mean: 1, std: 0.1 }), true),
  );
}

function checkFeatures(x: Tensor, channels: number, name: string): number {
  if (!(x instanceof tf.Tensor) || x.rank !== 3 || x.shape[1] !== channels) {
    throw new ShapeError(
      `${name} must have shape [batch, ${channels}, (L+1)²], got ${x instanceof tf.Tensor ? `[${x.shape.join(', ')}]` : typeof x}`,
    );
  }
  return lmaxFromDim(x.shape[2] as number, name);
}

/** Options of {@link GauntFeatureInteraction}. */
export interface GauntFeatureInteractionOptions {
  /** Number of channels C (the product is channel-wise). */
  channels: number;
  /** Degree of the first feature set. */
  lmax1: number;
  /** Degree of the second feature set. */
  lmax2: number;
  /** Output degree (default lmax1 + lmax2). */
  lmaxOut?: number;
  /** Seed of the weight initialisation. */
  seed: number;
}

/**
 * Equivariant feature interaction (the paper's first use): the channel-wise Gaunt tensor product of two feature
 * sets `[B, C, (L1+1)²] × [B, C, (L2+1)²] → [B, C, (Lout+1)²]`, with learnable per-channel, per-degree weights on
 * both inputs and on the output.
 *
 * @example
 * ```ts
 * const layer = new GauntFeatureInteraction({ channels: 8, lmax1: 2, lmax2: 2, lmaxOut: 2, seed: 0 });
 * const out = layer.apply(x, y); // [B, 8, 9]
 * ```
 */
export class GauntFeatureInteraction {
  /** Weights on the first input, [C, L1+1]. */
  readonly weights1: Variable;
  /** Weights on the second input, [C, L2+1]. */
  readonly weights2: Variable;
  /** Weights on the output, [C, Lout+1]. */
  readonly weightsOut: Variable;
  /** Resolved options. */
  readonly options: Required<GauntFeatureInteractionOptions>;

  constructor(options: GauntFeatureInteractionOptions) {
    assertInteger(options.channels, 'options.channels', { min: 1 });
    assertInteger(options.lmax1, 'options.lmax1', { min: 0 });
    assertInteger(options.lmax2, 'options.lmax2', { min: 0 });
    const lmaxOut = options.lmaxOut ?? options.lmax1 + options.lmax2;
    assertInteger(lmaxOut, 'options.lmaxOut', { min: 0, max: options.lmax1 + options.lmax2 });
    assertInteger(options.seed, 'options.seed');
    this.options = { ...options, lmaxOut };
    this.weights1 = degreeWeights(options.channels, options.lmax1, options.seed);
    this.weights2 = degreeWeights(options.channels, options.lmax2, options.seed + 1);
    this.weightsOut = degreeWeights(options.channels, lmaxOut, options.seed + 2);
  }

  /**
   * Applies the interaction.
   * @throws {@link ShapeError} when shapes disagree with the options
   */
  apply(x: Tensor, y: Tensor): Tensor {
    const l1 = checkFeatures(x, this.options.channels, 'x');
    const l2 = checkFeatures(y, this.options.channels, 'y');
    if (l1 !== this.options.lmax1 || l2 !== this.options.lmax2) {
      throw new ShapeError(
        `x and y must have degrees ${this.options.lmax1} and ${this.options.lmax2}, got ${l1} and ${l2}`,
      );
    }
    return gauntTensorProduct(x, y, {
      lmaxOut: this.options.lmaxOut,
      weights1: this.weights1,
      weights2: this.weights2,
      weightsOut: this.weightsOut,
    });
  }

  /** The trainable variables. */
  get trainableVariables(): Variable[] {
    return [this.weights1, this.weights2, this.weightsOut];
  }

  /** Frees the variables. */
  dispose(): void {
    tf.dispose(this.trainableVariables);
  }
}

/** Options of {@link GauntConvolution}. */
export interface GauntConvolutionOptions {
  /** Channels C of the node features. */
  channels: number;
  /** Degree of the input node features. */
  lmaxIn: number;
  /** Degree of the edge filter Y(r̂). */
  lmaxFilter: number;
  /** Output degree (≤ lmaxIn + lmaxFilter). */
  lmaxOut: number;
  /** Radial cutoff (edges longer than this contribute nothing). */
  cutoff: number;
  /** Number of Gaussian radial basis functions (default 8). */
  numRadial?: number;
  /** Hidden width of the radial MLP (default 16). */
  hidden?: number;
  /** Seed of the weight initialisation. */
  seed: number;
}

/**
 * Equivariant convolution (the paper's second use): message `m_ij = x_j ⊗_Gaunt (R(|r_ij|) ⊙ Y(r̂_ij))`, with
 * `Y` the spherical harmonics (component normalisation) of the edge vector and `R` a small radial MLP on a
 * Gaussian basis with a smooth cosine cutoff giving one weight per channel and filter degree; messages are summed
 * onto the destination nodes.
 *
 * @example
 * ```ts
 * const conv = new GauntConvolution({ channels: 4, lmaxIn: 1, lmaxFilter: 2, lmaxOut: 2, cutoff: 3, seed: 0 });
 * const out = conv.apply(nodes, src, dst, vectors); // [N, 4, 9]
 * ```
 */
export class GauntConvolution {
  /** Radial MLP: first layer weights [numRadial, hidden]. */
  readonly w1: Variable;
  /** Radial MLP: first layer bias [hidden]. */
  readonly b1: Variable;
  /** Radial MLP: second layer weights [hidden, C·(Lf+1)]. */
  readonly w2: Variable;
  /** Radial MLP: second layer bias [C·(Lf+1)]. */
  readonly b2: Variable;
  /** Resolved options. */
  readonly options: Required<GauntConvolutionOptions>;

  constructor(options: GauntConvolutionOptions) {
    assertInteger(options.channels, 'options.channels', { min: 1 });
    assertInteger(options.lmaxIn, 'options.lmaxIn', { min: 0 });
    assertInteger(options.lmaxFilter, 'options.lmaxFilter', { min: 0 });
    assertInteger(options.lmaxOut, 'options.lmaxOut', { min: 0, max: options.lmaxIn + options.lmaxFilter });
    assertPositive(options.cutoff, 'options.cutoff');
    const numRadial = options.numRadial ?? 8;
    const hidden = options.hidden ?? 16;
    assertInteger(numRadial, 'options.numRadial', { min: 1 });
    assertInteger(hidden, 'options.hidden', { min: 1 });
    assertInteger(options.seed, 'options.seed');
    this.options = { ...options, numRadial, hidden };
    const out = options.channels * (options.lmaxFilter + 1);
    this.w1 = tf.variable(
      randomNormalTensor([numRadial, hidden], { seed: options.seed, std: 1 / Math.sqrt(numRadial) }),
    );
    this.b1 = tf.variable(tf.zeros([hidden]));
    this.w2 = tf.variable(
      randomNormalTensor([hidden, out], { seed: options.seed + 1, std: 1 / Math.sqrt(hidden) }),
    );
    this.b2 = tf.variable(tf.zeros([out]));
  }

  /** Radial weights [E, C, Lf+1] from edge lengths [E]. */
  radial(lengths: Tensor): Tensor {
    const { numRadial, cutoff, channels, lmaxFilter } = this.options;
    return tf.tidy(() => {
      const centers = tf.linspace(0, cutoff, numRadial);
      const width = cutoff / numRadial;
      const d = tf.sub(tf.expandDims(lengths, 1), centers);
      const basis = tf.exp(tf.mul(tf.square(d), -1 / (2 * width * width)));
      // 0.5 (cos(π r / rc) + 1) for r < rc, 0 beyond (cos π = −1), smooth at rc.
      const clipped = tf.minimum(lengths, cutoff);
      const envelope = tf.mul(tf.add(tf.cos(tf.mul(clipped, Math.PI / cutoff)), 1), 0.5);
      const z = tf.add(matMul(basis, this.w1), this.b1);
      const h = tf.mul(tf.sigmoid(z), z); // SiLU
      const w = tf.add(matMul(h, this.w2), this.b2);
      return tf.reshape(tf.mul(w, tf.expandDims(envelope, 1)), [-1, channels, lmaxFilter + 1]);
    });
  }

  /**
   * Applies the convolution.
   * @param nodes - node features [N, C, (lmaxIn+1)²]
   * @param src - source node of each edge (int32 [E])
   * @param dst - destination node of each edge (int32 [E])
   * @param vectors - edge vectors (e.g. r_src − r_dst), [E, 3], non-zero
   * @returns [N, C, (lmaxOut+1)²]
   * @throws {@link ShapeError} for mismatched shapes, {@link ArgumentError} for out-of-range indices or zero vectors
   */
  apply(nodes: Tensor, src: Tensor, dst: Tensor, vectors: Tensor): Tensor {
    const lin = checkFeatures(nodes, this.options.channels, 'nodes');
    if (lin !== this.options.lmaxIn)
      throw new ShapeError(`nodes must have degree ${this.options.lmaxIn}, got ${lin}`);
    const n = nodes.shape[0] as number;
    const e = vectors.shape[0] as number;
    if (vectors.rank !== 2 || vectors.shape[1] !== 3) {
      throw new ShapeError(`vectors must have shape [E, 3], got [${vectors.shape.join(', ')}]`);
    }
    for (const [t, name] of [
      [src, 'src'],
      [dst, 'dst'],
    ] as const) {
      if (t.rank !== 1 || t.shape[0] !== e)
        throw new ShapeError(`${name} must have shape [${e}], got [${t.shape.join(', ')}]`);
      const values = t.dataSync();
      for (let i = 0; i < values.length; i++) {
        const v = values[i] as number;
        if (!Number.isInteger(v) || v < 0 || v >= n) {
          throw new ArgumentError(`${name}[${i}] = ${v} is not a node index in [0, ${n})`);
        }
      }
    }
    const { lmaxFilter, lmaxOut } = this.options;
    return tf.tidy(() => {
      const y = sphericalHarmonics(lmaxFilter, vectors, { normalization: 'component' });
      const lengths = tf.norm(vectors, 'euclidean', 1);
      const w = tf.gather(this.radial(lengths), degreeExpander(lmaxFilter), 2); // [E, C, Df]
      const filter = tf.mul(w, tf.expandDims(y, 1));
      const messages = gauntTensorProduct(tf.gather(nodes, tf.cast(src, 'int32')), filter, { lmaxOut });
      // Scatter-add as a one-hot matrix product (core's WASM segment sum is far slower for these sizes).
      const scatter = tf.oneHot(tf.cast(dst, 'int32') as Tensor1D, n); // [E, N]
      const flat = tf.reshape(messages, [e, -1]);
      return tf.reshape(matMul(scatter, flat, true, false), [n, ...messages.shape.slice(1)]);
    });
  }

  /** The trainable variables. */
  get trainableVariables(): Variable[] {
    return [this.w1, this.b1, this.w2, this.b2];
  }

  /** Frees the variables. */
  dispose(): void {
    tf.dispose(this.trainableVariables);
  }
}

/** Options of {@link GauntManyBody}. */
export interface GauntManyBodyOptions {
  /** Channels C. */
  channels: number;
  /** Degree of the input A. */
  lmax: number;
  /** Largest correlation order ν (≥ 1). */
  correlation: number;
  /** Output degree (default lmax). */
  lmaxOut?: number;
  /** Seed of the weight initialisation. */
  seed: number;
  /**
   * How the ν-fold products are computed (same result):
   * - `grid` (default): sample A once on a sphere grid sized for degree ν·L, take pointwise powers, project
   *   each order once (the Fourier-domain products in sample space).
   * - `fourier`: the paper's literal divide and conquer on 2-D Fourier coefficients: f₁ = sh2f(A),
   *   f_ν = f_⌊ν/2⌋ ∗ f_⌈ν/2⌉ (one zero-padded FFT convolution per order, the grid growing to |u|, |v| ≤ ν·L),
   *   each f_ν projected once by f2sh.
   */
  method?: 'grid' | 'fourier';
}

/**
 * Equivariant many-body interaction (the paper's third use, as in MACE-Gaunt): `B = Σ_{ν=1..νmax} w_ν ⊙ P(A^{⊗ν})`
 * with the ν-fold Gaunt self-product of each channel's A and per-channel, per-degree weights w_ν. The ν-fold product
 * of Fourier grids (the paper's divide-and-conquer convolutions) is computed in the grid's sample space, where it is
 * a ν-th power: one SH → torus-sample matrix sized for degree ν·L, pointwise powers, one projection per order.
 *
 * @example
 * ```ts
 * const mb = new GauntManyBody({ channels: 8, lmax: 2, correlation: 3, seed: 0 });
 * const out = mb.apply(a); // [B, 8, 9]
 * ```
 */
export class GauntManyBody {
  /** w_ν, each [C, Lout+1]. */
  readonly weights: Variable[];
  /** Resolved options. */
  readonly options: Required<GauntManyBodyOptions>;

  constructor(options: GauntManyBodyOptions) {
    assertInteger(options.channels, 'options.channels', { min: 1 });
    assertInteger(options.lmax, 'options.lmax', { min: 0 });
    assertInteger(options.correlation, 'options.correlation', { min: 1, max: 8 });
    const lmaxOut = options.lmaxOut ?? options.lmax;
    assertInteger(lmaxOut, 'options.lmaxOut', { min: 0, max: options.lmax * options.correlation });
    assertInteger(options.seed, 'options.seed');
    const method = options.method ?? 'grid';
    assertOneOf(method, ['grid', 'fourier'] as const, 'options.method');
    this.options = { ...options, lmaxOut, method };
    this.weights = Array.from({ length: options.correlation }, (_, i) =>
      degreeWeights(options.channels, lmaxOut, options.seed + i),
    );
  }

  /**
   * Applies the many-body product.
   * @param a - [B, C, (lmax+1)²]
   * @returns [B, C, (lmaxOut+1)²]
   * @throws {@link ShapeError} for a wrong shape
   */
  apply(a: Tensor): Tensor {
    const l = checkFeatures(a, this.options.channels, 'a');
    if (l !== this.options.lmax) throw new ShapeError(`a must have degree ${this.options.lmax}, got ${l}`);
    const { lmax, correlation, lmaxOut, channels } = this.options;
    const expander = degreeExpander(lmaxOut);
    const combine = (terms: Tensor[]): Tensor => {
      const b = a.shape[0] as number;
      const weighted = terms.map((t, i) =>
        tf.mul(
          tf.reshape(t, [b, channels, shDim(lmaxOut)]),
          tf.gather(this.weights[i] as Variable, expander, 1),
        ),
      );
      return weighted.length === 1 ? (weighted[0] as Tensor) : tf.addN(weighted);
    };
    if (this.options.method === 'fourier') {
      return tf.tidy(() => {
        const flat = tf.reshape(a, [-1, shDim(lmax)]);
        // f[ν] on |u|, |v| ≤ ν·lmax; the ν-th order reuses f[⌊ν/2⌋] and f[⌈ν/2⌉] (divide and conquer).
        const f: { re: Tensor; im: Tensor }[] = [];
        f[1] = shToFourier(flat, lmax);
        for (let nu = 2; nu <= correlation; nu++) {
          const h = Math.floor(nu / 2);
          f[nu] = fourierConvolve(
            f[h] as { re: Tensor; im: Tensor },
            f[nu - h] as { re: Tensor; im: Tensor },
          );
        }
        const terms: Tensor[] = [];
        for (let nu = 1; nu <= correlation; nu++) {
          const z = f[nu] as { re: Tensor; im: Tensor };
          const half = nu * lmax;
          // the projection reads |t| ≤ lmaxOut; widen a grid that is narrower than that with zeros
          const grow = Math.max(0, lmaxOut - half);
          const pad = (t: Tensor): Tensor =>
            grow === 0
              ? t
              : tf.pad(t, [
                  [0, 0],
                  [grow, grow],
                  [grow, grow],
                ]);
          terms.push(fourierToSh({ re: pad(z.re), im: pad(z.im) }, lmaxOut));
        }
        return combine(terms);
      });
    }
    return tf.tidy(() => {
      // cached table tensors (owned by the Gaunt table cache, see clearGauntCache)
      const { synthesis, projection: proj } = sphereGridTensors(lmax, lmax * correlation, lmaxOut);
      const f = matMul(tf.reshape(a, [-1, shDim(lmax)]), synthesis);
      let power = f;
      const terms: Tensor[] = [];
      for (let nu = 1; nu <= correlation; nu++) {
        if (nu > 1) power = tf.mul(power, f);
        terms.push(matMul(power, proj));
      }
      return combine(terms);
    });
  }

  /** The trainable variables. */
  get trainableVariables(): Variable[] {
    return [...this.weights];
  }

  /** Frees the variables. */
  dispose(): void {
    tf.dispose(this.weights);
  }
}
