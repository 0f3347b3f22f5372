import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The scope every Tensorloom package is published under. */
export const TENSORLOOM_SCOPE = '@tensorloom/';

/** The fields of a `package.json` the CLI reads. */
export interface PackageJson {
  name?: string;
  version?: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  exports?: unknown;
}

/** What the CLI knows about one installed `@tensorloom/*` package. */
export interface TensorloomPackage {
  /** Full package name, e.g. `'@tensorloom/core'`. */
  name: string;
  /** Installed version. */
  version: string;
  /** Directory holding the package's `package.json` (symlinks resolved). */
  dir: string;
  /** Whether the package's `exports` map has a `./tour` subpath. */
  hasTour: boolean;
  /** The package's `bench` script, when it has one. */
  benchScript?: string;
}

const require = createRequire(import.meta.url);

/**
 * Finds and reads the CLI's own `package.json` by walking up from this module (works from `src/` and
 * from the built `dist/`).
 */
export function readCliPackageJson(): PackageJson {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const json = JSON.parse(readFileSync(candidate, 'utf8')) as PackageJson;
      if (json.name === '@tensorloom/cli') return json;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('could not find the package.json of @tensorloom/cli');
    dir = parent;
  }
}

/**
 * Orders package names the way the CLI presents them: `@tensorloom/core` first (its self-check tells
 * whether the rest can be trusted), then alphabetically.
 */
export function orderPackageNames(names: readonly string[]): string[] {
  const core = `${TENSORLOOM_SCOPE}core`;
  return [...new Set(names)].sort((a, b) => {
    if (a === core) return b === core ? 0 : -1;
    if (b === core) return 1;
    return a.localeCompare(b);
  });
}

/**
 * The `@tensorloom/*` packages a `package.json` depends on (its `dependencies` field only), in
 * {@link orderPackageNames} order.
 *
 * @example
 * ```ts
 * tensorloomDependencies({ dependencies: { commander: '14', '@tensorloom/core': 'workspace:*' } });
 * // ['@tensorloom/core']
 * ```
 */
export function tensorloomDependencies(packageJson: PackageJson): string[] {
  return orderPackageNames(
    Object.keys(packageJson.dependencies ?? {}).filter((name) => name.startsWith(TENSORLOOM_SCOPE)),
  );
}

/** Whether an `exports` field exposes the `./tour` subpath. */
export function exportsHasTour(exportsField: unknown): boolean {
  return (
    typeof exportsField === 'object' &&
    exportsField !== null &&
    !Array.isArray(exportsField) &&
    Object.hasOwn(exportsField, './tour')
  );
}

/**
 * Looks up an installed `@tensorloom/*` package through Node's resolution from the CLI, returning
 * `undefined` when it is not installed (or exposes no `./package.json`).
 */
export function describePackage(name: string): TensorloomPackage | undefined {
  let path: string;
  try {
    path = require.resolve(`${name}/package.json`);
  } catch {
    return undefined;
  }
  const json = JSON.parse(readFileSync(path, 'utf8')) as PackageJson;
  const info: TensorloomPackage = {
    name,
    version: json.version ?? 'unknown',
    dir: dirname(path),
    hasTour: exportsHasTour(json.exports),
  };
  const bench = json.scripts?.bench;
  if (bench !== undefined) info.benchScript = bench;
  return info;
}

/** The short name of a scoped package: `'@tensorloom/core'` → `'core'`. */
export function shortPackageName(name: string): string {
  return name.startsWith(TENSORLOOM_SCOPE) ? name.slice(TENSORLOOM_SCOPE.length) : name;
}
