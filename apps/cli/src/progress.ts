import type { ProgressEvent } from '@tensorloom/core';
import cliProgress from 'cli-progress';
import type { OutputStream } from './environment.js';
import { formatSeconds, formatValue } from './format/table.js';

/** Receives one demo's progress, then its end. */
export interface DemoProgress {
  /** Passed to the demo as `TourContext.onProgress`. */
  onProgress(event: ProgressEvent): void;
  /** Called once when the demo has finished (or failed). */
  done(outcome: { seconds: number; error?: string }): void;
}

/** How {@link createDemoProgress} draws. */
export interface DemoProgressOptions {
  /** Where progress goes (the CLI uses stderr, so stdout keeps only results). */
  stream: OutputStream;
  /** Draw a live `cli-progress` bar (only sensible on a TTY); otherwise log one line per phase. */
  bars: boolean;
}

/** Formats progress metrics as `name=value` pairs, e.g. `'loss=0.1234 acc=0.98'`. */
export function formatMetrics(metrics: Record<string, number> | undefined): string {
  if (metrics === undefined) return '';
  return Object.entries(metrics)
    .map(([name, value]) => `${name}=${formatValue(value)}`)
    .join(' ');
}

function doneLine(id: string, outcome: { seconds: number; error?: string }): string {
  const time = formatSeconds(outcome.seconds);
  return outcome.error === undefined
    ? `✓ ${id} (${time})\n`
    : `✗ ${id} failed after ${time}: ${outcome.error}\n`;
}

/**
 * Creates the progress display of one demo. With `bars`, a `cli-progress` bar shows the current
 * phase, its step out of its total and the latest metrics; without, a line is written when the demo
 * starts and each time a new phase begins. Either way a final line says whether the demo passed and
 * how long it took.
 *
 * @example
 * ```ts
 * const progress = createDemoProgress({ id: 'core/self-check', title: 'Self-check' }, { stream: process.stderr, bars: false });
 * progress.onProgress({ phase: 'fft', step: 0, total: 8 }); // "  core/self-check · fft (8 steps)"
 * progress.done({ seconds: 1.2 });                         // "✓ core/self-check (1.20 s)"
 * ```
 */
export function createDemoProgress(
  demo: { id: string; title: string },
  options: DemoProgressOptions,
): DemoProgress {
  const { stream } = options;
  stream.write(`▶ ${demo.id} — ${demo.title}\n`);
  let phase: string | undefined;
  if (!options.bars) {
    return {
      onProgress(event) {
        if (event.phase === phase) return;
        phase = event.phase;
        const steps = event.total === undefined ? '' : ` (${event.total} steps)`;
        const message = event.message ? `: ${event.message}` : '';
        stream.write(`  ${demo.id} · ${event.phase}${steps}${message}\n`);
      },
      done(outcome) {
        stream.write(doneLine(demo.id, outcome));
      },
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream: stream as unknown as NodeJS.WritableStream,
      format: '  {phase} |{bar}| {value}/{total} {metrics}',
      hideCursor: true,
      clearOnComplete: true,
      barsize: 24,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    onProgress(event) {
      const total = event.total ?? Math.max(event.step, 1);
      const payload = {
        phase: event.phase,
        metrics: [formatMetrics(event.metrics), event.message ?? ''].filter(Boolean).join('  '),
      };
      if (!started) {
        bar.start(total, event.step, payload);
        started = true;
        phase = event.phase;
        return;
      }
      if (event.phase !== phase || bar.getTotal() !== total) bar.setTotal(total);
      phase = event.phase;
      bar.update(event.step, payload);
    },
    done(outcome) {
      if (started) bar.stop();
      stream.write(doneLine(demo.id, outcome));
    },
  };
}
