import type { BackendInfo } from '@tensorloom/core';
import { formatSeconds, formatValue, passMark } from '../format/table.js';
import type { DemoOutcome } from '../tour/run.js';
import { type ArtifactFile, planArtifactFiles, safeFileName } from './files.js';

/** Everything the HTML report shows. */
export interface TourReport {
  /** The backend the demos ran on. */
  backend: BackendInfo;
  /** Node.js version, e.g. `'v20.19.0'`. */
  node: string;
  /** Whether the tour ran in `--quick` mode. */
  quick: boolean;
  /** The seed passed to every demo. */
  seed: number;
  /** When the tour ran (ISO 8601). */
  generatedAt: string;
  /** The outcome of every demo, in order. */
  demos: DemoOutcome[];
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for HTML element content and quoted attribute values (`&`, `<`, `>`, `"`, `'`).
 *
 * @example
 * ```ts
 * escapeHtml('<b title="x">&</b>'); // '&lt;b title=&quot;x&quot;&gt;&amp;&lt;/b&gt;'
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** A `data:` URL holding `content` (UTF-8) with the given media type. */
export function dataUrl(mediaType: string, content: string): string {
  return `data:${mediaType};base64,${Buffer.from(content, 'utf8').toString('base64')}`;
}

const INLINE_TEXT_LIMIT = 20_000;

function isTextual(mediaType: string): boolean {
  return (
    mediaType.startsWith('text/') ||
    ['application/json', 'application/xml', 'application/x-ndjson'].includes(mediaType)
  );
}

/**
 * The inline view of one artifact: SVG as an `<img>` with a `data:` URL (so scripts in it never
 * run and an XML prolog is harmless), HTML in a sandboxed `<iframe srcdoc>`, other text in a `<pre>`
 * (long text cut with a note). Other media types are only linked.
 */
export function renderArtifact(file: ArtifactFile): string {
  const { artifact, path } = file;
  const mediaType = artifact.mediaType.split(';')[0].trim().toLowerCase();
  const href = escapeHtml(path);
  const name = escapeHtml(artifact.name);
  let body: string;
  if (mediaType === 'image/svg+xml') {
    body = `<img src="${escapeHtml(dataUrl('image/svg+xml', artifact.content))}" alt="${name}">`;
  } else if (mediaType === 'text/html') {
    body = `<iframe sandbox="" title="${name}" srcdoc="${escapeHtml(artifact.content)}"></iframe>`;
  } else if (isTextual(mediaType)) {
    const cut = artifact.content.length > INLINE_TEXT_LIMIT;
    const shown = cut ? artifact.content.slice(0, INLINE_TEXT_LIMIT) : artifact.content;
    body = `<pre>${escapeHtml(shown)}${cut ? '\n… (cut; see the file)' : ''}</pre>`;
  } else {
    body = '';
  }
  return `<figure>${body}<figcaption><a href="${href}">${name}</a> <span class="muted">${escapeHtml(mediaType)}</span></figcaption></figure>`;
}

function anchor(id: string): string {
  return `demo-${safeFileName(id, 'demo')}`;
}

function tableRows(demo: DemoOutcome): string {
  const time = escapeHtml(formatSeconds(demo.seconds));
  const link = `<a href="#${anchor(demo.id)}">${escapeHtml(demo.id)}</a>`;
  const cells: string[] = demo.rows.map((row) => {
    const mark =
      row.pass === undefined
        ? ''
        : `<span class="${row.pass ? 'pass' : 'fail'}">${passMark(row.pass)}</span>`;
    return (
      `<td>${escapeHtml(row.metric)}</td>` +
      `<td class="num">${escapeHtml(formatValue(row.value, row.unit))}</td>` +
      `<td class="num">${escapeHtml(formatValue(row.reference, row.unit))}</td>` +
      `<td>${escapeHtml(row.setting ?? '')}</td><td class="mark">${mark}</td>`
    );
  });
  if (demo.error !== undefined) {
    cells.push(
      `<td>error</td><td colspan="3" class="fail">${escapeHtml(demo.error)}</td><td class="mark fail">✗</td>`,
    );
  } else if (cells.length === 0) {
    cells.push('<td colspan="5" class="muted">(no rows)</td>');
  }
  return cells
    .map((inner, i) => {
      const head = i === 0 ? `<th scope="row" rowspan="${cells.length}">${link}</th>` : '';
      const tail = i === 0 ? `<td class="num" rowspan="${cells.length}">${time}</td>` : '';
      const cls = demo.error !== undefined ? ' class="failed"' : '';
      return `<tr${cls}>${head}${inner}${tail}</tr>`;
    })
    .join('\n');
}

function demoSection(demo: DemoOutcome, files: readonly ArtifactFile[]): string {
  const parts = [
    `<section id="${anchor(demo.id)}">`,
    `<h2>${escapeHtml(demo.title)} <span class="muted">${escapeHtml(demo.id)}</span></h2>`,
    `<p class="muted">${demo.paper ? `${escapeHtml(demo.paper)} · ` : ''}${escapeHtml(demo.packageName)} · ${escapeHtml(formatSeconds(demo.seconds))}</p>`,
  ];
  if (demo.error !== undefined) parts.push(`<pre class="error">${escapeHtml(demo.error)}</pre>`);
  if (files.length > 0) parts.push(`<div class="artifacts">${files.map(renderArtifact).join('\n')}</div>`);
  parts.push('</section>');
  return parts.join('\n');
}

const STYLE = `
:root { color-scheme: light dark; --muted: #6b7280; --pass: #15803d; --fail: #b91c1c; --rule: #d1d5db; }
@media (prefers-color-scheme: dark) { :root { --muted: #9ca3af; --pass: #4ade80; --fail: #f87171; --rule: #374151; } }
body { font: 15px/1.5 system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; }
h1 { margin-bottom: 0.25rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid var(--rule); }
.muted { color: var(--muted); font-weight: normal; font-size: 0.9em; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 0.3rem 0.6rem; border-bottom: 1px solid var(--rule); vertical-align: top; }
td.num { text-align: right; white-space: nowrap; } td.mark { text-align: center; }
.pass { color: var(--pass); } .fail { color: var(--fail); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 1rem; }
dt { color: var(--muted); } dd { margin: 0; }
pre { overflow: auto; padding: 0.75rem; border: 1px solid var(--rule); max-height: 30rem; }
pre.error { color: var(--fail); white-space: pre-wrap; }
.artifacts { display: flex; flex-wrap: wrap; gap: 1rem; }
figure { margin: 0; max-width: 100%; } figure img { max-width: 100%; height: auto; background: #fff; }
iframe { width: 40rem; max-width: 100%; height: 24rem; border: 1px solid var(--rule); }
`;

/**
 * Renders the tour report as one self-contained HTML page: a summary of the backend and run, the
 * results table (demo, metric, value, reference, setting, pass, time) and a section per demo with its
 * artifacts inline. Every piece of text from a demo is escaped.
 *
 * @param plan where each artifact's file is written (links point there); defaults to
 *   {@link planArtifactFiles}
 */
export function renderReport(
  report: TourReport,
  plan: Map<DemoOutcome, ArtifactFile[]> = planArtifactFiles(report.demos),
): string {
  const { backend } = report;
  const failed = report.demos.filter((d) => d.error !== undefined).length;
  const total = report.demos.reduce((sum, d) => sum + d.seconds, 0);
  const summary =
    `${report.demos.length} demo${report.demos.length === 1 ? '' : 's'}, ` +
    `<span class="${failed > 0 ? 'fail' : 'pass'}">${failed} failed</span>, ${escapeHtml(formatSeconds(total))}`;
  const yesNo = (value: boolean | null): string => (value === null ? 'n/a' : value ? 'yes' : 'no');
  const facts: [string, string][] = [
    ['backend', backend.name],
    ['SIMD', yesNo(backend.simd)],
    ['threads', backend.threads === null ? 'n/a' : String(backend.threads)],
    ['filled kernels', backend.filledKernels.length > 0 ? backend.filledKernels.join(', ') : 'none'],
    ['tfjs', backend.tfjsVersion],
    ['node', report.node],
    ['mode', report.quick ? 'quick' : 'full'],
    ['seed', String(report.seed)],
    ['generated', report.generatedAt],
  ];
  if (backend.fallbackReason !== undefined) facts.push(['fallback', backend.fallbackReason]);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tensorloom tour — ${escapeHtml(report.generatedAt)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Tensorloom tour</h1>
<p>${summary}</p>
<dl>
${facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('\n')}
</dl>
</header>
<main>
<table>
<thead><tr><th>demo</th><th>metric</th><th>value</th><th>reference</th><th>setting</th><th>pass</th><th>time</th></tr></thead>
<tbody>
${report.demos.map(tableRows).join('\n')}
</tbody>
</table>
${report.demos.map((demo) => demoSection(demo, plan.get(demo) ?? [])).join('\n')}
</main>
</body>
</html>
`;
}
