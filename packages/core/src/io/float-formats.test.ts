import { describe, expect, it } from 'vitest';
import {
  bfloat16BitsToFloat32,
  float8E4M3Table,
  float8E5M2ToFloat32Bits,
  float16BitsToFloat32,
  float16BitsToFloat32Bits,
  float32BitsToBfloat16Bits,
  float32BitsToFloat16Bits,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
} from './float-formats.js';

/** Independent reference: the value binary16 bits encode, from the IEEE 754 definition. */
function halfValue(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Independent reference: nearest binary16 by search over all finite halves (ties to even), from a float64. */
const positiveHalves: number[] = Array.from({ length: 0x7c00 }, (_, b) => halfValue(b)); // 0 … 65504
function nearestHalfBits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  // Beyond the midpoint between 65504 and 2^16 (65520) rounds to infinity (ties go to the even infinity).
  if (a >= 65520) return sign | 0x7c00;
  let lo = 0;
  let hi = positiveHalves.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (positiveHalves[mid]! <= a) lo = mid;
    else hi = mid;
  }
  const dLo = a - positiveHalves[lo]!;
  const dHi = positiveHalves[hi]! - a;
  const pick = dLo < dHi ? lo : dHi < dLo ? hi : lo % 2 === 0 ? lo : hi;
  return sign | pick;
}

function f32Bits(x: number): number {
  return new Uint32Array(new Float32Array([x]).buffer)[0]!;
}

describe('float16 conversions', () => {
  it('encodes hand-computed bit patterns', () => {
    const cases: [number, number][] = [
      [1, 0x3c00],
      [-2, 0xc000],
      [0.5, 0x3800],
      [65504, 0x7bff], // largest finite
      [65519.99, 0x7bff], // just below the midpoint to infinity
      [65520, 0x7c00], // the midpoint rounds to even: infinity
      [2 ** -14, 0x0400], // smallest normal
      [1023 * 2 ** -24, 0x03ff], // largest subnormal
      [2 ** -24, 0x0001], // smallest subnormal
      [2 ** -25, 0x0000], // tie between 0 and 2^-24: even is 0
      [3 * 2 ** -26, 0x0001], // 0.75 of the smallest subnormal rounds up
      [3 * 2 ** -25, 0x0002], // tie between 1 and 2 subnormal units: even is 2
      [2 ** -26, 0x0000],
      [Number.POSITIVE_INFINITY, 0x7c00],
      [Number.NEGATIVE_INFINITY, 0xfc00],
      [0, 0x0000],
      [-0, 0x8000],
      [0.1, 0x2e66],
      [1 / 3, 0x3555],
      [1 + 2 ** -11, 0x3c00], // tie → even (down)
      [1 + 3 * 2 ** -11, 0x3c02], // tie → even (up)
      [2049, 0x6800], // integer tie → 2048
      [2051, 0x6802], // integer tie → 2052
      [1 + 2 ** -11 + 2 ** -40, 0x3c01], // just above a tie: double rounding via float32 would give 0x3c00
      [1e6, 0x7c00],
    ];
    for (const [value, bits] of cases) {
      expect(float32ToFloat16Bits(value), `value ${value}`).toBe(bits);
    }
    expect(float32ToFloat16Bits(Number.NaN) & 0x7c00).toBe(0x7c00);
    expect(float32ToFloat16Bits(Number.NaN) & 0x3ff).not.toBe(0);
  });

  it('decodes all 65536 patterns as the IEEE definition says, and re-encodes them to the same bits', () => {
    const wrong: string[] = [];
    for (let bits = 0; bits < 0x10000; bits++) {
      const expected = halfValue(bits);
      const got = float16BitsToFloat32(bits);
      const ok = Number.isNaN(expected) ? Number.isNaN(got) : Object.is(got, expected);
      // Bit-level round trip keeps NaN payloads too.
      if (!ok || float32BitsToFloat16Bits(float16BitsToFloat32Bits(bits)) !== bits)
        wrong.push(bits.toString(16));
    }
    expect(wrong).toEqual([]);
  });

  it('rounds float64 and float32 inputs like a brute-force nearest-even search', () => {
    let seed = 12345;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const wrong: number[] = [];
    for (let i = 0; i < 20000; i++) {
      const magnitude = 2 ** (Math.floor(random() * 44) - 28); // 2^-28 … 2^15
      const x = (random() < 0.5 ? -1 : 1) * magnitude * (1 + random());
      if (float32ToFloat16Bits(x) !== nearestHalfBits(x)) wrong.push(x);
      const xf = Math.fround(x);
      if (float32BitsToFloat16Bits(f32Bits(xf)) !== nearestHalfBits(xf)) wrong.push(xf);
    }
    expect(wrong).toEqual([]);
    // Exact midpoints between neighbouring halves, in float32.
    for (let bits = 0x0000; bits < 0x7bff; bits += 37) {
      const mid = (halfValue(bits) + halfValue(bits + 1)) / 2;
      expect(float32ToFloat16Bits(mid)).toBe(bits % 2 === 0 ? bits : bits + 1);
    }
  });

  it('keeps NaN sign and payload top bits, forcing a quiet bit when the kept payload would be zero', () => {
    expect(float32BitsToFloat16Bits(0x7fc00000)).toBe(0x7e00);
    expect(float32BitsToFloat16Bits(0xffc02000)).toBe(0xfe01);
    expect(float32BitsToFloat16Bits(0x7f800001)).toBe(0x7e00); // payload only in dropped bits
    expect(float16BitsToFloat32Bits(0x7c01)).toBe(0x7f802000);
  });
});

