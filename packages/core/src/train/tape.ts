import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '../setup.js';

/**
 * Frees what tfjs's gradient tape saved for a backward pass that never ran. When the function given
 * to `tf.grads`/`tf.variableGrads` throws, tfjs 4.22 leaves the tape's saved tensors (kept clones of op
 * inputs) allocated until the next successful top-level gradient; call this in the `catch` to release
 * them. It does nothing while an outer gradient computation is in progress. It reads tfjs engine
 * internals (`state.activeTape`), guarded so that a tfjs without them is left untouched.
 *
 * @example
 * ```ts
 * try { tf.grads(f)(xs); } catch (e) { releaseAbandonedGradientTape(); throw e; }
 * ```
 */
export function releaseAbandonedGradientTape(): void {
  const state = (tf.engine() as unknown as { state?: { gradientDepth?: number; activeTape?: unknown } })
    .state;
  if (state === undefined || state.gradientDepth !== 0 || !Array.isArray(state.activeTape)) return;
  for (const node of state.activeTape as { saved?: Tensor[] }[]) {
    for (const tensor of node.saved ?? []) if (!tensor.isDisposed) tensor.dispose();
  }
  state.activeTape = null;
}
