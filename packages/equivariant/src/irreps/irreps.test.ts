import { ArgumentError } from '@tensorloom/core';
import { describe, expect, it } from 'vitest';
import { Irreps, irrepProduct } from './irreps.js';

describe('Irreps', () => {
  it('parses and prints e3nn strings with dimension, slices and parity', () => {
    const irreps = Irreps.parse('8x0e+4x1o + 2x2e');
    expect(irreps.toString()).toBe('8x0e+4x1o+2x2e');
    expect(irreps.dim).toBe(8 + 12 + 10);
    expect(irreps.numIrreps).toBe(14);
    expect(irreps.lmax).toBe(2);
    expect(irreps.slices()).toEqual([
      { start: 0, end: 8 },
      { start: 8, end: 20 },
      { start: 20, end: 30 },
    ]);
    expect(Irreps.parse('1o').items[0]).toEqual({ mul: 1, ir: { l: 1, p: -1 } });
    expect(Irreps.parse('2x3y+1x2n').toString()).toBe('2x3o+1x2o');
    expect(Irreps.parse('').dim).toBe(0);
    expect(irreps.isNaturalParity()).toBe(true);
    expect(Irreps.parse('1e').isNaturalParity()).toBe(false);
    expect(Irreps.sphericalHarmonics(3).toString()).toBe('1x0e+1x1o+1x2e+1x3o');
  });

  it('simplifies and sorts as e3nn does', () => {
    expect(Irreps.parse('1x0e+2x0e+0x1o+1x1e+1x1e').simplify().toString()).toBe('3x0e+2x1e');
    const { irreps, p } = Irreps.parse('1x2e+1x1e+1x0e+1x1o').sort();
    expect(irreps.toString()).toBe('1x0e+1x1o+1x1e+1x2e');
    expect(p).toEqual([3, 2, 0, 1]);
    expect(Irreps.parse('2x1o').equals('2x1o')).toBe(true);
    expect(Irreps.parse('2x1o').equals('2x1e')).toBe(false);
  });

  it('gives the product selection rule', () => {
    expect(irrepProduct({ l: 1, p: -1 }, { l: 2, p: 1 })).toEqual([
      { l: 1, p: -1 },
      { l: 2, p: -1 },
      { l: 3, p: -1 },
    ]);
  });

  it('rejects malformed strings with messages naming the term', () => {
    expect(() => Irreps.parse('8x0e+4x1q')).toThrow(ArgumentError);
    expect(() => Irreps.parse('8x0e+4x1q')).toThrow(/term 2 "4x1q"/);
    expect(() => Irreps.parse('x1o')).toThrow(/malformed/);
    expect(() => Irreps.parse('1o++2e')).toThrow(/term 2/);
    expect(() => Irreps.parse(3 as never)).toThrow(/string/);
    expect(() => new Irreps([{ mul: -1, ir: { l: 0, p: 1 } }])).toThrow(ArgumentError);
    expect(() => new Irreps([{ mul: 1, ir: { l: 0, p: 2 as never } }])).toThrow(/p must be/);
  });
});
