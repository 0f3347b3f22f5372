import {
  ArgumentError,
  assertInteger,
  assertNumber,
  assertOneOf,
  describeValue,
  type MatrixF64,
  ShapeError,
  TensorloomError,
} from '@tensorloom/core';

/** Nonlinearities with closed-form Gaussian expectations. */
export type KernelActivation = 'relu' | 'erf' | 'identity';

/** The activations accepted by {@link fcKernels}. */
export const KERNEL_ACTIVATIONS: readonly KernelActivation[] = ['relu', 'erf', 'identity'];

/** Options of {@link fcKernels}. */
export interface FcKernelOptions {
  /** Number of hidden layers L ≥ 0 (L = 0: a linear model). The net is Dense → (act → Dense) × L, scalar output. */
  depth: number;
  /** The nonlinearity; default `'relu'`. */
  activation?: KernelActivation;
  /** Weight standard deviation σ_w > 0 (weights have variance σ_w²/fan_in); default 1. */
  weightStd?: number;
  /** Bias standard deviation σ_b ≥ 0; 0 (default) means no biases. */
  biasStd?: number;
  /**
   * `'ntk'` (default): `h = σ_w·W·x/√fan_in + σ_b·β` with standard-normal `W`, `β`, all trained at one learning rate.
   * `'standard'`: `h = W·x + β` with `W ~ N(0, σ_w²/fan_in)`, `β ~ N(0, σ_b²)`, weights trained at learning rate
   * `η/fan_in` and biases at `η` (the scaling for which the standard-parametrisation NTK has a finite limit).
   * The NNGP is the same for both.
   */
  parametrization?: 'ntk' | 'standard';
}

/** Progress and cancellation of {@link fcKernels} (useful at large N, where a call takes seconds). */
export interface FcKernelRunOptions {
  /**
   * Called after the input Gram matrix (step 1) and then after every block of 256 rows of each layer's recursion:
   * `step` counts finished blocks out of `total = 1 + depth·⌈N/256⌉`.
   */
  onProgress?: (event: { phase: 'fc-kernels'; step: number; total: number }) => void;
  /** Checked between row blocks; an aborted signal throws {@link TensorloomError}. */
  signal?: AbortSignal;
}

/** The kernels of {@link fcKernels}: `N × M` float64 matrices. */
export interface FcKernels {
  /** The NNGP kernel Σ(x, x′): the covariance of the output at initialisation. */
  nngp: MatrixF64;
  /** The neural tangent kernel Θ(x, x′). */
  ntk: MatrixF64;
}

/** The Gaussian expectations of an activation for inputs with variances q11, q22 and covariance q12. */
interface Dual {
  value: (q11: number, q22: number, q12: number) => number;
  derivative: (q11: number, q22: number, q12: number) => number;
}

const clampUnit = (x: number): number => Math.min(1, Math.max(-1, x));

/** Closed-form dual activations (arc-cosine kernels of degree 1 and 0 for ReLU; Williams 1997 for erf). */
export const DUALS: Record<KernelActivation, Dual> = {
  relu: {
    value: (q11, q22, q12) => {
      const norm = Math.sqrt(q11 * q22);
      if (norm === 0) return 0;
      const c = clampUnit(q12 / norm);
      const theta = Math.acos(c);
      return (norm * (Math.sqrt(Math.max(0, 1 - c * c)) + (Math.PI - theta) * c)) / (2 * Math.PI);
    },
    derivative: (q11, q22, q12) => {
      const norm = Math.sqrt(q11 * q22);
      if (norm === 0) return 0.5;
      return (Math.PI - Math.acos(clampUnit(q12 / norm))) / (2 * Math.PI);
    },
  },
  erf: {
    value: (q11, q22, q12) =>
      (2 / Math.PI) * Math.asin(clampUnit((2 * q12) / Math.sqrt((1 + 2 * q11) * (1 + 2 * q22)))),
    derivative: (q11, q22, q12) =>
      4 / Math.PI / Math.sqrt(Math.max(1e-300, (1 + 2 * q11) * (1 + 2 * q22) - 4 * q12 * q12)),
  },
  identity: { value: (_a, _b, q12) => q12, derivative: () => 1 },
};

