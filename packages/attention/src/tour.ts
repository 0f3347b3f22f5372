import type { Tensor, TourDemo, TourResult } from '@tensorloom/core';
import { linePlotSvg, randomUniformTensor, tf } from '@tensorloom/core';
import { match3Experiment } from './demo/match3.js';
import { tensorAttentionApprox } from './tensor/approx.js';
import { tensorAttention } from './tensor/exact.js';

const PAPER = 'Alman & Song, Generalizing matrix softmax attention to Kronecker computation (ICLR 2024)';

/** The package's `loom tour` demos. */
export const demos: TourDemo[] = [
  {
    id: 'attention/match3',
    title: 'Match3: tensor attention learns a triple-wise task that softmax attention cannot',
    paper: PAPER,
    async run(ctx): Promise<TourResult> {
      const steps = ctx.quick ? 300 : 600;
      const r = await match3Experiment({
        seed: ctx.seed,
        steps,
        onProgress: ctx.onProgress,
        signal: ctx.signal,
      });
      const majority = Math.max(r.positiveRate, 1 - r.positiveRate);
      const setting = `N = 5 tokens mod 11, width 8, 1 head, ${steps} Adam steps, batch 128`;
      return {
        rows: [
          {
            metric: 'tensor attention test accuracy',
            value: r.tensorAccuracy,
            reference: 'solves it (≈1)',
            setting,
            pass: r.tensorAccuracy >= 0.95,
          },
          {
            metric: 'softmax attention test accuracy (same width)',
            value: r.softmaxAccuracy,
            reference: 'fails (near the majority rate)',
            setting,
            pass: r.softmaxAccuracy < 0.85,
          },
          { metric: 'majority-class accuracy', value: majority, setting },
        ],
      };
    },
  },
  {
    id: 'attention/tensor-approx',
    title: 'Near-linear tensor attention: error vs guaranteed bound, and speed against the exact O(n³) form',
    paper: PAPER,
    async run(ctx): Promise<TourResult> {
      const d = 4;
      const n = ctx.quick ? 256 : 512;
      const mk = (i: number): Tensor =>
        randomUniformTensor([n, d], { seed: ctx.seed * 10 + i, min: -1, max: 1 });
      const [q, k1, k2, v1, v2] = [0, 1, 2, 3, 4].map(mk) as [Tensor, Tensor, Tensor, Tensor, Tensor];
      let exact: Tensor | undefined;
      try {
        let t0 = performance.now();
        const ex = tensorAttention(q, k1, k2, v1, v2, { signal: ctx.signal });
        exact = ex;
        ex.dataSync();
        const exactMs = performance.now() - t0;
        const errors: number[] = [];
        const bounds: number[] = [];
        let approxMs = 0;
        for (let g = 1; g <= 8; g++) {
          if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error('aborted');
          t0 = performance.now();
          const res = tensorAttentionApprox(q, k1, k2, v1, v2, { degree: g });
          res.output.dataSync();
          if (g === 4) approxMs = performance.now() - t0;
          const errT = tf.tidy(() => tf.max(tf.abs(tf.sub(res.output, ex))));
          const err = errT.dataSync()[0]!;
          tf.dispose([errT, res.output]);
          errors.push(err);
          bounds.push(res.bound);
          ctx.onProgress({ phase: 'degrees', step: g, total: 8, metrics: { error: err, bound: res.bound } });
        }
        const degrees = errors.map((_, i) => i + 1);
        const within = errors.every((e, i) => e <= bounds[i]! + 2e-6);
        const setting = `n = ${n}, d = ${d}, entries in [−1, 1], scale 1/d, WASM`;
        return {
          rows: [
            {
              metric: 'exact / approx (degree 4) time',
              value: exactMs / approxMs,
              reference: 'n^{1+o(1)} vs n³',
              setting,
              pass: exactMs / approxMs > 5,
            },
            {
              metric: 'degree-4 ℓ∞ error',
              value: errors[3]!,
              reference: '≤ 1e-3 (issue target)',
              setting,
              pass: errors[3]! <= 1e-3,
            },
            { metric: 'degree-4 guaranteed bound', value: bounds[3]!, setting },
            {
              metric: 'error within bound, degrees 1–8',
              value: within ? 'yes' : 'no',
              reference: 'yes',
              setting,
              pass: within,
            },
          ],
          artifacts: [
            {
              name: 'tensor-attention-error.svg',
              mediaType: 'image/svg+xml',
              content: linePlotSvg({
                title: `Polynomial-method error vs degree (n = ${n})`,
                series: [
                  { name: 'measured ℓ∞', x: degrees, y: errors.map((e) => Math.max(e, 1e-12)) },
                  { name: 'guaranteed bound', x: degrees, y: bounds },
                ],
                xLabel: 'degree',
                yLabel: 'ℓ∞ error',
                logY: true,
              }),
            },
          ],
        };
      } finally {
        tf.dispose([q, k1, k2, v1, v2, ...(exact ? [exact] : [])]);
      }
    },
  },
];
