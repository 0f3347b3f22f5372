import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { benchCommand } from './commands/bench.js';
import { infoCommand } from './commands/info.js';
import { tourCommand } from './commands/tour.js';
import type { CliEnvironment } from './environment.js';

const EXAMPLES = `
Examples:
  $ loom tour                         run every demo, print the table, write loom-report/index.html
  $ loom tour --quick --only core     the quick setting of the core/… demos only
  $ loom tour --json > tour.json      machine-readable results (progress goes to stderr)
  $ loom tour --backend cpu --seed 7  pure-JS backend, another seed
  $ loom info                         backend, SIMD, filled kernels, versions
  $ loom bench core                   run @tensorloom/core's benchmark
`;

function parseSeed(value: string): number {
  const seed = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(seed) || seed < 0) {
    throw new InvalidArgumentError(`expected a non-negative integer, got '${value}'.`);
  }
  return seed;
}

function backendOption(): Option {
  return new Option('--backend <name>', 'TensorFlow.js backend (default: WASM, falling back to CPU)').choices(
    ['wasm', 'cpu'],
  );
}

/**
 * Builds the `loom` program. Commands report their exit status through `setExitCode`; commander's
 * own exits (help, version, usage errors) throw a `CommanderError` instead of exiting the process.
 */
export function createProgram(env: CliEnvironment, setExitCode: (code: number) => void): Command {
  const program = new Command('loom')
    .description(
      'Tensorloom on the command line: run the tour of reproduced papers, inspect the backend, benchmark.',
    )
    .version(env.version, '-v, --version', 'print the version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => env.stdout.write(text),
      writeErr: (text) => env.stderr.write(text),
    })
    .showSuggestionAfterError()
    .addHelpText('after', EXAMPLES);

  program
    .command('tour')
    .description("run every package's headline demo, print a results table and write an HTML report")
    .option('--quick', 'smaller, faster settings', false)
    .option('--only <id...>', "only these demos (an id, or a prefix such as 'core')")
    .option('--json', 'print one JSON document on stdout (logs go to stderr)', false)
    .option('--out <dir>', 'directory of the HTML report and artifacts', 'loom-report')
    .option('--seed <n>', 'seed for every demo', parseSeed, 0)
    .addOption(backendOption())
    .addHelpText(
      'after',
      '\nExit status: 0 all demos ran, 1 a demo failed or none was found, 130 interrupted.',
    )
    .action(async (options) => {
      setExitCode(await tourCommand(options, env));
    });

  program
    .command('info')
    .description(
      'show the backend (SIMD, threads, filled kernels) and the versions of tfjs, Node and packages',
    )
    .option('--json', 'print JSON', false)
    .addOption(backendOption())
    .action(async (options) => {
      setExitCode(await infoCommand(options, env));
    });

  program
    .command('bench')
    .description("run a package's benchmark (its `bench` script), or every package's in turn")
    .argument('[package]', "package name, e.g. 'core' or '@tensorloom/core'")
    .option('--json', 'print a JSON summary on stdout (benchmark output goes to stderr)', false)
    .action(async (selection: string | undefined, options) => {
      setExitCode(await benchCommand(selection, options, env));
    });

  return program;
}

/** Runs the program on `argv` (the arguments after `loom`) and resolves with the exit status. */
export async function runProgram(argv: readonly string[], env: CliEnvironment): Promise<number> {
  let exitCode = 0;
  const program = createProgram(env, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }
  return exitCode;
}
