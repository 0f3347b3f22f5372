/** A progress event from long-running work, tagged by phase. */
export interface ProgressEvent {
  /** What is running (e.g. `'epoch'`, `'fft'`, `'calibrate'`). */
  phase: string;
  /** Steps done so far in this phase. */
  step: number;
  /** Total steps in this phase, when known. */
  total?: number;
  /** Metrics at this step (loss, accuracy, GFLOP/s, …). */
  metrics?: Record<string, number>;
  /** Free-form status text. */
  message?: string;
}

/** Callback receiving {@link ProgressEvent}s. */
export type ProgressCallback = (event: ProgressEvent) => void;

/** What a tour demo receives from the runner (the `loom tour` CLI or the playground). */
export interface TourContext {
  /** Report progress; the CLI draws it as a progress bar. */
  onProgress: ProgressCallback;
  /** Aborts the demo (Ctrl-C). */
  signal: AbortSignal;
  /** A smaller, faster setting (used by tests and `--quick`). */
  quick: boolean;
  /** Seed for everything stochastic in the demo. */
  seed: number;
}

/** One row of a demo's result table: the paper's claim against our number. */
export interface TourRow {
  /** What is measured (e.g. `'test RMSE'`, `'matMul 512² GFLOP/s'`). */
  metric: string;
  /** Our measured value. */
  value: number | string;
  /** The paper's or the reference's value, when there is one. */
  reference?: number | string;
  /** Unit of `value` (e.g. `'GFLOP/s'`, `'ms'`). */
  unit?: string;
  /** The setting the number was measured in. */
  setting?: string;
  /** Whether the value meets its target, when there is one. */
  pass?: boolean;
}

/** A file a demo produces for a person to look at (an SVG plot, an HTML fragment). */
export interface TourArtifact {
  /** File name, e.g. `'fft-throughput.svg'`. */
  name: string;
  /** MIME type, e.g. `'image/svg+xml'`. */
  mediaType: string;
  /** File contents. */
  content: string;
}

/** The outcome of one demo. */
export interface TourResult {
  rows: TourRow[];
  artifacts?: TourArtifact[];
}

/**
 * A method's headline demonstration, run by `loom tour`. A package exposes its demos as
 * `export const demos: TourDemo[]` from its `./tour` subpath; the CLI imports that subpath of every
 * `@tensorloom/*` package it depends on, so it needs no knowledge of the package's internals.
 */
export interface TourDemo {
  /** Stable id, e.g. `'core/self-check'`. */
  id: string;
  /** Human-readable title. */
  title: string;
  /** The paper (or component) it reproduces. */
  paper?: string;
  /** Runs the demo. The backend is already initialised. */
  run(context: TourContext): Promise<TourResult>;
}
