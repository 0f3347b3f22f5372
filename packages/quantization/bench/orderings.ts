/**
 * Augmented (Hessian + inter-layer dependency) against Hessian-only ordering across the whole accuracy–BOPs
 * frontier, over several training seeds and a larger test set than the quick tour. Each seed retrains the
 * models (initialisation, data order, training shuffle and probes all follow the seed). For each model and
 * seed: the signed area between the two orderings' prefix curves (`areaBetweenCurves`, augmented − Hessian;
 * > 0 means augmented is better), with the traces from plain Hutchinson (the tour's default estimator) and
 * from Hutch++ with Gauss–Newton products (exact in expectation, low variance).
 * Run with `node --conditions=@tensorloom/source --import tsx bench/orderings.ts` (env: SEEDS, TEST per class).
 */
import type { LayersModel } from '@tensorflow/tfjs';
import { ready, tf } from '@tensorloom/core';
import { loadMnist } from '../src/demo/mnistData.js';
import { mnistCnn, mnistMlp, mnistResNet, trainClassifier } from '../src/demo/models.js';
import {
  areaBetweenCurves,
  type BitConfig,
  type DependencyMeasure,
  frontierOf,
  layerHessianTraces,
  orderingCurve,
  pairwiseLossInteraction,
  paretoFrontier,
  quantizeModel,
  searchMixedPrecision,
} from '../src/index.js';

await ready({ backend: 'wasm' });
const seeds = Number(process.env.SEEDS ?? 5);
const testPerClass = Number(process.env.TEST ?? 100);
const trainPerClass = Number(process.env.TRAIN ?? 40);
const models = (process.env.MODELS ?? 'MLP,CNN,ResNet').split(',');
type Row = {
  model: string;
  traces: string;
  seed: number;
  env: number;
  path: number;
  gapH: number;
  gapA: number;
  same: boolean;
};
const rows: Row[] = [];
const t0 = performance.now();
for (let seed = 1; seed <= seeds; seed++) {
  const data = loadMnist(trainPerClass, testPerClass, seed);
  const calibration = {
    inputs: tf.slice(data.trainX, [0, 0], [32, 784]),
    targets: tf.slice(data.trainY, [0, 0], [32, 10]),
  };
  const builds: [string, () => LayersModel, number][] = [
    ['MLP', () => mnistMlp(32, seed), 12],
    ['CNN', () => mnistCnn(4, seed), 5],
    ['ResNet', () => mnistResNet(8, seed), 12],
  ];
  for (const [name, build, epochs] of builds.filter(([n]) => models.includes(n))) {
    const model = build();
    await trainClassifier(model, data.trainX, data.trainY, { epochs, seed, learningRate: 5e-3 });
    const qm = quantizeModel(model);
    qm.calibrate(calibration.inputs);
    const evaluate = (c: BitConfig): number => qm.accuracy(data.testX, data.testY, c);
    const { points } = await paretoFrontier(qm, { evaluate, candidates: [8, 4] });
    const frontier = frontierOf(points);
    let interaction: Promise<number[][]> | undefined;
    const dependency: DependencyMeasure = (m, c) => {
      interaction ??= Promise.resolve(pairwiseLossInteraction(m, c));
      return interaction;
    };
    for (const variant of ['hutchinson', 'hutch++ GN'] as const) {
      const traces = await layerHessianTraces(qm, {
        calibration,
        seed,
        tolerance: 0,
        ...(variant === 'hutchinson'
          ? { maxSamples: 16 }
          : { maxSamples: 100, estimator: 'hutch++' as const, method: 'gauss-newton' as const }),
      });
      const curves: Awaited<ReturnType<typeof orderingCurve>>[] = [];
      const orders: string[] = [];
      for (const order of ['hessian', 'augmented'] as const) {
        const r = await searchMixedPrecision(qm, {
          calibration,
          evaluate,
          tolerance: 0.01,
          candidates: [8, 4],
          cost: 'bops',
          order,
          seed,
          traces,
          dependency,
        });
        const groups = r.orders[0]!.groups;
        orders.push(groups.map((gr) => gr.join('+')).join('<'));
        curves.push(await orderingCurve(qm, { evaluate, order: groups }));
      }
      const row: Row = {
        model: name,
        traces: variant,
        seed,
        env: areaBetweenCurves(curves[1]!, curves[0]!),
        path: areaBetweenCurves(curves[1]!, curves[0]!, 'path'),
        gapH: areaBetweenCurves(frontier, curves[0]!),
        gapA: areaBetweenCurves(frontier, curves[1]!),
        same: orders[0] === orders[1],
      };
      rows.push(row);
      console.log(
        `${name} seed ${seed} ${variant}: area aug − hess ${(100 * row.env).toFixed(3)} pts (path ${(100 * row.path).toFixed(3)}); gaps H ${(100 * row.gapH).toFixed(3)} A ${(100 * row.gapA).toFixed(3)}; orders ${orders.join(' | ')}; W8A8 acc ${(100 * evaluate(qm.uniformConfig(8))).toFixed(2)}% (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
      );
    }
    qm.dispose();
    model.dispose();
  }
  tf.dispose([data.trainX, data.trainY, data.testX, data.testY, calibration.inputs, calibration.targets]);
}
const stat = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1));
  return `${(100 * m).toFixed(3)} ± ${((100 * sd) / Math.sqrt(xs.length)).toFixed(3)}`;
};
console.log(
  `\n${seeds} seeds, ${trainPerClass * 10} training / ${testPerClass * 10} test digits; areas in accuracy points (mean ± s.e. over seeds)`,
);
console.log(
  '| model | traces | augmented − Hessian (envelope) | (path) | wins / ties / losses (envelope) | identical orders | gap to exhaustive: Hessian | augmented |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const model of models) {
  for (const traces of ['hutchinson', 'hutch++ GN']) {
    const rs = rows.filter((r) => r.model === model && r.traces === traces);
    if (rs.length === 0) continue;
    const w = rs.filter((r) => r.env > 1e-9).length;
    const l = rs.filter((r) => r.env < -1e-9).length;
    console.log(
      `| ${model} | ${traces} | ${stat(rs.map((r) => r.env))} | ${stat(rs.map((r) => r.path))} | ${w} / ${rs.length - w - l} / ${l} | ${rs.filter((r) => r.same).length} of ${rs.length} | ${stat(rs.map((r) => r.gapH))} | ${stat(rs.map((r) => r.gapA))} |`,
    );
  }
}
