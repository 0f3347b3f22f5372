import type { Tensor4D } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../setup.js';
import { expectClose } from '../../test/asserts.js';
import { useBackend } from '../../test/backends.js';
import { lcgValues } from '../../test/lcg.js';

/**
 * Naive float64 filter gradient of Σ conv2d(x, w) ⊙ dy (NHWC, dilation 1) with explicit padding:
 * dW[a, b, ci, co] = Σ x[n, i·s + a − top, j·s + b − left, ci] · dy[n, i, j, co].
 */
function naiveFilterGrad(
  x: Float32Array,
  [n, h, w, ci]: number[],
  dy: Float32Array,
  [, oh, ow, co]: number[],
  [kh, kw]: number[],
  [sh, sw]: number[],
  [top, left]: number[],
): Float64Array {
  const out = new Float64Array(kh * kw * ci * co);
  for (let a = 0; a < kh; a++)
    for (let b = 0; b < kw; b++)
      for (let c = 0; c < ci; c++)
        for (let o = 0; o < co; o++) {
          let s = 0;
          for (let m = 0; m < n; m++)
            for (let i = 0; i < oh; i++)
              for (let j = 0; j < ow; j++) {
                const r = i * sh + a - top;
                const q = j * sw + b - left;
                if (r < 0 || r >= h || q < 0 || q >= w) continue;
                s += x[((m * h + r) * w + q) * ci + c]! * dy[((m * oh + i) * ow + j) * co + o]!;
              }
          out[((a * kw + b) * ci + c) * co + o] = s;
        }
  return out;
}

describe('Conv2DBackpropFilter on WASM as a forward convolution', () => {
  beforeAll(() => useBackend('wasm'));

  it.each([
    { name: '3×3 same stride 1', x: [2, 6, 7, 3], k: [3, 3], co: 4, s: [1, 1], pad: 'same' as const },
    {
      name: '3×3 same stride 2, odd size',
      x: [2, 7, 9, 2],
      k: [3, 3],
      co: 3,
      s: [2, 2],
      pad: 'same' as const,
    },
    { name: '2×4 valid stride (2, 3)', x: [1, 9, 11, 2], k: [2, 4], co: 2, s: [2, 3], pad: 'valid' as const },
    { name: '5×5 valid stride 1', x: [3, 8, 8, 1], k: [5, 5], co: 2, s: [1, 1], pad: 'valid' as const },
    { name: '3×3 explicit padding 1, stride 2', x: [2, 5, 6, 2], k: [3, 3], co: 2, s: [2, 2], pad: 1 },
    {
      name: '1×1 stride 2 (crop needed)',
      x: [2, 5, 5, 3],
      k: [1, 1],
      co: 2,
      s: [2, 2],
      pad: 'valid' as const,
    },
  ])('matches a naive float64 filter gradient: $name', ({ x: xs, k, co, s, pad }) => {
    const wShape = [k[0]!, k[1]!, xs[3]!, co] as [number, number, number, number];
    const xv = lcgValues(
      xs.reduce((p, d) => p * d, 1),
      1,
    );
    const before = tf.memory().numTensors;
    const x = tf.tensor4d(xv, xs as [number, number, number, number]);
    const w = tf.tensor4d(
      lcgValues(
        wShape.reduce((p, d) => p * d, 1),
        2,
      ),
      wShape,
    );
    const y = tf.conv2d(x, w, s as [number, number], pad);
    const dyv = lcgValues(y.size, 3);
    const dy = tf.tensor4d(dyv, y.shape);
    const grad = tf.grad((ww: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(x, ww as Tensor4D, s as [number, number], pad), dy)),
    )(w);
    const info = tf.backend_util.computeConv2DInfo(
      x.shape,
      wShape,
      s as [number, number],
      1,
      pad,
      undefined,
      false,
      'channelsLast',
    );
    const expected = naiveFilterGrad(xv, xs, dyv, y.shape, k, s, [info.padInfo.top, info.padInfo.left]);
    expect(grad.shape).toEqual(wShape);
    expectClose(grad, expected, { rtol: 1e-4, atol: 1e-5 });
    tf.dispose([x, w, y, dy, grad]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
