/**
 * Core's demos for `loom tour` (the `@tensorloom/core/tour` subpath), plus the tour types every
 * package uses to register its own demos.
 *
 * @module
 */
import { selfCheckDemo } from './selfcheck.js';
import type { TourDemo } from './types.js';

export type {
  ProgressCallback,
  ProgressEvent,
  TourArtifact,
  TourContext,
  TourDemo,
  TourResult,
  TourRow,
} from './types.js';

/** The demos core contributes to `loom tour`. */
export const demos: TourDemo[] = [selfCheckDemo];
