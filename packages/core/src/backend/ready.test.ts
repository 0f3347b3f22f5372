import { afterAll, describe, expect, it } from 'vitest';
import { ArgumentError } from '../errors/errors.js';
import { tf } from '../setup.js';
import { BRIDGED_KERNEL_NAMES, backendInfo, ready } from './ready.js';

describe('ready and backendInfo', () => {
  afterAll(() => ready({ backend: 'wasm' }));

  it('picks WASM in Node by default, with SIMD and one thread', async () => {
    const saved = process.env.TENSORLOOM_BACKEND;
    delete process.env.TENSORLOOM_BACKEND;
    const info = await ready();
    if (saved !== undefined) process.env.TENSORLOOM_BACKEND = saved;
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.environment).toBe('node');
    expect(info.simd).toBe(true);
    expect(info.threads).toBe(1);
    expect(info.tfjsVersion).toBe('4.22.0');
    for (const k of [
      ...BRIDGED_KERNEL_NAMES,
      'FFT',
      'IFFT',
      'Complex',
      'Real',
      'Imag',
      'UnsortedSegmentSum',
      'Conv2DBackpropFilter',
    ]) {
      expect(tf.getKernel(k, 'wasm'), `kernel ${k}`).toBeDefined();
    }
    expect(info.filledKernels).toEqual(expect.arrayContaining(['Einsum', 'UnsortedSegmentSum', 'FFT']));
  });

  it('switches to CPU on request and reports it', async () => {
    const info = await ready({ backend: 'cpu' });
    expect(info.name).toBe('cpu');
    expect(info.simd).toBeNull();
    expect(info.threads).toBeNull();
    expect(backendInfo().name).toBe('cpu');
  });

  it('honours TENSORLOOM_BACKEND for auto', async () => {
    const saved = process.env.TENSORLOOM_BACKEND;
    process.env.TENSORLOOM_BACKEND = 'cpu';
    try {
      expect((await ready()).name).toBe('cpu');
    } finally {
      if (saved === undefined) delete process.env.TENSORLOOM_BACKEND;
      else process.env.TENSORLOOM_BACKEND = saved;
    }
  });

  it('rejects unknown backend names with ArgumentError listing the choices', async () => {
    await expect(ready({ backend: 'tpu' as never })).rejects.toThrow(ArgumentError);
    await expect(ready({ backend: 'tpu' as never })).rejects.toThrow(
      /backend: expected one of 'auto', 'wasm', 'cpu', 'webgl', 'webgpu', got 'tpu'/,
    );
  });

  it('fails clearly when a known backend is not available here', async () => {
    await expect(ready({ backend: 'webgpu' })).rejects.toThrow(/could not initialise 'webgpu'/);
  });
});
