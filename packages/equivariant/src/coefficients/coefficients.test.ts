import { readFileSync } from 'node:fs';
import { ArgumentError, gaussLegendre, logFactorial } from '@tensorloom/core';
import { randomRotation } from '@tensorloom/core/test';
import { describe, expect, it } from 'vitest';
import { wignerD } from '../rotation/wignerD.js';
import { shDim, shIndex, sphericalHarmonicsArray } from '../sh/sphericalHarmonics.js';
import { clebschGordan, complexGaunt, gauntCoefficient, ratioToNumber, wigner3jSymbol } from './exact.js';
import { wigner3j } from './wigner3j.js';

const ref = JSON.parse(
  readFileSync(new URL('../__fixtures__/e3nn-small-reference.json', import.meta.url), 'utf8'),
) as {
  wigner_3j_e3nn: { l1: number; l2: number; l3: number; shape: number[]; data: number[] }[];
  real_gaunt: { l1: number; m1: number; l2: number; m2: number; l3: number; m3: number; value: number }[];
};

/** Closed form of (l1 l2 l3; 0 0 0) (even sum), in log-factorials — independent of Racah's sum. */
function threeJZero(l1: number, l2: number, l3: number): number {
  const J = l1 + l2 + l3;
  if (J % 2 === 1) return 0;
  const g = J / 2;
  const log =
    0.5 *
      (logFactorial(J - 2 * l1) + logFactorial(J - 2 * l2) + logFactorial(J - 2 * l3) - logFactorial(J + 1)) +
    logFactorial(g) -
    logFactorial(g - l1) -
    logFactorial(g - l2) -
    logFactorial(g - l3);
  return (g % 2 === 0 ? 1 : -1) * Math.exp(log);
}

function triples(lmax: number): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let a = 0; a <= lmax; a++)
    for (let b = 0; b <= lmax; b++)
      for (let c = Math.abs(a - b); c <= Math.min(a + b, lmax); c++) out.push([a, b, c]);
  return out;
}

