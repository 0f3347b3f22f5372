import type { BackendInfo, TourRow } from '@tensorloom/core';
import type { DemoOutcome } from './run.js';

/** One demo in the `loom tour --json` document. */
export interface TourJsonDemo {
  /** Demo id. */
  id: string;
  /** Demo title. */
  title: string;
  /** The paper or component it reproduces (`null` when not given). */
  paper: string | null;
  /** Wall time in seconds. */
  seconds: number;
  /** Result rows, as the demo returned them (non-finite numbers become `null` in JSON). */
  rows: TourRow[];
  /** Names of the artifacts the demo produced. */
  artifacts: string[];
  /** Present only when the demo failed. */
  error?: string;
}

/** The document `loom tour --json` prints. */
export interface TourJson {
  /** The backend the demos ran on. */
  backend: BackendInfo;
  /** Whether `--quick` was given. */
  quick: boolean;
  /** The seed passed to every demo. */
  seed: number;
  /** Absolute path of the HTML report, or `null` when it could not be written. */
  report: string | null;
  /** Every demo, in run order. */
  demos: TourJsonDemo[];
}

/** Builds the `loom tour --json` document. */
export function tourJson(
  backend: BackendInfo,
  settings: { quick: boolean; seed: number; report: string | null },
  outcomes: readonly DemoOutcome[],
): TourJson {
  return {
    backend,
    quick: settings.quick,
    seed: settings.seed,
    report: settings.report,
    demos: outcomes.map((outcome) => {
      const demo: TourJsonDemo = {
        id: outcome.id,
        title: outcome.title,
        paper: outcome.paper ?? null,
        seconds: outcome.seconds,
        rows: outcome.rows,
        artifacts: outcome.artifacts.map((a) => a.name),
      };
      if (outcome.error !== undefined) demo.error = outcome.error;
      return demo;
    }),
  };
}
