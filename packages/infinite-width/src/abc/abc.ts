import { ArgumentError, assertInteger, assertNumber, assertOneOf, describeValue } from '@tensorloom/core';

/**
 * An abc-parametrization of an MLP with `L` hidden layers (Yang & Hu 2021, §3): layer `l = 1 … L+1` has
 * weights `W^l = n^(−a_l)·w^l` with `w^l` initialised i.i.d. `N(0, n^(−2 b_l))`, and SGD trains `w` with learning
 * rate `η·n^(−c)`, where `n` is the common width. `a` and `b` have `L + 1` entries (input layer first, readout last).
 */
export interface AbcParametrization {
  /** Multiplier exponents `a_1 … a_{L+1}`. */
  readonly a: readonly number[];
  /** Initialisation exponents `b_1 … b_{L+1}`. */
  readonly b: readonly number[];
  /** Learning-rate exponent `c`. */
  readonly c: number;
}

/** Names of the presets of {@link abcPreset}. */
export type AbcPresetName = 'sp' | 'sp-lr-1/n' | 'ntk' | 'mean-field' | 'mup';

/** The preset names accepted by {@link abcPreset}. */
export const ABC_PRESET_NAMES: readonly AbcPresetName[] = ['sp', 'sp-lr-1/n', 'ntk', 'mean-field', 'mup'];

/** The classification of {@link classifyAbc}. */
export interface AbcClassification {
  /** Stable at initialisation: `a_1+b_1 = 0`, `a_l+b_l = 1/2` (2 ≤ l ≤ L), `a_{L+1}+b_{L+1} ≥ 1/2`. */
  stableAtInit: boolean;
  /** Stable in training as well: `r ≥ 0`, `2a_{L+1}+c ≥ 1` and `a_{L+1}+b_{L+1}+r ≥ 1`. */
  stable: boolean;
  /** Whether the function moves in the limit: `a_{L+1}+b_{L+1}+r = 1` or `2a_{L+1}+c = 1` (only meaningful when stable). */
  nontrivial: boolean;
  /** `r = min(a_{L+1}+b_{L+1}, 2a_{L+1}+c) + c − 1 + min_{l ≤ L}(2a_l + 1[l = 1])`: how fast features move (n^−r). */
  r: number;
  /** `'feature-learning'` (stable, nontrivial, r = 0), `'kernel'` (stable, nontrivial, r > 0), `'trivial'` or `'unstable'`. */
  regime: 'feature-learning' | 'kernel' | 'trivial' | 'unstable';
  /** Human-readable reasons for instability or triviality (empty when feature learning or kernel). */
  reasons: string[];
}

const EPS = 1e-12;

/** Checks an abc-parametrization object and returns the number of hidden layers L. */
export function checkAbc(p: unknown, name = 'parametrization'): number {
  if (typeof p !== 'object' || p === null) {
    throw new ArgumentError(
      `${name}: expected { a: number[], b: number[], c: number }, got ${describeValue(p)}`,
    );
  }
  const { a, b, c } = p as Record<string, unknown>;
  if (!Array.isArray(a) || a.length < 2) {
    throw new ArgumentError(
      `${name}.a: expected an array of at least 2 numbers (L + 1 layers, L ≥ 1), got ${describeValue(a)}`,
    );
  }
  if (!Array.isArray(b) || b.length !== a.length) {
    throw new ArgumentError(
      `${name}.b: expected an array of ${a.length} numbers (same length as a), got ${Array.isArray(b) ? `length ${b.length}` : describeValue(b)}`,
    );
  }
  a.forEach((v, i) => {
    assertNumber(v, `${name}.a[${i}]`);
  });
  b.forEach((v, i) => {
    assertNumber(v, `${name}.b[${i}]`);
  });
  assertNumber(c, `${name}.c`);
  return a.length - 1;
}

/**
 * A named abc-parametrization for an MLP with `hiddenLayers` hidden layers (table of Yang & Hu 2021, §3 and Def. 5.1):
 *
 * | name | a_1 | a_2..a_L | a_{L+1} | b_1 | b_2..b_L | b_{L+1} | c |
 * |---|---|---|---|---|---|---|---|
 * | `'sp'` (constant LR) | 0 | 0 | 0 | 0 | 1/2 | 1/2 | 0 |
 * | `'sp-lr-1/n'` | 0 | 0 | 0 | 0 | 1/2 | 1/2 | 1 |
 * | `'ntk'` | 0 | 1/2 | 1/2 | 0 | 0 | 0 | 0 |
 * | `'mean-field'` (L = 1 only) | 0 | – | 1 | 0 | – | 0 | −1 |
 * | `'mup'` | −1/2 | 0 | 1/2 | 1/2 | 1/2 | 1/2 | 0 |
 *
 * @param name - one of {@link ABC_PRESET_NAMES}
 * @param hiddenLayers - L ≥ 1 (must be 1 for `'mean-field'`)
 * @throws {@link ArgumentError} for an unknown name or a bad L
 *
 * @example
 * ```ts
 * classifyAbc(abcPreset('mup', 3)).regime; // 'feature-learning'
 * ```
 */
