import type { TourArtifact } from '@tensorloom/core';
import type { DemoOutcome } from '../tour/run.js';

/** An artifact and the path (relative to the report directory, `/`-separated) it is written to. */
export interface ArtifactFile {
  /** The artifact as the demo returned it. */
  artifact: TourArtifact;
  /** Where it goes, relative to the report directory, e.g. `'core-self-check/fft.svg'`. */
  path: string;
}

/** A string safe as one path segment: letters, digits, `.`, `_`, `-`; no leading dot; never empty. */
export function safeFileName(name: string, fallback = 'artifact'): string {
  const cleaned = name
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[.-]+/, '')
    .replace(/-+$/, '');
  return cleaned.length > 0 ? cleaned.slice(0, 120) : fallback;
}

/**
 * Decides where every demo's artifacts are written: `<demo id as a file name>/<artifact name as a
 * file name>`, names made safe (no `..`, no separators) and made unique per demo directory.
 */
export function planArtifactFiles(outcomes: readonly DemoOutcome[]): Map<DemoOutcome, ArtifactFile[]> {
  const plan = new Map<DemoOutcome, ArtifactFile[]>();
  const usedDirs = new Set<string>(['index.html']);
  for (const outcome of outcomes) {
    let dir = safeFileName(outcome.id, 'demo');
    for (let n = 2; usedDirs.has(dir); n++) dir = `${safeFileName(outcome.id, 'demo')}-${n}`;
    usedDirs.add(dir);
    const usedNames = new Set<string>();
    const files = outcome.artifacts.map((artifact) => {
      const base = safeFileName(artifact.name);
      let name = base;
      for (let n = 2; usedNames.has(name); n++) {
        const dot = base.lastIndexOf('.');
        name = dot > 0 ? `${base.slice(0, dot)}-${n}${base.slice(dot)}` : `${base}-${n}`;
      }
      usedNames.add(name);
      return { artifact, path: `${dir}/${name}` };
    });
    plan.set(outcome, files);
  }
  return plan;
}
