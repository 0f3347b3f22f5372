import type { BackendInfo } from '@tensorloom/core';
import type { CliEnvironment } from '../environment.js';

/** One `@tensorloom/*` package in `loom info`. */
export interface InfoPackage {
  /** Package name. */
  name: string;
  /** Installed version (`null` when it could not be found). */
  version: string | null;
  /** Whether it contributes demos to `loom tour` (has a `./tour` subpath). */
  tour: boolean;
  /** Whether it has a `bench` script for `loom bench`. */
  bench: boolean;
}

/** The document `loom info --json` prints. */
export interface InfoJson {
  /** The active backend, from core's `ready()`. */
  backend: BackendInfo;
  /** Versions of the runtime pieces. */
  versions: {
    /** Node.js, e.g. `'v20.19.0'`. */
    node: string;
    /** TensorFlow.js core. */
    tfjs: string;
    /** This CLI. */
    cli: string;
  };
  /** The CLI and every `@tensorloom/*` package it depends on. */
  packages: InfoPackage[];
}

/** Collects what `loom info` shows (starting the backend). */
export async function collectInfo(env: CliEnvironment, backend?: 'wasm' | 'cpu'): Promise<InfoJson> {
  const core = await env.loadCore();
  const info = await core.ready(backend === undefined ? {} : { backend });
  const packages: InfoPackage[] = [
    { name: '@tensorloom/cli', version: env.version, tour: false, bench: false },
  ];
  for (const name of env.packageNames()) {
    const described = env.describePackage(name);
    packages.push({
      name,
      version: described?.version ?? null,
      tour: described?.hasTour ?? false,
      bench: described?.benchScript !== undefined,
    });
  }
  return {
    backend: info,
    versions: { node: process.version, tfjs: info.tfjsVersion, cli: env.version },
    packages,
  };
}

/** Renders {@link InfoJson} as aligned `key  value` lines. */
export function formatInfo(info: InfoJson): string {
  const { backend } = info;
  const yesNo = (value: boolean | null): string => (value === null ? 'n/a' : value ? 'yes' : 'no');
  const pairs: [string, string][] = [
    ['backend', backend.name],
    ['SIMD', yesNo(backend.simd)],
    ['threads', backend.threads === null ? 'n/a' : String(backend.threads)],
    [
      'filled kernels',
      backend.filledKernels.length > 0
        ? `${backend.filledKernels.length}: ${backend.filledKernels.join(', ')}`
        : 'none',
    ],
  ];
  if (backend.fallbackReason !== undefined) pairs.push(['fallback', backend.fallbackReason]);
  pairs.push(['tfjs', info.versions.tfjs], ['node', info.versions.node]);
  for (const pkg of info.packages) {
    const features = [pkg.tour ? 'tour' : '', pkg.bench ? 'bench' : ''].filter(Boolean).join(', ');
    pairs.push([pkg.name, `${pkg.version ?? 'not installed'}${features ? `  (${features})` : ''}`]);
  }
  const width = Math.max(...pairs.map(([key]) => key.length));
  return pairs.map(([key, value]) => `${key.padEnd(width)}  ${value}`).join('\n');
}

/** `loom info`: prints the backend, versions and packages. Resolves with the exit status. */
export async function infoCommand(
  options: { json: boolean; backend?: 'wasm' | 'cpu' },
  env: CliEnvironment,
): Promise<number> {
  let info: InfoJson;
  try {
    info = await collectInfo(env, options.backend);
  } catch (error) {
    env.stderr.write(
      `loom info: could not start the backend: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
  env.stdout.write(options.json ? `${JSON.stringify(info, null, 2)}\n` : `${formatInfo(info)}\n`);
  return 0;
}
