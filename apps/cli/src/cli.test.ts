import { describe, expect, it } from 'vitest';
import { main } from './index.js';
import { readCliPackageJson, tensorloomDependencies } from './packages.js';

function memoryStream() {
  const chunks: string[] = [];
  return { isTTY: false, write: (chunk: string) => chunks.push(chunk), text: () => chunks.join('') };
}

async function run(argv: string[]) {
  const stdout = memoryStream();
  const stderr = memoryStream();
  const code = await main(argv, { stdout, stderr });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('loom', () => {
  it('--version prints the version from package.json', async () => {
    const { code, stdout } = await run(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(readCliPackageJson().version);
  });

  it('--help lists the commands and examples', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    for (const text of ['tour', 'info', 'bench', 'Examples:', 'loom tour --quick --only core']) {
      expect(stdout).toContain(text);
    }
  });

  it('tour --help lists its options', async () => {
    const { stdout } = await run(['tour', '--help']);
    for (const option of [
      '--quick',
      '--only <id...>',
      '--json',
      '--out <dir>',
      '--seed <n>',
      '--backend <name>',
    ]) {
      expect(stdout).toContain(option);
    }
  });

  it('fails on an unknown command with a suggestion', async () => {
    const { code, stderr } = await run(['tuor']);
    expect(code).not.toBe(0);
    expect(stderr).toContain('tour');
  });
});

describe('package discovery from package.json', () => {
  it('finds the @tensorloom dependencies of the CLI, core first', () => {
    expect(tensorloomDependencies(readCliPackageJson())[0]).toBe('@tensorloom/core');
  });

  it('ignores other dependencies and dev dependencies', () => {
    expect(
      tensorloomDependencies({
        dependencies: {
          commander: '1',
          '@tensorloom/zeta': '1',
          '@tensorloom/alpha': '1',
          '@tensorloom/core': '1',
        },
      }),
    ).toEqual(['@tensorloom/core', '@tensorloom/alpha', '@tensorloom/zeta']);
  });
});