describe('bfloat16 conversions', () => {
  it('encodes hand-computed bit patterns with ties to even', () => {
    expect(float32ToBfloat16Bits(1)).toBe(0x3f80);
    expect(float32ToBfloat16Bits(-2)).toBe(0xc000);
    expect(float32ToBfloat16Bits(Math.PI)).toBe(0x4049);
    expect(float32ToBfloat16Bits(1 + 2 ** -8)).toBe(0x3f80); // tie → even
    expect(float32ToBfloat16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82); // tie → even (up)
    expect(float32ToBfloat16Bits(1 + 2 ** -8 + 2 ** -30)).toBe(0x3f81); // above the tie (float64 input)
    expect(float32ToBfloat16Bits(3.4028234663852886e38)).toBe(0x7f80); // float32 max rounds to infinity
    expect(float32ToBfloat16Bits(Number.NEGATIVE_INFINITY)).toBe(0xff80);
    expect(float32ToBfloat16Bits(-0)).toBe(0x8000);
    expect(float32ToBfloat16Bits(2 ** -133)).toBe(0x0001); // float32 subnormal stays subnormal
    expect(float32BitsToBfloat16Bits(0x7f800001)).toBe(0x7fc0); // NaN payload lost in dropped bits: quiet
    expect(float32BitsToBfloat16Bits(0xff810000)).toBe(0xff81); // signalling NaN payload kept
  });

  it('decodes as the top half of float32', () => {
    expect(bfloat16BitsToFloat32(0x3f80)).toBe(1);
    expect(bfloat16BitsToFloat32(0xc049)).toBe(-3.140625);
    expect(bfloat16BitsToFloat32(0x7f80)).toBe(Number.POSITIVE_INFINITY);
    expect(Object.is(bfloat16BitsToFloat32(0x8000), -0)).toBe(true);
    for (let bits = 0; bits < 0x10000; bits += 7) {
      if (((bits >> 7) & 0xff) === 0xff && (bits & 0x7f) !== 0) continue; // NaNs
      expect(float32ToBfloat16Bits(bfloat16BitsToFloat32(bits))).toBe(bits);
    }
  });
});

describe('8-bit floats', () => {
  it('F8_E4M3 (E4M3FN) matches hand-computed values', () => {
    const t = float8E4M3Table();
    expect(t[0x38]).toBe(1);
    expect(t[0x7e]).toBe(448);
    expect(t[0xfe]).toBe(-448);
    expect(Number.isNaN(t[0x7f])).toBe(true);
    expect(Number.isNaN(t[0xff])).toBe(true);
    expect(t[0x01]).toBe(2 ** -9);
    expect(t[0x08]).toBe(2 ** -6);
    expect(t[0x3c]).toBe(1.5);
    expect(t[0x78]).toBe(256); // e = 15, m = 0 is finite in E4M3FN
  });

  it('F8_E5M2 matches hand-computed values', () => {
    const value = (b: number) => new Float32Array(new Uint32Array([float8E5M2ToFloat32Bits(b)]).buffer)[0];
    expect(value(0x3c)).toBe(1);
    expect(value(0x7b)).toBe(57344);
    expect(value(0x7c)).toBe(Number.POSITIVE_INFINITY);
    expect(value(0x01)).toBe(2 ** -16);
    expect(value(0xc0)).toBe(-2);
    expect(Number.isNaN(value(0x7d))).toBe(true);
  });
});
