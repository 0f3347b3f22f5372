/**
 * Test helpers for Tensorloom packages: leak checks, tolerance asserts, finite-difference gradient
 * checks, backend iteration and a uniform random rotation sampler. Import from `@tensorloom/core/test`.
 *
 * @module
 */

export { randomRotation } from '../random/rotation.js';
export type { GradCheckOptions, Tolerance } from './asserts.js';
export { AssertionFailure, expectClose, expectNoLeak, gradCheck } from './asserts.js';
export { testBackends, useBackend } from './backends.js';
