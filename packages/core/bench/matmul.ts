import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import { ready } from '../src/backend/ready.js';
import { batchMatMul, matMul } from '../src/products/matmul.js';
import { tf } from '../src/setup.js';
import { type BenchRow, formatTable, timeMs } from './util.js';

/**
 * GFLOP/s of `fn` (which returns a fresh tensor) for a product of `flops` floating-point operations.
 * Each timed sample runs enough calls to last about 40 ms and reads only the last output, so the
 * figure is the kernel's throughput rather than timer noise or read-back cost.
 */
function gflops(flops: number, fn: () => Tensor, repeats = 7): { ms: number; gflops: number } {
  const once = (): void => {
    const out = fn();
    out.dataSync();
    out.dispose();
  };
  const t0 = performance.now();
  once();
  const estimate = Math.max(0.01, performance.now() - t0);
  const inner = Math.max(1, Math.min(200, Math.round(40 / estimate)));
  const ms =
    timeMs(
      () => {
        for (let i = 0; i < inner - 1; i++) fn().dispose();
        once();
      },
      { warmup: 1, repeats, inner: 1 },
    ) / inner;
  return { ms, gflops: flops / ms / 1e6 };
}

/**
 * Core's products against plain `tf.matMul` on the WASM backend, measured in the same run: 2-D
 * (128–1024), transposed, and batched shapes. The right operand is fresh for every call in the
 * batched and transposed rows, as it is in attention and in gradients.
 */
export async function runMatmulBench(): Promise<BenchRow[]> {
  await ready({ backend: 'wasm' });
  const rows: BenchRow[] = [];
  const rand = (shape: number[]) => tf.randomNormal(shape, 0, 1, 'float32', 7);
  for (const n of [128, 256, 512, 1024]) {
    const a = rand([n, n]) as Tensor2D;
    const b = rand([n, n]) as Tensor2D;
    const flops = 2 * n ** 3;
    const plain = gflops(flops, () => tf.matMul(a, b));
    const ours = gflops(flops, () => matMul(a, b));
    rows.push({
      case: `2-D ${n}×${n}`,
      'tf.matMul GFLOP/s': plain.gflops,
      'core GFLOP/s': ours.gflops,
      ratio: ours.gflops / plain.gflops,
    });
    if (n === 512) {
      const t = gflops(flops, () => tf.matMul(a, b, false, true), 3);
      const o = gflops(flops, () => matMul(a, b, false, true));
      rows.push({
        case: `a·bᵀ ${n}×${n}`,
        'tf.matMul GFLOP/s': t.gflops,
        'core GFLOP/s': o.gflops,
        ratio: o.gflops / t.gflops,
        'vs core 2-D': o.gflops / ours.gflops,
      });
      const ta = gflops(flops, () => tf.matMul(a, b, true, false), 3);
      const oa = gflops(flops, () => matMul(a, b, true, false));
      rows.push({
        case: `aᵀ·b ${n}×${n}`,
        'tf.matMul GFLOP/s': ta.gflops,
        'core GFLOP/s': oa.gflops,
        ratio: oa.gflops / ta.gflops,
        'vs core 2-D': oa.gflops / ours.gflops,
      });
    }
    tf.dispose([a, b]);
  }
  for (const [batch, n] of [
    [8, 128],
    [64, 32],
    [4, 256],
  ] as const) {
    const a = rand([batch, n, n]);
    const b = rand([batch, n, n]);
    const a2 = rand([n, n]) as Tensor2D;
    const flops = batch * 2 * n ** 3;
    const plain = gflops(flops, () => tf.matMul(a as never, b as never), 3);
    const ours = gflops(flops, () => batchMatMul(a, b));
    // Core's own 2-D rate for the same work: `batch` 2-D products with a fresh right operand each.
    const twoD = gflops(flops, () =>
      tf.tidy(() => {
        let last: Tensor = tf.scalar(0);
        for (let i = 0; i < batch; i++) last = matMul(a2, tf.add(a2, i) as Tensor2D);
        return last;
      }),
    );
    rows.push({
      case: `batched ${batch}×${n}×${n}`,
      'tf.matMul GFLOP/s': plain.gflops,
      'core GFLOP/s': ours.gflops,
      ratio: ours.gflops / plain.gflops,
      'vs core 2-D': ours.gflops / twoD.gflops,
    });
    const shared = rand([n, n]) as Tensor2D;
    const plainShared = gflops(
      flops,
      () => tf.matMul(a as never, tf.tile(tf.expandDims(shared, 0), [batch, 1, 1]) as never),
      3,
    );
    const oursShared = gflops(flops, () => batchMatMul(a, shared));
    rows.push({
      case: `batched ${batch}×${n}×${n} · shared`,
      'tf.matMul GFLOP/s': plainShared.gflops,
      'core GFLOP/s': oursShared.gflops,
      ratio: oursShared.gflops / plainShared.gflops,
      'vs core 2-D': oursShared.gflops / twoD.gflops,
    });
    tf.dispose([a, b, a2, shared]);
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(formatTable(await runMatmulBench()));
}