describe('wigner3jSymbol, clebschGordan, complexGaunt', () => {
  it('matches closed forms', () => {
    expect(wigner3jSymbol(1, 1, 2, 0, 0, 0)).toBeCloseTo(Math.sqrt(2 / 15), 15);
    expect(wigner3jSymbol(2, 2, 2, 0, 0, 0)).toBeCloseTo(-Math.sqrt(2 / 35), 15);
    for (const [a, b, c] of triples(12)) {
      expect(Math.abs(wigner3jSymbol(a, b, c, 0, 0, 0) - threeJZero(a, b, c))).toBeLessThan(1e-12);
    }
    for (let j = 0; j <= 15; j++) {
      for (let m = -j; m <= j; m++) {
        expect(wigner3jSymbol(j, j, 0, m, -m, 0)).toBeCloseTo(
          ((j - m) % 2 === 0 ? 1 : -1) / Math.sqrt(2 * j + 1),
          14,
        );
      }
    }
    expect(clebschGordan(1, 1, 1, -1, 0, 0)).toBeCloseTo(1 / Math.sqrt(3), 15);
    expect(clebschGordan(1, 1, 1, 0, 2, 1)).toBeCloseTo(Math.SQRT1_2, 15);
    expect(complexGaunt(0, 0, 1, 1, 1, -1)).toBeCloseTo(-1 / Math.sqrt(4 * Math.PI), 15);
  });

  it('is exact at large degrees (ratioToNumber has no overflow)', () => {
    expect(ratioToNumber(10n ** 400n, 3n * 10n ** 400n)).toBeCloseTo(1 / 3, 15);
    // (l l 0; 0 0 0) = (−1)^l/√(2l+1) at l = 120, factorials far beyond float range.
    expect(wigner3jSymbol(120, 120, 0, 0, 0, 0)).toBeCloseTo(1 / Math.sqrt(241), 15);
    expect(Math.abs(wigner3jSymbol(100, 90, 60, 0, 0, 0) - threeJZero(100, 90, 60))).toBeLessThan(1e-12);
  });

  it('satisfies the orthogonality relations to 1e-12', () => {
    const [l1, l2] = [5, 4];
    let worst = 0;
    for (let l3 = 1; l3 <= 9; l3++) {
      for (let l3b = 1; l3b <= 9; l3b++) {
        for (let m3 = -Math.min(l3, l3b); m3 <= Math.min(l3, l3b); m3++) {
          let acc = 0;
          for (let m1 = -l1; m1 <= l1; m1++) {
            const m2 = -m1 - m3;
            if (Math.abs(m2) > l2) continue;
            acc += wigner3jSymbol(l1, l2, l3, m1, m2, m3) * wigner3jSymbol(l1, l2, l3b, m1, m2, m3);
          }
          const inTriangle = l3 >= 1 && l3 <= 9;
          worst = Math.max(worst, Math.abs((2 * l3 + 1) * acc - (l3 === l3b && inTriangle ? 1 : 0)));
        }
      }
    }
    expect(worst).toBeLessThan(1e-12);
    // Σ_{l3 m3} CG CG = δ (completeness)
    let worstCg = 0;
    for (let m1 = -2; m1 <= 2; m1++)
      for (let m2 = -3; m2 <= 3; m2++)
        for (let m1b = -2; m1b <= 2; m1b++) {
          const m2b = m1 + m2 - m1b;
          if (Math.abs(m2b) > 3) continue;
          let acc = 0;
          for (let L = Math.max(1, Math.abs(m1 + m2)); L <= 5; L++)
            acc += clebschGordan(2, m1, 3, m2, L, m1 + m2) * clebschGordan(2, m1b, 3, m2b, L, m1 + m2);
          worstCg = Math.max(worstCg, Math.abs(acc - (m1 === m1b ? 1 : 0)));
        }
    expect(worstCg).toBeLessThan(1e-12);
  });

  it('has the permutation and reflection symmetries', () => {
    const cases: [number, number, number, number, number, number][] = [
      [3, 4, 5, 1, -3, 2],
      [6, 2, 5, -2, 2, 0],
      [7, 7, 7, 3, -5, 2],
    ];
    for (const [l1, l2, l3, m1, m2, m3] of cases) {
      const w = wigner3jSymbol(l1, l2, l3, m1, m2, m3);
      const odd = (l1 + l2 + l3) % 2 === 0 ? 1 : -1;
      expect(wigner3jSymbol(l2, l3, l1, m2, m3, m1)).toBeCloseTo(w, 14);
      expect(wigner3jSymbol(l2, l1, l3, m2, m1, m3)).toBeCloseTo(odd * w, 14);
      expect(wigner3jSymbol(l1, l2, l3, -m1, -m2, -m3)).toBeCloseTo(odd * w, 14);
    }
  });

  it('applies selection rules and rejects invalid arguments', () => {
    expect(wigner3jSymbol(1, 1, 3, 0, 0, 0)).toBe(0);
    expect(wigner3jSymbol(2, 2, 2, 1, 1, 1)).toBe(0);
    expect(complexGaunt(1, 0, 1, 0, 1, 0)).toBe(0);
    expect(gauntCoefficient(1, 1, 1, 0, 1, -1)).toBe(0);
    expect(() => wigner3jSymbol(1, 1, 1, 2, 0, 0)).toThrow(ArgumentError);
    expect(() => wigner3jSymbol(-1, 1, 1, 0, 0, 0)).toThrow(ArgumentError);
    expect(() => gauntCoefficient(1.5, 0, 1, 0, 1, 0)).toThrow(ArgumentError);
    expect(() => clebschGordan(1, 0, 1, 0, 1, 3)).toThrow(/m3/);
    expect(() => wigner3j(1, 1, 3)).toThrow(/triangle/);
  });
});