function checkInputs(x: unknown, name: string, dim?: number): MatrixF64 {
  const m = x as MatrixF64;
  if (
    typeof x !== 'object' ||
    x === null ||
    !(m.data instanceof Float64Array) ||
    !Number.isInteger(m.rows) ||
    !Number.isInteger(m.cols)
  ) {
    throw new ArgumentError(
      `${name}: expected a MatrixF64 { rows, cols, data: Float64Array }, got ${describeValue(x)}`,
    );
  }
  if (m.rows < 1 || m.cols < 1 || m.data.length !== m.rows * m.cols) {
    throw new ShapeError(
      `${name}: expected rows, cols ≥ 1 and data of length rows·cols, got ${m.rows}×${m.cols} with ${m.data.length} values`,
    );
  }
  if (dim !== undefined && m.cols !== dim) {
    throw new ShapeError(`${name}: expected ${dim} columns (the dimension of x1), got ${m.cols}`);
  }
  for (let i = 0; i < m.data.length; i++) {
    if (!Number.isFinite(m.data[i]!))
      throw new ArgumentError(`${name}: entry ${i} is not finite (${m.data[i]})`);
  }
  return m;
}

function gram(a: MatrixF64, b: MatrixF64): Float64Array {
  const d = a.cols;
  const out = new Float64Array(a.rows * b.rows);
  for (let i = 0; i < a.rows; i++) {
    const ai = i * d;
    for (let j = 0; j < b.rows; j++) {
      const bj = j * d;
      let s = 0;
      for (let k = 0; k < d; k++) s += a.data[ai + k]! * b.data[bj + k]!;
      out[i * b.rows + j] = s / d;
    }
  }
  return out;
}

function rowNorms(a: MatrixF64): Float64Array {
  const out = new Float64Array(a.rows);
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    for (let k = 0; k < a.cols; k++) s += a.data[i * a.cols + k]! ** 2;
    out[i] = s / a.cols;
  }
  return out;
}

/** Validates and fills in {@link FcKernelOptions}. @internal */
export function resolveKernelOptions(options: unknown): Required<FcKernelOptions> {
  if (typeof options !== 'object' || options === null) {
    throw new ArgumentError(
      `options: expected { depth, activation?, weightStd?, biasStd?, parametrization? }, got ${describeValue(options)}`,
    );
  }
  const o = options as FcKernelOptions;
  assertInteger(o.depth, 'options.depth', { min: 0 });
  const activation = o.activation ?? 'relu';
  assertOneOf(activation, KERNEL_ACTIVATIONS, 'options.activation');
  const weightStd = o.weightStd ?? 1;
  assertNumber(weightStd, 'options.weightStd', { min: Number.MIN_VALUE });
  const biasStd = o.biasStd ?? 0;
  assertNumber(biasStd, 'options.biasStd', { min: 0 });
  const parametrization = o.parametrization ?? 'ntk';
  assertOneOf(parametrization, ['ntk', 'standard'] as const, 'options.parametrization');
  return { depth: o.depth, activation, weightStd, biasStd, parametrization };
}

/**
 * NNGP and NTK kernels of an infinitely wide fully connected network, in closed form and float64 (the recursion of
 * neural-tangents' `stax.Dense`/`Relu`/`Erf`): with the input kernel `q⁰(x, x′) = x·x′/d`,
 *
 * - first layer: `Σ¹ = σ_w² q⁰ + σ_b²`, `Θ¹ = Σ¹` (`'standard'`: `Θ¹ = q⁰ + 1[σ_b > 0]`);
 * - each hidden layer: `Σ^{l+1} = σ_w² E[φ(u)φ(u′)] + σ_b²`, `Θ^{l+1} = Σ^{l+1} + σ_w² E[φ′(u)φ′(u′)]·Θ^l`
 *   (`'standard'`: `Θ^{l+1} = E[φφ′] + 1[σ_b > 0] + σ_w² E[φ′φ′′]·Θ^l`), with `(u, u′) ~ N(0, Σ^l)`.
 *
 * All pairs are computed at once (batched over the `N × M` Gram matrix). Cost O(N·M·(d + depth)).
 *
 * @param x1 - `N × d` inputs (rows are examples)
 * @param x2 - `M × d` inputs; default `x1`
 * @param options - depth, activation, σ_w, σ_b, parametrization; `onProgress` and `signal` for large N
 * @throws {@link ArgumentError} for bad options or non-finite inputs; {@link ShapeError} for mismatched dimensions;
 *   {@link TensorloomError} when `signal` is aborted
 *
 * @example
 * ```ts
 * const x = matrixF64(3, 2, Float64Array.of(1, 0, 0, 1, 1, 1));
 * const { nngp, ntk } = fcKernels(x, undefined, { depth: 2, activation: 'relu', biasStd: 0.1 });
 * ```
 */
