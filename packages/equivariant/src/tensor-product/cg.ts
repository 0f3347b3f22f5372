import { ArgumentError, assertOneOf, matMul, ShapeError, type Tensor, tf } from '@tensorloom/core';
import { wigner3jShared } from '../coefficients/wigner3j.js';
import { type Irrep, Irreps, irrepProduct, type MulIrrep } from '../irreps/irreps.js';

/** One path of a full tensor product: input blocks i1, i2 into output block iOut (after sorting). */
export interface TensorProductPath {
  /** Index of the block in the (simplified) first input irreps. */
  readonly i1: number;
  /** Index of the block in the (simplified) second input irreps. */
  readonly i2: number;
  /** Index of the block in the output irreps. */
  readonly iOut: number;
  /** The output irrep. */
  readonly irOut: Irrep;
  /** Offset of the output block in the flat output. */
  readonly offset: number;
  /** The normalisation coefficient multiplying wigner3j on this path (e3nn's √alpha). */
  readonly weight: number;
}

/** Options of {@link cgTensorProduct} and {@link fullTensorProductPlan}. */
export interface CgTensorProductOptions {
  /** Irreps of the first input (simplified as e3nn does). */
  irreps1: Irreps | string;
  /** Irreps of the second input. */
  irreps2: Irreps | string;
  /** e3nn's `irrep_normalization` (default `component`: alpha = 2l_out+1; `norm`: (2l1+1)(2l2+1); `none`: 1). */
  irrepNormalization?: 'component' | 'norm' | 'none';
  /** e3nn's `path_normalization` (default `element`); for the "uvuv" full product all three agree. */
  pathNormalization?: 'element' | 'path' | 'none';
  /** Keep only these output irreps (e3nn's `filter_ir_out`). */
  filterIrOut?: Irreps | string;
}

/** The structure of an e3nn-compatible full tensor product. */
export interface FullTensorProductPlan {
  /** First input irreps (simplified). */
  readonly irreps1: Irreps;
  /** Second input irreps (simplified). */
  readonly irreps2: Irreps;
  /** Output irreps, sorted (not simplified), as e3nn's `FullTensorProduct.irreps_out`. */
  readonly irrepsOut: Irreps;
  /** Paths in e3nn's instruction order (i1, then i2, then l_out). */
  readonly paths: readonly TensorProductPath[];
}

/**
 * The path list and output irreps of e3nn's `FullTensorProduct(irreps1, irreps2)` ("uvuv", no weights):
 * every ir_out ∈ ir1 ⊗ ir2 (l from |l1−l2| to l1+l2, parity p1·p2) gets its own output block of
 * multiplicity mul1·mul2; the output irreps are then stably sorted by (l, parity odd-first).
 *
 * @throws {@link ArgumentError} for malformed irreps or options
 */
export function fullTensorProductPlan(options: CgTensorProductOptions): FullTensorProductPlan {
  const irreps1 = Irreps.from(options.irreps1).simplify();
  const irreps2 = Irreps.from(options.irreps2).simplify();
  const irrepNormalization = options.irrepNormalization ?? 'component';
  const pathNormalization = options.pathNormalization ?? 'element';
  assertOneOf(irrepNormalization, ['component', 'norm', 'none'] as const, 'options.irrepNormalization');
  assertOneOf(pathNormalization, ['element', 'path', 'none'] as const, 'options.pathNormalization');
  const filter = options.filterIrOut === undefined ? null : Irreps.from(options.filterIrOut);
  const out: MulIrrep[] = [];
  const raw: { i1: number; i2: number; iOut: number; ir: Irrep }[] = [];
  irreps1.items.forEach((a, i1) => {
    irreps2.items.forEach((b, i2) => {
      for (const ir of irrepProduct(a.ir, b.ir)) {
        if (filter && !filter.items.some((f) => f.ir.l === ir.l && f.ir.p === ir.p)) continue;
        raw.push({ i1, i2, iOut: out.length, ir });
        out.push({ mul: a.mul * b.mul, ir });
      }
    });
  });
  const { irreps: irrepsOut, p } = new Irreps(out).sort();
  const slices = irrepsOut.slices();
  const paths = raw.map(({ i1, i2, iOut, ir }) => {
    const d1 = 2 * (irreps1.items[i1] as MulIrrep).ir.l + 1;
    const d2 = 2 * (irreps2.items[i2] as MulIrrep).ir.l + 1;
    const alpha =
      irrepNormalization === 'component' ? 2 * ir.l + 1 : irrepNormalization === 'norm' ? d1 * d2 : 1;
    const sorted = p[iOut] as number;
    // "uvuv": one element per path and one path per output block, so element/path/none all give x = 1.
    return {
      i1,
      i2,
      iOut: sorted,
      irOut: ir,
      offset: (slices[sorted] as { start: number }).start,
      weight: Math.sqrt(alpha),
    };
  });
  return { irreps1, irreps2, irrepsOut, paths };
}

