import type { TourDemo } from '@tensorloom/core';
import { describe, expect, it } from 'vitest';
import {
  discoverDemos,
  importTourModule,
  matchesOnly,
  selectDemos,
  type TourModuleLoader,
} from './discover.js';

function demo(id: string): TourDemo {
  return { id, title: `Demo ${id}`, run: async () => ({ rows: [] }) };
}

/** A loader over an in-memory table of modules; a function entry throws its error on load. */
function fakeLoader(modules: Record<string, unknown>): TourModuleLoader & { calls: string[] } {
  const calls: string[] = [];
  const load = async (name: string): Promise<unknown> => {
    calls.push(name);
    const entry = modules[name];
    if (entry instanceof Error) throw entry;
    return entry;
  };
  return Object.assign(load, { calls });
}

describe('discoverDemos', () => {
  it('collects the demos of every package with a tour, in package order, and skips the others silently', async () => {
    const load = fakeLoader({
      '@tensorloom/core': { demos: [demo('core/self-check')] },
      '@tensorloom/plain': undefined,
      '@tensorloom/attention': { demos: [demo('attention/a'), demo('attention/b')] },
    });
    const found = await discoverDemos(
      ['@tensorloom/core', '@tensorloom/plain', '@tensorloom/attention'],
      load,
    );
    expect(found.failures).toEqual([]);
    expect(found.demos.map((d) => [d.packageName, d.demo.id])).toEqual([
      ['@tensorloom/core', 'core/self-check'],
      ['@tensorloom/attention', 'attention/a'],
      ['@tensorloom/attention', 'attention/b'],
    ]);
    expect(load.calls).toEqual(['@tensorloom/core', '@tensorloom/plain', '@tensorloom/attention']);
  });

  it('reports a tour that throws on import as a failure and carries on', async () => {
    const load = fakeLoader({
      '@tensorloom/broken': new Error('SyntaxError: nope'),
      '@tensorloom/ok': { demos: [demo('ok/one')] },
    });
    const found = await discoverDemos(['@tensorloom/broken', '@tensorloom/ok'], load);
    expect(found.demos.map((d) => d.demo.id)).toEqual(['ok/one']);
    expect(found.failures).toEqual([
      {
        packageName: '@tensorloom/broken',
        id: 'broken/tour',
        error: '@tensorloom/broken/tour: failed to load: SyntaxError: nope',
      },
    ]);
  });

  it('rejects a tour without a demos array, malformed demos and repeated ids, naming what is wrong', async () => {
    const load = fakeLoader({
      '@tensorloom/a': { demo: demo('a/x') },
      '@tensorloom/b': { demos: [demo('b/good'), { id: 'b/bad', title: 'Bad' }, 7, demo('b/good')] },
    });
    const found = await discoverDemos(['@tensorloom/a', '@tensorloom/b'], load);
    expect(found.demos.map((d) => d.demo.id)).toEqual(['b/good']);
    expect(found.failures.map((f) => f.error)).toEqual([
      '@tensorloom/a/tour: expected an exported `demos` array, got undefined',
      '@tensorloom/b/tour: demos[1]: run: expected a function, got undefined',
      '@tensorloom/b/tour: demos[2]: expected a demo object, got number',
      "@tensorloom/b/tour: demos[3]: id 'b/good' is already used by @tensorloom/b",
    ]);
  });
});

describe('selecting demos with --only', () => {
  it('matches an exact id or a prefix ending at a slash', () => {
    expect(matchesOnly('core/self-check', 'core')).toBe(true);
    expect(matchesOnly('core/self-check', 'core/')).toBe(true);
    expect(matchesOnly('core/self-check', 'core/self-check')).toBe(true);
    expect(matchesOnly('core/self-check', 'cor')).toBe(false);
    expect(matchesOnly('core/self-check', 'core/self')).toBe(false);
  });

  it('keeps the matching demos and failures and lists patterns that matched nothing', async () => {
    const found = await discoverDemos(
      ['@tensorloom/core', '@tensorloom/x'],
      fakeLoader({
        '@tensorloom/core': { demos: [demo('core/a'), demo('core/b')] },
        '@tensorloom/x': new Error('bad'),
      }),
    );
    const selected = selectDemos(found, ['core/b', 'x', 'nope']);
    expect(selected.demos.map((d) => d.demo.id)).toEqual(['core/b']);
    expect(selected.failures.map((f) => f.id)).toEqual(['x/tour']);
    expect(selected.unmatched).toEqual(['nope']);
    expect(selectDemos(found, undefined).demos).toHaveLength(2);
  });
});

describe('importTourModule', () => {
  it('skips a package that is not installed instead of failing', async () => {
    await expect(importTourModule('@tensorloom/not-a-real-package')).resolves.toBeUndefined();
  });
});
