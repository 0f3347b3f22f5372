/**
 * Core's benchmark (`pnpm bench` in packages/core, or `loom bench core`): products and FFT, each as
 * a ratio against the plain or naive way measured in the same run.
 */
import { runFftBench } from './fft.js';
import { runMatmulBench } from './matmul.js';
import { formatTable } from './util.js';

console.log('## Products (WASM): core matMul/batchMatMul vs plain tf.matMul\n');
console.log(formatTable(await runMatmulBench()));
console.log('\n## FFT: core vs fft.js direct, tf.spectral.fft on CPU, and a naive DFT\n');
console.log(formatTable(await runFftBench()));
