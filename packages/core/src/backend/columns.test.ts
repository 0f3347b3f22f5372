import { beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError } from '../errors/errors.js';
import { tf } from '../setup.js';
import { expectNoLeak } from '../test/asserts.js';
import { testBackends, useBackend } from '../test/backends.js';
import { gatherColumns, scatterColumns, wasmGatherActive } from './columns.js';

/** Naive references on plain arrays, rows of length nIn. */
function gatherRef(x: number[], nIn: number, idx: number[]): number[] {
  const rows = x.length / nIn;
  const out: number[] = [];
  for (let r = 0; r < rows; r++) for (const k of idx) out.push(k < 0 ? 0 : (x[r * nIn + k] as number));
  return out;
}

function scatterRef(x: number[], idx: number[], size: number): number[] {
  const rows = x.length / idx.length;
  const out = new Array<number>(rows * size).fill(0);
  for (let r = 0; r < rows; r++)
    idx.forEach((k, j) => {
      if (k >= 0) out[r * size + k] = (out[r * size + k] as number) + (x[r * idx.length + j] as number);
    });
  return out;
}

describe.each(testBackends())('gatherColumns / scatterColumns on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  const values = Array.from({ length: 2 * 3 * 7 }, (_, i) => Math.sin(i + 1) * 3);
  const cases: [string, number[]][] = [
    ['permutation (loop path)', [6, 2, 0, 5, 1, 3, 4]],
    ['repeats and zero columns', [1, 1, -1, 6, 0, -1, 1, 2, 2]],
    ['short contiguous runs', [3, 4, 5, 6, 0, 1, 2, -1, 0, 1, 2, 3]],
    ['empty', []],
  ];

  it.each(cases)('gathers columns: %s', (_, idx) => {
    for (const dtype of ['float32', 'int32'] as const) {
      const data = dtype === 'int32' ? values.map(Math.round) : values;
      const x = tf.tensor3d(data, [2, 3, 7], dtype);
      const out = gatherColumns(x, Int32Array.from(idx));
      expect(out.shape).toEqual([2, 3, idx.length]);
      expect(out.dtype).toBe(dtype);
      const want = gatherRef(Array.from(x.dataSync()), 7, idx);
      expect(Array.from(out.dataSync())).toEqual(want);
      // number[] indices give the same
      const again = gatherColumns(x, idx);
      expect(Array.from(again.dataSync())).toEqual(want);
      tf.dispose([x, out, again]);
    }
  });

  it('gathers long contiguous runs (block-copy path) with zero columns', () => {
    const n = 300;
    const x = tf.tensor2d(
      Array.from({ length: 3 * n }, (_, i) => i * 0.5 - 7),
      [3, n],
    );
    const idx = [
      ...Array.from({ length: 150 }, (_, j) => 150 + j),
      -1,
      ...Array.from({ length: 150 }, (_, j) => j),
    ];
    const out = gatherColumns(x, Int32Array.from(idx));
    expect(Array.from(out.dataSync())).toEqual(gatherRef(Array.from(x.dataSync()), n, idx));
    tf.dispose([x, out]);
  });

  it('scatters columns (adjoint: ⟨gather(x), y⟩ = ⟨x, scatter(y)⟩), summing repeats', () => {
    const idx = [1, 1, -1, 6, 0, -1, 1, 2, 2];
    const yv = Array.from({ length: 2 * idx.length }, (_, i) => Math.cos(i) * 2);
    const y = tf.tensor2d(yv, [2, idx.length]);
    const s = scatterColumns(y, idx, 7);
    expect(s.shape).toEqual([2, 7]);
    const got = Array.from(s.dataSync());
    for (const [i, v] of scatterRef(yv, idx, 7).entries()) expect(got[i]).toBeCloseTo(v, 5);
    const x = tf.tensor2d(values.slice(0, 14), [2, 7]);
    const g = gatherColumns(x, idx);
    const lhs = tf.sum(tf.mul(g, y)).dataSync()[0] as number;
    const rhs = tf.sum(tf.mul(x, s)).dataSync()[0] as number;
    expect(lhs).toBeCloseTo(rhs, 4);
    tf.dispose([y, s, x, g]);
  });

  it('has the scatter as gradient and the gather as its gradient (second order too)', () => {
    const idx = Int32Array.of(2, 0, 0, -1, 4, 3);
    const x = tf.tensor2d(values.slice(0, 10), [2, 5]);
    const w = tf.tensor2d(
      Array.from({ length: 12 }, (_, i) => i - 4),
      [2, 6],
    );
    // d/dx Σ w ⊙ gather(x) = scatter(w); reference through tf.gather on a zero-padded x
    const got = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(w, gatherColumns(t, idx))))(x);
    const ref = tf.grad((t: tf.Tensor) => {
      const padded = tf.concat([t, tf.zeros([2, 1])], 1);
      const safe = tf.tensor1d(
        Int32Array.from(idx, (k) => (k < 0 ? 5 : k)),
        'int32',
      );
      return tf.sum(tf.mul(w, tf.gather(padded, safe, 1)));
    })(x);
    expect(Array.from(got.dataSync())).toEqual(Array.from(ref.dataSync()));
    // gradient of the scatter is the gather
    const gs = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(x, scatterColumns(t, idx, 5))))(w);
    expect(Array.from(gs.dataSync())).toEqual(gatherRef(Array.from(x.dataSync()), 5, Array.from(idx)));
    // a quadratic through both: f(x) = Σ gather(x)², ∇f = 2·scatter(gather(x))
    const q = tf.grad((t: tf.Tensor) => tf.sum(tf.square(gatherColumns(t, idx))))(x);
    const want = scatterRef(gatherRef(Array.from(x.dataSync()), 5, Array.from(idx)), Array.from(idx), 5);
    for (const [i, v] of Array.from(q.dataSync()).entries())
      expect(v).toBeCloseTo(2 * (want[i] as number), 5);
    tf.dispose([x, w, got, ref, gs, q]);
  });

  it('matches tf.gather at a realistic size and leaks nothing (forward and gradient)', async () => {
    const n = 300;
    const x = tf.randomNormal([64, n], 0, 1, 'float32', 5);
    const idx = Int32Array.from({ length: 2 * n }, (_, j) => (j * 37) % n);
    const a = gatherColumns(x, idx);
    const b = tf.gather(x, tf.tensor1d(idx, 'int32'), 1);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    tf.dispose([a, b]);
    await expectNoLeak(() => gatherColumns(x, idx));
    await expectNoLeak(() => tf.grad((t: tf.Tensor) => tf.sum(gatherColumns(t, idx)))(x));
    await expectNoLeak(() => tf.tidy(() => scatterColumns(tf.ones([3, 4]), [0, 0, 2, -1], 3)));
    tf.dispose(x);
  });

  it('follows an Int32Array index mutated after use (no stale prepared or heap copies)', () => {
    const n = 7;
    const xv = Array.from({ length: 3 * n }, (_, i) => i * 1.5 - 4);
    const x = tf.tensor2d(xv, [3, n]);
    const idx = Int32Array.of(6, 2, 0, 5, -1, 3);
    const first = gatherColumns(x, idx);
    expect(Array.from(first.dataSync())).toEqual(gatherRef(xv, n, Array.from(idx)));
    idx[0] = 1;
    idx[4] = 4;
    const second = gatherColumns(x, idx);
    expect(Array.from(second.dataSync())).toEqual(gatherRef(xv, n, Array.from(idx)));
    // the gradient (a scatter) follows the indices of its own forward call
    const y = tf.tensor2d(
      Array.from({ length: 3 * idx.length }, (_, i) => i - 5),
      [3, idx.length],
    );
    const s = scatterColumns(y, idx, n);
    idx[1] = 6;
    const s2 = scatterColumns(y, idx, n);
    expect(Array.from(s.dataSync())).toEqual(scatterRef(Array.from(y.dataSync()), [1, 2, 0, 5, 4, 3], n));
    expect(Array.from(s2.dataSync())).toEqual(scatterRef(Array.from(y.dataSync()), Array.from(idx), n));
    // an index made out of range after validation is rejected, not read past the row
    idx[2] = n;
    expect(() => gatherColumns(x, idx)).toThrow(/indices\[2\] must be in \[-1, 7\)/);
    expect(() => scatterColumns(y, idx, n)).toThrow(ArgumentError);
    tf.dispose([x, first, second, y, s, s2]);
  });

  it('runs the WebAssembly gather loop on WASM (JS loops elsewhere)', () => {
    expect(wasmGatherActive()).toBe(backend === 'wasm');
  });

  it('rejects bad indices, sizes and inputs with typed errors', () => {
    const x = tf.zeros([2, 3]);
    expect(() => gatherColumns(x, [0, 3])).toThrow(ArgumentError);
    expect(() => gatherColumns(x, [-2])).toThrow(/\[-1, 3\)/);
    expect(() => gatherColumns(x, [0.5])).toThrow(/integer/);
    expect(() => gatherColumns(x, [2 ** 32])).toThrow(/\[-1, 3\)/); // no Int32 wrap-around
    expect(() => gatherColumns(x, Int32Array.of(1, 5))).toThrow(/indices\[1\]/);
    expect(() => gatherColumns([1, 2] as unknown as tf.Tensor, [0])).toThrow(ArgumentError);
    expect(() => gatherColumns(tf.scalar(1), [0])).toThrow(/rank/);
    expect(() => scatterColumns(x, [0, 1], 4)).toThrow(/one entry per column/);
    expect(() => scatterColumns(x, [0, 1, 4], 4)).toThrow(/\[-1, 4\)/);
    expect(() => scatterColumns(x, [0, 1, 2], -1)).toThrow(/size/);
    const b = tf.zeros([2, 3], 'bool');
    expect(() => gatherColumns(b, [0])).toThrow(/float32 or int32/);
    tf.dispose([x, b]);
  });
});
