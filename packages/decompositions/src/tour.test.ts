import { ready } from '@tensorloom/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { demos } from './tour.js';

describe('tour demos (quick)', () => {
  beforeAll(() => ready());
  it('the synthetic demo reaches the reference RMSE and reports progress', async () => {
    const events: number[] = [];
    const res = await demos[0]!.run({
      quick: true,
      seed: 0,
      signal: new AbortController().signal,
      onProgress: (e) => events.push(e.step),
    });
    expect(res.rows[0]!.pass).toBe(true);
    expect(res.artifacts?.[0]?.content).toContain('<svg');
    expect(events.length).toBeGreaterThan(0);
  });

  it('the comparison demo runs in quick mode and FunBaT beats the mean predictor', async () => {
    const res = await demos[1]!.run({
      quick: true,
      seed: 0,
      signal: new AbortController().signal,
      onProgress: () => {},
    });
    const funbatRows = res.rows.filter((r) => r.metric.startsWith('FunBaT'));
    expect(funbatRows.length).toBe(4);
    for (const r of funbatRows) expect(r.pass).toBe(true);
  });
});