/**
 * e3nn-compatible full tensor product (`o3.FullTensorProduct`): for each pair of input blocks and each
 * allowed output irrep, `out[u, v, k] = √alpha · Σ_ij wigner3j(l1, l2, l_out)[i, j, k] · x1[u, i] · x2[v, j]`,
 * outputs ordered as e3nn orders them (see {@link fullTensorProductPlan}). Inputs are in e3nn's flat layout and
 * real basis. This is the Clebsch–Gordan baseline: O(L⁶) per sample for L = lmax. Differentiable.
 *
 * @param x1 - `[..., irreps1.dim]`
 * @param x2 - `[..., irreps2.dim]`, same leading axes
 * @returns `[..., irrepsOut.dim]`
 * @throws {@link ShapeError} for wrong last-axis sizes or mismatched leading axes
 *
 * @example
 * ```ts
 * const out = cgTensorProduct(x1, x2, { irreps1: '1x0e+1x1o', irreps2: '1x1o' }); // irrepsOut 1x1o+1x0e+1x1e+1x2e
 * ```
 */
export function cgTensorProduct(x1: Tensor, x2: Tensor, options: CgTensorProductOptions): Tensor {
  const plan = fullTensorProductPlan(options);
  if (!(x1 instanceof tf.Tensor) || !(x2 instanceof tf.Tensor))
    throw new ArgumentError('x1 and x2 must be tf.Tensors');
  const d1 = plan.irreps1.dim;
  const d2 = plan.irreps2.dim;
  if (x1.rank < 1 || x1.shape[x1.rank - 1] !== d1) {
    throw new ShapeError(
      `x1 must have last axis ${d1} (irreps1 = ${plan.irreps1}), got [${x1.shape.join(', ')}]`,
    );
  }
  if (x2.rank < 1 || x2.shape[x2.rank - 1] !== d2) {
    throw new ShapeError(
      `x2 must have last axis ${d2} (irreps2 = ${plan.irreps2}), got [${x2.shape.join(', ')}]`,
    );
  }
  const lead1 = x1.shape.slice(0, -1);
  const lead2 = x2.shape.slice(0, -1);
  if (lead1.length !== lead2.length || lead1.some((s, i) => s !== lead2[i])) {
    throw new ShapeError(
      `x1 and x2 must share leading axes, got [${x1.shape.join(', ')}] and [${x2.shape.join(', ')}]`,
    );
  }
  return tf.tidy(() => {
    const a = tf.reshape(x1, [-1, d1]);
    const b = tf.reshape(x2, [-1, d2]);
    const B = a.shape[0] as number;
    const pieces: Tensor[] = new Array(plan.irrepsOut.items.length);
    const s1 = plan.irreps1.slices();
    const s2 = plan.irreps2.slices();
    plan.irreps1.items.forEach((m1, i1) => {
      plan.irreps2.items.forEach((m2, i2) => {
        const paths = plan.paths.filter((p) => p.i1 === i1 && p.i2 === i2);
        if (paths.length === 0 || m1.mul === 0 || m2.mul === 0) return;
        const e1 = 2 * m1.ir.l + 1;
        const e2 = 2 * m2.ir.l + 1;
        const sl1 = s1[i1] as { start: number; end: number };
        const sl2 = s2[i2] as { start: number; end: number };
        const blockA = tf.reshape(tf.slice(a, [0, sl1.start], [B, sl1.end - sl1.start]), [
          B,
          m1.mul,
          1,
          e1,
          1,
        ]);
        const blockB = tf.reshape(tf.slice(b, [0, sl2.start], [B, sl2.end - sl2.start]), [
          B,
          1,
          m2.mul,
          1,
          e2,
        ]);
        const outer = tf.reshape(tf.mul(blockA, blockB), [B * m1.mul * m2.mul, e1 * e2]);
        const widths = paths.map((p) => 2 * p.irOut.l + 1);
        const total = widths.reduce((x, y) => x + y, 0);
        const matrix = new Float32Array(e1 * e2 * total);
        let col = 0;
        for (const path of paths) {
          const e3 = 2 * path.irOut.l + 1;
          const w = wigner3jShared(m1.ir.l, m2.ir.l, path.irOut.l);
          for (let ij = 0; ij < e1 * e2; ij++)
            for (let k = 0; k < e3; k++)
              matrix[ij * total + col + k] = path.weight * (w[ij * e3 + k] as number);
          col += e3;
        }
        const product = matMul(outer, tf.tensor2d(matrix, [e1 * e2, total]));
        const split = tf.split(tf.reshape(product, [B, m1.mul * m2.mul, total]), widths, 2);
        paths.forEach((path, k) => {
          pieces[path.iOut] = tf.reshape(split[k] as Tensor, [B, -1]);
        });
      });
    });
    const present = pieces.filter((t): t is Tensor => t !== undefined);
    const out = present.length > 0 ? tf.concat(present, 1) : tf.zeros([B, 0]);
    return tf.reshape(out, [...lead1, plan.irrepsOut.dim]);
  });
}

