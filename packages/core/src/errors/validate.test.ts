import { describe, expect, it } from 'vitest';
import { ArgumentError, NumericalError, ShapeError, TensorloomError } from './errors.js';
import {
  assertFinite,
  assertInteger,
  assertNumber,
  assertOneOf,
  assertPositive,
  assertRank,
  assertShape,
  formatShape,
} from './validate.js';

describe('typed errors', () => {
  it('form a hierarchy under TensorloomError and carry their class name', () => {
    for (const E of [ShapeError, ArgumentError, NumericalError]) {
      const e = new E('msg');
      expect(e).toBeInstanceOf(TensorloomError);
      expect(e).toBeInstanceOf(Error);
      expect(e.name).toBe(E.name);
      expect(e.message).toBe('msg');
    }
    expect(new TensorloomError('x', { cause: 'why' }).cause).toBe('why');
  });
});

describe('validation helpers', () => {
  it('assertShape accepts matches and wildcards, rejects the rest with names and shapes', () => {
    expect(() => assertShape([2, 3], [2, 3], 'x')).not.toThrow();
    expect(() => assertShape({ shape: [5, 3] }, [null, 3], 'x')).not.toThrow();
    expect(() => assertShape([2, 4], [null, 3], 'q')).toThrow(ShapeError);
    expect(() => assertShape([2, 4], [null, 3], 'q')).toThrow('q: expected shape [*, 3], got [2, 4]');
    expect(() => assertShape([2, 3, 1], [2, 3], 'k')).toThrow('k: expected shape [2, 3], got [2, 3, 1]');
  });

  it('assertRank', () => {
    expect(() => assertRank([1, 2], [2, 3], 'x')).not.toThrow();
    expect(() => assertRank([1], 2, 'x')).toThrow('x: expected rank 2, got rank 1 (shape [1])');
    expect(() => assertRank([1], [2, 3], 'x')).toThrow('x: expected rank 2 or 3, got rank 1 (shape [1])');
  });

  it('assertFinite names the first bad index and value', () => {
    expect(() => assertFinite([1, 2, 3], 'v')).not.toThrow();
    expect(() => assertFinite(Float32Array.of(1, Number.NaN), 'v')).toThrow(NumericalError);
    expect(() => assertFinite([0, 1, Number.POSITIVE_INFINITY], 'v')).toThrow(
      'v: expected finite values, got Infinity at flat index 2',
    );
  });

  it('assertInteger, assertNumber and assertPositive check type and range', () => {
    expect(() => assertInteger(3, 'n', { min: 0, max: 5 })).not.toThrow();
    expect(() => assertInteger(2.5, 'n')).toThrow('n: expected an integer, got 2.5');
    expect(() => assertInteger('3', 'n')).toThrow("n: expected an integer, got '3'");
    expect(() => assertInteger(-1, 'n', { min: 0 })).toThrow('n: expected a value >= 0, got -1');
    expect(() => assertInteger(9, 'n', { max: 8 })).toThrow('n: expected a value <= 8, got 9');
    expect(() => assertNumber(Number.NaN, 'lr')).toThrow(ArgumentError);
    expect(() => assertNumber(0.5, 'p', { min: 0, max: 1 })).not.toThrow();
    expect(() => assertPositive(0, 'scale')).toThrow('scale: expected a positive finite number, got 0');
    expect(() => assertPositive(undefined, 'scale')).toThrow('got undefined');
  });

  it('assertOneOf lists the allowed values', () => {
    expect(() => assertOneOf('a', ['a', 'b'], 'mode')).not.toThrow();
    expect(() => assertOneOf('c', ['a', 'b'], 'mode')).toThrow("mode: expected one of 'a', 'b', got 'c'");
    expect(() => assertOneOf(null, ['a'], 'mode')).toThrow('got null');
  });

  it('formatShape prints wildcards', () => {
    expect(formatShape([1, null, 3])).toBe('[1, *, 3]');
  });
});
