import type { ProgressEvent, TourArtifact, TourDemo, TourRow } from '@tensorloom/core';
import type { DemoProgress } from '../progress.js';
import type { DiscoveredDemo, DiscoveryFailure } from './discover.js';

/** What happened when one demo ran. */
export interface DemoOutcome {
  /** Demo id (for a package whose tour failed to load: `'<package>/tour'`). */
  id: string;
  /** Demo title. */
  title: string;
  /** The paper or component it reproduces, when given. */
  paper?: string;
  /** The package the demo came from. */
  packageName: string;
  /** Wall time of `run`, in seconds. */
  seconds: number;
  /** The demo's result rows (empty when it threw). */
  rows: TourRow[];
  /** The demo's artifacts (empty when it threw). */
  artifacts: TourArtifact[];
  /** The error message, when the demo threw, returned a malformed result or was never run. */
  error?: string;
}

/** Options of {@link runDemos}. */
export interface RunDemosOptions {
  /** Passed to every demo as `TourContext.quick`. */
  quick: boolean;
  /** Passed to every demo as `TourContext.seed`. */
  seed: number;
  /** Passed to every demo as `TourContext.signal`; once aborted, the demos not yet started are skipped. */
  signal: AbortSignal;
  /** Creates the progress display of a demo (called just before the demo starts). */
  progress?: (demo: { id: string; title: string }) => DemoProgress;
  /** Clock in milliseconds (default `performance.now`). */
  now?: () => number;
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

function resultProblem(result: unknown): string | undefined {
  if (typeof result !== 'object' || result === null) return 'expected { rows, artifacts? }';
  const { rows, artifacts } = result as { rows?: unknown; artifacts?: unknown };
  if (!Array.isArray(rows)) return 'rows: expected an array';
  const badRow = rows.findIndex(
    (row) =>
      typeof row !== 'object' ||
      row === null ||
      typeof (row as TourRow).metric !== 'string' ||
      !['number', 'string'].includes(typeof (row as TourRow).value),
  );
  if (badRow >= 0) return `rows[${badRow}]: expected { metric: string, value: number | string }`;
  if (artifacts === undefined) return undefined;
  if (!Array.isArray(artifacts)) return 'artifacts: expected an array';
  const badArtifact = artifacts.findIndex(
    (a) =>
      typeof a !== 'object' ||
      a === null ||
      typeof (a as TourArtifact).name !== 'string' ||
      typeof (a as TourArtifact).mediaType !== 'string' ||
      typeof (a as TourArtifact).content !== 'string',
  );
  if (badArtifact >= 0) {
    return `artifacts[${badArtifact}]: expected { name: string, mediaType: string, content: string }`;
  }
  return undefined;
}

const noProgress: DemoProgress = { onProgress() {}, done() {} };

/**
 * Runs one demo with a `TourContext` (progress, signal, quick, seed) and times it. Never throws: a
 * demo that throws or returns something other than `{ rows, artifacts? }` yields an outcome with
 * `error` set.
 */
export async function runDemo(entry: DiscoveredDemo, options: RunDemosOptions): Promise<DemoOutcome> {
  const demo: TourDemo = entry.demo;
  const now = options.now ?? (() => performance.now());
  const progress = options.progress?.({ id: demo.id, title: demo.title }) ?? noProgress;
  const outcome: DemoOutcome = {
    id: demo.id,
    title: demo.title,
    packageName: entry.packageName,
    seconds: 0,
    rows: [],
    artifacts: [],
  };
  if (demo.paper !== undefined) outcome.paper = demo.paper;
  const onProgress = (event: ProgressEvent): void => {
    try {
      progress.onProgress(event);
    } catch {
      // A display problem must not fail the demo.
    }
  };
  const start = now();
  try {
    const result: unknown = await demo.run({
      onProgress,
      signal: options.signal,
      quick: options.quick,
      seed: options.seed,
    });
    const problem = resultProblem(result);
    if (problem === undefined) {
      const { rows, artifacts } = result as { rows: TourRow[]; artifacts?: TourArtifact[] };
      outcome.rows = rows;
      outcome.artifacts = artifacts ?? [];
    } else {
      outcome.error = `returned a malformed result: ${problem}`;
    }
  } catch (error) {
    outcome.error = errorMessage(error);
  }
  outcome.seconds = (now() - start) / 1000;
  progress.done(
    outcome.error === undefined
      ? { seconds: outcome.seconds }
      : { seconds: outcome.seconds, error: outcome.error },
  );
  return outcome;
}

/** The outcome row of a package whose tour could not be loaded. */
export function failureOutcome(failure: DiscoveryFailure): DemoOutcome {
  return {
    id: failure.id,
    title: `${failure.packageName} tour`,
    packageName: failure.packageName,
    seconds: 0,
    rows: [],
    artifacts: [],
    error: failure.error,
  };
}

/**
 * Runs demos one after another (they share the tfjs backend), each through {@link runDemo}. Once
 * `signal` is aborted, the remaining demos are not started and get the error `'aborted before it
 * started'`.
 *
 * @example
 * ```ts
 * const outcomes = await runDemos(discovery.demos, { quick: true, seed: 0, signal: new AbortController().signal });
 * const failed = outcomes.some((o) => o.error !== undefined);
 * ```
 */
export async function runDemos(
  demos: readonly DiscoveredDemo[],
  options: RunDemosOptions,
): Promise<DemoOutcome[]> {
  const outcomes: DemoOutcome[] = [];
  for (const entry of demos) {
    if (options.signal.aborted) {
      const skipped: DemoOutcome = {
        id: entry.demo.id,
        title: entry.demo.title,
        packageName: entry.packageName,
        seconds: 0,
        rows: [],
        artifacts: [],
        error: 'aborted before it started',
      };
      if (entry.demo.paper !== undefined) skipped.paper = entry.demo.paper;
      outcomes.push(skipped);
      continue;
    }
    outcomes.push(await runDemo(entry, options));
  }
  return outcomes;
}
