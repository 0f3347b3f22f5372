import {
  ArgumentError,
  assertInteger,
  assertNumber,
  assertPositive,
  describeValue,
  type MatrixF64,
  rng,
  ShapeError,
  TensorloomError,
} from '@tensorloom/core';

/**
 * A two-layer linear network `f(x) = α·W2·W1·x` in float64 with hidden size `h`: the exact infinite-width limit of a
 * 1-hidden-layer linear μP network (h = d + d_out, from {@link infiniteLinear1}) or one finite-width network sampled
 * from it (h = n, from {@link sampleFiniteLinear1}). Both train by the same plain SGD on the MSE loss.
 */
export interface LinearTwoLayer {
  /** Input weights, `h × d`. */
  readonly w1: MatrixF64;
  /** Output weights, `d_out × h`. */
  readonly w2: MatrixF64;
  /** The output multiplier α. */
  readonly alpha: number;
}

/** Options of {@link infiniteLinear1}. */
export interface InfiniteLinear1Options {
  /** Input dimension d ≥ 1. */
  inputDim: number;
  /** Output dimension d_out ≥ 1. */
  outputDim: number;
  /** Input-weight scale σ1 > 0; default 1. */
  sigma1?: number;
  /** Output-weight scale σ2 ≥ 0; default 1. */
  sigma2?: number;
  /** Output multiplier α > 0; default 1. */
  alpha?: number;
}

/**
 * The exact infinite-width limit of the 1-hidden-layer linear network under μP, as TP4 computes it (`MetaInfLin1LP`):
 * every hidden vector stays in the span of the d + d_out initial Gaussian vectors, so the limit is a finite model with
 * `A = [σ1·I_d ; 0]` (`(d+d_out) × d`) and `B = [0, σ2·I_{d_out}]` (`d_out × (d+d_out)`), `f(x) = α·B·A·x` (zero at init).
 *
 * @throws {@link ArgumentError} for bad sizes or scales
 *
 * @example
 * ```ts
 * const limit = infiniteLinear1({ inputDim: 4, outputDim: 2 });
 * const finite = sampleFiniteLinear1(limit, 1024, 0);
 * sgdStepLinear(limit, x, y, 0.1); sgdStepLinear(finite, x, y, 0.1);
 * ```
 */
export function infiniteLinear1(options: InfiniteLinear1Options): LinearTwoLayer {
  if (typeof options !== 'object' || options === null) {
    throw new ArgumentError(
      `options: expected { inputDim, outputDim, sigma1?, sigma2?, alpha? }, got ${describeValue(options)}`,
    );
  }
  const { inputDim: d, outputDim: k } = options;
  assertInteger(d, 'options.inputDim', { min: 1 });
  assertInteger(k, 'options.outputDim', { min: 1 });
  const s1 = options.sigma1 ?? 1;
  const s2 = options.sigma2 ?? 1;
  const alpha = options.alpha ?? 1;
  assertPositive(s1, 'options.sigma1');
  assertNumber(s2, 'options.sigma2', { min: 0 });
  assertPositive(alpha, 'options.alpha');
  const h = d + k;
  const w1 = new Float64Array(h * d);
  for (let i = 0; i < d; i++) w1[i * d + i] = s1;
  const w2 = new Float64Array(k * h);
  for (let i = 0; i < k; i++) w2[i * h + d + i] = s2;
  return { w1: { rows: h, cols: d, data: w1 }, w2: { rows: k, cols: h, data: w2 }, alpha };
}

function checkNet(net: unknown, name: string): LinearTwoLayer {
  const n = net as LinearTwoLayer;
  if (
    typeof net !== 'object' ||
    net === null ||
    !(n.w1?.data instanceof Float64Array) ||
    !(n.w2?.data instanceof Float64Array) ||
    n.w2.cols !== n.w1.rows
  ) {
    throw new ArgumentError(
      `${name}: expected a LinearTwoLayer { w1, w2, alpha }, got ${describeValue(net)}`,
    );
  }
  return n;
}

/**
 * Samples a width-n finite network from the limit (TP4's `MetaFinLin1LP`): with `Ω ~ N(0, 1)^{n×h}`,
 * `U = Ω·A/√n` and `V = B·Ωᵀ/√n`, so that `V·U = B·(ΩᵀΩ/n)·A → B·A` as n → ∞. Trained by the same SGD, the finite
 * network stays `U_t = Ω·A'_t/√n`, `V_t = B'_t·Ωᵀ/√n` and tracks the limit with error O(n^−1/2).
 *
 * @param limit - the limit model (any trained state of it)
 * @param width - n ≥ 1
 * @param seed - seed of Ω
 * @throws {@link ArgumentError} for a bad width, seed or model
 */
