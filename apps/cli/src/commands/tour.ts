import { resolve } from 'node:path';
import { format } from 'node:util';
import type { BackendInfo } from '@tensorloom/core';
import type { CliEnvironment } from '../environment.js';
import { formatSeconds, formatTourTable } from '../format/table.js';
import { createDemoProgress } from '../progress.js';
import type { TourReport } from '../report/html.js';
import { writeReport } from '../report/write.js';
import { discoverDemos, selectDemos } from '../tour/discover.js';
import { tourJson } from '../tour/json.js';
import { type DemoOutcome, failureOutcome, runDemos } from '../tour/run.js';

/** Options of `loom tour`. */
export interface TourOptions {
  /** Run the smaller, faster setting of every demo. */
  quick: boolean;
  /** Only demos whose id is, or starts with, one of these (`'core'` selects `core/…`). */
  only?: string[];
  /** Print one JSON document on stdout instead of the table. */
  json: boolean;
  /** Report directory (default `loom-report`), relative to the working directory. */
  out: string;
  /** Seed for every demo. */
  seed: number;
  /** Backend; the default lets core choose (WASM, then CPU; `TENSORLOOM_BACKEND` overrides). */
  backend?: 'wasm' | 'cpu';
}

/** Exit status of a tour stopped by Ctrl-C (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Listens for Ctrl-C: the first aborts the running demo, the second exits at once. */
function interruptSignal(env: CliEnvironment): { signal: AbortSignal; dispose(): void } {
  if (env.signal !== undefined) return { signal: env.signal, dispose() {} };
  const controller = new AbortController();
  const onInterrupt = (): void => {
    if (controller.signal.aborted) {
      process.stderr.write('\x1b[?25h\n');
      process.exit(EXIT_INTERRUPTED);
    }
    env.stderr.write('\nInterrupted: stopping the current demo (Ctrl-C again to quit at once)…\n');
    controller.abort(new Error('interrupted (Ctrl-C)'));
  };
  process.on('SIGINT', onInterrupt);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onInterrupt) };
}

/** Sends `console.log`/`info`/`debug` from demos to stderr while stdout must stay pure JSON. */
function divertConsole(env: CliEnvironment): () => void {
  const saved = { log: console.log, info: console.info, debug: console.debug };
  const toStderr = (...args: unknown[]): void => {
    env.stderr.write(`${format(...args)}\n`);
  };
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
  return () => Object.assign(console, saved);
}

function describeBackend(backend: BackendInfo): string {
  const simd = backend.simd === null ? '' : backend.simd ? ', SIMD' : ', no SIMD';
  return `${backend.name}${simd}`;
}

/**
 * `loom tour`: starts the backend, discovers the demos of every `@tensorloom/*` dependency, runs them
 * with progress, prints the results table (or, with `json`, one JSON document) and writes the HTML
 * report. Resolves with the exit status: 0 when every demo ran, 1 when one failed, no demo was found
 * or the backend could not start, 130 when interrupted.
 */
export async function tourCommand(options: TourOptions, env: CliEnvironment): Promise<number> {
  const log = (line: string): void => {
    env.stderr.write(`${line}\n`);
  };
  let backend: BackendInfo;
  try {
    const core = await env.loadCore();
    backend = await core.ready(options.backend === undefined ? {} : { backend: options.backend });
  } catch (error) {
    log(`loom tour: could not start the backend: ${errorMessage(error)}`);
    return 1;
  }
  const packageNames = env.packageNames();
  const discovery = await discoverDemos(packageNames, env.loadTourModule);
  const selection = selectDemos(discovery, options.only);
  if (selection.unmatched.length > 0) {
    const available = [...discovery.demos.map((d) => d.demo.id), ...discovery.failures.map((f) => f.id)];
    log(
      `loom tour: --only: no demo matches ${selection.unmatched.map((p) => `'${p}'`).join(', ')} ` +
        `(available: ${available.join(', ') || 'none'})`,
    );
    return 1;
  }
  if (selection.demos.length === 0 && selection.failures.length === 0) {
    log(
      `loom tour: no demos found in ${packageNames.join(', ') || 'no @tensorloom packages'} ` +
        '(a package contributes demos by exporting `demos` from its `./tour` subpath)',
    );
    return 1;
  }

  log(
    `Running ${selection.demos.length} demo(s) on ${describeBackend(backend)}${options.quick ? ' (quick)' : ''}…`,
  );
  const interrupt = interruptSignal(env);
  const restoreConsole = options.json ? divertConsole(env) : () => {};
  let outcomes: DemoOutcome[];
  try {
    const bars = !options.json && env.stderr.isTTY === true;
    outcomes = [
      ...selection.failures.map(failureOutcome),
      ...(await runDemos(selection.demos, {
        quick: options.quick,
        seed: options.seed,
        signal: interrupt.signal,
        progress: (demo) => createDemoProgress(demo, { stream: env.stderr, bars }),
      })),
    ];
  } finally {
    restoreConsole();
    interrupt.dispose();
  }

  const report: TourReport = {
    backend,
    node: process.version,
    quick: options.quick,
    seed: options.seed,
    generatedAt: env.now().toISOString(),
    demos: outcomes,
  };
  let reportPath: string | null = null;
  try {
    reportPath = await writeReport(resolve(env.cwd, options.out), report);
  } catch (error) {
    log(`loom tour: could not write the report to ${options.out}: ${errorMessage(error)}`);
  }

  const failed = outcomes.filter((o) => o.error !== undefined);
  if (options.json) {
    env.stdout.write(
      `${JSON.stringify(tourJson(backend, { quick: options.quick, seed: options.seed, report: reportPath }, outcomes), null, 2)}\n`,
    );
    if (reportPath !== null) log(`Report: ${reportPath}`);
  } else {
    const lines = ['', formatTourTable(outcomes), ''];
    if (failed.length > 0) {
      lines.push('Failures:', ...failed.map((o) => `  ${o.id}: ${o.error}`), '');
    }
    const total = outcomes.reduce((sum, o) => sum + o.seconds, 0);
    lines.push(
      `${outcomes.length} demo(s), ${failed.length} failed, ${formatSeconds(total)} on ${describeBackend(backend)}`,
    );
    if (reportPath !== null) lines.push(`Report: ${reportPath}`);
    env.stdout.write(`${lines.join('\n')}\n`);
  }
  if (interrupt.signal.aborted) return EXIT_INTERRUPTED;
  if (failed.length > 0 || reportPath === null) return 1;
  return 0;
}
