import { ArgumentError, NumericalError, ShapeError } from './errors.js';

/** Anything with a `shape` (a tfjs tensor) or a plain shape array. */
export type ShapeLike = { readonly shape: readonly number[] } | readonly number[];

function shapeOf(x: ShapeLike): readonly number[] {
  return Array.isArray(x) ? (x as readonly number[]) : (x as { shape: readonly number[] }).shape;
}

/** Formats a shape as `[2, 3, 4]` for error messages. */
export function formatShape(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? '*' : String(d))).join(', ')}]`;
}

/**
 * Checks a shape against an expected pattern. `null` in `expected` matches any size in that axis.
 *
 * @param x - the tensor (or shape) to check
 * @param expected - the expected shape; `null` entries are wildcards
 * @param name - the argument name, used in the error message
 * @throws {@link ShapeError} naming the argument, the expected pattern and the given shape
 *
 * @example
 * ```ts
 * assertShape(q, [null, 64], 'q'); // q must be 2-D with 64 columns
 * ```
 */
export function assertShape(x: ShapeLike, expected: readonly (number | null)[], name: string): void {
  const s = shapeOf(x);
  const ok = s.length === expected.length && expected.every((e, i) => e === null || e === s[i]);
  if (!ok) {
    throw new ShapeError(`${name}: expected shape ${formatShape(expected)}, got ${formatShape(s)}`);
  }
}

/**
 * Checks the rank of a tensor or shape.
 * @param rank - a single rank or a list of allowed ranks
 * @throws {@link ShapeError}
 */
export function assertRank(x: ShapeLike, rank: number | readonly number[], name: string): void {
  const s = shapeOf(x);
  const allowed = typeof rank === 'number' ? [rank] : rank;
  if (!allowed.includes(s.length)) {
    throw new ShapeError(
      `${name}: expected rank ${allowed.join(' or ')}, got rank ${s.length} (shape ${formatShape(s)})`,
    );
  }
}

/**
 * Checks that every value is finite (no NaN, no ±Infinity).
 * @throws {@link NumericalError} naming the argument and the first offending index and value
 */
export function assertFinite(values: ArrayLike<number>, name: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      throw new NumericalError(`${name}: expected finite values, got ${v} at flat index ${i}`);
    }
  }
}

/**
 * Checks that a value is an integer, optionally within `[min, max]`.
 * @throws {@link ArgumentError}
 */
export function assertInteger(
  value: unknown,
  name: string,
  range: { min?: number; max?: number } = {},
): void {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new ArgumentError(`${name}: expected an integer, got ${describe(value)}`);
  }
  assertInRange(value, name, range);
}

/**
 * Checks that a value is a finite number, optionally within `[min, max]`.
 * @throws {@link ArgumentError}
 */
export function assertNumber(value: unknown, name: string, range: { min?: number; max?: number } = {}): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ArgumentError(`${name}: expected a finite number, got ${describe(value)}`);
  }
  assertInRange(value, name, range);
}

/**
 * Checks that a number is strictly positive.
 * @throws {@link ArgumentError}
 */
export function assertPositive(value: unknown, name: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ArgumentError(`${name}: expected a positive finite number, got ${describe(value)}`);
  }
}

/**
 * Checks that a value is one of the allowed options.
 * @throws {@link ArgumentError} listing the allowed options
 */
export function assertOneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  name: string,
): asserts value is T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ArgumentError(
      `${name}: expected one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(value)}`,
    );
  }
}

function assertInRange(value: number, name: string, { min, max }: { min?: number; max?: number }): void {
  if (min !== undefined && value < min) {
    throw new ArgumentError(`${name}: expected a value >= ${min}, got ${value}`);
  }
  if (max !== undefined && value > max) {
    throw new ArgumentError(`${name}: expected a value <= ${max}, got ${value}`);
  }
}

/** Short description of a value for error messages: numbers and strings verbatim, others by type. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return `a value of type ${typeof value}`;
}
