import { describe, expect, it } from 'vitest';
import { createDemoProgress, formatMetrics } from './progress.js';

function memoryStream(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, isTTY, write: (chunk: string) => chunks.push(chunk), text: () => chunks.join('') };
}

describe('createDemoProgress without bars', () => {
  it('writes a start line, one line per new phase and a final line', () => {
    const stream = memoryStream(false);
    const progress = createDemoProgress({ id: 'core/x', title: 'X' }, { stream, bars: false });
    progress.onProgress({ phase: 'fft', step: 0, total: 8, message: 'warming up' });
    progress.onProgress({ phase: 'fft', step: 4, total: 8 });
    progress.onProgress({ phase: 'matmul', step: 1 });
    progress.done({ seconds: 1.5 });
    expect(stream.text()).toBe(
      '▶ core/x — X\n  core/x · fft (8 steps): warming up\n  core/x · matmul\n✓ core/x (1.50 s)\n',
    );
  });

  it('ends with the error when the demo failed', () => {
    const stream = memoryStream(false);
    createDemoProgress({ id: 'a/b', title: 'B' }, { stream, bars: false }).done({
      seconds: 0.2,
      error: 'boom',
    });
    expect(stream.text()).toContain('✗ a/b failed after 200 ms: boom\n');
  });
});

describe('createDemoProgress with bars', () => {
  it('draws a bar with the phase, step/total and metrics, then clears it for the final line', () => {
    const stream = memoryStream(true);
    const progress = createDemoProgress({ id: 'a/b', title: 'B' }, { stream, bars: true });
    progress.onProgress({ phase: 'epoch', step: 3, total: 4, metrics: { loss: 0.25 } });
    progress.done({ seconds: 2 });
    const text = stream.text();
    expect(text).toContain('epoch');
    expect(text).toContain('3/4');
    expect(text).toContain('loss=0.25');
    expect(text.endsWith('✓ a/b (2.00 s)\n')).toBe(true);
  });
});

describe('formatMetrics', () => {
  it('joins name=value pairs', () => {
    expect(formatMetrics({ loss: 0.123456, acc: 1 })).toBe('loss=0.1235 acc=1');
    expect(formatMetrics(undefined)).toBe('');
  });
});
