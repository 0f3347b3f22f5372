import type { Tensor } from '@tensorflow/tfjs';
import { ArgumentError, assertInteger, describeValue, tf } from '@tensorloom/core';
import { type BitConfig, layerPrecision, precisionBits } from './precision.js';
import type { QuantizedModel } from './quantizedModel.js';

/** A per-layer latency model. */
export interface LatencyModel {
  /** Measured float32 time of each quantisable layer (ms, per call on the profiled batch). */
  baseMs: Readonly<Record<string, number>>;
  /** Modelled latency (ms) of a configuration. */
  latency(config: BitConfig): number;
}

/** Options of {@link calibrateLatencyModel}. */
export interface CalibrateLatencyOptions {
  /** Timed runs per layer (median taken), default 5. */
  repeats?: number;
}

/**
 * A latency model calibrated by measuring each quantisable layer here: `t_i` is the median float32 wall time
 * of layer i on `inputs`, and the modelled latency of a configuration is
 * `Σ_i t_i · max(b_w,i, b_a,i) / 32` — the throughput of packed-integer (SIMD or bit-serial) arithmetic scales
 * inversely with the wider operand width. tfjs has no integer kernels, so the bit scaling is a model; the
 * per-layer base times (and hence the relative weight of layers) are measured.
 *
 * @throws {@link ArgumentError} for a non-tensor input or bad repeats
 */
export function calibrateLatencyModel(
  model: QuantizedModel,
  inputs: Tensor,
  options: CalibrateLatencyOptions = {},
): LatencyModel {
  if (!(inputs instanceof tf.Tensor))
    throw new ArgumentError(`inputs: expected a tf.Tensor, got ${describeValue(inputs)}`);
  const repeats = options.repeats ?? 5;
  assertInteger(repeats, 'repeats', { min: 1 });
  const baseMs = model.profileLayers(inputs, repeats);
  return {
    baseMs,
    latency(config: BitConfig): number {
      model.validateConfig(config);
      return model.layerNames.reduce((s, n) => {
        const p = layerPrecision(config[n]);
        return s + (baseMs[n]! * Math.max(precisionBits(p.weights), precisionBits(p.activations))) / 32;
      }, 0);
    },
  };
}
