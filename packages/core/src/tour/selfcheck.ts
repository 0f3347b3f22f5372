import type { Tensor, Tensor2D, Tensor4D } from '@tensorflow/tfjs';
import { backendInfo, ready } from '../backend/ready.js';
import { fft1d } from '../fft/complex_ops.js';
import { barChartSvg } from '../plot/svg.js';
import { matMul } from '../products/matmul.js';
import { tf } from '../setup.js';
import type { TourContext, TourDemo, TourResult, TourRow } from './types.js';

function medianMs(fn: () => void, repeats: number): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function run(f: () => Tensor | Tensor[]): void {
  const out = f();
  const outs = Array.isArray(out) ? out : [out];
  for (const o of outs) o.dataSync();
  tf.dispose(outs);
}

/** Checks that every filled kernel runs on the active backend (a tiny case each) and returns the failures. */
function exerciseFilledKernels(): string[] {
  const failures: string[] = [];
  const checks: Record<string, () => Tensor | Tensor[]> = {
    Einsum: () => tf.einsum('ij,jk->ik', tf.ones([2, 3]), tf.ones([3, 2])),
    UnsortedSegmentSum: () => tf.unsortedSegmentSum(tf.ones([4]), tf.tensor1d([0, 1, 1, 0], 'int32'), 2),
    'FFT/IFFT/Complex/Real/Imag': () =>
      tf.real(tf.spectral.ifft(tf.spectral.fft(tf.complex(tf.ones([8]), tf.zeros([8]))))),
    Conv2DBackpropFilter: () =>
      tf.grad((w: Tensor) => tf.sum(tf.conv2d(tf.ones([1, 4, 4, 1]) as Tensor4D, w as Tensor4D, 1, 'same')))(
        tf.ones([3, 3, 1, 1]),
      ),
    DepthwiseConv2dNativeBackprop: () =>
      tf.grads((x: Tensor, w: Tensor) => tf.sum(tf.depthwiseConv2d(x as Tensor4D, w as Tensor4D, 1, 'same')))(
        [tf.ones([1, 4, 4, 2]), tf.ones([3, 3, 2, 1])],
      ),
  };
  for (const [name, check] of Object.entries(checks)) {
    try {
      tf.tidy(() => run(check));
    } catch (error) {
      failures.push(`${name}: ${(error as Error).message}`);
    }
  }
  return failures;
}

async function selfCheck(context: TourContext): Promise<TourResult> {
  const total = 4;
  const info = backendInfo();
  const rows: TourRow[] = [
    {
      metric: 'backend',
      value: info.name,
      setting: `${info.environment}, SIMD ${info.simd}, threads ${info.threads}`,
    },
  ];
  context.onProgress({ phase: 'kernels', step: 1, total });
  const failures = exerciseFilledKernels();
  rows.push({
    metric: 'filled kernels working',
    value: failures.length === 0 ? `all (${info.filledKernels.length} filled)` : failures.join('; '),
    pass: failures.length === 0,
  });

  context.onProgress({ phase: 'matmul', step: 2, total });
  const n = context.quick ? 256 : 512;
  const repeats = context.quick ? 3 : 7;
  const a = tf.randomNormal([n, n], 0, 1, 'float32', context.seed) as Tensor2D;
  const b = tf.randomNormal([n, n], 0, 1, 'float32', context.seed + 1) as Tensor2D;
  const flops = 2 * n ** 3;
  const core2d = flops / medianMs(() => run(() => matMul(a, b)), repeats) / 1e6;
  const coreT = flops / medianMs(() => run(() => matMul(a, b, false, true)), repeats) / 1e6;
  const plainT = flops / medianMs(() => run(() => tf.matMul(a, b, false, true)), Math.min(3, repeats)) / 1e6;
  tf.dispose([a, b]);
  rows.push({
    metric: `matMul ${n}² GFLOP/s`,
    value: core2d,
    unit: 'GFLOP/s',
    reference: '≥ 30 (target, WASM)',
    setting: info.name,
  });
  rows.push({
    metric: `a·bᵀ ${n}² core / tf.matMul`,
    value: coreT / plainT,
    unit: '×',
    setting: `${coreT.toFixed(1)} vs ${plainT.toFixed(1)} GFLOP/s`,
  });

  if (context.signal.aborted) throw new Error('aborted');
  context.onProgress({ phase: 'fft', step: 3, total });
  const batch = context.quick ? 16 : 64;
  const len = 1024;
  const re = tf.randomNormal([batch, len], 0, 1, 'float32', context.seed + 2);
  const im = tf.zerosLike(re);
  const oursMs = medianMs(() => run(() => Object.values(fft1d(re, im))), repeats);
  const active = info.name;
  const values = re.dataSync();
  tf.dispose([re, im]);
  await ready({ backend: 'cpu' });
  const x = tf.complex(tf.tensor2d(values, [batch, len]), tf.zeros([batch, len]));
  const tfCpuMs = medianMs(() => run(() => tf.spectral.fft(x)), context.quick ? 1 : 2);
  x.dispose();
  await ready({ backend: active as 'wasm' });
  rows.push({
    metric: `FFT ${batch}×${len} core / tf.spectral.fft (CPU)`,
    value: tfCpuMs / oursMs,
    unit: '× faster',
    reference: '≥ 100 (target)',
    setting: `${oursMs.toFixed(2)} ms vs ${tfCpuMs.toFixed(1)} ms`,
    pass: tfCpuMs / oursMs >= 100,
  });
  context.onProgress({ phase: 'done', step: 4, total });
  return {
    rows,
    artifacts: [
      {
        name: 'core-throughput.svg',
        mediaType: 'image/svg+xml',
        content: barChartSvg({
          title: `core self-check on ${info.name}`,
          unit: 'GFLOP/s',
          bars: [
            { label: `core matMul ${n}²`, value: core2d },
            { label: `core a·bᵀ ${n}²`, value: coreT },
            { label: `tf.matMul a·bᵀ ${n}²`, value: plainT },
          ],
        }),
      },
    ],
  };
}

/** Core's self-check for `loom tour`: backend, filled kernels, product and FFT throughput. */
export const selfCheckDemo: TourDemo = {
  id: 'core/self-check',
  title: 'Core self-check: backend, filled kernels, matMul and FFT throughput',
  paper: 'shared plumbing',
  run: selfCheck,
};
