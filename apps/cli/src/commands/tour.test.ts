import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendInfo, TourDemo } from '@tensorloom/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliEnvironment } from '../environment.js';
import { main } from '../index.js';
import type { TourJson } from '../tour/json.js';

const backend: BackendInfo = {
  name: 'cpu',
  environment: 'node',
  simd: null,
  threads: null,
  filledKernels: ['FFT'],
  tfjsVersion: '4.22.0',
};

function memoryStream() {
  const chunks: string[] = [];
  return { chunks, isTTY: false, write: (chunk: string) => chunks.push(chunk), text: () => chunks.join('') };
}

const plotDemo: TourDemo = {
  id: 'fake/plot',
  title: 'A plot',
  paper: 'Doe 2021',
  async run({ onProgress, quick, seed }) {
    onProgress({ phase: 'fit', step: 0, total: 3 });
    onProgress({ phase: 'fit', step: 3, total: 3, metrics: { loss: 0.1 } });
    onProgress({ phase: 'eval', step: 1, total: 1 });
    return {
      rows: [
        { metric: 'loss', value: 0.1, reference: 0.12, pass: true, setting: quick ? 'quick' : 'full' },
        { metric: 'seed', value: seed },
      ],
      artifacts: [
        {
          name: 'loss.svg',
          mediaType: 'image/svg+xml',
          content: '<svg xmlns="http://www.w3.org/2000/svg"/>',
        },
      ],
    };
  },
};

