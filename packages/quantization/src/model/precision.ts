import { ArgumentError, describeValue } from '@tensorloom/core';
import { FLOAT_FORMATS, type FloatFormat } from '../quantizers/float.js';

/** A precision: an integer bit width 2–16 (uniform integer quantisation), a narrow float format, or `'float32'` (unquantised). */
export type Precision = number | FloatFormat | 'float32';

/** Precisions of one quantisable layer: its weights (kernel) and its input activations. */
export interface LayerPrecision {
  /** Kernel precision. */
  weights: Precision;
  /** Input-activation precision. */
  activations: Precision;
}

/**
 * A bit-width configuration: layer name → precision (applied to weights and activations, "WbAb") or a
 * {@link LayerPrecision}. Layers not named stay at float32.
 */
export type BitConfig = Readonly<Record<string, Precision | LayerPrecision>>;

/**
 * Checks a precision value.
 *
 * @throws {@link ArgumentError} naming `name`, for bits outside 2–16 or unknown formats
 */
export function assertPrecision(value: unknown, name: string): asserts value is Precision {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 2 || value > 16) {
      throw new ArgumentError(
        `${name}: expected bits, an integer in 2–16, or 'float16', 'bfloat16', 'float32', got ${value}`,
      );
    }
    return;
  }
  if (value === 'float32' || (FLOAT_FORMATS as readonly unknown[]).includes(value)) return;
  throw new ArgumentError(
    `${name}: expected bits (an integer in 2–16) or one of 'float16', 'bfloat16', 'float32', got ${describeValue(value)}`,
  );
}

/** The storage/arithmetic width of a precision in bits (float16 and bfloat16: 16; float32: 32). */
export function precisionBits(p: Precision): number {
  return typeof p === 'number' ? p : p === 'float32' ? 32 : 16;
}

/** The {@link LayerPrecision} of one config entry (a bare precision applies to both). */
export function layerPrecision(entry: Precision | LayerPrecision | undefined): LayerPrecision {
  if (entry === undefined) return { weights: 'float32', activations: 'float32' };
  if (typeof entry === 'object') return entry;
  return { weights: entry, activations: entry };
}
