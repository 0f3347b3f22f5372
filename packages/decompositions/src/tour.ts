import {
  linePlotSvg,
  type TourContext,
  type TourDemo,
  type TourResult,
  type TourRow,
} from '@tensorloom/core';
import { officialSynthetic, spatioTemporalField } from './data/generators.js';
import { type CompareRow, compareMethods } from './eval/compare.js';
import { funbat } from './funbat/funbat.js';

const PAPER =
  'Fang et al., Functional Bayesian Tucker Decomposition for Continuous-indexed Tensor Data (ICLR 2024)';

async function syntheticDemo(ctx: TourContext): Promise<TourResult> {
  const { train, test } = officialSynthetic({ seed: ctx.seed });
  const epochs = ctx.quick ? 30 : 100;
  const model = await funbat({
    indexes: train.indexes,
    values: train.values,
    rank: 1,
    decomposition: 'cp',
    kernel: 'matern32',
    lengthscale: 0.1,
    variance: 0.5,
    epochs,
    damping: 0.1,
    seed: ctx.seed,
    test,
    onProgress: ctx.onProgress,
    signal: ctx.signal,
  });
  const last = model.history.at(-1);
  const mean = train.values.reduce((a, b) => a + b, 0) / train.values.length;
  let se = 0;
  for (const v of test.values) se += (v - mean) ** 2;
  const meanRmse = Math.sqrt(se / test.values.length);
  const setting = `official synthetic (1,350 entries, 50/50 split), FunBaT-CP R=1, Matérn-3/2 ℓ=0.1 σ²=0.5, ${epochs} epochs, seed ${ctx.seed}`;
  const rows: TourRow[] = [
    {
      metric: 'FunBaT-CP test RMSE',
      value: last?.testRmse ?? Number.NaN,
      reference: 0.004,
      setting,
      pass: (last?.testRmse ?? Number.POSITIVE_INFINITY) < 0.01,
    },
    {
      metric: 'FunBaT-CP test MAE',
      value: last?.testMae ?? Number.NaN,
      reference: 0.002,
      setting,
      pass: (last?.testMae ?? 1) < 0.005,
    },
    {
      metric: 'mean-predictor test RMSE',
      value: meanRmse,
      reference: '0.066 (reference epoch-0 RMSE)',
      setting,
    },
  ];
  const curve = linePlotSvg({
    title: 'FunBaT-CP on the official synthetic tensor',
    series: [
      { name: 'train RMSE', x: model.history.map((h) => h.epoch), y: model.history.map((h) => h.rmse) },
      {
        name: 'test RMSE',
        x: model.history.map((h) => h.epoch),
        y: model.history.map((h) => h.testRmse ?? Number.NaN),
      },
    ],
    xLabel: 'epoch',
    yLabel: 'RMSE',
    logY: true,
  });
  return {
    rows,
    artifacts: [{ name: 'funbat-synthetic-curve.svg', mediaType: 'image/svg+xml', content: curve }],
  };
}

async function comparisonDemo(ctx: TourContext): Promise<TourResult> {
  const seeds = ctx.quick ? [ctx.seed] : [0, 1, 2, 3, 4].map((s) => s + ctx.seed);
  const ranks = ctx.quick ? [2, 3] : [2, 3, 5, 7];
  const all: CompareRow[] = [];
  for (const [i, seed] of seeds.entries()) {
    if (ctx.signal.aborted) break;
    const split = spatioTemporalField(ctx.quick ? { seed, sites: 25, times: 40 } : { seed });
    const rows = await compareMethods(split, {
      ranks,
      seed,
      lengthscale: 0.3,
      variance: 1,
      epochs: ctx.quick ? 15 : 30,
      bins: 15,
      signal: ctx.signal,
      onProgress: (e) => ctx.onProgress({ ...e, phase: `compare seed ${i + 1}/${seeds.length}` }),
    });
    all.push(...rows);
  }
  const keys = [...new Set(all.map((r) => `${r.method}|${r.rank}`))];
  const out: TourRow[] = [];
  const meanRmse = all
    .filter((r) => r.method === 'mean')
    .reduce((a, r, _, arr) => a + r.rmse / arr.length, 0);
  for (const key of keys) {
    const [method, rank] = key.split('|') as [string, string];
    const rs = all.filter((r) => r.method === method && String(r.rank) === rank);
    const avg = (f: (r: CompareRow) => number) => rs.reduce((a, r) => a + f(r), 0) / rs.length;
    const sd = (f: (r: CompareRow) => number) =>
      Math.sqrt(rs.reduce((a, r) => a + (f(r) - avg(f)) ** 2, 0) / rs.length);
    const setting = `spatio-temporal field (lat, lon, time; test = unseen sites/times), ${seeds.length} seed(s)${method === 'mean' ? '' : `, R=${rank}`}`;
    out.push({
      metric: `${method}${method === 'mean' ? '' : ` R=${rank}`} test RMSE`,
      value: `${avg((r) => r.rmse).toFixed(4)} ± ${sd((r) => r.rmse).toFixed(4)} (MAE ${avg((r) => r.mae).toFixed(4)})`,
      reference: method.startsWith('FunBaT')
        ? 'paper: FunBaT best on all datasets (Table 1, not retrieved)'
        : '',
      setting,
      ...(method.startsWith('FunBaT') ? { pass: avg((r) => r.rmse) < meanRmse } : {}),
    });
  }
  return { rows: out };
}

/** The decompositions package's demos for `loom tour`. */
export const demos: TourDemo[] = [
  {
    id: 'decompositions/funbat-synthetic',
    title: 'FunBaT-CP on the official synthetic tensor',
    paper: PAPER,
    run: syntheticDemo,
  },
  {
    id: 'decompositions/funbat-comparison',
    title: 'FunBaT vs discrete Tucker/CP-ALS on a continuous field',
    paper: PAPER,
    run: comparisonDemo,
  },
];