/** Options of {@link cgTensorProductWeighted}. */
export interface CgTensorProductWeightedOptions {
  /** Irreps of the first input. */
  irreps1: Irreps | string;
  /** Irreps of the second input. */
  irreps2: Irreps | string;
  /** Output irreps (e3nn's `irreps_out`); each path ir1 ⊗ ir2 → ir_out with ir_out present is used. */
  irrepsOut: Irreps | string;
}

/** One weighted ("uvw") path: input blocks, output block, weight slice and normalisation. */
export interface WeightedPath {
  /** Index of the block in irreps1. */
  readonly i1: number;
  /** Index of the block in irreps2. */
  readonly i2: number;
  /** Index of the block in irrepsOut. */
  readonly iOut: number;
  /** Offset of this path's mul1·mul2·mulOut weights in the flat weight vector. */
  readonly weightOffset: number;
  /** Normalisation coefficient (e3nn `component` irreps, `element` paths). */
  readonly coefficient: number;
}

/**
 * The paths of e3nn's `FullyConnectedTensorProduct(irreps1, irreps2, irrepsOut)` ("uvw" on every allowed path,
 * `component` irrep and `element` path normalisation) and the number of weights.
 *
 * @throws {@link ArgumentError} for malformed irreps
 */
export function weightedTensorProductPlan(options: CgTensorProductWeightedOptions): {
  irreps1: Irreps;
  irreps2: Irreps;
  irrepsOut: Irreps;
  paths: WeightedPath[];
  weightNumel: number;
} {
  const irreps1 = Irreps.from(options.irreps1);
  const irreps2 = Irreps.from(options.irreps2);
  const irrepsOut = Irreps.from(options.irrepsOut);
  const raw: { i1: number; i2: number; iOut: number }[] = [];
  irreps1.items.forEach((a, i1) => {
    irreps2.items.forEach((b, i2) => {
      irrepsOut.items.forEach((o, iOut) => {
        if (irrepProduct(a.ir, b.ir).some((ir) => ir.l === o.ir.l && ir.p === o.ir.p))
          raw.push({ i1, i2, iOut });
      });
    });
  });
  let offset = 0;
  const paths = raw.map(({ i1, i2, iOut }) => {
    const m1 = (irreps1.items[i1] as MulIrrep).mul;
    const m2 = (irreps2.items[i2] as MulIrrep).mul;
    const mo = irrepsOut.items[iOut] as MulIrrep;
    const fanIn = raw
      .filter((p) => p.iOut === iOut)
      .reduce(
        (acc, p) => acc + (irreps1.items[p.i1] as MulIrrep).mul * (irreps2.items[p.i2] as MulIrrep).mul,
        0,
      );
    const path = { i1, i2, iOut, weightOffset: offset, coefficient: Math.sqrt((2 * mo.ir.l + 1) / fanIn) };
    offset += m1 * m2 * mo.mul;
    return path;
  });
  return { irreps1, irreps2, irrepsOut, paths, weightNumel: offset };
}

