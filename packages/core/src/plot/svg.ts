/**
 * Dependency-free SVG charts for reports (`loom tour`, benchmarks): a horizontal bar chart and a
 * line plot with optional log axes. Output is a standalone `<svg>` document string.
 */

/** One bar of {@link barChartSvg}. */
export interface Bar {
  label: string;
  value: number;
}

/** One series of {@link linePlotSvg}. */
export interface Series {
  name: string;
  x: readonly number[];
  y: readonly number[];
}

const PALETTE = ['#3b6ea8', '#d9822b', '#3a9a5b', '#b33a3a', '#7a57a8', '#8c6d3f', '#c2529a', '#5f6b73'];

/** Escapes text for SVG/XML content and attributes. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-2)) return v.toExponential(1);
  return Number(v.toPrecision(3)).toString();
}

/**
 * A horizontal bar chart.
 *
 * @example
 * ```ts
 * const svg = barChartSvg({ title: 'GFLOP/s', bars: [{ label: 'core', value: 30 }, { label: 'tf', value: 3 }] });
 * ```
 */
export function barChartSvg(options: {
  title: string;
  bars: readonly Bar[];
  unit?: string;
  width?: number;
}): string {
  const width = options.width ?? 640;
  const rowH = 26;
  const labelW = 220;
  const top = 36;
  const height = top + options.bars.length * rowH + 16;
  const max = Math.max(1e-300, ...options.bars.map((b) => (Number.isFinite(b.value) ? b.value : 0)));
  const plotW = width - labelW - 90;
  const rows = options.bars
    .map((b, i) => {
      const y = top + i * rowH;
      const w = Math.max(0, (Number.isFinite(b.value) ? b.value : 0) / max) * plotW;
      return (
        `<text x="${labelW - 8}" y="${y + 17}" text-anchor="end">${escapeXml(b.label)}</text>` +
        `<rect x="${labelW}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="${PALETTE[i % PALETTE.length]}"/>` +
        `<text x="${(labelW + w + 6).toFixed(1)}" y="${y + 17}">${escapeXml(fmt(b.value))}${options.unit ? ` ${escapeXml(options.unit)}` : ''}</text>`
      );
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="13">` +
    `<rect width="100%" height="100%" fill="white"/>` +
    `<text x="${width / 2}" y="22" text-anchor="middle" font-weight="bold">${escapeXml(options.title)}</text>` +
    rows +
    '</svg>'
  );
}

/**
 * A line plot of one or more series with markers, axes, ticks and a legend; `logX`/`logY` use
 * base-10 log axes (non-positive values are dropped there).
 *
 * @example
 * ```ts
 * const svg = linePlotSvg({ title: 'time vs n', xLabel: 'n', yLabel: 'ms', logX: true, logY: true,
 *   series: [{ name: 'exact', x: [64, 128], y: [1, 8] }] });
 * ```
 */
export function linePlotSvg(options: {
  title: string;
  series: readonly Series[];
  xLabel?: string;
  yLabel?: string;
  logX?: boolean;
  logY?: boolean;
  width?: number;
  height?: number;
}): string {
  const width = options.width ?? 640;
  const height = options.height ?? 400;
  const m = { left: 70, right: 150, top: 36, bottom: 50 };
  const tx = (v: number) => (options.logX ? Math.log10(v) : v);
  const ty = (v: number) => (options.logY ? Math.log10(v) : v);
  const pts = options.series.map((s) =>
    s.x
      .map((x, i) => [x, s.y[i]!] as const)
      .filter(
        ([x, y]) =>
          Number.isFinite(x) && Number.isFinite(y) && (!options.logX || x > 0) && (!options.logY || y > 0),
      )
      .map(([x, y]) => [tx(x), ty(y)] as const),
  );
  const all = pts.flat();
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (!Number.isFinite(x0)) [x0, x1] = [0, 1];
  if (!Number.isFinite(y0)) [y0, y1] = [0, 1];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const sx = (v: number) => m.left + ((v - x0) / (x1 - x0)) * pw;
  const sy = (v: number) => m.top + ph - ((v - y0) / (y1 - y0)) * ph;
  const tick = (v: number, log: boolean | undefined) => fmt(log ? 10 ** v : v);
  let axes = `<line x1="${m.left}" y1="${m.top + ph}" x2="${m.left + pw}" y2="${m.top + ph}" stroke="black"/>`;
  axes += `<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + ph}" stroke="black"/>`;
  for (let i = 0; i <= 4; i++) {
    const xv = x0 + ((x1 - x0) * i) / 4;
    const yv = y0 + ((y1 - y0) * i) / 4;
    axes += `<text x="${sx(xv).toFixed(1)}" y="${m.top + ph + 18}" text-anchor="middle">${tick(xv, options.logX)}</text>`;
    axes += `<text x="${m.left - 6}" y="${(sy(yv) + 4).toFixed(1)}" text-anchor="end">${tick(yv, options.logY)}</text>`;
    axes += `<line x1="${m.left}" y1="${sy(yv).toFixed(1)}" x2="${m.left + pw}" y2="${sy(yv).toFixed(1)}" stroke="#eee"/>`;
  }
  if (options.xLabel)
    axes += `<text x="${m.left + pw / 2}" y="${height - 10}" text-anchor="middle">${escapeXml(options.xLabel)}${options.logX ? ' (log)' : ''}</text>`;
  if (options.yLabel)
    axes += `<text x="16" y="${m.top + ph / 2}" text-anchor="middle" transform="rotate(-90 16 ${m.top + ph / 2})">${escapeXml(options.yLabel)}${options.logY ? ' (log)' : ''}</text>`;
  const lines = pts
    .map((p, i) => {
      const color = PALETTE[i % PALETTE.length];
      const path = p
        .map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`)
        .join('');
      const dots = p
        .map(([x, y]) => `<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3" fill="${color}"/>`)
        .join('');
      const ly = m.top + 10 + i * 18;
      const legend = `<rect x="${m.left + pw + 12}" y="${ly - 9}" width="12" height="12" fill="${color}"/><text x="${m.left + pw + 30}" y="${ly + 1}">${escapeXml(options.series[i]!.name)}</text>`;
      return `<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>${dots}${legend}`;
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">` +
    `<rect width="100%" height="100%" fill="white"/>` +
    `<text x="${(m.left + pw / 2).toFixed(1)}" y="22" text-anchor="middle" font-weight="bold" font-size="14">${escapeXml(options.title)}</text>` +
    axes +
    lines +
    '</svg>'
  );
}