export function fcKernels(
  x1: MatrixF64,
  x2: MatrixF64 | undefined,
  options: FcKernelOptions & FcKernelRunOptions,
): FcKernels {
  const a = checkInputs(x1, 'x1');
  const b = x2 === undefined ? a : checkInputs(x2, 'x2', a.cols);
  const o = resolveKernelOptions(options);
  const { onProgress, signal } = options;
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new ArgumentError(`options.onProgress: expected a function, got ${describeValue(onProgress)}`);
  }
  if (signal !== undefined && (typeof signal !== 'object' || signal === null || !('aborted' in signal))) {
    throw new ArgumentError(`options.signal: expected an AbortSignal, got ${describeValue(signal)}`);
  }
  const block = 256;
  const blocksPerLayer = Math.ceil(a.rows / block);
  const total = 1 + o.depth * blocksPerLayer;
  let step = 0;
  const tick = (): void => {
    if (signal?.aborted) throw new TensorloomError('fcKernels: aborted by signal');
    onProgress?.({ phase: 'fc-kernels', step: ++step, total });
  };
  if (signal?.aborted) throw new TensorloomError('fcKernels: aborted by signal');
  const dual = DUALS[o.activation];
  const sw2 = o.weightStd ** 2;
  const sb2 = o.biasStd ** 2;
  const standard = o.parametrization === 'standard';
  const biasTerm = o.biasStd > 0 ? 1 : 0;
  const n = a.rows;
  const m = b.rows;
  const q0 = gram(a, b);
  tick();
  const d1 = rowNorms(a);
  const d2 = x2 === undefined ? d1 : rowNorms(b);
  // Layer 1 (pre-activations).
  const sigma = new Float64Array(n * m);
  const theta = new Float64Array(n * m);
  for (let k = 0; k < n * m; k++) {
    sigma[k] = sw2 * q0[k]! + sb2;
    theta[k] = standard ? q0[k]! + biasTerm : sigma[k]!;
  }
  const s1 = d1.map((v) => sw2 * v + sb2);
  const s2 = x2 === undefined ? s1 : d2.map((v) => sw2 * v + sb2);
  const symmetric = x2 === undefined;
  for (let l = 0; l < o.depth; l++) {
    for (let i = 0; i < n; i++) {
      const qi = s1[i]!;
      for (let j = symmetric ? i : 0; j < m; j++) {
        const k = i * m + j;
        const qj = s2[j]!;
        const q = sigma[k]!;
        const e = dual.value(qi, qj, q);
        const ed = dual.derivative(qi, qj, q);
        sigma[k] = sw2 * e + sb2;
        theta[k] = (standard ? e + biasTerm : sigma[k]!) + sw2 * ed * theta[k]!;
      }
      if ((i + 1) % block === 0 || i === n - 1) tick();
    }
    const next1 = s1.map((q) => sw2 * dual.value(q, q, q) + sb2);
    if (x2 === undefined) s1.set(next1);
    else {
      const next2 = s2.map((q) => sw2 * dual.value(q, q, q) + sb2);
      s1.set(next1);
      s2.set(next2);
    }
  }
  if (symmetric && o.depth > 0) {
    // only the upper triangle was updated: mirror it (the pair recursion is symmetric in its arguments)
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        sigma[i * m + j] = sigma[j * m + i]!;
        theta[i * m + j] = theta[j * m + i]!;
      }
    }
  }
  return { nngp: { rows: n, cols: m, data: sigma }, ntk: { rows: n, cols: m, data: theta } };
}
