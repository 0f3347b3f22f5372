import type { TourRow } from '@tensorloom/core';

/** How one column of a {@link formatTable} table is laid out. */
export interface TableColumn {
  /** Column heading. */
  header: string;
  /** Alignment of the cells (default `'left'`). */
  align?: 'left' | 'right';
  /** Longer cells are cut to this many characters, ending in `…`. */
  maxWidth?: number;
}

function width(text: string): number {
  return [...text].length;
}

function truncate(text: string, maxWidth: number | undefined): string {
  const oneLine = text.replace(/\s*\n\s*/g, ' ');
  if (maxWidth === undefined || width(oneLine) <= maxWidth) return oneLine;
  return `${[...oneLine].slice(0, Math.max(0, maxWidth - 1)).join('')}…`;
}

function pad(text: string, size: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, size - width(text)));
  return align === 'right' ? fill + text : text + fill;
}

/**
 * Lays out rows of text as a plain-text table: a heading line, a rule, then one line per row, columns
 * separated by two spaces, trailing blanks trimmed. Newlines inside cells become spaces.
 *
 * @example
 * ```ts
 * formatTable([{ header: 'name' }, { header: 'n', align: 'right' }], [['a', '1'], ['bb', '22']]);
 * // name  n\n────  ──\na      1\nbb    22
 * ```
 */
export function formatTable(columns: readonly TableColumn[], rows: readonly (readonly string[])[]): string {
  const cells = rows.map((row) => columns.map((column, i) => truncate(row[i] ?? '', column.maxWidth)));
  const widths = columns.map((column, i) =>
    Math.max(width(column.header), ...cells.map((row) => width(row[i]))),
  );
  const line = (row: readonly string[]): string =>
    row
      .map((cell, i) => pad(cell, widths[i], columns[i].align ?? 'left'))
      .join('  ')
      .trimEnd();
  return [
    line(columns.map((column) => column.header)),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...cells.map(line),
  ].join('\n');
}

/**
 * Formats a measured value for people: integers as they are, other numbers to four significant digits
 * (rounded to an integer from 10 000 up, exponential below 0.001 or from 10⁶ up), with the unit after
 * a space (numbers only). Strings pass through; `undefined` becomes `''`.
 *
 * @example
 * ```ts
 * formatValue(3.14159, 'ms'); // '3.142 ms'
 * formatValue(0.0000123);     // '1.23e-5'
 * ```
 */
export function formatValue(value: number | string | undefined, unit?: string): string {
  if (value === undefined) return '';
  let text: string;
  if (typeof value === 'string') text = value;
  else if (Number.isNaN(value)) text = 'NaN';
  else if (!Number.isFinite(value)) text = value > 0 ? '∞' : '-∞';
  else if (Number.isInteger(value) && Math.abs(value) < 1e15) text = String(value);
  else {
    const magnitude = Math.abs(value);
    if (magnitude >= 1e-3 && magnitude < 1e4) text = String(Number(value.toPrecision(4)));
    else if (magnitude >= 1e4 && magnitude < 1e6) text = String(Math.round(value));
    else text = value.toExponential(2).replace('e+', 'e');
  }
  return unit && typeof value === 'number' ? `${text} ${unit}` : text;
}

/** Formats a duration in seconds: `'420 ms'` below a second, `'3.21 s'`, `'1 min 05 s'` from a minute. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds - minutes * 60);
  return `${minutes} min ${String(rest).padStart(2, '0')} s`;
}

/** The mark shown in a table's `pass` column: `✓`, `✗`, or empty when the row has no target. */
export function passMark(pass: boolean | undefined): string {
  if (pass === undefined) return '';
  return pass ? '✓' : '✗';
}

/** The part of a demo's outcome the results table shows. */
export interface TableOutcome {
  /** Demo id. */
  id: string;
  /** Wall time of the demo, in seconds. */
  seconds: number;
  /** Result rows (empty when it failed). */
  rows: readonly TourRow[];
  /** Why it failed, when it threw. */
  error?: string;
}

/** Columns of the `loom tour` results table. */
export const TOUR_COLUMNS: readonly TableColumn[] = [
  { header: 'demo', maxWidth: 32 },
  { header: 'metric', maxWidth: 40 },
  { header: 'value', align: 'right', maxWidth: 24 },
  { header: 'reference', align: 'right', maxWidth: 24 },
  { header: 'setting', maxWidth: 40 },
  { header: 'pass' },
  { header: 'time', align: 'right' },
];

/**
 * The cells of the `loom tour` table: one line per result row, the demo id and its time on the demo's
 * first line only; a demo that threw gets one line with metric `error`, its message and `✗`.
 */
export function tourTableRows(outcomes: readonly TableOutcome[]): string[][] {
  const lines: string[][] = [];
  for (const outcome of outcomes) {
    const time = formatSeconds(outcome.seconds);
    outcome.rows.forEach((row, i) => {
      lines.push([
        i === 0 ? outcome.id : '',
        row.metric,
        formatValue(row.value, row.unit),
        formatValue(row.reference, row.unit),
        row.setting ?? '',
        passMark(row.pass),
        i === 0 ? time : '',
      ]);
    });
    if (outcome.error !== undefined) {
      lines.push([
        outcome.rows.length === 0 ? outcome.id : '',
        'error',
        outcome.error,
        '',
        '',
        '✗',
        outcome.rows.length === 0 ? time : '',
      ]);
    } else if (outcome.rows.length === 0) {
      lines.push([outcome.id, '(no rows)', '', '', '', '', time]);
    }
  }
  return lines;
}

/** The `loom tour` results table as text. */
export function formatTourTable(outcomes: readonly TableOutcome[]): string {
  return formatTable(TOUR_COLUMNS, tourTableRows(outcomes));
}