const throwingDemo: TourDemo = {
  id: 'fake/throws',
  title: 'Throws',
  async run() {
    throw new Error('kernel exploded');
  },
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loom-tour-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function environment(demos: TourDemo[], extra: Partial<CliEnvironment> = {}) {
  const stdout = memoryStream();
  const stderr = memoryStream();
  const readyCalls: unknown[] = [];
  const env: Partial<CliEnvironment> = {
    stdout,
    stderr,
    cwd: dir,
    signal: new AbortController().signal,
    loadCore: async () => ({
      ready: async (options) => {
        readyCalls.push(options);
        return backend;
      },
    }),
    packageNames: () => ['@tensorloom/fake', '@tensorloom/no-tour'],
    loadTourModule: async (name) => (name === '@tensorloom/fake' ? { demos } : undefined),
    now: () => new Date('2025-02-03T04:05:06.000Z'),
    ...extra,
  };
  return { env, stdout, stderr, readyCalls };
}

describe('loom tour --json', () => {
  it('prints one JSON document with the backend and every demo, and exits 0 when all ran', async () => {
    const { env, stdout, stderr, readyCalls } = environment([plotDemo]);
    const code = await main(['tour', '--json', '--quick', '--seed', '7', '--backend', 'cpu'], env);
    expect(code).toBe(0);
    expect(readyCalls).toEqual([{ backend: 'cpu' }]);
    const doc = JSON.parse(stdout.text()) as TourJson;
    expect(doc).toEqual({
      backend,
      quick: true,
      seed: 7,
      report: join(dir, 'loom-report', 'index.html'),
      demos: [
        {
          id: 'fake/plot',
          title: 'A plot',
          paper: 'Doe 2021',
          seconds: expect.any(Number),
          rows: [
            { metric: 'loss', value: 0.1, reference: 0.12, pass: true, setting: 'quick' },
            { metric: 'seed', value: 7 },
          ],
          artifacts: ['loss.svg'],
        },
      ],
    });
    // Logs went to stderr, one line per phase, and no bar escape codes anywhere.
    expect(stderr.text()).toContain('fake/plot · fit (3 steps)');
    expect(stderr.text()).toContain('fake/plot · eval');
    expect(stderr.text()).not.toContain('\x1b');
    expect(existsSync(join(dir, 'loom-report', 'fake-plot', 'loss.svg'))).toBe(true);
  });

  it('reports a throwing demo as an error entry and exits 1', async () => {
    const { env, stdout } = environment([throwingDemo, plotDemo]);
    const code = await main(['tour', '--json', '--out', 'r'], env);
    expect(code).toBe(1);
    const doc = JSON.parse(stdout.text()) as TourJson;
    expect(doc.demos.map((d) => [d.id, d.error])).toEqual([
      ['fake/throws', 'kernel exploded'],
      ['fake/plot', undefined],
    ]);
    expect(doc.demos[0]).toMatchObject({ rows: [], artifacts: [], paper: null });
    expect(doc.seed).toBe(0);
    expect(doc.report).toBe(join(dir, 'r', 'index.html'));
  });

  it('keeps console.log from demos off stdout', async () => {
    const chatty: TourDemo = {
      id: 'fake/chatty',
      title: 'Chatty',
      async run() {
        console.log('hello from the demo');
        return { rows: [{ metric: 'm', value: 1 }] };
      },
    };
    const { env, stdout, stderr } = environment([chatty]);
    expect(await main(['tour', '--json'], env)).toBe(0);
    expect(() => JSON.parse(stdout.text())).not.toThrow();
    expect(stderr.text()).toContain('hello from the demo');
  });
});

describe('loom tour (table)', () => {
  it('prints the table and the report path, writes the HTML report, and exits 1 on a failed demo', async () => {
    const { env, stdout } = environment([plotDemo, throwingDemo]);
    const code = await main(['tour', '--out', 'report'], env);
    expect(code).toBe(1);
    const text = stdout.text();
    expect(text).toMatch(/demo\s+metric\s+value\s+reference\s+setting\s+pass\s+time/);
    expect(text).toMatch(/fake\/plot\s+loss\s+0\.1\s+0\.12\s+full\s+✓/);
    expect(text).toContain('fake/throws: kernel exploded');
    expect(text).toContain('2 demo(s), 1 failed');
    const html = await readFile(join(dir, 'report', 'index.html'), 'utf8');
    expect(html).toContain('kernel exploded');
    expect(html).toContain('data:image/svg+xml;base64,');
  });

  it('reports a broken tour module as a failed row', async () => {
    const { env, stdout } = environment([plotDemo], {
      loadTourModule: async (name) => {
        if (name === '@tensorloom/no-tour') throw new Error('Cannot find module ./missing.js');
        return { demos: [plotDemo] };
      },
    });
    expect(await main(['tour'], env)).toBe(1);
    expect(stdout.text()).toContain(
      'no-tour/tour: @tensorloom/no-tour/tour: failed to load: Cannot find module',
    );
  });

  it('runs only the demos --only selects and fails on a pattern that matches nothing', async () => {
    const { env, stdout } = environment([plotDemo, throwingDemo]);
    expect(await main(['tour', '--only', 'fake/plot'], env)).toBe(0);
    expect(stdout.text()).not.toContain('fake/throws');
    const other = environment([plotDemo]);
    expect(await main(['tour', '--only', 'nothing'], other.env)).toBe(1);
    expect(other.stderr.text()).toContain("no demo matches 'nothing' (available: fake/plot)");
  });

  it('fails clearly when no package has demos or the backend does not start', async () => {
    const empty = environment([], { loadTourModule: async () => undefined });
    expect(await main(['tour'], empty.env)).toBe(1);
    expect(empty.stderr.text()).toContain('no demos found in @tensorloom/fake, @tensorloom/no-tour');
    const noBackend = environment([plotDemo], {
      loadCore: async () => ({
        ready: async () => {
          throw new Error('wasm: no binary');
        },
      }),
    });
    expect(await main(['tour'], noBackend.env)).toBe(1);
    expect(noBackend.stderr.text()).toContain('could not start the backend: wasm: no binary');
  });

  it('rejects a bad --seed and an unknown --backend before running anything', async () => {
    const { env, stderr, readyCalls } = environment([plotDemo]);
    expect(await main(['tour', '--seed', '-1'], env)).not.toBe(0);
    expect(await main(['tour', '--backend', 'webgl'], env)).not.toBe(0);
    expect(readyCalls).toEqual([]);
    expect(stderr.text()).toContain("expected a non-negative integer, got '-1'");
    expect(stderr.text()).toContain('Allowed choices are wasm, cpu');
  });
});
