import type { Optimizer } from '@tensorflow/tfjs';
import { ArgumentError } from '../errors/errors.js';
import { assertNumber, assertOneOf, assertPositive, describe } from '../errors/validate.js';
import { tf } from '../setup.js';

/** Names of the optimizers {@link createOptimizer} builds from a spec. */
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['sgd', 'momentum', 'adam', 'adamw', 'rmsprop'];

/**
 * An optimizer described by name and hyperparameters (everything except the learning rate, which
 * `fit` sets per parameter group). `'adamw'` is Adam plus decoupled weight decay: `fit` gives it a
 * default `weightDecay` of 0.01; the decay itself is applied by `fit`, not by the tfjs optimizer.
 */
export type OptimizerSpec =
  | { name: 'sgd' }
  | { name: 'momentum' /** default 0.9 */; momentum?: number /** default false */; useNesterov?: boolean }
  | {
      name: 'adam' | 'adamw';
      /** default 0.9 */ beta1?: number;
      /** default 0.999 */ beta2?: number;
      /** default: the backend's float epsilon (1e-7 for float32) */ epsilon?: number;
    }
  | {
      name: 'rmsprop';
      /** default 0.9 */ decay?: number;
      /** default 0 */ momentum?: number;
      /** default: the backend's float epsilon */ epsilon?: number;
      /** default false */ centered?: boolean;
    };

/** The name of an {@link OptimizerSpec}. */
export type OptimizerName = 'sgd' | 'momentum' | 'adam' | 'adamw' | 'rmsprop';

/**
 * Builds a fresh tfjs optimizer for a learning rate. `fit` calls it once per parameter group with
 * `learningRate × lrScale` and disposes what it returns; it must return a new instance every call.
 */
export type OptimizerFactory = (learningRate: number) => Optimizer;

const SPEC_KEYS: Record<OptimizerName, readonly string[]> = {
  sgd: ['name'],
  momentum: ['name', 'momentum', 'useNesterov'],
  adam: ['name', 'beta1', 'beta2', 'epsilon'],
  adamw: ['name', 'beta1', 'beta2', 'epsilon'],
  rmsprop: ['name', 'decay', 'momentum', 'epsilon', 'centered'],
};

/**
 * Checks an optimizer name or spec and returns it as a spec.
 * @throws {@link ArgumentError} for an unknown name, an unknown key or a hyperparameter out of range
 */
export function normalizeOptimizerSpec(spec: unknown, name = 'optimizer'): OptimizerSpec {
  const object = typeof spec === 'string' ? { name: spec } : spec;
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    throw new ArgumentError(
      `${name}: expected an optimizer name, a spec object, a factory (learningRate) => tf.Optimizer or a ` +
        `tf.Optimizer, got ${describe(spec)}`,
    );
  }
  const record = object as Record<string, unknown>;
  assertOneOf(record.name, OPTIMIZER_NAMES, `${name}.name`);
  const allowed = SPEC_KEYS[record.name];
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) {
      throw new ArgumentError(
        `${name}: unknown key '${key}' for '${record.name}' (allowed: ${allowed.join(', ')}); ` +
          `the learning rate is fit's learningRate option`,
      );
    }
  }
  const unit = (key: string, { closed }: { closed: boolean }): void => {
    const v = record[key];
    if (v === undefined) return;
    assertNumber(v, `${name}.${key}`, { min: 0, max: 1 });
    if (!closed && v === 1) throw new ArgumentError(`${name}.${key}: expected a value < 1, got 1`);
  };
  const flag = (key: string): void => {
    const v = record[key];
    if (v !== undefined && typeof v !== 'boolean') {
      throw new ArgumentError(`${name}.${key}: expected a boolean, got ${describe(v)}`);
    }
  };
  unit('beta1', { closed: false });
  unit('beta2', { closed: false });
  unit('decay', { closed: false });
  unit('momentum', { closed: false });
  if (record.epsilon !== undefined) assertPositive(record.epsilon, `${name}.epsilon`);
  flag('useNesterov');
  flag('centered');
  return record as OptimizerSpec;
}

/**
 * Builds a tfjs optimizer from a name or {@link OptimizerSpec} and a learning rate. `'adamw'` builds
 * plain Adam: the decoupled weight decay is `fit`'s job (`weightDecay`), applied per parameter group.
 * The caller owns the result and disposes it.
 *
 * @param spec - an optimizer name or spec
 * @param learningRate - the step size, ≥ 0
 * @throws {@link ArgumentError} for an unknown name or a hyperparameter out of range
 *
 * @example
 * ```ts
 * const optimizer = createOptimizer({ name: 'adam', beta2: 0.98 }, 1e-3);
 * // … optimizer.minimize(…) …
 * optimizer.dispose();
 * ```
 */
export function createOptimizer(spec: OptimizerName | OptimizerSpec, learningRate: number): Optimizer {
  const s = normalizeOptimizerSpec(spec);
  assertNumber(learningRate, 'learningRate', { min: 0 });
  switch (s.name) {
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'momentum':
      return tf.train.momentum(learningRate, s.momentum ?? 0.9, s.useNesterov ?? false);
    case 'adam':
    case 'adamw':
      return tf.train.adam(learningRate, s.beta1 ?? 0.9, s.beta2 ?? 0.999, s.epsilon);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate, s.decay ?? 0.9, s.momentum ?? 0, s.epsilon, s.centered ?? false);
  }
}
