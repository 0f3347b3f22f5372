import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendInfo } from '@tensorloom/core';
import { describe, expect, it } from 'vitest';
import type { DemoOutcome } from '../tour/run.js';
import { planArtifactFiles, safeFileName } from './files.js';
import { escapeHtml, renderArtifact, renderReport, type TourReport } from './html.js';
import { writeReport } from './write.js';

const backend: BackendInfo = {
  name: 'cpu',
  environment: 'node',
  simd: null,
  threads: null,
  filledKernels: ['FFT', 'IFFT'],
  tfjsVersion: '4.22.0',
};

const EVIL = `<script>alert("x")</script> & 'q'`;
const SVG =
  '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>a &amp; b</text></svg>';

function outcome(overrides: Partial<DemoOutcome> = {}): DemoOutcome {
  return {
    id: 'core/self-check',
    title: 'Self-check',
    packageName: '@tensorloom/core',
    seconds: 1.25,
    rows: [{ metric: 'matMul', value: 12.5, unit: 'GFLOP/s', reference: 10, setting: '512²', pass: true }],
    artifacts: [{ name: 'plot.svg', mediaType: 'image/svg+xml', content: SVG }],
    ...overrides,
  };
}

function report(demos: DemoOutcome[]): TourReport {
  return { backend, node: 'v20.0.0', quick: true, seed: 3, generatedAt: '2025-01-01T00:00:00.000Z', demos };
}

describe('escapeHtml', () => {
  it('escapes the five HTML metacharacters and nothing else', () => {
    expect(escapeHtml(`<a href="x">&'</a> ünïcode ✓`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt; ünïcode ✓',
    );
  });

  it('escapes & first, so existing entities are not left live', () => {
    expect(escapeHtml('&lt;')).toBe('&amp;lt;');
  });
});

describe('renderReport', () => {
  it('never lets text from a demo into the page unescaped', () => {
    const html = renderReport(
      report([
        outcome({
          id: 'evil/<b>',
          title: EVIL,
          paper: EVIL,
          rows: [{ metric: EVIL, value: EVIL, reference: EVIL, setting: EVIL }],
          artifacts: [{ name: EVIL, mediaType: 'text/plain', content: EVIL }],
          error: EVIL,
        }),
      ]),
    );
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;');
  });

  it('shows the table, the backend facts and a section per demo', () => {
    const html = renderReport(
      report([outcome(), outcome({ id: 'x/fail', title: 'Broken', rows: [], artifacts: [], error: 'boom' })]),
    );
    expect(html.startsWith('<!doctype html>')).toBe(true);
    for (const text of [
      'matMul',
      '12.5 GFLOP/s',
      '10 GFLOP/s',
      '512²',
      '1.25 s',
      'FFT, IFFT',
      '4.22.0',
      'boom',
      '2 demos',
    ]) {
      expect(html).toContain(text);
    }
    expect(html).toContain('id="demo-core-self-check"');
    expect(html).toContain('href="#demo-x-fail"');
    expect(html).toMatch(/<span class="fail">1 failed<\/span>/);
  });

  it('inlines an SVG artifact as a data URL that decodes to the original and links its file', () => {
    const html = renderReport(report([outcome()]));
    const match = /<img src="data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)"/.exec(html);
    expect(match).not.toBeNull();
    expect(Buffer.from(match![1], 'base64').toString('utf8')).toBe(SVG);
    expect(html).toContain('<a href="core-self-check/plot.svg">plot.svg</a>');
  });
});

describe('renderArtifact', () => {
  it('puts HTML in a sandboxed iframe with an escaped srcdoc', () => {
    const html = renderArtifact({
      artifact: { name: 'f.html', mediaType: 'text/html; charset=utf-8', content: '<p onclick="x()">hi</p>' },
      path: 'd/f.html',
    });
    expect(html).toContain(
      '<iframe sandbox="" title="f.html" srcdoc="&lt;p onclick=&quot;x()&quot;&gt;hi&lt;/p&gt;">',
    );
  });

  it('shows JSON as escaped text and only links unknown media types', () => {
    const json = renderArtifact({
      artifact: { name: 'a.json', mediaType: 'application/json', content: '{"a":"<"}' },
      path: 'd/a.json',
    });
    expect(json).toContain('<pre>{&quot;a&quot;:&quot;&lt;&quot;}</pre>');
    const bin = renderArtifact({
      artifact: { name: 'w.bin', mediaType: 'application/octet-stream', content: 'xx' },
      path: 'd/w.bin',
    });
    expect(bin).not.toContain('<pre>');
    expect(bin).toContain('<a href="d/w.bin">w.bin</a>');
  });
});

describe('artifact files', () => {
  it('makes names safe: no separators, no leading dots, never empty', () => {
    expect(safeFileName('../../etc/passwd')).toBe('etc-passwd');
    expect(safeFileName('a b/c.svg')).toBe('a-b-c.svg');
    expect(safeFileName('...')).toBe('artifact');
    expect(safeFileName('core/self-check', 'demo')).toBe('core-self-check');
  });

  it('gives every demo its own folder and de-duplicates names', () => {
    const a = outcome({
      artifacts: [
        { name: 'p.svg', mediaType: 'image/svg+xml', content: '1' },
        { name: 'p.svg', mediaType: 'image/svg+xml', content: '2' },
      ],
    });
    const b = outcome({
      id: 'core:self-check',
      artifacts: [{ name: 'p.svg', mediaType: 'image/svg+xml', content: '3' }],
    });
    const plan = planArtifactFiles([a, b]);
    expect(plan.get(a)!.map((f) => f.path)).toEqual(['core-self-check/p.svg', 'core-self-check/p-2.svg']);
    expect(plan.get(b)!.map((f) => f.path)).toEqual(['core-self-check-2/p.svg']);
  });

  it('writes index.html and each artifact file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'loom-report-'));
    try {
      const demo = outcome({
        artifacts: [{ name: '../escape.svg', mediaType: 'image/svg+xml', content: SVG }],
      });
      const index = await writeReport(join(dir, 'out'), report([demo]));
      expect(index).toBe(join(dir, 'out', 'index.html'));
      expect(await readFile(index, 'utf8')).toContain('Tensorloom tour');
      expect(await readFile(join(dir, 'out', 'core-self-check', 'escape.svg'), 'utf8')).toBe(SVG);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
