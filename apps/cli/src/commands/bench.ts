import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CliEnvironment } from '../environment.js';
import { formatSeconds } from '../format/table.js';
import { shortPackageName, TENSORLOOM_SCOPE, type TensorloomPackage } from '../packages.js';

/** One benchmark to run. */
export interface BenchPlan {
  /** Package name, e.g. `'@tensorloom/core'`. */
  packageName: string;
  /** The package's directory; the script runs there. */
  dir: string;
}

/**
 * Runs one package's `bench` script and resolves with its exit status. With `json`, the child's
 * stdout goes to our stderr so that our stdout holds only the JSON summary.
 */
export type BenchRunner = (plan: BenchPlan, options: { json: boolean }) => Promise<number>;

/** The default {@link BenchRunner}: `npm run --silent bench` in the package's directory. */
export const spawnBench: BenchRunner = (plan, options) =>
  new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', 'bench'], {
      cwd: plan.dir,
      stdio: ['inherit', options.json ? 2 : 'inherit', 'inherit'],
      shell: process.platform === 'win32',
    });
    child.on('error', (error) => {
      process.stderr.write(`loom bench: could not run npm in ${plan.dir}: ${error.message}\n`);
      resolve(127);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 1)));
  });

/** What {@link planBenches} decided: the benchmarks to run, or why none can. */
export type BenchSelection = { plans: BenchPlan[] } | { error: string };

/**
 * Picks the benchmarks to run: the named package (`'core'` or `'@tensorloom/core'`), or every
 * package with a `bench` script. A package must be one the CLI depends on, have a `bench` script and
 * ship its `bench/` folder (only a source checkout does).
 */
export function planBenches(
  selection: string | undefined,
  packages: readonly TensorloomPackage[],
): BenchSelection {
  const withBench = packages.filter((p) => p.benchScript !== undefined);
  const known = withBench.map((p) => shortPackageName(p.name)).join(', ') || 'none';
  let chosen: TensorloomPackage[];
  if (selection === undefined) {
    if (withBench.length === 0) return { error: 'no @tensorloom package has a `bench` script' };
    chosen = withBench;
  } else {
    const name = selection.startsWith('@') ? selection : `${TENSORLOOM_SCOPE}${selection}`;
    const found = packages.find((p) => p.name === name);
    if (found === undefined) {
      return { error: `unknown package '${selection}' (packages with a benchmark: ${known})` };
    }
    if (found.benchScript === undefined) {
      return { error: `${name} has no \`bench\` script (packages with a benchmark: ${known})` };
    }
    chosen = [found];
  }
  const missing = chosen.find((p) => !existsSync(join(p.dir, 'bench')));
  if (missing !== undefined) {
    return {
      error: `${missing.name} has no bench/ folder in ${missing.dir} (benchmarks run from a Tensorloom source checkout)`,
    };
  }
  return { plans: chosen.map((p) => ({ packageName: p.name, dir: p.dir })) };
}

/** One entry of the `loom bench --json` summary. */
export interface BenchJsonEntry {
  /** Package name. */
  package: string;
  /** Exit status of its bench script. */
  exitCode: number;
  /** Wall time in seconds. */
  seconds: number;
}

/**
 * `loom bench [package]`: runs the package's benchmark (or all of them in turn), streaming its
 * output. With `json`, stdout gets only `{ benches: [{ package, exitCode, seconds }] }`. Resolves
 * with 0 when every benchmark exited with 0, else 1.
 */
export async function benchCommand(
  selection: string | undefined,
  options: { json: boolean },
  env: CliEnvironment,
): Promise<number> {
  const packages = env
    .packageNames()
    .map((name) => env.describePackage(name))
    .filter((p): p is TensorloomPackage => p !== undefined);
  const planned = planBenches(selection, packages);
  if ('error' in planned) {
    env.stderr.write(`loom bench: ${planned.error}\n`);
    return 1;
  }
  const results: BenchJsonEntry[] = [];
  const say = options.json ? env.stderr : env.stdout;
  for (const plan of planned.plans) {
    say.write(`━━ ${plan.packageName} bench ━━\n`);
    const start = performance.now();
    const exitCode = await env.runBench(plan, options);
    const seconds = (performance.now() - start) / 1000;
    results.push({ package: plan.packageName, exitCode, seconds });
    say.write(
      exitCode === 0
        ? `✓ ${plan.packageName} bench (${formatSeconds(seconds)})\n`
        : `✗ ${plan.packageName} bench exited with status ${exitCode} (${formatSeconds(seconds)})\n`,
    );
  }
  if (options.json) env.stdout.write(`${JSON.stringify({ benches: results }, null, 2)}\n`);
  return results.every((r) => r.exitCode === 0) ? 0 : 1;
}
