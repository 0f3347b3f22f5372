import { type BackendName, ready } from '../backend/ready.js';

/**
 * The backends a test suite should run on: `wasm` and `cpu` in Node, overridable with the
 * environment variable `TENSORLOOM_TEST_BACKENDS` (comma-separated).
 */
export function testBackends(): BackendName[] {
  const env = typeof process !== 'undefined' ? process.env.TENSORLOOM_TEST_BACKENDS : undefined;
  if (env) return env.split(',').map((s) => s.trim()) as BackendName[];
  return ['wasm', 'cpu'];
}

/**
 * Switches to `backend` (through {@link ready}); use in `beforeAll` inside `describe.each(testBackends())`.
 *
 * @example
 * ```ts
 * describe.each(testBackends())('fft2d on %s', (backend) => {
 *   beforeAll(() => useBackend(backend));
 *   it('matches the DFT', () => { … });
 * });
 * ```
 */
export async function useBackend(backend: BackendName): Promise<void> {
  await ready({ backend });
}
