/**
 * Internal: right-hand sides of linear solves, as a matrix or a single vector.
 * @module
 */
import { ArgumentError, ShapeError } from '../errors/errors.js';
import { assertFinite, describe, formatShape } from '../errors/validate.js';
import { assertMatrixF64, type MatrixF64 } from './matrix.js';

/** A right-hand side viewed as an n × k matrix (a vector is n × 1). */
export interface RightHandSide {
  matrix: MatrixF64;
  isVector: boolean;
}

/**
 * Validates `B` (a {@link MatrixF64} with `n` rows, or a `Float64Array` of length `n`) and views it as a matrix.
 * @throws {@link ShapeError} when the row count disagrees with A's; {@link ArgumentError} for other types;
 *   {@link NumericalError} for non-finite entries
 */
export function readRightHandSide(B: unknown, n: number, name: string, aName: string): RightHandSide {
  if (B instanceof Float64Array) {
    if (B.length !== n) {
      throw new ShapeError(
        `${name}: expected a vector of length ${n} (the order of ${aName}), got length ${B.length}`,
      );
    }
    assertFinite(B, name);
    return { matrix: { rows: n, cols: 1, data: B }, isVector: true };
  }
  if (B === null || typeof B !== 'object') {
    throw new ArgumentError(`${name}: expected a MatrixF64 or a Float64Array, got ${describe(B)}`);
  }
  assertMatrixF64(B, name);
  if (B.rows !== n) {
    throw new ShapeError(
      `${name}: expected ${n} rows (the order of ${aName}), got shape ${formatShape([B.rows, B.cols])}`,
    );
  }
  assertFinite(B.data, name);
  return { matrix: B, isVector: false };
}