export function sampleFiniteLinear1(limit: LinearTwoLayer, width: number, seed: number): LinearTwoLayer {
  const m = checkNet(limit, 'limit');
  assertInteger(width, 'width', { min: 1 });
  assertInteger(seed, 'seed');
  const h = m.w1.rows;
  const d = m.w1.cols;
  const k = m.w2.rows;
  const omega = rng(seed).normalArray(width * h);
  const scale = 1 / Math.sqrt(width);
  const u = new Float64Array(width * d);
  const v = new Float64Array(k * width);
  for (let r = 0; r < width; r++) {
    for (let j = 0; j < h; j++) {
      const o = omega[r * h + j]! * scale;
      if (o === 0) continue;
      for (let c = 0; c < d; c++) u[r * d + c]! += o * m.w1.data[j * d + c]!;
      for (let c = 0; c < k; c++) v[c * width + r]! += o * m.w2.data[c * h + j]!;
    }
  }
  return { w1: { rows: width, cols: d, data: u }, w2: { rows: k, cols: width, data: v }, alpha: m.alpha };
}

function checkData(net: LinearTwoLayer, x: MatrixF64, name: string): void {
  if (
    typeof x !== 'object' ||
    x === null ||
    !(x.data instanceof Float64Array) ||
    x.data.length !== x.rows * x.cols
  ) {
    throw new ArgumentError(`${name}: expected a MatrixF64, got ${describeValue(x)}`);
  }
  if (x.cols !== net.w1.cols) {
    throw new ShapeError(`${name}: expected ${net.w1.cols} columns (the input dimension), got ${x.cols}`);
  }
}

/** Hidden activations `X·W1ᵀ` (N × h). */
function hidden(net: LinearTwoLayer, x: MatrixF64): Float64Array {
  const { rows: h, cols: d, data: w } = net.w1;
  const out = new Float64Array(x.rows * h);
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < h; j++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += x.data[i * d + c]! * w[j * d + c]!;
      out[i * h + j] = s;
    }
  }
  return out;
}

function readout(net: LinearTwoLayer, hid: Float64Array, n: number): Float64Array {
  const { rows: k, cols: h, data: w } = net.w2;
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < h; j++) s += hid[i * h + j]! * w[c * h + j]!;
      out[i * k + c] = net.alpha * s;
    }
  }
  return out;
}

/**
 * The outputs `α·W2·W1·x` for each row of `x` (N × d) → N × d_out.
 * @throws {@link ShapeError} when `x` has the wrong number of columns
 */
export function predictLinear(net: LinearTwoLayer, x: MatrixF64): MatrixF64 {
  const m = checkNet(net, 'net');
  checkData(m, x, 'x');
  return { rows: x.rows, cols: m.w2.rows, data: readout(m, hidden(m, x), x.rows) };
}

/**
 * One full-batch SGD step on the MSE loss `(1/2N)·Σ‖f(x_i) − y_i‖²`, in place; returns the loss before the step.
 * Gradients: `∂W2 = α·Gᵀ·(X·W1ᵀ)`, `∂W1 = α·W2ᵀ·Gᵀ·X` with `G = (F − Y)/N`.
 *
 * @throws {@link ShapeError} for inputs or targets of the wrong size; {@link ArgumentError} for a bad learning rate
 */
export function sgdStepLinear(net: LinearTwoLayer, x: MatrixF64, y: MatrixF64, learningRate: number): number {
  const m = checkNet(net, 'net');
  checkData(m, x, 'x');
  const k = m.w2.rows;
  const h = m.w1.rows;
  const d = m.w1.cols;
  if (
    typeof y !== 'object' ||
    y === null ||
    !(y.data instanceof Float64Array) ||
    y.rows !== x.rows ||
    y.cols !== k
  ) {
    throw new ShapeError(`y: expected a ${x.rows}×${k} MatrixF64, got ${describeValue(y)}`);
  }
  assertPositive(learningRate, 'learningRate');
  const n = x.rows;
  const hid = hidden(m, x);
  const f = readout(m, hid, n);
  let loss = 0;
  const g = new Float64Array(n * k);
  for (let i = 0; i < n * k; i++) {
    const r = f[i]! - y.data[i]!;
    loss += r * r;
    g[i] = r / n;
  }
  loss /= 2 * n;
  // gradient of W1 uses the old W2: (W2ᵀ Gᵀ) is h × N
  const back = new Float64Array(n * h);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < h; j++) {
      let s = 0;
      for (let c = 0; c < k; c++) s += g[i * k + c]! * m.w2.data[c * h + j]!;
      back[i * h + j] = s * m.alpha;
    }
  }
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < h; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += g[i * k + c]! * hid[i * h + j]!;
      m.w2.data[c * h + j]! -= learningRate * m.alpha * s;
    }
  }
  for (let j = 0; j < h; j++) {
    for (let c = 0; c < d; c++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += back[i * h + j]! * x.data[i * d + c]!;
      m.w1.data[j * d + c]! -= learningRate * s;
    }
  }
  return loss;
}

