/** Runs every tour demo in its full setting, prints the rows and writes the SVG artifacts to docs/ (`node --conditions=@tensorloom/source --import tsx bench/tour-full.ts [id-filter]`). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { ready } from '@tensorloom/core';
import { demos } from '../src/tour.js';

await ready();
mkdirSync('docs', { recursive: true });
for (const d of demos) {
  const only = process.argv[2]?.split(',');
  if (only && !only.some((f) => d.id.includes(f))) continue;
  const t0 = performance.now();
  const r = await d.run({
    quick: false,
    seed: 0,
    signal: new AbortController().signal,
    onProgress: () => {},
  });
  console.log(`## ${d.id} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  for (const row of r.rows)
    console.log(
      `| ${row.metric} | ${row.value} | ${row.reference ?? ''} | ${row.setting ?? ''} | ${row.pass ?? ''} |`,
    );
  for (const a of r.artifacts ?? []) writeFileSync(`docs/${a.name}`, a.content);
}
