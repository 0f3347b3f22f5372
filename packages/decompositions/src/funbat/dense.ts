import { NumericalError } from '@tensorloom/core';

/*
 * Tiny dense float64 kernels for the Kalman/RTS inner loops (square blocks of size ≤ 2R). They avoid the
 * per-call conversions of core's general linalg, which dominate at these sizes; correctness is tested against
 * core's `solve`.
 */

/** C = A·B for A (n×m), B (m×p), row-major. */
export function mul(A: Float64Array, B: Float64Array, n: number, m: number, p: number): Float64Array {
  const C = new Float64Array(n * p);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < m; k++) {
      const a = A[i * m + k]!;
      if (a === 0) continue;
      const bo = k * p;
      const co = i * p;
      for (let j = 0; j < p; j++) C[co + j] += a * B[bo + j]!;
    }
  return C;
}

/** C = A·Bᵀ for A (n×m), B (p×m). */
export function mulT(A: Float64Array, B: Float64Array, n: number, m: number, p: number): Float64Array {
  const C = new Float64Array(n * p);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += A[i * m + k]! * B[j * m + k]!;
      C[i * p + j] = s;
    }
  return C;
}

/** Aᵀ for A (n×m). */
export function transposed(A: Float64Array, n: number, m: number): Float64Array {
  const T = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) T[j * n + i] = A[i * m + j]!;
  return T;
}

/** (A + Aᵀ)/2 in place, A n×n. */
export function symmetrizeInPlace(A: Float64Array, n: number): void {
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const v = 0.5 * (A[i * n + j]! + A[j * n + i]!);
      A[i * n + j] = v;
      A[j * n + i] = v;
    }
}

/**
 * Solves A·X = B (A n×n, B n×m) by Gaussian elimination with partial pivoting; returns X (A and B untouched).
 * @throws {@link NumericalError} when A is singular to working precision
 */
export function solveDense(A: Float64Array, B: Float64Array, n: number, m: number): Float64Array {
  const a = Float64Array.from(A);
  const x = Float64Array.from(B);
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(a[i]!));
  for (let c = 0; c < n; c++) {
    let piv = c;
    let best = Math.abs(a[c * n + c]!);
    for (let r = c + 1; r < n; r++) {
      const v = Math.abs(a[r * n + c]!);
      if (v > best) {
        best = v;
        piv = r;
      }
    }
    if (!(best > 1e-300) || best <= 1e-14 * scale) {
      throw new NumericalError(
        `matrix is singular to working precision (pivot ${best} at column ${c} of ${n})`,
      );
    }
    if (piv !== c) {
      for (let j = 0; j < n; j++) {
        const t = a[c * n + j]!;
        a[c * n + j] = a[piv * n + j]!;
        a[piv * n + j] = t;
      }
      for (let j = 0; j < m; j++) {
        const t = x[c * m + j]!;
        x[c * m + j] = x[piv * m + j]!;
        x[piv * m + j] = t;
      }
    }
    const d = a[c * n + c]!;
    for (let r = c + 1; r < n; r++) {
      const f = a[r * n + c]! / d;
      if (f === 0) continue;
      for (let j = c; j < n; j++) a[r * n + j]! -= f * a[c * n + j]!;
      for (let j = 0; j < m; j++) x[r * m + j]! -= f * x[c * m + j]!;
    }
  }
  for (let c = n - 1; c >= 0; c--) {
    const d = a[c * n + c]!;
    for (let j = 0; j < m; j++) {
      let s = x[c * m + j]!;
      for (let k = c + 1; k < n; k++) s -= a[c * n + k]! * x[k * m + j]!;
      x[c * m + j] = s / d;
    }
  }
  return x;
}
