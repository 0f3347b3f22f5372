/**
 * Float64 special functions and quadrature: log-factorials, log-gamma, digamma, log-binomials and
 * Gauss–Legendre rules.
 *
 * @module
 */
export { digamma } from './digamma.js';
export { logBinomial, logFactorial } from './factorial.js';
export { gaussLegendre, type QuadratureRule } from './gaussLegendre.js';
export { EULER_GAMMA, logGamma } from './logGamma.js';
