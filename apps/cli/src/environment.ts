import type { BackendInfo } from '@tensorloom/core';
import { type BenchRunner, spawnBench } from './commands/bench.js';
import {
  describePackage,
  readCliPackageJson,
  type TensorloomPackage,
  tensorloomDependencies,
} from './packages.js';
import { importTourModule, type TourModuleLoader } from './tour/discover.js';

/** The part of a writable stream the CLI uses. */
export interface OutputStream {
  /** Writes text. */
  write(chunk: string): unknown;
  /** Whether the stream is a terminal (live progress bars are drawn only then). */
  isTTY?: boolean;
}

/** The part of `@tensorloom/core` the CLI calls at run time. */
export interface CoreModule {
  /** Initialises the backend and describes it (see `ready` in `@tensorloom/core`). */
  ready(options?: { backend?: 'wasm' | 'cpu' }): Promise<BackendInfo>;
}

/**
 * Everything the commands touch outside themselves. {@link defaultEnvironment} wires the real
 * process; tests replace pieces (fake streams, a fake tour loader, a fake core).
 */
export interface CliEnvironment {
  /** Results (tables, JSON). */
  stdout: OutputStream;
  /** Progress, logs and errors. */
  stderr: OutputStream;
  /** Directory relative paths (`--out`) are resolved against. */
  cwd: string;
  /** Loads `@tensorloom/core` (lazily, so `loom --help` does not load TensorFlow.js). */
  loadCore: () => Promise<CoreModule>;
  /** Loads a package's `./tour` module. */
  loadTourModule: TourModuleLoader;
  /** The `@tensorloom/*` packages the CLI depends on. */
  packageNames: () => string[];
  /** Looks up an installed package. */
  describePackage: (name: string) => TensorloomPackage | undefined;
  /** Runs one package's benchmark as a child process. */
  runBench: BenchRunner;
  /** Aborts the tour; when absent, the tour listens for SIGINT (Ctrl-C) itself. */
  signal?: AbortSignal;
  /** The CLI's version. */
  version: string;
  /** The time the report is stamped with. */
  now: () => Date;
}

/** The environment of the real `loom` process. */
export function defaultEnvironment(): CliEnvironment {
  const packageJson = readCliPackageJson();
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    loadCore: () => import('@tensorloom/core'),
    loadTourModule: importTourModule,
    packageNames: () => tensorloomDependencies(packageJson),
    describePackage,
    runBench: spawnBench,
    version: packageJson.version ?? '0.0.0',
    now: () => new Date(),
  };
}
