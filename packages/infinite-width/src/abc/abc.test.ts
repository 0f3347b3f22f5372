import { ArgumentError } from '@tensorloom/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { abcPreset, abcR, classifyAbc, shiftAbc } from './abc.js';

// Rows of the table in Yang & Hu (2021) §3 / Def. 5.1 (project notes §2), written out independently of abcPreset.
const TABLE = [
  { name: 'sp', L: 3, a: [0, 0, 0, 0], b: [0, 0.5, 0.5, 0.5], c: 0, regime: 'unstable', r: -1 },
  { name: 'sp-lr-1/n', L: 3, a: [0, 0, 0, 0], b: [0, 0.5, 0.5, 0.5], c: 1, regime: 'kernel', r: 0.5 },
  { name: 'ntk', L: 3, a: [0, 0.5, 0.5, 0.5], b: [0, 0, 0, 0], c: 0, regime: 'kernel', r: 0.5 },
  { name: 'mean-field', L: 1, a: [0, 1], b: [0, 0], c: -1, regime: 'feature-learning', r: 0 },
  {
    name: 'mup',
    L: 3,
    a: [-0.5, 0, 0, 0.5],
    b: [0.5, 0.5, 0.5, 0.5],
    c: 0,
    regime: 'feature-learning',
    r: 0,
  },
] as const;

describe('abc-parametrizations', () => {
  it.each(TABLE)('preset $name matches the table row and its classification', (row) => {
    const p = abcPreset(row.name, row.L);
    expect(p.a).toEqual(row.a);
    expect(p.b).toEqual(row.b);
    expect(p.c).toBe(row.c);
    const k = classifyAbc(p);
    expect(k.regime).toBe(row.regime);
    expect(k.r).toBeCloseTo(row.r, 12);
    expect(k.stableAtInit).toBe(true);
  });

  it('SP with constant LR is unstable because 2a_{L+1} + c < 1', () => {
    const k = classifyAbc(abcPreset('sp', 2));
    expect(k.stable).toBe(false);
    expect(k.reasons.join(' ')).toMatch(/2a_\{L\+1\} \+ c = 0 < 1/);
  });

  it('SP with LR ∝ 1/n² is stable but trivial', () => {
    const k = classifyAbc({ a: [0, 0, 0], b: [0, 0.5, 0.5], c: 2 });
    expect(k.stable).toBe(true);
    expect(k.nontrivial).toBe(false);
    expect(k.regime).toBe('trivial');
  });

  it('detects instability at initialisation', () => {
    const k = classifyAbc({ a: [0, 0, 0], b: [0, 0, 0.5], c: 1 });
    expect(k.stableAtInit).toBe(false);
    expect(k.regime).toBe('unstable');
    expect(classifyAbc({ a: [0, 0, 0], b: [0, 0.5, 0.25], c: 1 }).stableAtInit).toBe(false);
  });

  it('the symmetry (a+θ, b−θ, c−2θ) leaves r and the classification unchanged (SGD)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TABLE), fc.double({ min: -2, max: 2, noNaN: true }), (row, theta) => {
        const p = abcPreset(row.name, row.L);
        const q = shiftAbc(p, theta);
        expect(q.c).toBeCloseTo(p.c - 2 * theta, 12);
        expect(abcR(q)).toBeCloseTo(abcR(p), 9);
        expect(classifyAbc(q).regime).toBe(classifyAbc(p).regime);
      }),
      { numRuns: 100 },
    );
  });

  it('the Adam form of the symmetry shifts c by −θ', () => {
    const q = shiftAbc(abcPreset('mup', 2), 0.5, 'adam');
    expect(q.c).toBe(-0.5);
    expect(q.a).toEqual([0, 0.5, 1]);
  });

  it('rejects malformed parametrizations and presets with typed errors', () => {
    expect(() => classifyAbc({ a: [0], b: [0], c: 0 })).toThrow(ArgumentError);
    expect(() => classifyAbc({ a: [0, 0], b: [0], c: 0 })).toThrow(/p\.b: expected an array of 2 numbers/);
    expect(() => classifyAbc({ a: [0, Number.NaN], b: [0, 0], c: 0 })).toThrow(/p\.a\[1\]/);
    expect(() => classifyAbc(null as never)).toThrow(ArgumentError);
    expect(() => abcPreset('mean-field', 2)).toThrow(/hiddenLayers/);
    expect(() => abcPreset('xp' as never, 2)).toThrow(/name: expected one of/);
    expect(() => abcPreset('mup', 0)).toThrow(/hiddenLayers: expected a value >= 1/);
    expect(() => shiftAbc(abcPreset('mup', 2), Number.POSITIVE_INFINITY)).toThrow(/theta/);
  });
});
