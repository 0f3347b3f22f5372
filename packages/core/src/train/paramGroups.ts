import type { LayersModel, Variable } from '@tensorflow/tfjs';
import { ArgumentError } from '../errors/errors.js';
import { assertNumber, describe } from '../errors/validate.js';
import { tf } from '../setup.js';
import { modelVariables } from './layersModel.js';

/**
 * A set of parameters trained with their own learning-rate and weight-decay multipliers. μP, for
 * example, trains hidden weights under Adam with `lrScale = baseWidth / width`.
 *
 * A group's effective learning rate is `learningRate × lrScale`; its decoupled weight decay per step is
 * `p ← p − learningRate · lrScale · weightDecay · weightDecayScale · p`. A group with `lrScale: 0` is
 * frozen: it gets no gradient, no optimizer and no decay.
 */
export interface ParamGroup {
  /** A label for error messages; default `groups[i]`. */
  name?: string;
  /** The trainable variables of this group; each variable may belong to one group only. */
  params: readonly Variable[];
  /** Multiplier of the base learning rate, ≥ 0; default 1. */
  lrScale?: number;
  /** Multiplier of the base weight decay, ≥ 0; default 1 (set 0 for biases and norms). */
  weightDecayScale?: number;
}

/** A validated group with its defaults filled in. @internal */
export interface ResolvedParamGroup {
  name: string;
  params: Variable[];
  lrScale: number;
  weightDecayScale: number;
}

const GROUP_KEYS = ['name', 'params', 'lrScale', 'weightDecayScale'];

function checkVariable(v: unknown, label: string): Variable {
  if (!(v instanceof tf.Variable)) {
    throw new ArgumentError(`${label}: expected a tf.Variable, got ${describe(v)}`);
  }
  if (v.isDisposed) throw new ArgumentError(`${label}: variable '${v.name}' is disposed`);
  if (!v.trainable) {
    throw new ArgumentError(
      `${label}: variable '${v.name}' is not trainable (created with trainable = false)`,
    );
  }
  if (v.dtype !== 'float32') {
    throw new ArgumentError(
      `${label}: variable '${v.name}' has dtype ${v.dtype}; only float32 can be trained`,
    );
  }
  return v;
}

/**
 * Validates `groups`, `params` and `model` and builds the parameter groups: the explicit groups in
 * order, then a `'default'` group (scales 1) with every variable of `params` and `model` that no group
 * claims.
 *
 * @throws {@link ArgumentError} for a variable in two groups, a non-variable, bad scales, or no
 *   variables at all
 * @internal
 */
export function resolveParamGroups(
  groups: unknown,
  params: unknown,
  model: LayersModel | undefined,
): ResolvedParamGroup[] {
  const owner = new Map<Variable, string>();
  const resolved: ResolvedParamGroup[] = [];
  if (groups !== undefined) {
    if (!Array.isArray(groups)) throw new ArgumentError(`groups: expected an array, got ${describe(groups)}`);
    groups.forEach((group: unknown, i) => {
      let label = `groups[${i}]`;
      if (typeof group !== 'object' || group === null || Array.isArray(group)) {
        throw new ArgumentError(
          `${label}: expected { params, lrScale?, weightDecayScale? }, got ${describe(group)}`,
        );
      }
      const g = group as Record<string, unknown>;
      for (const key of Object.keys(g)) {
        if (!GROUP_KEYS.includes(key)) {
          throw new ArgumentError(`${label}: unknown key '${key}' (allowed: ${GROUP_KEYS.join(', ')})`);
        }
      }
      if (g.name !== undefined && typeof g.name !== 'string') {
        throw new ArgumentError(`${label}.name: expected a string, got ${describe(g.name)}`);
      }
      const name = (g.name as string | undefined) ?? label;
      if (g.name !== undefined) label = `${label} ('${name}')`;
      if (!Array.isArray(g.params) || g.params.length === 0) {
        throw new ArgumentError(
          `${label}.params: expected a non-empty array of tf.Variable, got ${describe(g.params)}`,
        );
      }
      const lrScale = g.lrScale ?? 1;
      const weightDecayScale = g.weightDecayScale ?? 1;
      assertNumber(lrScale, `${label}.lrScale`, { min: 0 });
      assertNumber(weightDecayScale, `${label}.weightDecayScale`, { min: 0 });
      const vars = g.params.map((p: unknown, j: number) => {
        const v = checkVariable(p, `${label}.params[${j}]`);
        const previous = owner.get(v);
        if (previous !== undefined) {
          throw new ArgumentError(
            `${label}.params[${j}]: variable '${v.name}' is already in ${previous}; a variable may belong to one group only`,
          );
        }
        owner.set(v, label);
        return v;
      });
      resolved.push({
        name,
        params: vars,
        lrScale: lrScale as number,
        weightDecayScale: weightDecayScale as number,
      });
    });
  }
  const rest: Variable[] = [];
  const seen = new Set<Variable>();
  const addRest = (v: Variable): void => {
    if (!owner.has(v) && !seen.has(v)) {
      seen.add(v);
      rest.push(v);
    }
  };
  if (params !== undefined) {
    if (!Array.isArray(params)) {
      throw new ArgumentError(`params: expected an array of tf.Variable, got ${describe(params)}`);
    }
    params.forEach((p: unknown, j) => {
      addRest(checkVariable(p, `params[${j}]`));
    });
  }
  if (model !== undefined) {
    const vars = modelVariables(model);
    if (vars.length === 0) {
      throw new ArgumentError(
        'model: has no trainable weights (build it first, e.g. give its first layer an inputShape)',
      );
    }
    vars.forEach((v, j) => {
      addRest(checkVariable(v, `model.trainableWeights[${j}]`));
    });
  }
  if (rest.length > 0) resolved.push({ name: 'default', params: rest, lrScale: 1, weightDecayScale: 1 });
  if (resolved.length === 0) {
    throw new ArgumentError('params: no variables to train (pass params, groups or model)');
  }
  return resolved;
}
