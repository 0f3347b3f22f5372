/**
 * Internal: the symmetry check shared by {@link eigh} and {@link cholesky}.
 * @module
 */
import { ArgumentError } from '../errors/errors.js';
import { assertNumber } from '../errors/validate.js';
import type { MatrixF64 } from './matrix.js';

/** Default tolerance of the symmetry check, relative to the largest |entry|. */
export const DEFAULT_SYMMETRY_TOLERANCE = 1e-10;

/**
 * Checks |A_ij − A_ji| ≤ tolerance · max|A| for all i, j and returns the symmetrised (A + Aᵀ)/2.
 * @throws {@link ArgumentError} naming the worst pair when A is not symmetric within the tolerance
 */
export function symmetrize(
  A: MatrixF64,
  name: string,
  tolerance: number = DEFAULT_SYMMETRY_TOLERANCE,
): MatrixF64 {
  assertNumber(tolerance, 'symmetryTolerance', { min: 0 });
  const n = A.rows;
  const a = A.data;
  let scale = 0;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a[i]!));
  const out = new Float64Array(n * n);
  let worst = 0;
  let worstI = 0;
  let worstJ = 0;
  for (let i = 0; i < n; i++) {
    out[i * n + i] = a[i * n + i]!;
    for (let j = i + 1; j < n; j++) {
      const upper = a[i * n + j]!;
      const lower = a[j * n + i]!;
      const gap = Math.abs(upper - lower);
      if (gap > worst) {
        worst = gap;
        worstI = i;
        worstJ = j;
      }
      const mean = 0.5 * (upper + lower);
      out[i * n + j] = mean;
      out[j * n + i] = mean;
    }
  }
  if (worst > tolerance * scale) {
    throw new ArgumentError(
      `${name}: expected a symmetric matrix, but ${name}[${worstI}][${worstJ}] = ${a[worstI * n + worstJ]} and ` +
        `${name}[${worstJ}][${worstI}] = ${a[worstJ * n + worstI]} differ by ${worst} (tolerance ${tolerance} × max|entry| = ${tolerance * scale})`,
    );
  }
  return { rows: n, cols: n, data: out };
}
