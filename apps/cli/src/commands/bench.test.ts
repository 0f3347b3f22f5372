import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../index.js';
import type { TensorloomPackage } from '../packages.js';
import { type BenchPlan, planBenches } from './bench.js';

function memoryStream() {
  const chunks: string[] = [];
  return { isTTY: false, write: (chunk: string) => chunks.push(chunk), text: () => chunks.join('') };
}

let root: string;
let packages: TensorloomPackage[];
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'loom-bench-'));
  const dir = (name: string) => join(root, name);
  for (const name of ['core', 'attention', 'plain', 'shipped']) await mkdir(dir(name));
  await mkdir(join(dir('core'), 'bench'));
  await mkdir(join(dir('attention'), 'bench'));
  packages = [
    {
      name: '@tensorloom/core',
      version: '1.0.0',
      dir: dir('core'),
      hasTour: true,
      benchScript: 'node bench/run.ts',
    },
    {
      name: '@tensorloom/attention',
      version: '1.0.0',
      dir: dir('attention'),
      hasTour: true,
      benchScript: 'x',
    },
    { name: '@tensorloom/plain', version: '1.0.0', dir: dir('plain'), hasTour: false },
  ];
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('planBenches', () => {
  it('runs every package with a bench script when none is named', () => {
    expect(planBenches(undefined, packages)).toEqual({
      plans: [
        { packageName: '@tensorloom/core', dir: join(root, 'core') },
        { packageName: '@tensorloom/attention', dir: join(root, 'attention') },
      ],
    });
  });

  it('accepts a short or a full name', () => {
    expect(planBenches('core', packages)).toEqual(planBenches('@tensorloom/core', packages));
  });

  it('explains an unknown package, a package without a bench and a missing bench folder', () => {
    expect(planBenches('nope', packages)).toEqual({
      error: "unknown package 'nope' (packages with a benchmark: core, attention)",
    });
    expect(planBenches('plain', packages)).toEqual({
      error: '@tensorloom/plain has no `bench` script (packages with a benchmark: core, attention)',
    });
    const shipped: TensorloomPackage = {
      ...packages[2],
      name: '@tensorloom/shipped',
      dir: join(root, 'shipped'),
      benchScript: 'x',
    };
    expect(planBenches('shipped', [shipped])).toEqual({
      error: `@tensorloom/shipped has no bench/ folder in ${join(root, 'shipped')} (benchmarks run from a Tensorloom source checkout)`,
    });
    expect(planBenches(undefined, [packages[2]])).toEqual({
      error: 'no @tensorloom package has a `bench` script',
    });
  });
});

describe('loom bench', () => {
  function environment(exitCodes: Record<string, number>) {
    const ran: BenchPlan[] = [];
    const stdout = memoryStream();
    const stderr = memoryStream();
    const env = {
      stdout,
      stderr,
      packageNames: () => packages.map((p) => p.name),
      describePackage: (name: string) => packages.find((p) => p.name === name),
      runBench: async (plan: BenchPlan) => {
        ran.push(plan);
        return exitCodes[plan.packageName] ?? 0;
      },
    };
    return { env, ran, stdout, stderr };
  }

  it('runs the named benchmark and exits with 0 when it passes', async () => {
    const { env, ran, stdout } = environment({});
    expect(await main(['bench', 'core'], env)).toBe(0);
    expect(ran.map((p) => p.packageName)).toEqual(['@tensorloom/core']);
    expect(stdout.text()).toContain('━━ @tensorloom/core bench ━━');
    expect(stdout.text()).toContain('✓ @tensorloom/core bench');
  });

  it('runs all in turn, prints a JSON summary on stdout and exits 1 when one fails', async () => {
    const { env, ran, stdout, stderr } = environment({ '@tensorloom/core': 3 });
    expect(await main(['bench', '--json'], env)).toBe(1);
    expect(ran.map((p) => p.packageName)).toEqual(['@tensorloom/core', '@tensorloom/attention']);
    const doc = JSON.parse(stdout.text()) as {
      benches: { package: string; exitCode: number; seconds: number }[];
    };
    expect(doc.benches.map((b) => [b.package, b.exitCode])).toEqual([
      ['@tensorloom/core', 3],
      ['@tensorloom/attention', 0],
    ]);
    expect(doc.benches.every((b) => b.seconds >= 0)).toBe(true);
    expect(stderr.text()).toContain('✗ @tensorloom/core bench exited with status 3');
  });

  it('exits 1 with a clear message for an unknown package', async () => {
    const { env, ran, stderr } = environment({});
    expect(await main(['bench', 'nope'], env)).toBe(1);
    expect(ran).toEqual([]);
    expect(stderr.text()).toContain("loom bench: unknown package 'nope'");
  });
});
