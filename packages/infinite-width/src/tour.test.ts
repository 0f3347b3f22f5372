import { useBackend } from '@tensorloom/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import { demos } from './tour.js';

describe('tour demos (quick)', () => {
  beforeAll(() => useBackend('wasm'));
  it.each(demos.map((d) => [d.id, d] as const))(
    '%s runs in quick mode and passes its checks',
    async (_id, demo) => {
      const events: number[] = [];
      const r = await demo.run({
        quick: true,
        seed: 0,
        signal: new AbortController().signal,
        onProgress: (e) => events.push(e.step),
      });
      expect(r.rows.length).toBeGreaterThan(0);
      expect(events.length).toBeGreaterThan(0);
      for (const row of r.rows)
        if (row.pass !== undefined) expect(row.pass, `${row.metric}: ${row.value}`).toBe(true);
    },
  );
});
