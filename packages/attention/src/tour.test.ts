import { tf } from '@tensorloom/core';
import { useBackend } from '@tensorloom/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import { demos } from './tour.js';

describe('tour demos', () => {
  beforeAll(() => useBackend('wasm'));

  it('registers the Match3 and approximation demos', () => {
    expect(demos.map((d) => d.id)).toEqual(['attention/match3', 'attention/tensor-approx']);
  });

  it('the approximation demo (quick) holds its bound and beats the exact form', async () => {
    const events: string[] = [];
    const before = tf.memory().numTensors;
    const res = await demos[1]!.run({
      quick: true,
      seed: 1,
      signal: new AbortController().signal,
      onProgress: (e) => events.push(e.phase),
    });
    expect(res.rows.every((row) => row.pass !== false)).toBe(true);
    expect(res.artifacts?.[0]?.content).toContain('<svg');
    expect(events).toContain('degrees');
    expect(tf.memory().numTensors).toBe(before); // no leaked tensors
  });

  it('the approximation demo stops on an aborted signal without leaking', async () => {
    const before = tf.memory().numTensors;
    const ctrl = new AbortController();
    ctrl.abort(new Error('stop'));
    await expect(
      demos[1]!.run({ quick: true, seed: 1, signal: ctrl.signal, onProgress: () => {} }),
    ).rejects.toThrow('stop');
    expect(tf.memory().numTensors).toBe(before);
  });
});
