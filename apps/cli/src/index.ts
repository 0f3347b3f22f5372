/**
 * The `loom` command-line app: `loom tour`, `loom info`, `loom bench`. {@link main} runs it; the
 * pieces are exported for tests and for other runners (a playground can reuse discovery, the table
 * and the report).
 *
 * @module
 */
import { runProgram } from './cli.js';
import { type CliEnvironment, defaultEnvironment } from './environment.js';

export { createProgram, runProgram } from './cli.js';
export {
  type BenchJsonEntry,
  type BenchPlan,
  type BenchRunner,
  type BenchSelection,
  benchCommand,
  planBenches,
  spawnBench,
} from './commands/bench.js';
export { collectInfo, formatInfo, type InfoJson, type InfoPackage, infoCommand } from './commands/info.js';
export { EXIT_INTERRUPTED, type TourOptions, tourCommand } from './commands/tour.js';
export {
  type CliEnvironment,
  type CoreModule,
  defaultEnvironment,
  type OutputStream,
} from './environment.js';
export {
  formatSeconds,
  formatTable,
  formatTourTable,
  formatValue,
  passMark,
  type TableColumn,
  type TableOutcome,
  TOUR_COLUMNS,
  tourTableRows,
} from './format/table.js';
export {
  describePackage,
  exportsHasTour,
  orderPackageNames,
  type PackageJson,
  readCliPackageJson,
  shortPackageName,
  TENSORLOOM_SCOPE,
  type TensorloomPackage,
  tensorloomDependencies,
} from './packages.js';
export {
  createDemoProgress,
  type DemoProgress,
  type DemoProgressOptions,
  formatMetrics,
} from './progress.js';
export { type ArtifactFile, planArtifactFiles, safeFileName } from './report/files.js';
export { dataUrl, escapeHtml, renderArtifact, renderReport, type TourReport } from './report/html.js';
export { writeReport } from './report/write.js';
export {
  type DiscoveredDemo,
  type Discovery,
  type DiscoveryFailure,
  discoverDemos,
  importTourModule,
  matchesOnly,
  type Selection,
  selectDemos,
  type TourModuleLoader,
} from './tour/discover.js';
export { type TourJson, type TourJsonDemo, tourJson } from './tour/json.js';
export { type DemoOutcome, failureOutcome, type RunDemosOptions, runDemo, runDemos } from './tour/run.js';

/**
 * Runs `loom` with the given arguments (those after `loom`) and resolves with the exit status.
 * Pieces of the environment can be replaced (streams, the tour loader, the core module), which is
 * how the tests drive it.
 *
 * @example
 * ```ts
 * import { main } from '@tensorloom/cli';
 * process.exitCode = await main(['tour', '--quick']);
 * ```
 */
export async function main(
  argv: readonly string[] = process.argv.slice(2),
  overrides: Partial<CliEnvironment> = {},
): Promise<number> {
  return runProgram(argv, { ...defaultEnvironment(), ...overrides });
}
