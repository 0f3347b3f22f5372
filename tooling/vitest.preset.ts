import { defineConfig } from 'vitest/config';

/**
 * Shared vitest settings for every package: tests live beside the code, sources are resolved through
 * the `@tensorloom/source` export condition (no build needed), and each test file runs in its own
 * forked process so that tfjs backends and registered kernels never leak between files.
 */
export function preset(name: string, overrides: { testTimeout?: number } = {}) {
  return defineConfig({
    resolve: { conditions: ['@tensorloom/source'] },
    ssr: { resolve: { conditions: ['@tensorloom/source'] } },
    test: {
      name,
      include: ['src/**/*.test.ts'],
      pool: 'forks',
      testTimeout: overrides.testTimeout ?? 60_000,
      hookTimeout: 60_000,
    },
  });
}
