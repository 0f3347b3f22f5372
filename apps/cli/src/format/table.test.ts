import { describe, expect, it } from 'vitest';
import {
  formatSeconds,
  formatTable,
  formatTourTable,
  formatValue,
  passMark,
  tourTableRows,
} from './table.js';

describe('formatTable', () => {
  it('pads left- and right-aligned columns to the widest cell, two spaces apart', () => {
    const text = formatTable(
      [{ header: 'name' }, { header: 'n', align: 'right' }],
      [
        ['a', '1'],
        ['bbbbb', '22'],
      ],
    );
    expect(text.split('\n')).toEqual(['name    n', '─────  ──', 'a       1', 'bbbbb  22']);
  });

  it('cuts cells longer than maxWidth with an ellipsis and turns newlines into spaces', () => {
    const text = formatTable([{ header: 'x', maxWidth: 5 }], [['abcdefgh'], ['a\nb']]);
    expect(text.split('\n')).toEqual(['x', '─────', 'abcd…', 'a b']);
  });

  it('counts characters, not UTF-16 units, so ✓ and ∞ line up', () => {
    const text = formatTable(
      [{ header: 'p' }, { header: 'q' }],
      [
        ['✓', 'x'],
        ['ab', 'y'],
      ],
    );
    const lines = text.split('\n');
    expect(lines[2].indexOf('x')).toBe(lines[3].indexOf('y'));
  });

  it('fills missing cells with blanks', () => {
    expect(formatTable([{ header: 'a' }, { header: 'b' }], [['1']]).split('\n')[2]).toBe('1');
  });
});

describe('formatValue', () => {
  it.each([
    [42, undefined, '42'],
    [1.23456, 'ms', '1.235 ms'],
    [0.012345, undefined, '0.01235'],
    [12345.6, undefined, '12346'],
    [0.0000123, undefined, '1.23e-5'],
    [25_000_000, 'FLOP', '25000000 FLOP'],
    [25_000_000.5, 'FLOP', '2.50e7 FLOP'],
    [Number.NaN, undefined, 'NaN'],
    [Number.POSITIVE_INFINITY, undefined, '∞'],
    [Number.NEGATIVE_INFINITY, undefined, '-∞'],
    ['fast', 'ms', 'fast'],
    [undefined, 'ms', ''],
  ] as const)('formatValue(%s, %s) = %s', (value, unit, expected) => {
    expect(formatValue(value, unit)).toBe(expected);
  });
});

describe('formatSeconds', () => {
  it('uses ms below a second, seconds below a minute, then minutes', () => {
    expect(formatSeconds(0.4204)).toBe('420 ms');
    expect(formatSeconds(3.214)).toBe('3.21 s');
    expect(formatSeconds(42.26)).toBe('42.3 s');
    expect(formatSeconds(65.2)).toBe('1 min 05 s');
  });
});

describe('tour table', () => {
  const outcomes = [
    {
      id: 'core/self-check',
      seconds: 1.5,
      rows: [
        {
          metric: 'matMul GFLOP/s',
          value: 12.3456,
          reference: 10,
          unit: 'GFLOP/s',
          setting: '512²',
          pass: true,
        },
        { metric: 'fft error', value: 1e-7, pass: false },
      ],
    },
    { id: 'x/broken', seconds: 0.01, rows: [], error: 'boom' },
  ];

  it('puts the demo id and time on its first row only and adds an error row for a failure', () => {
    expect(tourTableRows(outcomes)).toEqual([
      ['core/self-check', 'matMul GFLOP/s', '12.35 GFLOP/s', '10 GFLOP/s', '512²', '✓', '1.50 s'],
      ['', 'fft error', '1.00e-7', '', '', '✗', ''],
      ['x/broken', 'error', 'boom', '', '', '✗', '10 ms'],
    ]);
  });

  it('renders a header with every column', () => {
    const header = formatTourTable(outcomes).split('\n')[0];
    for (const name of ['demo', 'metric', 'value', 'reference', 'setting', 'pass', 'time']) {
      expect(header).toContain(name);
    }
  });

  it('marks pass, fail and no target', () => {
    expect([passMark(true), passMark(false), passMark(undefined)]).toEqual(['✓', '✗', '']);
  });
});
