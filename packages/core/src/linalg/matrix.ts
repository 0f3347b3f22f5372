import { ArgumentError, ShapeError } from '../errors/errors.js';
import { assertFinite, assertInteger, describe, formatShape } from '../errors/validate.js';

/**
 * A dense float64 matrix: `rows × cols` values stored row-major in `data` (entry (i, j) at `data[i * cols + j]`).
 * The interchange type of Tensorloom's float64 linear algebra; plain data, so it can be built by hand,
 * structured-cloned and sent to workers.
 *
 * @example
 * ```ts
 * const A: MatrixF64 = { rows: 2, cols: 2, data: Float64Array.of(4, 1, 1, 3) };
 * ```
 */
export interface MatrixF64 {
  /** Number of rows. */
  readonly rows: number;
  /** Number of columns. */
  readonly cols: number;
  /** The `rows * cols` entries, row-major. */
  readonly data: Float64Array;
}

/**
 * Checks that `m` is a well-formed {@link MatrixF64}: integer `rows`, `cols` ≥ 0 and a `Float64Array` of length
 * `rows * cols`.
 * @throws {@link ArgumentError} when `m` is not a matrix object; {@link ShapeError} when the data length disagrees
 */
export function assertMatrixF64(m: unknown, name: string): asserts m is MatrixF64 {
  if (m === null || typeof m !== 'object') {
    throw new ArgumentError(
      `${name}: expected a MatrixF64 { rows, cols, data: Float64Array }, got ${describe(m)}`,
    );
  }
  const { rows, cols, data } = m as { rows: unknown; cols: unknown; data: unknown };
  assertInteger(rows, `${name}.rows`, { min: 0 });
  assertInteger(cols, `${name}.cols`, { min: 0 });
  if (!(data instanceof Float64Array)) {
    throw new ArgumentError(`${name}.data: expected a Float64Array, got ${describe(data)}`);
  }
  if (data.length !== (rows as number) * (cols as number)) {
    throw new ShapeError(
      `${name}: data length ${data.length} does not match shape ${formatShape([rows as number, cols as number])} (expected ${(rows as number) * (cols as number)})`,
    );
  }
}

/**
 * Checks that `m` is a square, non-empty matrix with finite entries (what the decompositions need).
 * @throws {@link ShapeError} when it is not square or is empty; {@link NumericalError} for non-finite entries
 */
export function assertSquareFinite(m: unknown, name: string): asserts m is MatrixF64 {
  assertMatrixF64(m, name);
  if (m.rows !== m.cols) {
    throw new ShapeError(`${name}: expected a square matrix, got shape ${formatShape([m.rows, m.cols])}`);
  }
  if (m.rows === 0) throw new ShapeError(`${name}: expected a non-empty matrix, got shape [0, 0]`);
  assertFinite(m.data, name);
}

/**
 * Checks that `m` is a non-empty matrix with finite entries.
 * @throws {@link ShapeError} when empty; {@link NumericalError} for non-finite entries
 */
export function assertNonEmptyFinite(m: unknown, name: string): asserts m is MatrixF64 {
  assertMatrixF64(m, name);
  if (m.rows === 0 || m.cols === 0) {
    throw new ShapeError(`${name}: expected a non-empty matrix, got shape ${formatShape([m.rows, m.cols])}`);
  }
  assertFinite(m.data, name);
}

/**
 * A `rows × cols` {@link MatrixF64}, zero-filled or wrapping `data` (not copied).
 *
 * @param rows - number of rows, a non-negative integer
 * @param cols - number of columns, a non-negative integer
 * @param data - optional row-major entries, of length `rows * cols`
 * @throws {@link ArgumentError} for bad sizes; {@link ShapeError} when `data` has the wrong length
 *
 * @example
 * ```ts
 * const A = matrixF64(2, 3, Float64Array.of(1, 2, 3, 4, 5, 6));
 * ```
 */
export function matrixF64(rows: number, cols: number, data?: Float64Array): MatrixF64 {
  assertInteger(rows, 'rows', { min: 0 });
  assertInteger(cols, 'cols', { min: 0 });
  const m = { rows, cols, data: data ?? new Float64Array(rows * cols) };
  assertMatrixF64(m, 'matrix');
  return m;
}

/**
 * The `n × n` identity matrix.
 * @throws {@link ArgumentError} when `n` is not a non-negative integer
 *
 * @example
 * ```ts
 * identityF64(3).data; // [1, 0, 0, 0, 1, 0, 0, 0, 1]
 * ```
 */
export function identityF64(n: number): MatrixF64 {
  assertInteger(n, 'n', { min: 0 });
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) data[i * n + i] = 1;
  return { rows: n, cols: n, data };
}

/**
 * A {@link MatrixF64} from nested arrays (one inner array per row; copied).
 * @throws {@link ShapeError} for ragged rows; {@link ArgumentError} for non-numeric entries
 *
 * @example
 * ```ts
 * const A = fromNestedArray([[1, 2], [3, 4]]);
 * ```
 */
export function fromNestedArray(values: readonly (readonly number[])[]): MatrixF64 {
  if (!Array.isArray(values)) {
    throw new ArgumentError(`values: expected an array of rows, got ${describe(values)}`);
  }
  const rows = values.length;
  const cols = rows === 0 ? 0 : (values[0]?.length ?? 0);
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const row = values[i];
    if (!Array.isArray(row)) throw new ArgumentError(`values[${i}]: expected an array, got ${describe(row)}`);
    if (row.length !== cols) {
      throw new ShapeError(
        `values[${i}]: expected ${cols} entries like row 0, got ${row.length} (ragged rows)`,
      );
    }
    for (let j = 0; j < cols; j++) {
      const v = row[j];
      if (typeof v !== 'number') {
        throw new ArgumentError(`values[${i}][${j}]: expected a number, got ${describe(v)}`);
      }
      data[i * cols + j] = v;
    }
  }
  return { rows, cols, data };
}

/**
 * The entries of a {@link MatrixF64} as nested arrays, one per row.
 * @throws {@link ArgumentError} / {@link ShapeError} when `m` is not a well-formed matrix
 *
 * @example
 * ```ts
 * toNestedArray(identityF64(2)); // [[1, 0], [0, 1]]
 * ```
 */
export function toNestedArray(m: MatrixF64): number[][] {
  assertMatrixF64(m, 'm');
  return Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
}
