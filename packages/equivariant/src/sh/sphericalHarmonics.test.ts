import { readFileSync } from 'node:fs';
import { ArgumentError, gaussLegendre, NumericalError, ShapeError, tf } from '@tensorloom/core';
import { expectClose, expectNoLeak, gradCheck, testBackends, useBackend } from '@tensorloom/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  lmaxFromDim,
  shDim,
  shIndex,
  sphericalHarmonics,
  sphericalHarmonicsArray,
} from './sphericalHarmonics.js';

const ref = JSON.parse(
  readFileSync(new URL('../__fixtures__/e3nn-small-reference.json', import.meta.url), 'utf8'),
) as {
  spherical_harmonics: {
    vectors: number[][];
    e3nn_integral: number[][];
    e3nn_component: number[][];
    std_orthonormal: number[][];
  };
};
const sh = ref.spherical_harmonics;

/** Gauss–Legendre × uniform-φ grid on the sphere, exact for polynomials of degree ≤ 2·lmax+1. */
function grid(lmax: number): { points: Float64Array; weights: Float64Array } {
  const nt = lmax + 2;
  const np = 2 * lmax + 3;
  const { nodes, weights } = gaussLegendre(nt);
  const points = new Float64Array(nt * np * 3);
  const w = new Float64Array(nt * np);
  let k = 0;
  for (let i = 0; i < nt; i++) {
    for (let j = 0; j < np; j++) {
      const z = nodes[i] as number;
      const s = Math.sqrt(1 - z * z);
      const phi = (2 * Math.PI * (j + 0.3)) / np;
      points.set([s * Math.cos(phi), s * Math.sin(phi), z], 3 * k);
      w[k++] = ((weights[i] as number) * 2 * Math.PI) / np;
    }
  }
  return { points, weights: w };
}

describe('sphericalHarmonicsArray (float64)', () => {
  it('matches e3nn 0.5.6 (integral, component) and the standard basis reference to 1e-12', () => {
    for (const [key, options] of [
      ['e3nn_integral', { basis: 'e3nn' }],
      ['e3nn_component', { basis: 'e3nn', normalization: 'component' }],
      ['std_orthonormal', {}],
    ] as const) {
      sh.vectors.forEach((v, i) => {
        expectClose(sphericalHarmonicsArray(3, v, options), sh[key][i] as number[], { atol: 1e-12, rtol: 0 });
      });
    }
  });

  it('has the closed forms of l ≤ 2 at a random direction', () => {
    const [x, y, z] = [0.3, -0.5, 0.7];
    const r = Math.hypot(x, y, z);
    const [a, b, c] = [x / r, y / r, z / r];
    const s = 1 / Math.sqrt(Math.PI);
    const expected = [
      0.5 * s,
      Math.sqrt(3 / 4) * s * b,
      Math.sqrt(3 / 4) * s * c,
      Math.sqrt(3 / 4) * s * a,
      0.5 * Math.sqrt(15) * s * a * b,
      0.5 * Math.sqrt(15) * s * b * c,
      0.25 * Math.sqrt(5) * s * (3 * c * c - 1),
      0.5 * Math.sqrt(15) * s * a * c,
      0.25 * Math.sqrt(15) * s * (a * a - b * b),
    ];
    expectClose(sphericalHarmonicsArray(2, [x, y, z]), expected, { atol: 1e-14, rtol: 0 });
  });

  it('is orthonormal by quadrature to 1e-12 up to l = 12', () => {
    const lmax = 12;
    const dim = shDim(lmax);
    const { points, weights } = grid(lmax);
    const y = sphericalHarmonicsArray(lmax, points);
    let worst = 0;
    for (let a = 0; a < dim; a++) {
      for (let b = a; b < dim; b++) {
        let acc = 0;
        for (let k = 0; k < weights.length; k++)
          acc += (weights[k] as number) * (y[k * dim + a] as number) * (y[k * dim + b] as number);
        worst = Math.max(worst, Math.abs(acc - (a === b ? 1 : 0)));
      }
    }
    expect(worst).toBeLessThan(1e-12);
  });

  it('stays orthonormal and finite at high degree (l = 40) without factorial overflow', () => {
    const lmax = 40;
    const dim = shDim(lmax);
    const { points, weights } = grid(lmax);
    const y = sphericalHarmonicsArray(lmax, points);
    expect(y.every(Number.isFinite)).toBe(true);
    for (const [a, b] of [
      [shIndex(40, 0), shIndex(40, 0)],
      [shIndex(40, 27), shIndex(40, 27)],
      [shIndex(40, -40), shIndex(40, -40)],
      [shIndex(40, 5), shIndex(38, 5)],
    ] as const) {
      let acc = 0;
      for (let k = 0; k < weights.length; k++)
        acc += (weights[k] as number) * (y[k * dim + a] as number) * (y[k * dim + b] as number);
      expect(Math.abs(acc - (a === b ? 1 : 0))).toBeLessThan(1e-11);
    }
  });

  it('component and norm normalisations satisfy the addition theorem', () => {
    const lmax = 7;
    const v = [0.2, 0.9, -0.4];
    const comp = sphericalHarmonicsArray(lmax, v, { normalization: 'component' });
    const norm = sphericalHarmonicsArray(lmax, v, { normalization: 'norm', basis: 'e3nn' });
    for (let l = 0; l <= lmax; l++) {
      let sc = 0;
      let sn = 0;
      for (let m = -l; m <= l; m++) {
        sc += (comp[shIndex(l, m)] as number) ** 2;
        sn += (norm[shIndex(l, m)] as number) ** 2;
      }
      expect(sc).toBeCloseTo(2 * l + 1, 12);
      expect(sn).toBeCloseTo(1, 12);
    }
  });

  it('normalize: false gives homogeneous polynomials |r|^l Y(r̂)', () => {
    const v = [0.3, -1.2, 0.8];
    const unit = sphericalHarmonicsArray(5, v);
    const raw = sphericalHarmonicsArray(5, v, { normalize: false });
    const r = Math.hypot(...v);
    for (let l = 0; l <= 5; l++) {
      for (let m = -l; m <= l; m++) {
        expect(raw[shIndex(l, m)]).toBeCloseTo((unit[shIndex(l, m)] as number) * r ** l, 12);
      }
    }
  });

  it('rejects bad input with typed errors', () => {
    expect(() => sphericalHarmonicsArray(2, [0, 0, 0])).toThrow(ArgumentError);
    expect(() => sphericalHarmonicsArray(2, [0, 0])).toThrow(ShapeError);
    expect(() => sphericalHarmonicsArray(2, [0, Number.NaN, 1])).toThrow(NumericalError);
    expect(() => sphericalHarmonicsArray(-1, [0, 0, 1])).toThrow(ArgumentError);
    expect(() => sphericalHarmonicsArray(1.5, [0, 0, 1])).toThrow(ArgumentError);
    expect(() => sphericalHarmonicsArray(2, [0, 0, 1], { normalization: 'unit' as never })).toThrow(
      /normalization/,
    );
    expect(() => sphericalHarmonicsArray(2, [0, 0, 1], { basis: 'y' as never })).toThrow(/basis/);
    expect(sphericalHarmonicsArray(2, [0, 0, 0], { normalize: false })[0]).toBeCloseTo(
      0.5 / Math.sqrt(Math.PI),
      14,
    );
    expect(() => lmaxFromDim(8, 'x')).toThrow(ShapeError);
    expect(lmaxFromDim(16, 'x')).toBe(3);
  });
});

