import { ArgumentError, rng, ShapeError, tf } from '@tensorloom/core';
import { expectClose, expectNoLeak, gradCheck, useBackend } from '@tensorloom/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import { tensorAttention } from './exact.js';
import { TensorAttention } from './layer.js';

describe('TensorAttention layer (wasm)', () => {
  beforeAll(() => useBackend('wasm'));
  const r = rng(9);
  const x = () =>
    tf.tensor3d(
      Array.from({ length: 2 * 5 * 4 }, () => r.uniform(-1, 1)),
      [2, 5, 4],
    );

  it('equals per-head tensorAttention on the projections, then the output projection', () => {
    const layer = new TensorAttention({ dim: 4, heads: 2, seed: 1, bias: false });
    const xi = x();
    const out = layer.apply(xi);
    const ref = tf.tidy(() => {
      const w = layer.weights;
      const proj = (name: string) =>
        tf.transpose(tf.reshape(tf.matMul(tf.reshape(xi, [10, 4]), w[name]!), [2, 5, 2, 2]), [0, 2, 1, 3]);
      const att = tensorAttention(proj('wq'), proj('wk1'), proj('wk2'), proj('wv1'), proj('wv2'));
      return tf.reshape(tf.matMul(tf.reshape(tf.transpose(att, [0, 2, 1, 3]), [10, 4]), w.wo!), [2, 5, 4]);
    });
    expectClose(out, ref, { rtol: 1e-5, atol: 1e-6 });
    expect(layer.trainableVariables).toHaveLength(6);
    tf.dispose([xi, out, ref]);
    layer.dispose();
  });

  it('causal output at position i ignores later tokens; the approximate mode stays within its accuracy', () => {
    const layer = new TensorAttention({ dim: 4, heads: 1, seed: 2, causal: true, initStd: 0.3 });
    const xi = x();
    const changed = tf.concat([tf.slice(xi, [0, 0, 0], [2, 3, 4]), tf.ones([2, 2, 4])], 1);
    const a = layer.apply(xi);
    const b = layer.apply(changed);
    expectClose(tf.slice(a, [0, 0, 0], [2, 3, 4]), tf.slice(b, [0, 0, 0], [2, 3, 4]), {
      rtol: 1e-5,
      atol: 1e-6,
    });
    const approx = new TensorAttention({
      dim: 4,
      heads: 1,
      seed: 2,
      causal: true,
      initStd: 0.3,
      approxDegree: 8,
    });
    const ya = approx.apply(xi);
    expectClose(ya, a, { rtol: 0, atol: 1e-3 });
    tf.dispose([xi, changed, a, b, ya]);
    layer.dispose();
    approx.dispose();
  });

  it('has finite-difference gradients and leaks nothing', async () => {
    const layer = new TensorAttention({ dim: 4, heads: 2, seed: 3 });
    const xi = x();
    gradCheck((xx) => tf.sum(tf.square(layer.apply(xx!))), [xi], { maxCoordinates: 10 });
    await expectNoLeak(() => tf.grads((xx) => tf.sum(layer.apply(xx!)))([xi]));
    xi.dispose();
    layer.dispose();
  });

  it('rejects bad options and inputs', () => {
    expect(() => new TensorAttention({ dim: 6, heads: 4, seed: 0 })).toThrow(ArgumentError);
    expect(() => new TensorAttention({ dim: 6, heads: 2, seed: 0, approxDegree: -1 })).toThrow(
      /approxDegree/,
    );
    expect(() => new TensorAttention({ dim: 4, heads: 2, seed: 0, initStd: -1 })).toThrow(
      /initStd: expected a positive finite number, got -1/,
    );
    expect(() => new TensorAttention({ dim: 4, heads: 2, seed: 0, scale: 0 })).toThrow(/scale/);
    expect(() => new TensorAttention({ dim: 4, heads: 2, seed: 0, blockSize: 0 })).toThrow(/blockSize/);
    const layer = new TensorAttention({ dim: 4, heads: 2, seed: 0 });
    expect(() => layer.apply(tf.zeros([2, 5, 3]))).toThrow(ShapeError);
    expect(() => layer.apply(tf.zeros([2, 0, 4]))).toThrow(/at least one token/);
    const approx = new TensorAttention({ dim: 4, heads: 2, seed: 0, approxDegree: 3 });
    expect(() => approx.apply(tf.zeros([2, 5, 4]), { k1: tf.ones([5, 5]) })).toThrow(
      /not supported by the approximate mode/,
    );
    approx.dispose();
    layer.dispose();
  });
});
