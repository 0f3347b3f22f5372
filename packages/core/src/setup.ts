/**
 * The one place in Tensorloom that imports TensorFlow.js. Importing the union package registers every
 * op, gradient and chained op; importing the WASM backend registers the `wasm` backend (Node and
 * browsers). Every other module, in core and in method packages, takes `tf` from here
 * (`import { tf } from '@tensorloom/core'`) so that exactly one tfjs instance is ever used.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

/** The tfjs namespace type, for annotations (`Tensor`, `Rank`, …). */
export type { DataType, Rank, Tensor, Tensor1D, Tensor2D, Tensor3D, Tensor4D } from '@tensorflow/tfjs';
export { tf };