/** Options of {@link linearLimitConvergence}. */
export interface LinearLimitConvergenceOptions {
  /** Widths to sample, each ≥ 1 (at least two). */
  widths: readonly number[];
  /** Seeds (of Ω) per width; default 4. */
  seeds?: number;
  /** SGD steps; default 20. */
  steps?: number;
  /** Learning rate; default 0.1. */
  learningRate?: number;
  /** Input and output dimensions of the synthetic teacher task; default 6 and 2. */
  inputDim?: number;
  outputDim?: number;
  /** Seed of the data and the first Ω. */
  seed: number;
  /** Receives one event per width. */
  onProgress?: (event: { phase: 'width'; step: number; total: number }) => void;
  /** Aborts between widths. */
  signal?: AbortSignal;
}

/** What {@link linearLimitConvergence} returns. */
export interface LinearLimitConvergence {
  widths: number[];
  /** RMS distance between finite and limit outputs on held-out inputs after training, mean over seeds. */
  errors: number[];
  /** Least-squares slope of log(error) against log(width) (theory: −1/2). */
  slope: number;
  /** Training loss of the limit after training. */
  limitLoss: number;
}

/** Least-squares slope of log y against log x. @internal */
export function logLogSlope(x: readonly number[], y: readonly number[]): number {
  const lx = x.map(Math.log);
  const ly = y.map(Math.log);
  const mx = lx.reduce((a, b) => a + b, 0) / lx.length;
  const my = ly.reduce((a, b) => a + b, 0) / ly.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < lx.length; i++) {
    num += (lx[i]! - mx) * (ly[i]! - my);
    den += (lx[i]! - mx) ** 2;
  }
  return num / den;
}

/**
 * Trains the exact limit and finite networks sampled from it (same data, same SGD) on a random linear teacher task,
 * and measures how fast the finite networks approach the limit: the RMS output distance on held-out inputs per width
 * and its fitted log-log slope (theory: −1/2).
 *
 * @throws {@link ArgumentError} for fewer than two widths or bad options
 */
export function linearLimitConvergence(options: LinearLimitConvergenceOptions): LinearLimitConvergence {
  if (typeof options !== 'object' || options === null) {
    throw new ArgumentError(`options: expected an object, got ${describeValue(options)}`);
  }
  const { widths } = options;
  if (!Array.isArray(widths) || widths.length < 2) {
    throw new ArgumentError(`options.widths: expected at least two widths, got ${describeValue(widths)}`);
  }
  widths.forEach((w, i) => {
    assertInteger(w, `options.widths[${i}]`, { min: 1 });
  });
  const seeds = options.seeds ?? 4;
  const steps = options.steps ?? 20;
  const lr = options.learningRate ?? 0.1;
  const d = options.inputDim ?? 6;
  const k = options.outputDim ?? 2;
  assertInteger(seeds, 'options.seeds', { min: 1 });
  assertInteger(steps, 'options.steps', { min: 0 });
  assertPositive(lr, 'options.learningRate');
  assertInteger(options.seed, 'options.seed');
  const g = rng(options.seed);
  const nTrain = 32;
  const nTest = 16;
  const teacher = g.normalArray(k * d, 0, 1 / Math.sqrt(d));
  const make = (n: number): [MatrixF64, MatrixF64] => {
    const x = g.normalArray(n * d);
    const y = new Float64Array(n * k);
    for (let i = 0; i < n; i++)
      for (let c = 0; c < k; c++)
        for (let j = 0; j < d; j++) y[i * k + c]! += teacher[c * d + j]! * x[i * d + j]!;
    return [
      { rows: n, cols: d, data: x },
      { rows: n, cols: k, data: y },
    ];
  };
  const [x, y] = make(nTrain);
  const [xt] = make(nTest);
  const init = infiniteLinear1({ inputDim: d, outputDim: k });
  const limit = infiniteLinear1({ inputDim: d, outputDim: k });
  let limitLoss = 0;
  for (let s = 0; s < steps; s++) limitLoss = sgdStepLinear(limit, x, y, lr);
  limitLoss = steps > 0 ? lossOf(limit, x, y) : limitLoss;
  const fLimit = predictLinear(limit, xt).data;
  const errors: number[] = [];
  widths.forEach((width, wi) => {
    if (options.signal?.aborted) throw new TensorloomError('linearLimitConvergence: aborted by signal');
    let err = 0;
    for (let s = 0; s < seeds; s++) {
      const net = sampleFiniteLinear1(init, width, options.seed * 1000 + s + 1);
      for (let t = 0; t < steps; t++) sgdStepLinear(net, x, y, lr);
      const f = predictLinear(net, xt).data;
      let e = 0;
      for (let i = 0; i < f.length; i++) e += (f[i]! - fLimit[i]!) ** 2;
      err += Math.sqrt(e / f.length) / seeds;
    }
    errors.push(err);
    options.onProgress?.({ phase: 'width', step: wi + 1, total: widths.length });
  });
  return { widths: [...widths], errors, slope: logLogSlope(widths, errors), limitLoss };
}

function lossOf(net: LinearTwoLayer, x: MatrixF64, y: MatrixF64): number {
  const f = predictLinear(net, x).data;
  let s = 0;
  for (let i = 0; i < f.length; i++) s += (f[i]! - y.data[i]!) ** 2;
  return s / (2 * x.rows);
}
