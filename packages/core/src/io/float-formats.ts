/**
 * Conversions between float32/float64 values and the narrow float formats that safetensors files carry:
 * IEEE 754 binary16 (`F16`), bfloat16 (`BF16`) and the two OCP 8-bit formats (`F8_E4M3`, `F8_E5M2`).
 * Narrowing rounds to nearest, ties to even, directly from the source precision (no double rounding);
 * widening is exact.
 *
 * @module
 */

const scratch = new DataView(new ArrayBuffer(4));

/** The raw bits of `Math.fround(value)` as an unsigned 32-bit integer. */
function float32Bits(value: number): number {
  scratch.setFloat32(0, value);
  return scratch.getUint32(0);
}

/** The float32 whose raw bits are `bits` (an unsigned 32-bit integer). */
function float32FromBits(bits: number): number {
  scratch.setUint32(0, bits >>> 0);
  return scratch.getFloat32(0);
}

/**
 * The float32 bits of `value` rounded to odd: truncate toward zero and set the last bit when inexact. A
 * float32 rounded to odd rounds correctly again to any format with at most 22 significand bits, so float64
 * sources narrow to float16/bfloat16 with one correct rounding instead of two.
 */
export function float32BitsRoundToOdd(value: number): number {
  const nearest = Math.fround(value);
  let bits = float32Bits(nearest);
  if (nearest === value || Number.isNaN(value)) return bits;
  if (Math.abs(nearest) > Math.abs(value)) bits = (bits - 1) >>> 0; // step back toward zero (magnitude)
  return (bits | 1) >>> 0;
}

/**
 * Rounds float32 bits to binary16 bits, round to nearest, ties to even. NaN keeps its sign and the top of
 * its payload (quiet bit forced when the kept payload would be zero); overflow gives ±Infinity.
 */
export function float32BitsToFloat16Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) {
    if (mantissa === 0) return sign | 0x7c00;
    const payload = mantissa >>> 13;
    return sign | 0x7c00 | (payload === 0 ? 0x200 : payload);
  }
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // Result is subnormal (or zero) in binary16; values below 2^-25 round to zero.
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    let half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (half & 1) === 1)) half += 1;
    return sign | half; // a carry into bit 10 yields the smallest normal, as it should
  }
  let half = (halfExponent << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half += 1; // carry may reach Infinity: correct
  return sign | half;
}

/** Widens binary16 bits to float32 bits exactly (NaN payloads kept). */
export function float16BitsToFloat32Bits(half: number): number {
  const sign = (half & 0x8000) << 16;
  const exponent = (half >>> 10) & 0x1f;
  let mantissa = half & 0x3ff;
  if (exponent === 0) {
    if (mantissa === 0) return sign >>> 0;
    let e = 113; // 127 - 15 + 1
    while ((mantissa & 0x400) === 0) {
      mantissa <<= 1;
      e -= 1;
    }
    return (sign | (e << 23) | ((mantissa & 0x3ff) << 13)) >>> 0;
  }
  if (exponent === 0x1f) return (sign | 0x7f800000 | (mantissa << 13)) >>> 0;
  return (sign | ((exponent + 112) << 23) | (mantissa << 13)) >>> 0;
}

/**
 * Rounds float32 bits to bfloat16 bits (the top 16 bits), round to nearest, ties to even. NaN keeps its sign
 * and payload top (quiet bit forced when the kept payload would be zero).
 */
export function float32BitsToBfloat16Bits(bits: number): number {
  bits >>>= 0;
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) {
    const top = bits >>> 16;
    return (top & 0x7f) === 0 ? top | 0x40 : top;
  }
  return (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
}

/**
 * Converts a number to IEEE 754 binary16 bits, rounding to nearest with ties to even directly from the
 * float64 value. Overflow gives ±Infinity (`0x7c00`/`0xfc00`), NaN gives `0x7e00`.
 *
 * @example
 * ```ts
 * float32ToFloat16Bits(1);      // 0x3c00
 * float32ToFloat16Bits(65504);  // 0x7bff, the largest finite half
 * ```
 */
export function float32ToFloat16Bits(value: number): number {
  return float32BitsToFloat16Bits(float32BitsRoundToOdd(value));
}

/**
 * The number that IEEE 754 binary16 bits encode (exact).
 *
 * @example
 * ```ts
 * float16BitsToFloat32(0x3c00); // 1
 * float16BitsToFloat32(0x0001); // 2 ** -24
 * ```
 */
export function float16BitsToFloat32(bits: number): number {
  return float32FromBits(float16BitsToFloat32Bits(bits & 0xffff));
}

/**
 * Converts a number to bfloat16 bits, rounding to nearest with ties to even directly from the float64 value.
 *
 * @example
 * ```ts
 * float32ToBfloat16Bits(1); // 0x3f80
 * ```
 */
export function float32ToBfloat16Bits(value: number): number {
  return float32BitsToBfloat16Bits(float32BitsRoundToOdd(value));
}

/**
 * The number that bfloat16 bits encode (exact).
 *
 * @example
 * ```ts
 * bfloat16BitsToFloat32(0x3f80); // 1
 * ```
 */
export function bfloat16BitsToFloat32(bits: number): number {
  return float32FromBits((bits & 0xffff) << 16);
}

let e4m3Table: Float32Array | undefined;

/**
 * The 256 values of OCP `F8_E4M3` (E4M3FN: bias 7, no infinities, `S.1111.111` is NaN, max 448), indexed by
 * byte.
 */
export function float8E4M3Table(): Float32Array {
  if (e4m3Table !== undefined) return e4m3Table;
  const table = new Float32Array(256);
  for (let byte = 0; byte < 256; byte++) {
    const sign = byte & 0x80 ? -1 : 1;
    const exponent = (byte >>> 3) & 0xf;
    const mantissa = byte & 0x7;
    let magnitude: number;
    if (exponent === 0xf && mantissa === 0x7) magnitude = Number.NaN;
    else if (exponent === 0) magnitude = mantissa * 2 ** -9;
    else magnitude = (1 + mantissa / 8) * 2 ** (exponent - 7);
    table[byte] = sign * magnitude;
  }
  e4m3Table = table;
  return table;
}

/** Widens an OCP `F8_E5M2` byte to float32 bits: E5M2 is the top byte of binary16. */
export function float8E5M2ToFloat32Bits(byte: number): number {
  return float16BitsToFloat32Bits((byte & 0xff) << 8);
}
