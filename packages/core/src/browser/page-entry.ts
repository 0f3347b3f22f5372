/**
 * Runs in headless Chromium (bundled by browser.test.ts): initialises each backend through core's
 * `ready`, and checks a matrix product, a true batch of products, a column gather and a 2-D FFT on it against
 * float64 references computed here.
 */
import { gatherColumns, wasmGatherActive } from '../backend/columns.js';
import { ready } from '../backend/ready.js';
import { fft2d } from '../fft/complex_ops.js';
import { batchMatMul, matMul } from '../products/matmul.js';
import { tf } from '../setup.js';

/** What the page reports per backend (read by browser.test.ts). */
export interface BackendReport {
  backend: string;
  ok: boolean;
  matmulError?: number;
  fftError?: number;
  batchError?: number;
  gatherError?: number;
  wasmGather?: boolean;
  error?: string;
}

function maxRelError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  for (let i = 0; i < expected.length; i++)
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / (scale || 1));
  return worst;
}

async function check(backend: 'webgl' | 'wasm' | 'cpu'): Promise<BackendReport> {
  try {
    const info = await ready({ backend, wasmPaths: '/' });
    const h = 6;
    const w = 5;
    const x = Float32Array.from({ length: h * w }, (_, i) => Math.sin(i * 0.7) + 0.1 * i);
    // float64 references: x·xᵀ and the 2-D DFT of x.
    const gram = new Float64Array(h * h);
    for (let i = 0; i < h; i++)
      for (let j = 0; j < h; j++)
        for (let k = 0; k < w; k++) gram[i * h + j]! += x[i * w + k]! * x[j * w + k]!;
    const dftRe = new Float64Array(h * w);
    const dftIm = new Float64Array(h * w);
    for (let u = 0; u < h; u++)
      for (let v = 0; v < w; v++)
        for (let i = 0; i < h; i++)
          for (let j = 0; j < w; j++) {
            const a = -2 * Math.PI * ((u * i) / h + (v * j) / w);
            dftRe[u * w + v]! += x[i * w + j]! * Math.cos(a);
            dftIm[u * w + v]! += x[i * w + j]! * Math.sin(a);
          }
    const t = tf.tensor2d(x, [h, w]);
    const g = matMul(t, t, false, true);
    const { re, im } = fft2d(t, tf.zerosLike(t));
    // a true batch: [2, h, w] · [2, w, h] with the second operand x·2 (so c[0] = gram, c[1] = 4·gram)
    const a3 = tf.stack([t, tf.mul(t, 2)]);
    const b3 = tf.stack([tf.transpose(t), tf.mul(tf.transpose(t), 2)]);
    const c3 = batchMatMul(a3, b3);
    const batchRef = Float64Array.from(
      { length: 2 * h * h },
      (_, i) => (i < h * h ? 1 : 4) * gram[i % (h * h)]!,
    );
    // a column gather with repeats and a zero column
    const idx = Int32Array.of(4, -1, 0, 0, 2);
    const gathered = gatherColumns(t, idx);
    const gatherRef = Float64Array.from({ length: h * idx.length }, (_, i) => {
      const k = idx[i % idx.length]!;
      return k < 0 ? 0 : x[Math.floor(i / idx.length) * w + k]!;
    });
    const report: BackendReport = {
      backend: info.name,
      ok: true,
      matmulError: maxRelError(await g.data(), gram),
      fftError: Math.max(maxRelError(await re.data(), dftRe), maxRelError(await im.data(), dftIm)),
      batchError: maxRelError(await c3.data(), batchRef),
      gatherError: maxRelError(await gathered.data(), gatherRef),
      wasmGather: wasmGatherActive(),
    };
    tf.dispose([t, g, re, im, a3, b3, c3, gathered]);
    return report;
  } catch (error) {
    return { backend, ok: false, error: String((error as Error).message ?? error) };
  }
}

async function main(): Promise<void> {
  const auto = await ready({ wasmPaths: '/' });
  const results = [];
  for (const b of ['webgl', 'wasm', 'cpu'] as const) results.push(await check(b));
  (globalThis as Record<string, unknown>).__tensorloomResult = {
    auto: auto.name,
    environment: auto.environment,
    results,
  };
}

main().catch((error) => {
  (globalThis as Record<string, unknown>).__tensorloomResult = { fatal: String(error) };
});
