/**
 * EBV generation benchmark (WASM, one thread): the official matrices' sizes and α (aassxun/
 * Equiangular-Basis-Vectors `EBV_pkl/*.pkl`, max |cos| decoded in the research notes) reached by the
 * default step rule, and the step rules compared on the same cases. Part of `pnpm bench`; on its own:
 * `node --conditions=@tensorloom/source --import tsx bench/ebv.ts`.
 */
import { ready } from '@tensorloom/core';
import { type GenerateEbvOptions, generateEBV, welchBound } from '../src/index.js';

await ready({ backend: 'wasm' });

/** Wall time (s) and CPU time of this process (s) of one generation. */
async function timed(
  n: number,
  d: number,
  options: GenerateEbvOptions,
): Promise<{ r: Awaited<ReturnType<typeof generateEBV>>; wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await generateEBV(n, d, options);
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { r, wall, cpu: (c.user + c.system) / 1e6 };
}

const only = process.env.EBV_ONLY; // e.g. `EBV_ONLY=official` skips the step-rule comparison

console.log(
  '\n## EBV generation at the official matrices’ sizes and α, WASM, default step rule (adam), seed 42\n',
);
console.log(
  '| N × d | Welch bound | official max \\|cos\\| = α | our max \\|cos\\| | converged | steps | seconds | CPU s |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const [n, d, alpha] of [
  [1000, 100, 0.135],
  [1000, 200, 0.08],
  [1000, 300, 0.058],
  [1000, 400, 0.044],
  [1000, 500, 0.035],
  [1000, 1000, 0.0004],
  [150, 150, 0.002],
  [81, 81, 0.002],
] as const) {
  const { r, wall, cpu } = await timed(n, d, { alpha, maxSteps: 5000 });
  console.log(
    `| ${n} × ${d} | ${welchBound(n, d).toFixed(4)} | ${alpha} | ${r.maxCos.toFixed(5)} | ${r.converged} | ${r.steps} | ${wall.toFixed(1)} | ${cpu.toFixed(1)} |`,
  );
}

if (only !== 'official') {
  console.log(
    "\n## EBV step rules (adam = default; adaptive = summed hinge, loss-decreasing rate; sgd = the script's lr 1e-3)\n",
  );
  console.log('| N × d | Welch bound | α | rule | steps | max \\|cos\\| | converged | seconds | s / step |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const [n, d, alpha, rule, steps] of [
    [81, 81, 0.002, 'sgd', 100_000],
    [81, 81, 0.002, 'adaptive', 100_000],
    [81, 81, 0.002, 'adam', 100_000],
    [150, 150, 0.002, 'sgd', 100_000],
    [150, 150, 0.002, 'adaptive', 100_000],
    [150, 150, 0.002, 'adam', 100_000],
    [1000, 512, 0.05, 'sgd', 300],
    [1000, 512, 0.05, 'adaptive', 300],
    [1000, 512, 0.05, 'adam', 300],
    [1000, 512, 0.04, 'adaptive', 300],
    [1000, 512, 0.04, 'adam', 300],
  ] as const) {
    const { r, wall } = await timed(n, d, { alpha, maxSteps: steps, stepRule: rule });
    console.log(
      `| ${n} × ${d} | ${welchBound(n, d).toFixed(4)} | ${alpha} | ${rule} | ${r.steps} | ${r.maxCos.toFixed(4)} | ${r.converged} | ${wall.toFixed(1)} | ${(wall / Math.max(1, r.steps)).toFixed(3)} |`,
    );
  }
}
