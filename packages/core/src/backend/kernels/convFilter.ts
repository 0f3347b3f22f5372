import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { tf } from '../../setup.js';
import { bridgedKernel } from './bridge.js';

interface Backend {
  disposeData(dataId: object, force?: boolean): boolean;
}

function run(
  kernelName: string,
  backend: unknown,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap,
): TensorInfo {
  const kernel = tf.getKernel(kernelName, 'wasm');
  if (kernel === undefined) throw new Error(`Tensorloom: WASM kernel '${kernelName}' is missing`);
  return kernel.kernelFunc({ inputs, backend: backend as never, attrs }) as TensorInfo;
}

/**
 * `Conv2DBackpropFilter` on WASM as one forward convolution (XNNPACK), instead of the CPU backend's
 * direct loops (which take seconds for a small layer). With dilation 1 (all tfjs conv gradients):
 *
 *   dW[kh, kw, ci, co] = Σ_{b,i,j} x_pad[b, i·sₕ + kh, j·s_w + kw, ci] · dy[b, i, j, co],
 *
 * which is a valid convolution of x' = transpose(x) `[ci, H, W, B]` (batch ↔ channels swapped, the
 * padding given explicitly) with the filter dy' = transpose(dy) `[outH, outW, B, co]` at stride 1 and
 * dilation (sₕ, s_w). Its output `[ci, ≥KH, ≥KW, co]` is cropped to the filter size and transposed back.
 * NCHW inputs, which WASM's Conv2D does not take, fall back to the CPU bridge.
 */
export function conv2dBackpropFilterKernel(backendName: string): KernelConfig {
  const bridged = bridgedKernel('Conv2DBackpropFilter', backendName);
  const kernelFunc: KernelFunc = (args) => {
    const { inputs, attrs, backend } = args;
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as {
      strides: number | [number, number];
      pad: 'valid' | 'same' | number | number[][];
      dataFormat: 'NHWC' | 'NCHW';
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
      filterShape: [number, number, number, number];
    };
    if (dataFormat === 'NCHW') return bridged.kernelFunc(args);
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filterShape,
      strides,
      1,
      pad as never,
      dimRoundingMode,
      false,
      'channelsLast',
    );
    const { top, bottom, left, right } = info.padInfo;
    const [kh, kw] = [info.filterHeight, info.filterWidth];
    const temps: TensorInfo[] = [];
    const b = backend as unknown as Backend;
    try {
      const xt = run('Transpose', backend, { x }, { perm: [3, 1, 2, 0] });
      temps.push(xt);
      const dyt = run('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] });
      temps.push(dyt);
      const conv = run('Conv2D', backend, { x: xt, filter: dyt }, {
        strides: [1, 1],
        pad: [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ],
        dataFormat: 'NHWC',
        dilations: [info.strideHeight, info.strideWidth],
        dimRoundingMode: undefined as never,
      } as unknown as NamedAttrMap);
      temps.push(conv);
      let cropped = conv;
      if (conv.shape[1] !== kh || conv.shape[2] !== kw) {
        cropped = run(
          'Slice',
          backend,
          { x: conv },
          { begin: [0, 0, 0, 0], size: [conv.shape[0]!, kh, kw, conv.shape[3]!] },
        );
        temps.push(cropped);
      }
      return run('Transpose', backend, { x: cropped }, { perm: [1, 2, 0, 3] });
    } finally {
      for (const t of temps) b.disposeData(t.dataId);
    }
  };
  return { kernelName: 'Conv2DBackpropFilter', backendName, kernelFunc };
}