/**
 * Weighted, channel-mixing Clebsch–Gordan tensor product, as e3nn's `FullyConnectedTensorProduct` with external
 * weights: `out[w, k] += c_path · Σ_{u,v} W_path[u, v, w] · Σ_ij wigner3j[i, j, k] x1[u, i] x2[v, j]` for every
 * path ir1 ⊗ ir2 → ir_out, with c_path = √((2l_out+1) / Σ_{paths into the block} mul1·mul2).
 *
 * @param weights - flat `[weightNumel]` (see {@link weightedTensorProductPlan}), path-major, then u, v, w
 * @throws {@link ShapeError} for wrong input or weight sizes
 *
 * @example
 * ```ts
 * const { weightNumel } = weightedTensorProductPlan({ irreps1: '2x0e+1x1o', irreps2: '1x1o', irrepsOut: '3x1o' });
 * const out = cgTensorProductWeighted(x1, x2, tf.randomNormal([weightNumel]), { irreps1: '2x0e+1x1o', irreps2: '1x1o', irrepsOut: '3x1o' });
 * ```
 */
export function cgTensorProductWeighted(
  x1: Tensor,
  x2: Tensor,
  weights: Tensor,
  options: CgTensorProductWeightedOptions,
): Tensor {
  const plan = weightedTensorProductPlan(options);
  if (!(weights instanceof tf.Tensor) || weights.rank !== 1 || weights.shape[0] !== plan.weightNumel) {
    throw new ShapeError(
      `weights must have shape [${plan.weightNumel}], got ${weights instanceof tf.Tensor ? `[${weights.shape.join(', ')}]` : typeof weights}`,
    );
  }
  const d1 = plan.irreps1.dim;
  const d2 = plan.irreps2.dim;
  if (x1.shape[x1.rank - 1] !== d1 || x2.shape[x2.rank - 1] !== d2 || x1.rank !== 2 || x2.rank !== 2) {
    throw new ShapeError(
      `x1, x2 must be [batch, ${d1}] and [batch, ${d2}], got [${x1.shape.join(', ')}] and [${x2.shape.join(', ')}]`,
    );
  }
  if (x1.shape[0] !== x2.shape[0])
    throw new ShapeError(`x1 and x2 must share the batch size, got ${x1.shape[0]} and ${x2.shape[0]}`);
  return tf.tidy(() => {
    const B = x1.shape[0] as number;
    const s1 = plan.irreps1.slices();
    const s2 = plan.irreps2.slices();
    const blocks: (Tensor | null)[] = plan.irrepsOut.items.map(() => null);
    for (const path of plan.paths) {
      const m1 = plan.irreps1.items[path.i1] as MulIrrep;
      const m2 = plan.irreps2.items[path.i2] as MulIrrep;
      const mo = plan.irrepsOut.items[path.iOut] as MulIrrep;
      const [e1, e2, e3] = [2 * m1.ir.l + 1, 2 * m2.ir.l + 1, 2 * mo.ir.l + 1];
      const sl1 = s1[path.i1] as { start: number; end: number };
      const sl2 = s2[path.i2] as { start: number; end: number };
      const a = tf.reshape(tf.slice(x1, [0, sl1.start], [B, sl1.end - sl1.start]), [B, m1.mul, 1, e1, 1]);
      const b = tf.reshape(tf.slice(x2, [0, sl2.start], [B, sl2.end - sl2.start]), [B, 1, m2.mul, 1, e2]);
      const outer = tf.reshape(tf.mul(a, b), [B * m1.mul * m2.mul, e1 * e2]);
      const w3 = wigner3jShared(m1.ir.l, m2.ir.l, mo.ir.l);
      const cg = matMul(
        outer,
        tf.tensor2d(
          Float32Array.from(w3, (v) => v * path.coefficient),
          [e1 * e2, e3],
        ),
      );
      // [B, uv, k] → [B·k, uv] · W[uv, w] → [B, k, w] → [B, w, k]
      const t = tf.reshape(tf.transpose(tf.reshape(cg, [B, m1.mul * m2.mul, e3]), [0, 2, 1]), [
        B * e3,
        m1.mul * m2.mul,
      ]);
      const w = tf.reshape(tf.slice(weights, [path.weightOffset], [m1.mul * m2.mul * mo.mul]), [
        m1.mul * m2.mul,
        mo.mul,
      ]);
      const mixed = tf.transpose(tf.reshape(matMul(t, w), [B, e3, mo.mul]), [0, 2, 1]);
      const current = blocks[path.iOut] ?? null;
      blocks[path.iOut] = current ? tf.add(current, mixed) : mixed;
    }
    const pieces = plan.irrepsOut.items.map((mo, i) =>
      tf.reshape(blocks[i] ?? tf.zeros([B, mo.mul, 2 * mo.ir.l + 1]), [B, mo.mul * (2 * mo.ir.l + 1)]),
    );
    return pieces.length > 0 ? tf.concat(pieces, 1) : tf.zeros([B, 0]);
  });
}
