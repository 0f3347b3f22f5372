import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '@tensorloom/core';
import type { QuantizedModel } from '../model/quantizedModel.js';

/**
 * Exact `Tr(H_i)` of every quantisable layer's kernel block of the mean softmax cross-entropy, for networks
 * whose logits are piecewise linear in each kernel on its own (relu/linear dense and conv layers, folded batch
 * norm, pooling, additions — the demo models). Then `H_ii = (1/N) Σ_n J_niᵀ(diag p_n − p_n p_nᵀ)J_ni` and
 * `Tr(H_ii) = (1/N) Σ_n Σ_c p_nc ‖∇_i CE(x_n, e_c)‖²`: one gradient per example and class, no sampling.
 * The reference the demo and `bench/hutchinson.ts` measure the trace estimators against.
 */
export function exactLayerTraces(model: QuantizedModel, inputs: Tensor): number[] {
  const n = inputs.shape[0]!;
  const kernels = model.kernels();
  const probs = tf.tidy(() => tf.softmax(model.logits(inputs)));
  const p = probs.arraySync() as number[][];
  probs.dispose();
  const classes = p[0]!.length;
  const out = new Array<number>(kernels.length).fill(0);
  for (let i = 0; i < n; i++) {
    const xi = tf.slice(inputs, [i], [1]);
    for (let c = 0; c < classes; c++) {
      const weight = p[i]![c]!;
      if (weight < 1e-9) continue;
      const sq = tf.tidy(() => {
        const f = model.paramLoss(xi, tf.oneHot([c], classes).cast('float32'));
        const grads = tf.grads((...ks: Tensor[]) => f(ks) as tf.Scalar)(kernels);
        return tf.stack(grads.map((gr) => tf.sum(tf.square(gr))));
      });
      const values = sq.dataSync();
      sq.dispose();
      for (let b = 0; b < kernels.length; b++) out[b]! += (weight * values[b]!) / n;
    }
    xi.dispose();
  }
  return out;
}
