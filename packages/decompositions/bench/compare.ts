/**
 * The fuller FunBaT comparison (run: `node --conditions=@tensorloom/source --import tsx bench/compare.ts`):
 * FunBaT, FunBaT-CP, Tucker-ALS and CP-ALS (on a 15³ grid) and the mean predictor on the spatio-temporal field,
 * test entries at unseen sites/times, ranks {2, 3, 5, 7}, 5 seeds; prints mean ± std test RMSE and MAE.
 */
import { ready } from '@tensorloom/core';
import { spatioTemporalField } from '../src/data/generators.js';
import { type CompareRow, compareMethods } from '../src/eval/compare.js';

await ready();
const seeds = [0, 1, 2, 3, 4];
const ranks = process.argv.includes('--quick') ? [2, 3] : [2, 3, 5, 7];
const all: CompareRow[] = [];
for (const seed of seeds) {
  const rows = await compareMethods(spatioTemporalField({ seed }), {
    ranks,
    seed,
    lengthscale: 0.3,
    variance: 1,
    epochs: 30,
    bins: 15,
  });
  all.push(...rows);
  console.error(`seed ${seed} done`);
}
const stat = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return `${m.toFixed(3)} ± ${Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length).toFixed(3)}`;
};
console.log('| method | R | test RMSE | test MAE | fit s |');
console.log('|---|---|---|---|---|');
for (const key of [...new Set(all.map((r) => `${r.method}|${r.rank}`))]) {
  const [method, rank] = key.split('|');
  const rs = all.filter((r) => `${r.method}|${r.rank}` === key);
  console.log(
    `| ${method} | ${rank === '0' ? '–' : rank} | ${stat(rs.map((r) => r.rmse))} | ${stat(rs.map((r) => r.mae))} | ${(rs.reduce((a, r) => a + r.ms, 0) / rs.length / 1000).toFixed(2)} |`,
  );
}