export function abcPreset(name: AbcPresetName, hiddenLayers: number): AbcParametrization {
  assertOneOf(name, ABC_PRESET_NAMES, 'name');
  assertInteger(hiddenLayers, 'hiddenLayers', { min: 1 });
  const L = hiddenLayers;
  const fill = (first: number, mid: number, last: number): number[] => [
    first,
    ...Array.from({ length: L - 1 }, () => mid),
    last,
  ];
  switch (name) {
    case 'sp':
      return { a: fill(0, 0, 0), b: fill(0, 0.5, 0.5), c: 0 };
    case 'sp-lr-1/n':
      return { a: fill(0, 0, 0), b: fill(0, 0.5, 0.5), c: 1 };
    case 'ntk':
      return { a: fill(0, 0.5, 0.5), b: fill(0, 0, 0), c: 0 };
    case 'mean-field':
      if (L !== 1) {
        throw new ArgumentError(
          `hiddenLayers: the mean-field parametrization is defined for L = 1 here, got ${L}`,
        );
      }
      return { a: [0, 1], b: [0, 0], c: -1 };
    case 'mup':
      return { a: fill(-0.5, 0, 0.5), b: fill(0.5, 0.5, 0.5), c: 0 };
  }
}

/**
 * The symmetry of abc-parametrizations: `(a_l, b_l, c) → (a_l + θ, b_l − θ, c − 2θ)` under SGD (the effective
 * weights and updates are unchanged), `c − θ` under Adam (whose update ignores gradient scale).
 *
 * @param p - the parametrization
 * @param theta - the shift θ (finite)
 * @param optimizer - `'sgd'` (default) or `'adam'`
 * @throws {@link ArgumentError} for a malformed parametrization or θ
 */
export function shiftAbc(
  p: AbcParametrization,
  theta: number,
  optimizer: 'sgd' | 'adam' = 'sgd',
): AbcParametrization {
  checkAbc(p, 'p');
  assertNumber(theta, 'theta');
  assertOneOf(optimizer, ['sgd', 'adam'] as const, 'optimizer');
  return {
    a: p.a.map((v) => v + theta),
    b: p.b.map((v) => v - theta),
    c: p.c - (optimizer === 'sgd' ? 2 : 1) * theta,
  };
}

/**
 * The feature-learning exponent `r` of Yang & Hu (2021, Def. 3.2, as recalled in the project notes):
 * `r = min(a_{L+1}+b_{L+1}, 2a_{L+1}+c) + c − 1 + min_{1 ≤ l ≤ L}(2a_l + 1[l = 1])`. Feature updates scale as n^−r.
 * @throws {@link ArgumentError} for a malformed parametrization
 */
export function abcR(p: AbcParametrization): number {
  const L = checkAbc(p, 'p');
  const aOut = p.a[L]!;
  const bOut = p.b[L]!;
  let minHidden = Number.POSITIVE_INFINITY;
  for (let l = 0; l < L; l++) minHidden = Math.min(minHidden, 2 * p.a[l]! + (l === 0 ? 1 : 0));
  return Math.min(aOut + bOut, 2 * aOut + p.c) + p.c - 1 + minHidden;
}

/**
 * Classifies an abc-parametrization (Yang & Hu 2021, Thm. 3.3 and the dynamical dichotomy Thm. 3.8): stable or not,
 * trivial or not, and — when stable and nontrivial — feature learning (r = 0) or kernel regime (r > 0).
 *
 * @param p - `{ a, b, c }` with `a.length = b.length = L + 1`, L ≥ 1
 * @throws {@link ArgumentError} for a malformed parametrization
 *
 * @example
 * ```ts
 * classifyAbc(abcPreset('ntk', 2)); // { regime: 'kernel', r: 0.5, … }
 * ```
 */
export function classifyAbc(p: AbcParametrization): AbcClassification {
  const L = checkAbc(p, 'p');
  const reasons: string[] = [];
  const a = p.a;
  const b = p.b;
  if (Math.abs(a[0]! + b[0]!) > EPS) reasons.push(`a_1 + b_1 = ${a[0]! + b[0]!} ≠ 0 (input layer)`);
  for (let l = 1; l < L; l++) {
    if (Math.abs(a[l]! + b[l]! - 0.5) > EPS) {
      reasons.push(`a_${l + 1} + b_${l + 1} = ${a[l]! + b[l]!} ≠ 1/2 (hidden layer)`);
    }
  }
  const outInit = a[L]! + b[L]!;
  if (outInit < 0.5 - EPS) reasons.push(`a_{L+1} + b_{L+1} = ${outInit} < 1/2 (output blows up at init)`);
  const stableAtInit = reasons.length === 0;
  const r = abcR(p);
  const logit = 2 * a[L]! + p.c;
  if (r < -EPS) reasons.push(`r = ${r} < 0 (features blow up in training)`);
  if (logit < 1 - EPS) reasons.push(`2a_{L+1} + c = ${logit} < 1 (output update blows up)`);
  if (outInit + r < 1 - EPS)
    reasons.push(`a_{L+1} + b_{L+1} + r = ${outInit + r} < 1 (output update blows up)`);
  const stable = reasons.length === 0;
  const nontrivial = Math.abs(outInit + r - 1) <= EPS || Math.abs(logit - 1) <= EPS;
  let regime: AbcClassification['regime'];
  if (!stable) regime = 'unstable';
  else if (!nontrivial) {
    regime = 'trivial';
    reasons.push(
      'neither a_{L+1} + b_{L+1} + r = 1 nor 2a_{L+1} + c = 1: the function does not move in the limit',
    );
  } else regime = Math.abs(r) <= EPS ? 'feature-learning' : 'kernel';
  return { stableAtInit, stable, nontrivial, r, regime, reasons };
}
