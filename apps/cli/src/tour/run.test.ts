import type { ProgressEvent, TourContext, TourDemo } from '@tensorloom/core';
import { describe, expect, it } from 'vitest';
import type { DemoProgress } from '../progress.js';
import { failureOutcome, runDemo, runDemos } from './run.js';

function entry(demo: TourDemo) {
  return { packageName: '@tensorloom/fake', demo };
}

/** A clock that advances by `step` ms each time it is read. */
function steppingClock(step: number): () => number {
  let t = 0;
  return () => {
    t += step;
    return t;
  };
}

describe('runDemo', () => {
  it('passes quick, seed and signal, forwards progress and collects rows and artifacts with the time', async () => {
    let seen: TourContext | undefined;
    const demo: TourDemo = {
      id: 'fake/plot',
      title: 'Plot',
      paper: 'Someone 2020',
      async run(context) {
        seen = context;
        context.onProgress({ phase: 'fit', step: 0, total: 2 });
        context.onProgress({ phase: 'fit', step: 2, total: 2, metrics: { loss: 0.5 } });
        return {
          rows: [{ metric: 'loss', value: 0.5, reference: 0.6, pass: true }],
          artifacts: [{ name: 'p.svg', mediaType: 'image/svg+xml', content: '<svg/>' }],
        };
      },
    };
    const events: ProgressEvent[] = [];
    const finished: { seconds: number; error?: string }[] = [];
    const signal = new AbortController().signal;
    const outcome = await runDemo(entry(demo), {
      quick: true,
      seed: 11,
      signal,
      now: steppingClock(250),
      progress: (d) => {
        expect(d).toEqual({ id: 'fake/plot', title: 'Plot' });
        return { onProgress: (e) => events.push(e), done: (o) => finished.push(o) };
      },
    });
    expect(seen?.quick).toBe(true);
    expect(seen?.seed).toBe(11);
    expect(seen?.signal).toBe(signal);
    expect(events.map((e) => e.step)).toEqual([0, 2]);
    expect(finished).toEqual([{ seconds: 0.25 }]);
    expect(outcome).toEqual({
      id: 'fake/plot',
      title: 'Plot',
      paper: 'Someone 2020',
      packageName: '@tensorloom/fake',
      seconds: 0.25,
      rows: [{ metric: 'loss', value: 0.5, reference: 0.6, pass: true }],
      artifacts: [{ name: 'p.svg', mediaType: 'image/svg+xml', content: '<svg/>' }],
    });
  });

  it('turns a throwing demo into an error outcome instead of rejecting', async () => {
    const finished: { seconds: number; error?: string }[] = [];
    const outcome = await runDemo(
      entry({
        id: 'fake/throws',
        title: 'Throws',
        run: async () => {
          throw new RangeError('diverged at epoch 3');
        },
      }),
      {
        quick: false,
        seed: 0,
        signal: new AbortController().signal,
        progress: () => ({ onProgress() {}, done: (o) => finished.push(o) }),
      },
    );
    expect(outcome.error).toBe('diverged at epoch 3');
    expect(outcome.rows).toEqual([]);
    expect(finished[0].error).toBe('diverged at epoch 3');
  });

  it('rejects a malformed result and survives a progress display that throws', async () => {
    const broken: DemoProgress = {
      onProgress() {
        throw new Error('display broke');
      },
      done() {},
    };
    const outcome = await runDemo(
      entry({
        id: 'fake/bad',
        title: 'Bad',
        run: async (context) => {
          context.onProgress({ phase: 'x', step: 1 });
          return { rows: [{ metric: 'm' }] } as never;
        },
      }),
      { quick: false, seed: 0, signal: new AbortController().signal, progress: () => broken },
    );
    expect(outcome.error).toBe(
      'returned a malformed result: rows[0]: expected { metric: string, value: number | string }',
    );
  });
});

describe('runDemos', () => {
  it('runs in order and skips what remains once the signal is aborted', async () => {
    const controller = new AbortController();
    const ran: string[] = [];
    const make = (id: string, abort = false): TourDemo => ({
      id,
      title: id,
      async run() {
        ran.push(id);
        if (abort) controller.abort();
        return { rows: [{ metric: 'm', value: 1 }] };
      },
    });
    const outcomes = await runDemos([entry(make('a')), entry(make('b', true)), entry(make('c'))], {
      quick: true,
      seed: 0,
      signal: controller.signal,
    });
    expect(ran).toEqual(['a', 'b']);
    expect(outcomes.map((o) => [o.id, o.error])).toEqual([
      ['a', undefined],
      ['b', undefined],
      ['c', 'aborted before it started'],
    ]);
  });

  it('turns a discovery failure into an error outcome', () => {
    expect(failureOutcome({ packageName: '@tensorloom/x', id: 'x/tour', error: 'bad' })).toMatchObject({
      id: 'x/tour',
      error: 'bad',
      rows: [],
      artifacts: [],
    });
  });
});
