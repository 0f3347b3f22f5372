import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendReport } from './page-entry.js';

/**
 * Core in a real browser: bundles `page-entry.ts` with esbuild, serves it with the WASM binaries on
 * loopback, and drives Debian's Chromium (headless, through playwright-core) — no browser download.
 * CI installs Chromium; elsewhere the suite is skipped when `/usr/bin/chromium` is absent.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.CI)
  throw new Error(`browser tests need Chromium at ${CHROMIUM} (install Debian's chromium)`);

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

interface Report {
  auto?: string;
  environment?: string;
  fatal?: string;
  results?: BackendReport[];
}

describe.skipIf(!available)('core in headless Chromium', () => {
  let dir: string;
  let server: Server;
  let report: Report;

  beforeAll(async () => {
    const esbuild = await import('esbuild');
    dir = await mkdtemp(join(tmpdir(), 'tensorloom-browser-'));
    await esbuild.build({
      entryPoints: [join(here, 'page-entry.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      outfile: join(dir, 'bundle.js'),
      conditions: ['@tensorloom/source'],
      external: ['node:*'],
      logLevel: 'silent',
    });
    await writeFile(
      join(dir, 'index.html'),
      '<!doctype html><meta charset="utf-8"><script type="module" src="/bundle.js"></script>',
    );
    const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
    const files: Record<string, [string, string]> = {
      '/': [join(dir, 'index.html'), 'text/html'],
      '/bundle.js': [join(dir, 'bundle.js'), 'text/javascript'],
    };
    for (const f of [
      'tfjs-backend-wasm.wasm',
      'tfjs-backend-wasm-simd.wasm',
      'tfjs-backend-wasm-threaded-simd.wasm',
    ]) {
      files[`/${f}`] = [join(wasmDir, f), 'application/wasm'];
    }
    server = createServer(async (req, res) => {
      const entry = files[(req.url ?? '/').split('?')[0]!];
      if (!entry) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': entry[1] }).end(await readFile(entry[0]));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--use-angle=swiftshader',
        '--enable-unsafe-swiftshader',
      ],
    });
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.waitForFunction(
        () => (globalThis as Record<string, unknown>).__tensorloomResult !== undefined,
        undefined,
        {
          timeout: 60_000,
        },
      );
      report = (await page.evaluate(
        () => (globalThis as Record<string, unknown>).__tensorloomResult,
      )) as Report;
      if (process.env.TENSORLOOM_DEBUG) console.log(JSON.stringify(report));
    } finally {
      await browser.close();
    }
  }, 120_000);

  afterAll(async () => {
    server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('auto-selects a browser backend (WebGL or WASM, never a Node path)', () => {
    expect(report.fatal).toBeUndefined();
    expect(report.environment).toBe('browser');
    expect(['webgpu', 'webgl', 'wasm']).toContain(report.auto);
  });

  it('runs matMul and the differentiable FFT on WASM and CPU in the browser, matching float64 references', () => {
    for (const name of ['wasm', 'cpu']) {
      const r = report.results!.find((x) => x.backend === name)!;
      expect(r.ok, `${name}: ${r.error}`).toBe(true);
      expect(r.matmulError!).toBeLessThan(1e-5);
      expect(r.fftError!).toBeLessThan(1e-5);
    }
  });

  it('runs batchMatMul (heap views on WASM) and gatherColumns in the browser, matching float64 references', () => {
    for (const name of ['wasm', 'cpu']) {
      const r = report.results!.find((x) => x.backend === name)!;
      expect(r.ok, `${name}: ${r.error}`).toBe(true);
      expect(r.batchError!).toBeLessThan(1e-5);
      expect(r.gatherError!).toBe(0);
      // the WebAssembly gather loop instantiates on the browser build's memory too (JS loops on CPU)
      expect(r.wasmGather).toBe(name === 'wasm');
    }
  });

  it('runs them on WebGL when the browser offers it (float32 GPU precision)', () => {
    const r = report.results!.find((x) => x.backend === 'webgl')!;
    if (!r.ok) {
      // Headless Chromium without a GPU may not expose WebGL; then ready() must say so clearly.
      expect(r.error).toMatch(/could not initialise 'webgl'/);
      return;
    }
    expect(r.matmulError!).toBeLessThan(1e-3);
    expect(r.fftError!).toBeLessThan(1e-3);
  });
});
