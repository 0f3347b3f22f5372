/**
 * The base class of every error Tensorloom throws on purpose. Catch this to tell Tensorloom's
 * validation and numerical failures apart from bugs and from errors thrown by tfjs itself.
 *
 * @example
 * ```ts
 * import { TensorloomError, ShapeError } from '@tensorloom/core';
 * try { doWork(); } catch (e) { if (e instanceof ShapeError) console.error(e.message); }
 * ```
 */
export class TensorloomError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A tensor or array has the wrong rank, size or shape. The message names the argument, expected and given shapes. */
export class ShapeError extends TensorloomError {}

/** An argument has an invalid value or type (not a shape problem): a negative count, an unknown option, a bad seed. */
export class ArgumentError extends TensorloomError {}

/** A computation produced or was given non-finite numbers, or a matrix was singular or not positive definite. */
export class NumericalError extends TensorloomError {}