describe('gauntCoefficient (real, standard basis)', () => {
  it('equals the quadrature integral of three real SH to 1e-12 and matches the reference', () => {
    const lmax = 4;
    const nt = 3 * lmax;
    const np = 3 * lmax + 2;
    const { nodes, weights } = gaussLegendre(nt);
    const points: number[] = [];
    const w: number[] = [];
    for (let i = 0; i < nt; i++)
      for (let j = 0; j < np; j++) {
        const z = nodes[i] as number;
        const s = Math.sqrt(1 - z * z);
        const phi = (2 * Math.PI * j) / np;
        points.push(s * Math.cos(phi), s * Math.sin(phi), z);
        w.push(((weights[i] as number) * 2 * Math.PI) / np);
      }
    const dim = shDim(lmax);
    const y = sphericalHarmonicsArray(lmax, points);
    let worst = 0;
    for (const [l1, l2, l3] of triples(lmax)) {
      for (let m1 = -l1; m1 <= l1; m1++)
        for (let m2 = -l2; m2 <= l2; m2++)
          for (let m3 = -l3; m3 <= l3; m3++) {
            let acc = 0;
            for (let k = 0; k < w.length; k++) {
              acc +=
                (w[k] as number) *
                (y[k * dim + shIndex(l1, m1)] as number) *
                (y[k * dim + shIndex(l2, m2)] as number) *
                (y[k * dim + shIndex(l3, m3)] as number);
            }
            worst = Math.max(worst, Math.abs(acc - gauntCoefficient(l1, m1, l2, m2, l3, m3)));
          }
    }
    expect(worst).toBeLessThan(1e-12);
    for (const e of ref.real_gaunt) {
      expect(Math.abs(gauntCoefficient(e.l1, e.m1, e.l2, e.m2, e.l3, e.m3) - e.value)).toBeLessThan(1e-12);
    }
    expect(gauntCoefficient(1, 1, 1, 1, 0, 0)).toBeCloseTo(1 / Math.sqrt(4 * Math.PI), 15);
  });

  it('is symmetric under permutations and proportional to the real 3j tensor (Gaunt–CG relation)', () => {
    for (const [l1, l2, l3] of triples(5)) {
      if ((l1 + l2 + l3) % 2 === 1) continue;
      const w = wigner3j(l1, l2, l3);
      const scale =
        Math.sqrt(((2 * l1 + 1) * (2 * l2 + 1) * (2 * l3 + 1)) / (4 * Math.PI)) *
        Math.abs(threeJZero(l1, l2, l3));
      let dot = 0;
      const g: number[] = [];
      for (let m1 = -l1; m1 <= l1; m1++)
        for (let m2 = -l2; m2 <= l2; m2++)
          for (let m3 = -l3; m3 <= l3; m3++) {
            const value = gauntCoefficient(l1, m1, l2, m2, l3, m3);
            g.push(value);
            expect(Math.abs(gauntCoefficient(l2, m2, l3, m3, l1, m1) - value)).toBeLessThan(1e-14);
            expect(Math.abs(gauntCoefficient(l2, m2, l1, m1, l3, m3) - value)).toBeLessThan(1e-14);
          }
      g.forEach((v, i) => {
        dot += v * (w[i] as number);
      });
      const sign = Math.sign(dot);
      g.forEach((v, i) => {
        expect(Math.abs(v - sign * scale * (w[i] as number))).toBeLessThan(1e-12);
      });
    }
  });
});

describe('wigner3j (e3nn real basis)', () => {
  it('matches e3nn 0.5.6 wigner_3j for every triple with l ≤ 2 to 1e-12', () => {
    for (const e of ref.wigner_3j_e3nn) {
      const w = wigner3j(e.l1, e.l2, e.l3);
      expect(w.length).toBe(e.shape.reduce((a, b) => a * b, 1));
      w.forEach((v, i) => {
        expect(Math.abs(v - (e.data[i] as number))).toBeLessThan(1e-12);
      });
    }
  });

  it('has unit norm and is invariant under D⊗D⊗D in both bases (odd sums included)', () => {
    const R = randomRotation(11);
    for (const basis of ['standard', 'e3nn'] as const) {
      for (const [l1, l2, l3] of [
        [1, 1, 1],
        [2, 3, 4],
        [3, 3, 3],
        [4, 2, 5],
        [6, 5, 3],
      ] as const) {
        const w = wigner3j(l1, l2, l3);
        const [d1, d2, d3] = [2 * l1 + 1, 2 * l2 + 1, 2 * l3 + 1];
        const [D1, D2, D3] = [
          wignerD(l1, R, { basis }),
          wignerD(l2, R, { basis }),
          wignerD(l3, R, { basis }),
        ];
        let norm = 0;
        let worst = 0;
        for (let i = 0; i < d1; i++)
          for (let j = 0; j < d2; j++)
            for (let k = 0; k < d3; k++) {
              norm += (w[(i * d2 + j) * d3 + k] as number) ** 2;
              let acc = 0;
              for (let a = 0; a < d1; a++)
                for (let b = 0; b < d2; b++) {
                  const dab = (D1[i * d1 + a] as number) * (D2[j * d2 + b] as number);
                  if (dab === 0) continue;
                  for (let c = 0; c < d3; c++)
                    acc += dab * (D3[k * d3 + c] as number) * (w[(a * d2 + b) * d3 + c] as number);
                }
              worst = Math.max(worst, Math.abs(acc - (w[(i * d2 + j) * d3 + k] as number)));
            }
        expect(norm).toBeCloseTo(1, 13);
        expect(worst).toBeLessThan(1e-12);
      }
    }
  });

  it('is the Levi-Civita tensor for (1, 1, 1) in e3nn order (x, y, z)', () => {
    const w = wigner3j(1, 1, 1);
    const eps = (i: number, j: number, k: number): number => ((i - j) * (j - k) * (k - i)) / 2;
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++)
        for (let k = 0; k < 3; k++)
          expect(w[(i * 3 + j) * 3 + k]).toBeCloseTo(eps(i, j, k) / Math.sqrt(6), 14);
  });
});
