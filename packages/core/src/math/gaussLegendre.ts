import { assertInteger, assertNumber } from '../errors/validate.js';

/** Nodes and weights of a quadrature rule: ∫ f ≈ Σ_i weights[i] · f(nodes[i]). */
export interface QuadratureRule {
  /** Abscissae, ascending. */
  nodes: Float64Array;
  /** Weights, one per node; they sum to the length of the interval. */
  weights: Float64Array;
}

const cache = new Map<number, QuadratureRule>();

/**
 * Evaluates P_n(x) and P_{n−1}(x) by the three-term recurrence k P_k = (2k−1) x P_{k−1} − (k−1) P_{k−2}.
 * Writes them into `out` to avoid allocation.
 */
function legendrePair(n: number, x: number, out: Float64Array): void {
  let previous = 1;
  let current = x;
  for (let k = 2; k <= n; k++) {
    const next = ((2 * k - 1) * x * current - (k - 1) * previous) / k;
    previous = current;
    current = next;
  }
  out[0] = current;
  out[1] = previous;
}

/** The n-point rule on [−1, 1]: Newton's method on P_n from Tricomi's initial guesses, mirrored. */
function computeRule(n: number): QuadratureRule {
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  const pair = new Float64Array(2);
  const half = Math.floor(n / 2);
  for (let i = 0; i < half; i++) {
    // i-th largest root; Tricomi: x ≈ (1 − (n−1)/(8n³)) cos(π(4i+3)/(4n+2)).
    let x = (1 - (n - 1) / (8 * n * n * n)) * Math.cos((Math.PI * (4 * i + 3)) / (4 * n + 2));
    // Newton converges quadratically: once a step is below 1e−12, one more step reaches rounding level.
    let converged = false;
    for (let iteration = 0; iteration < 100; iteration++) {
      legendrePair(n, x, pair);
      // P_n'(x) = n (x P_n − P_{n−1}) / (x² − 1)
      const slope = (n * (x * pair[0]! - pair[1]!)) / ((x - 1) * (x + 1));
      const step = pair[0]! / slope;
      x -= step;
      if (converged) break;
      if (Math.abs(step) <= 1e-12) converged = true;
    }
    legendrePair(n, x, pair);
    const derivative = (n * (x * pair[0]! - pair[1]!)) / ((x - 1) * (x + 1));
    const w = 2 / ((1 - x) * (1 + x) * derivative * derivative);
    nodes[n - 1 - i] = x;
    nodes[i] = -x;
    weights[n - 1 - i] = w;
    weights[i] = w;
  }
  if (n % 2 === 1) {
    // Middle node x = 0: P_n'(0) = n P_{n−1}(0).
    legendrePair(n, 0, pair);
    const derivative = n * pair[1]!;
    nodes[half] = 0;
    weights[half] = 2 / (derivative * derivative);
  }
  return { nodes, weights };
}

/**
 * Gauss–Legendre quadrature with `n` points on `[a, b]`: integrates polynomials of degree ≤ 2n − 1 exactly.
 *
 * Nodes are the roots of the Legendre polynomial P_n, found by Newton's method (accurate to ~1e−15 for n up
 * to several hundred; the cost is O(n²) once per n, then cached). Nodes come out ascending and symmetric about
 * the midpoint; the returned arrays are fresh copies, safe to modify.
 *
 * @param n - number of points, an integer ≥ 1
 * @param a - lower limit (default −1)
 * @param b - upper limit (default 1)
 * @throws {@link ArgumentError} when `n` is not a positive integer or `a`, `b` are not finite
 *
 * @example
 * ```ts
 * const { nodes, weights } = gaussLegendre(8, 0, Math.PI);
 * let integral = 0;
 * for (let i = 0; i < 8; i++) integral += weights[i] * Math.sin(nodes[i]); // ≈ 2
 * ```
 */
export function gaussLegendre(n: number, a = -1, b = 1): QuadratureRule {
  assertInteger(n, 'n', { min: 1 });
  assertNumber(a, 'a');
  assertNumber(b, 'b');
  let rule = cache.get(n);
  if (rule === undefined) {
    rule = computeRule(n);
    cache.set(n, rule);
  }
  const center = 0.5 * (a + b);
  const halfLength = 0.5 * (b - a);
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    nodes[i] = center + halfLength * rule.nodes[i]!;
    weights[i] = halfLength * rule.weights[i]!;
  }
  return { nodes, weights };
}
