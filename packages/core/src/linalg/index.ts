/**
 * Dense float64 linear algebra on {@link MatrixF64} (row-major `Float64Array`), built on ml-matrix: SVD,
 * symmetric eigendecomposition, Cholesky, LU solves, inverse, QR, determinants, plus conversions to and from
 * nested arrays and (float32) tfjs tensors.
 *
 * @module
 */
export { type CholeskyOptions, cholesky, logDet, solveCholesky } from './cholesky.js';
export { type EighOptions, type EighResult, eigh } from './eigh.js';
export { det, inverse, solve } from './lu.js';
export {
  assertMatrixF64,
  fromNestedArray,
  identityF64,
  type MatrixF64,
  matrixF64,
  toNestedArray,
} from './matrix.js';
export { matmulF64, transposeF64 } from './operations.js';
export { type QrOptions, type QrResult, qr } from './qr.js';
export { type SvdOptions, type SvdResult, svd } from './svd.js';
export { matrixFromTensor, matrixFromTensorSync, matrixToTensor } from './tensor.js';
export { type SolveTriangularOptions, solveTriangular } from './triangular.js';
