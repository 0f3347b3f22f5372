import type { TourDemo } from '@tensorloom/core';
import { describePackage, shortPackageName } from '../packages.js';

/**
 * Loads the `./tour` module of one package. Resolves with the module namespace, or with `undefined`
 * when the package has no `./tour` subpath (it is then skipped silently). A rejection means the tour
 * module exists but is broken; it is reported as a failed demo.
 */
export type TourModuleLoader = (packageName: string) => Promise<unknown>;

/** A demo together with the package it came from. */
export interface DiscoveredDemo {
  /** The package that exported the demo, e.g. `'@tensorloom/core'`. */
  packageName: string;
  /** The demo itself. */
  demo: TourDemo;
}

/** A package whose tour could not be loaded, or whose `demos` export is malformed. */
export interface DiscoveryFailure {
  /** The package that failed. */
  packageName: string;
  /** The id its failure row gets in the tour: `'<short name>/tour'`. */
  id: string;
  /** What went wrong. */
  error: string;
}

/** What {@link discoverDemos} found. */
export interface Discovery {
  /** Valid demos, in package order and then in each package's own order. */
  demos: DiscoveredDemo[];
  /** Packages whose tour is broken. */
  failures: DiscoveryFailure[];
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

function isMissingTourSubpath(error: unknown, specifier: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') return true;
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    typeof message === 'string' &&
    message.includes(specifier)
  );
}

/**
 * The loader used outside tests: skips packages whose `exports` map has no `./tour` entry, and
 * otherwise imports `<package>/tour` with Node's (or vitest's) resolution from this module.
 */
export const importTourModule: TourModuleLoader = async (packageName) => {
  const specifier = `${packageName}/tour`;
  const described = describePackage(packageName);
  if (described !== undefined && !described.hasTour) return undefined;
  try {
    return await import(specifier);
  } catch (error) {
    // A package whose package.json we could not read: a missing subpath means "no tour".
    if (described === undefined && isMissingTourSubpath(error, specifier)) return undefined;
    throw error;
  }
};

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an object with keys [${Object.keys(value).join(', ')}]`;
  return typeof value;
}

function demoProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null)
    return `expected a demo object, got ${describeValue(value)}`;
  const { id, title, run } = value as Record<string, unknown>;
  if (typeof id !== 'string' || id.length === 0)
    return `id: expected a non-empty string, got ${describeValue(id)}`;
  if (typeof title !== 'string') return `title: expected a string, got ${describeValue(title)}`;
  if (typeof run !== 'function') return `run: expected a function, got ${describeValue(run)}`;
  return undefined;
}

/**
 * Finds the tour demos of the given packages: for each, loads `<package>/tour` through `load` and
 * collects its `demos: TourDemo[]` export. Packages without a tour are skipped; a tour that throws on
 * import, lacks a `demos` array, holds a malformed demo or repeats an id becomes a
 * {@link DiscoveryFailure} instead of stopping discovery.
 *
 * @example
 * ```ts
 * const { demos, failures } = await discoverDemos(['@tensorloom/core']);
 * ```
 */
export async function discoverDemos(
  packageNames: readonly string[],
  load: TourModuleLoader = importTourModule,
): Promise<Discovery> {
  const demos: DiscoveredDemo[] = [];
  const failures: DiscoveryFailure[] = [];
  const seen = new Map<string, string>();
  for (const packageName of packageNames) {
    const id = `${shortPackageName(packageName)}/tour`;
    const fail = (error: string): void => {
      failures.push({ packageName, id, error: `${packageName}/tour: ${error}` });
    };
    let loaded: unknown;
    try {
      loaded = await load(packageName);
    } catch (error) {
      fail(`failed to load: ${errorMessage(error)}`);
      continue;
    }
    if (loaded === undefined) continue;
    const exported = (loaded as { demos?: unknown } | null)?.demos;
    if (!Array.isArray(exported)) {
      fail(`expected an exported \`demos\` array, got ${describeValue(exported)}`);
      continue;
    }
    exported.forEach((candidate: unknown, index) => {
      const problem = demoProblem(candidate);
      if (problem !== undefined) {
        fail(`demos[${index}]: ${problem}`);
        return;
      }
      const demo = candidate as TourDemo;
      const owner = seen.get(demo.id);
      if (owner !== undefined) {
        fail(`demos[${index}]: id '${demo.id}' is already used by ${owner}`);
        return;
      }
      seen.set(demo.id, packageName);
      demos.push({ packageName, demo });
    });
  }
  return { demos, failures };
}

/** Whether `id` is selected by the `--only` pattern: the exact id, or an id under that prefix. */
export function matchesOnly(id: string, pattern: string): boolean {
  const trimmed = pattern.replace(/\/+$/, '');
  return id === trimmed || id.startsWith(`${trimmed}/`);
}

/** The result of {@link selectDemos}. */
export interface Selection extends Discovery {
  /** `--only` patterns that matched nothing. */
  unmatched: string[];
}

/**
 * Keeps the demos (and failures) whose id matches one of the `only` patterns (`'core'` selects every
 * `core/…` demo; `'core/self-check'` selects that one). With no patterns, everything is kept.
 */
export function selectDemos(discovery: Discovery, only: readonly string[] | undefined): Selection {
  if (only === undefined || only.length === 0) return { ...discovery, unmatched: [] };
  const keep = (id: string): boolean => only.some((pattern) => matchesOnly(id, pattern));
  const ids = [...discovery.demos.map((d) => d.demo.id), ...discovery.failures.map((f) => f.id)];
  return {
    demos: discovery.demos.filter((d) => keep(d.demo.id)),
    failures: discovery.failures.filter((f) => keep(f.id)),
    unmatched: only.filter((pattern) => !ids.some((id) => matchesOnly(id, pattern))),
  };
}
