import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { planArtifactFiles } from './files.js';
import { renderReport, type TourReport } from './html.js';

/**
 * Writes the tour report: `<outDir>/index.html` (self-contained, from {@link renderReport}) and
 * every artifact as its own file beside it. Resolves with the absolute path of `index.html`.
 */
export async function writeReport(outDir: string, report: TourReport): Promise<string> {
  const root = resolve(outDir);
  const plan = planArtifactFiles(report.demos);
  for (const files of plan.values()) {
    for (const { artifact, path } of files) {
      const target = join(root, ...path.split('/'));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, artifact.content, 'utf8');
    }
  }
  await mkdir(root, { recursive: true });
  const index = join(root, 'index.html');
  await writeFile(index, renderReport(report, plan), 'utf8');
  return index;
}
