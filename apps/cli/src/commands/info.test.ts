import type { BackendInfo } from '@tensorloom/core';
import { describe, expect, it } from 'vitest';
import type { CliEnvironment } from '../environment.js';
import { main } from '../index.js';
import { formatInfo, type InfoJson } from './info.js';

function memoryStream() {
  const chunks: string[] = [];
  return { isTTY: false, write: (chunk: string) => chunks.push(chunk), text: () => chunks.join('') };
}

function run(argv: string[], extra: Partial<CliEnvironment> = {}) {
  const stdout = memoryStream();
  const stderr = memoryStream();
  return main(argv, { stdout, stderr, ...extra }).then((code) => ({
    code,
    stdout: stdout.text(),
    stderr: stderr.text(),
  }));
}

describe('loom info --json with the real core on the CPU backend', () => {
  it('describes the backend, the versions and the @tensorloom packages', async () => {
    const { code, stdout } = await run(['info', '--json', '--backend', 'cpu']);
    expect(code).toBe(0);
    const info = JSON.parse(stdout) as InfoJson;
    expect(info.backend).toMatchObject({ name: 'cpu', environment: 'node', simd: null, threads: null });
    expect(Array.isArray(info.backend.filledKernels)).toBe(true);
    expect(info.versions.node).toBe(process.version);
    expect(info.versions.tfjs).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.versions.tfjs).toBe(info.backend.tfjsVersion);
    const names = info.packages.map((p) => p.name);
    expect(names[0]).toBe('@tensorloom/cli');
    expect(names).toContain('@tensorloom/core');
    const core = info.packages.find((p) => p.name === '@tensorloom/core')!;
    expect(core.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(core.bench).toBe(true);
    expect(typeof core.tour).toBe('boolean');
  });
});

describe('loom info (text)', () => {
  const backend: BackendInfo = {
    name: 'wasm',
    environment: 'node',
    simd: true,
    threads: 1,
    filledKernels: ['FFT', 'Einsum'],
    tfjsVersion: '4.22.0',
  };

  it('prints aligned key/value lines', () => {
    const text = formatInfo({
      backend,
      versions: { node: 'v20.0.0', tfjs: '4.22.0', cli: '1.0.0' },
      packages: [{ name: '@tensorloom/core', version: '1.2.3', tour: true, bench: true }],
    });
    expect(text.split('\n')).toEqual([
      'backend           wasm',
      'SIMD              yes',
      'threads           1',
      'filled kernels    2: FFT, Einsum',
      'tfjs              4.22.0',
      'node              v20.0.0',
      '@tensorloom/core  1.2.3  (tour, bench)',
    ]);
  });

  it('exits 1 with a message when the backend cannot start', async () => {
    const { code, stderr } = await run(['info'], {
      loadCore: async () => ({
        ready: async () => {
          throw new Error('no wasm');
        },
      }),
    });
    expect(code).toBe(1);
    expect(stderr).toContain('loom info: could not start the backend: no wasm');
  });
});