describe.each(testBackends())('sphericalHarmonics (tfjs, %s)', (backend) => {
  beforeAll(() => useBackend(backend));

  it('agrees with the float64 version for every option', async () => {
    const data = [0.3, -0.5, 0.7, -1, 0.2, 0.1, 0.0, 0.0, -2.0, 1, 1, 1];
    for (const options of [
      {},
      { basis: 'e3nn' as const, normalization: 'component' as const },
      { normalization: 'norm' as const, normalize: false },
    ]) {
      await expectNoLeak(() => {
        const v = tf.tensor2d(data, [4, 3]);
        const y = sphericalHarmonics(6, v, options);
        expect(y.shape).toEqual([4, 49]);
        expectClose(y, sphericalHarmonicsArray(6, data, options), { atol: 1e-5, rtol: 1e-4 });
        tf.dispose([v, y]);
      });
    }
  });

  it('keeps batch axes and has finite-difference gradients', () => {
    const v = tf.tensor3d([0.3, -0.5, 0.7, -1, 0.2, 0.1], [2, 1, 3]);
    const y = sphericalHarmonics(2, v);
    expect(y.shape).toEqual([2, 1, 9]);
    const w = tf.randomNormal([2, 1, 16], 0, 1, 'float32', 3);
    gradCheck((x) => tf.sum(tf.mul(sphericalHarmonics(3, x), w)), [v], { epsilon: 1e-2, rtol: 2e-2 });
    tf.dispose([v, y, w]);
  });

  it('rejects zero, non-finite and mis-shaped vectors', () => {
    const zero = tf.tensor2d([0, 0, 0], [1, 3]);
    const nan = tf.tensor2d([0, Number.NaN, 1], [1, 3]);
    const bad = tf.tensor2d([0, 1], [1, 2]);
    expect(() => sphericalHarmonics(2, zero)).toThrow(ArgumentError);
    expect(() => sphericalHarmonics(2, nan)).toThrow(NumericalError);
    expect(() => sphericalHarmonics(2, bad)).toThrow(ShapeError);
    tf.dispose([zero, nan, bad]);
  });
});
