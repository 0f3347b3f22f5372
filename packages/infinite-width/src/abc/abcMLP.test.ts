import { ArgumentError, fit, type Tensor, tf } from '@tensorloom/core';
import { expectClose, useBackend } from '@tensorloom/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import { coordCheck } from '../mup/coordCheck.js';
import { muMLP, muSGD } from '../mup/muMLP.js';
import { abcPreset } from './abc.js';
import { abcMLP } from './abcMLP.js';

describe('abcMLP', () => {
  beforeAll(() => useBackend('wasm'));

  it('the μP preset trained by plain SGD equals muMLP trained by muSGD (the abc symmetry in practice)', async () => {
    const common = { inputDim: 5, width: 128, baseWidth: 16, outputDim: 2, seed: 4 };
    const abc = abcMLP({ ...common, parametrization: abcPreset('mup', 2) });
    const mu = muMLP({ ...common, depth: 2 });
    const x = tf.randomNormal([8, 5], 0, 1, 'float32', 1);
    const y = tf.randomNormal([8, 2], 0, 1, 'float32', 2);
    const train = async (model: typeof abc, groups: ReturnType<typeof muSGD>['groups']): Promise<void> => {
      const loss = (a: Tensor, b: Tensor): Tensor => tf.mean(tf.square(tf.sub(model.apply(a), b)));
      await fit({
        optimizer: 'sgd',
        groups,
        learningRate: 0.05,
        loss,
        data: [{ inputs: x, targets: y }],
        epochs: 3,
      });
    };
    await train(abc, muSGD(abc).groups);
    // muMLP trains its biases; freeze them to match abcMLP (which has none)
    await train(
      mu,
      muSGD(mu).groups.map((g) => (g.name?.endsWith('bias') ? { ...g, lrScale: 0 } : g)),
    );
    const a = abc.apply(x);
    const b = mu.apply(x);
    expectClose(a, b, { rtol: 1e-3, atol: 1e-5 });
    tf.dispose([a, b, x, y]);
    abc.dispose();
    mu.dispose();
  });

  it('feature updates scale like width^−r per layer (coordinate check of |h_t − h_0|)', async () => {
    // Predicted exponent of layer l: −(min(a_{L+1}+b_{L+1}, 2a_{L+1}+c) + c − 1 + min_{l' ≤ l}(2a_l' + 1[l' = 1])).
    const cases = [
      ['mup', [0, 0, 0]],
      ['ntk', [-0.5, -0.5, -0.5]],
      ['sp-lr-1/n', [-1.5, -0.5, -0.5]],
    ] as const;
    for (const [name, expected] of cases) {
      const r = await coordCheck({
        build: (n, seed) =>
          abcMLP({
            parametrization: abcPreset(name, 3),
            inputDim: 8,
            width: n,
            baseWidth: 32,
            outputDim: 1,
            seed,
          }),
        widths: [32, 128, 512],
        steps: 2,
        optimizer: 'sgd',
        learningRate: 0.05,
        seeds: 3,
        seed: 1,
      });
      expected.forEach((slope, l) => {
        expect(Math.abs(r.layers[l]!.deltaSlopes[1]! - slope), `${name} layer ${l}`).toBeLessThan(0.2);
      });
    }
  });

  it('refuses to build an unstable parametrization unless allowed, and validates sizes', () => {
    const base = { inputDim: 4, width: 64, baseWidth: 16, outputDim: 1, seed: 0 };
    expect(() => abcMLP({ ...base, parametrization: abcPreset('sp', 2) })).toThrow(
      /unstable.*2a_\{L\+1\} \+ c = 0 < 1/,
    );
    const net = abcMLP({ ...base, parametrization: abcPreset('sp', 2), allowUnstable: true });
    expect(net.layers).toHaveLength(3);
    net.dispose();
    expect(() => abcMLP({ ...base, baseWidth: 128, parametrization: abcPreset('mup', 2) })).toThrow(
      /baseWidth/,
    );
    expect(() => abcMLP({ ...base, width: 0, parametrization: abcPreset('mup', 2) })).toThrow(ArgumentError);
    expect(() => abcMLP({ ...base, parametrization: { a: [0], b: [0], c: 0 } })).toThrow(
      /options\.parametrization\.a/,
    );
  });
});
