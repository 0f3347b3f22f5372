import { ArgumentError, assertInteger } from '@tensorloom/core';

/** Parity of an irrep: `1` for even (`e`), `-1` for odd (`o`). */
export type Parity = 1 | -1;

/** One irreducible representation of O(3): degree `l` and parity `p`. */
export interface Irrep {
  /** Degree (angular momentum), a non-negative integer. */
  readonly l: number;
  /** Parity: `1` even, `-1` odd. */
  readonly p: Parity;
}

/** A multiplicity times an irrep, e.g. `8x1o`. */
export interface MulIrrep {
  /** Number of copies. */
  readonly mul: number;
  /** The irrep. */
  readonly ir: Irrep;
}

const TERM = /^\s*(?:(\d+)\s*x\s*)?(\d+)\s*([eoyn])\s*$/;

/** Formats an irrep as e3nn does: `1o`, `2e`. */
export function formatIrrep(ir: Irrep): string {
  return `${ir.l}${ir.p === 1 ? 'e' : 'o'}`;
}

/**
 * A direct sum of irreps with multiplicities, e3nn-style: `"8x0e+4x1o+2x2e"`. Immutable.
 *
 * The flat layout matches e3nn: blocks in order, each `mul × ir` block being `mul` consecutive copies of
 * `2l+1` values with m ascending.
 *
 * @example
 * ```ts
 * const irreps = Irreps.parse('8x0e+4x1o');
 * irreps.dim; // 20
 * irreps.toString(); // "8x0e+4x1o"
 * ```
 */
export class Irreps {
  /** The blocks, in order. */
  readonly items: readonly MulIrrep[];

  /** Builds from a list of blocks (validated). */
  constructor(items: readonly MulIrrep[]) {
    for (const [i, item] of items.entries()) {
      assertInteger(item.mul, `items[${i}].mul`, { min: 0 });
      assertInteger(item.ir.l, `items[${i}].ir.l`, { min: 0 });
      if (item.ir.p !== 1 && item.ir.p !== -1) {
        throw new ArgumentError(`items[${i}].ir.p must be 1 or -1, got ${String(item.ir.p)}`);
      }
    }
    this.items = items.map((item) => ({ mul: item.mul, ir: { l: item.ir.l, p: item.ir.p } }));
  }

  /**
   * Parses an e3nn irreps string: terms `[mul x] l (e|o|y|n)` joined by `+` (`y` = (−1)^l, `n` = −(−1)^l are
   * accepted as e3nn's spherical-harmonic shorthands). An empty string gives the empty irreps.
   * @throws {@link ArgumentError} naming the malformed term and its position
   */
  static parse(text: string): Irreps {
    if (typeof text !== 'string') throw new ArgumentError(`irreps must be a string, got ${typeof text}`);
    if (text.trim() === '') return new Irreps([]);
    const items: MulIrrep[] = [];
    for (const [i, term] of text.split('+').entries()) {
      const match = TERM.exec(term);
      if (!match) {
        throw new ArgumentError(
          `irreps: malformed term ${i + 1} "${term.trim()}" in "${text}" (expected e.g. "4x1o", "2e" or "3x2y")`,
        );
      }
      const mul = match[1] === undefined ? 1 : Number(match[1]);
      const l = Number(match[2]);
      const letter = match[3];
      const natural: Parity = l % 2 === 0 ? 1 : -1;
      const p: Parity =
        letter === 'e' ? 1 : letter === 'o' ? -1 : letter === 'y' ? natural : (-natural as Parity);
      items.push({ mul, ir: { l, p } });
    }
    return new Irreps(items);
  }

  /** Accepts an `Irreps` or a string. */
  static from(value: Irreps | string): Irreps {
    return value instanceof Irreps ? value : Irreps.parse(value);
  }

  /** The irreps of spherical harmonics `0e+1o+2e+…+lmax` (parity (−1)^l), one copy each. */
  static sphericalHarmonics(lmax: number): Irreps {
    assertInteger(lmax, 'lmax', { min: 0 });
    return new Irreps(
      Array.from({ length: lmax + 1 }, (_, l) => ({
        mul: 1,
        ir: { l, p: (l % 2 === 0 ? 1 : -1) as Parity },
      })),
    );
  }

  /** Total dimension Σ mul·(2l+1). */
  get dim(): number {
    return this.items.reduce((acc, { mul, ir }) => acc + mul * (2 * ir.l + 1), 0);
  }

  /** Total multiplicity Σ mul. */
  get numIrreps(): number {
    return this.items.reduce((acc, { mul }) => acc + mul, 0);
  }

  /** Largest degree (−1 for the empty irreps). */
  get lmax(): number {
    return this.items.reduce((acc, { ir }) => Math.max(acc, ir.l), -1);
  }

  /** Start and end (exclusive) offsets of each block in the flat layout. */
  slices(): { start: number; end: number }[] {
    let offset = 0;
    return this.items.map(({ mul, ir }) => {
      const start = offset;
      offset += mul * (2 * ir.l + 1);
      return { start, end: offset };
    });
  }

  /** Merges neighbouring blocks with the same irrep and drops zero multiplicities (e3nn's `simplify`). */
  simplify(): Irreps {
    const out: MulIrrep[] = [];
    for (const item of this.items) {
      if (item.mul === 0) continue;
      const last = out[out.length - 1];
      if (last && last.ir.l === item.ir.l && last.ir.p === item.ir.p) {
        out[out.length - 1] = { mul: last.mul + item.mul, ir: last.ir };
      } else out.push(item);
    }
    return new Irreps(out);
  }

  /**
   * Stable sort by (l, p) with odd before even, as e3nn's `Irreps.sort`. Returns the sorted irreps and the
   * permutation `p` with `sorted.items[p[i]] = this.items[i]`.
   */
  sort(): { irreps: Irreps; p: number[] } {
    const order = this.items.map((item, i) => ({ item, i }));
    order.sort((a, b) => a.item.ir.l - b.item.ir.l || a.item.ir.p - b.item.ir.p || a.i - b.i);
    const p = new Array<number>(this.items.length);
    order.forEach(({ i }, k) => {
      p[i] = k;
    });
    return { irreps: new Irreps(order.map(({ item }) => item)), p };
  }

  /** True when every irrep has parity (−1)^l (the irreps a Gaunt product handles). */
  isNaturalParity(): boolean {
    return this.items.every(({ ir }) => ir.p === (ir.l % 2 === 0 ? 1 : -1));
  }

  /** e3nn's string form, e.g. `"8x0e+4x1o"`. */
  toString(): string {
    return this.items.map(({ mul, ir }) => `${mul}x${formatIrrep(ir)}`).join('+');
  }

  /** Equality of the block lists. */
  equals(other: Irreps | string): boolean {
    const o = Irreps.from(other);
    return (
      o.items.length === this.items.length &&
      o.items.every((it, i) => {
        const mine = this.items[i] as MulIrrep;
        return it.mul === mine.mul && it.ir.l === mine.ir.l && it.ir.p === mine.ir.p;
      })
    );
  }
}

/** The irreps in `ir1 ⊗ ir2`: l from |l1−l2| to l1+l2, parity p1·p2 (e3nn's `Irrep.__mul__`). */
export function irrepProduct(ir1: Irrep, ir2: Irrep): Irrep[] {
  const out: Irrep[] = [];
  const p = (ir1.p * ir2.p) as Parity;
  for (let l = Math.abs(ir1.l - ir2.l); l <= ir1.l + ir2.l; l++) out.push({ l, p });
  return out;
}
