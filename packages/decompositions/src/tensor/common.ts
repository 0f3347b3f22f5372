import {
  ArgumentError,
  describeValue as describe,
  eigh,
  type MatrixF64,
  type ProgressCallback,
  type Rng,
} from '@tensorloom/core';

/** Checks an optional AbortSignal. */
export function checkSignal(signal: unknown): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (typeof signal !== 'object' || signal === null || typeof (signal as AbortSignal).aborted !== 'boolean') {
    throw new ArgumentError(`signal: expected an AbortSignal, got ${describe(signal)}`);
  }
  return signal as AbortSignal;
}

/** Checks an optional progress callback. */
export function checkProgress(onProgress: unknown): ProgressCallback | undefined {
  if (onProgress === undefined) return undefined;
  if (typeof onProgress !== 'function') {
    throw new ArgumentError(`onProgress: expected a function, got ${describe(onProgress)}`);
  }
  return onProgress as ProgressCallback;
}

/** Lets timers (and so abort events) run between iterations when a signal is given. */
export function yieldToEventLoop(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** AᵀA for a float64 matrix. */
export function gram(A: MatrixF64): MatrixF64 {
  const { rows, cols, data } = A;
  const out = new Float64Array(cols * cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let p = 0; p < cols; p++) {
      const a = data[o + p]!;
      if (a === 0) continue;
      for (let q = p; q < cols; q++) out[p * cols + q] += a * data[o + q]!;
    }
  }
  for (let p = 0; p < cols; p++) for (let q = 0; q < p; q++) out[p * cols + q] = out[q * cols + p]!;
  return { rows: cols, cols, data: out };
}

/** A·Aᵀ for a float64 matrix (rows × rows). */
export function outerGram(A: MatrixF64): MatrixF64 {
  const { rows, cols, data } = A;
  const out = new Float64Array(rows * rows);
  for (let p = 0; p < rows; p++)
    for (let q = p; q < rows; q++) {
      let s = 0;
      const a = p * cols;
      const b = q * cols;
      for (let j = 0; j < cols; j++) s += data[a + j]! * data[b + j]!;
      out[p * rows + q] = s;
      out[q * rows + p] = s;
    }
  return { rows, cols: rows, data: out };
}

/**
 * The `r` leading left singular vectors of A (rows × cols) from the eigendecomposition of AAᵀ, as a rows × r
 * matrix; when r > rows, the extra columns are random (from `random`) and orthonormalised.
 */
export function leadingLeftSingularVectors(A: MatrixF64, r: number, random: Rng): MatrixF64 {
  const n = A.rows;
  const { vectors } = eigh(outerGram(A), { symmetryTolerance: 1e-6 });
  const out = new Float64Array(n * r);
  const take = Math.min(r, n);
  for (let c = 0; c < take; c++) {
    const src = n - 1 - c; // eigenvalues ascending
    for (let i = 0; i < n; i++) out[i * r + c] = vectors.data[i * n + src]!;
  }
  for (let c = take; c < r; c++) for (let i = 0; i < n; i++) out[i * r + c] = random.normal() / Math.sqrt(n);
  return { rows: n, cols: r, data: out };
}

/** Plain float64 matrix product (small helper, no validation). */
export function mm(A: MatrixF64, B: MatrixF64): MatrixF64 {
  const out = new Float64Array(A.rows * B.cols);
  for (let i = 0; i < A.rows; i++)
    for (let k = 0; k < A.cols; k++) {
      const a = A.data[i * A.cols + k]!;
      if (a === 0) continue;
      const o = i * B.cols;
      const b = k * B.cols;
      for (let j = 0; j < B.cols; j++) out[o + j] += a * B.data[b + j]!;
    }
  return { rows: A.rows, cols: B.cols, data: out };
}
