/*
 * Moment algebra of the FunBaT likelihood y ≈ vec(W)ᵀ z + ε, with z = u₀ ⊗ u₁ ⊗ … ⊗ u_{K−1} (ordinary Kronecker,
 * first mode slowest) and vec(W) the C-order flattening of the R×…×R core (the last core axis fastest). With
 * the C-order unfolding W_(k) (columns enumerate the other core axes in order, last fastest) this gives, for
 * every mode k, (W_(k) z_{\k})ᵀ u_k = vec(W)ᵀ z with z_{\k} = ⊗_{j≠k} u_j (tested for every mode) — the
 * convention the reference code breaks for all but the middle mode. FunBaT-CP uses a diagonal core
 * (weights w_r): vec(W)ᵀ z = Σ_r w_r ∏_k u_k[r].
 */

/** `'tucker'` (full R^K core) or `'cp'` (diagonal core: FunBaT-CP). */
export type FunbatDecomposition = 'tucker' | 'cp';

/** Kronecker product of vectors (first slowest) into `out` (length ∏ lengths). */
export function kronVectorsInto(
  vectors: readonly Float64Array[],
  out: Float64Array,
  skip = -1,
  from = 0,
): number {
  out[0] = 1;
  let len = 1;
  for (let t = from; t < vectors.length; t++) {
    if (t === skip) continue;
    const v = vectors[t]!;
    const n = v.length;
    for (let i = len - 1; i >= 0; i--) {
      const a = out[i]!;
      for (let j = n - 1; j >= 0; j--) out[i * n + j] = a * v[j]!;
    }
    len *= n;
  }
  return len;
}

/** Kronecker product of square matrices (each R×R row-major; first slowest) into `out`; returns the size. */
export function kronSquareInto(
  mats: readonly Float64Array[],
  R: number,
  out: Float64Array,
  tmp: Float64Array,
  skip = -1,
  from = 0,
): number {
  out[0] = 1;
  let n = 1;
  for (let t = from; t < mats.length; t++) {
    if (t === skip) continue;
    const M = mats[t]!;
    const m = n * R;
    // tmp ← out ⊗ M
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const a = out[i * n + j]!;
        for (let p = 0; p < R; p++) {
          const row = (i * R + p) * m + j * R;
          for (let q = 0; q < R; q++) tmp[row + q] = a * M[p * R + q]!;
        }
      }
    out.set(tmp.subarray(0, m * m));
    n = m;
  }
  return n;
}

/**
 * Unfolds a C-order R^K core along mode k: an R × R^{K−1} row-major matrix whose columns enumerate the other
 * modes in order (last fastest), matching z_{\k} = ⊗_{j≠k} u_j.
 */
export function unfoldCore(core: Float64Array, R: number, K: number, k: number): Float64Array {
  const after = R ** (K - 1 - k);
  const before = R ** k;
  const cols = before * after;
  const out = new Float64Array(R * cols);
  for (let b = 0; b < before; b++)
    for (let i = 0; i < R; i++) {
      const s0 = (b * R + i) * after;
      const d0 = i * cols + b * after;
      for (let a = 0; a < after; a++) out[d0 + a] = core[s0 + a]!;
    }
  return out;
}

/** Work buffers for {@link conditionalMoments}. */
export interface MomentWorkspace {
  z: Float64Array;
  zz: Float64Array;
  tmp: Float64Array;
  t: Float64Array;
}

/** Buffers sized for rank R and order K. */
export function momentWorkspace(R: number, K: number): MomentWorkspace {
  const P = R ** Math.max(K - 1, 0);
  return {
    z: new Float64Array(P),
    zz: new Float64Array(P * P),
    tmp: new Float64Array(P * P),
    t: new Float64Array(R * P),
  };
}

/**
 * The conditional-EP quantities for mode k at one entry: a = E[W_(k) z_{\k}] and E[a aᵀ] (using the core's
 * posterior mean, as the reference method), given the other modes' posterior means and second moments
 * E[u_j u_jᵀ] = S_j + m_j m_jᵀ. Writes a (R) and Eaa (R×R) into the given arrays.
 *
 * @param coreUnfolded - W_(k) (R × R^{K−1}) for Tucker, or the R weights for CP
 */
export function conditionalMoments(
  decomposition: FunbatDecomposition,
  coreUnfolded: Float64Array,
  R: number,
  means: readonly Float64Array[],
  seconds: readonly Float64Array[],
  k: number,
  a: Float64Array,
  Eaa: Float64Array,
  ws: MomentWorkspace,
): void {
  const K = means.length;
  if (decomposition === 'cp') {
    for (let r = 0; r < R; r++) {
      let p = coreUnfolded[r]!;
      for (let j = 0; j < K; j++) if (j !== k) p *= means[j]![r]!;
      a[r] = p;
      for (let s = 0; s < R; s++) {
        let q = coreUnfolded[r]! * coreUnfolded[s]!;
        for (let j = 0; j < K; j++) if (j !== k) q *= seconds[j]![r * R + s]!;
        Eaa[r * R + s] = q;
      }
    }
    return;
  }
  const P = kronVectorsInto(means, ws.z, k);
  kronSquareInto(seconds, R, ws.zz, ws.tmp, k);
  projectMoments(coreUnfolded, R, P, ws.z, ws.zz, a, Eaa, ws.t);
}

/**
 * Projects Kronecker moments through the unfolded core: a = W_(k) z and E = W_(k) zz W_(k)ᵀ. Linear in (z, zz),
 * so sums over the entries at one index value can be projected once (what `funbat` does per knot).
 */
export function projectMoments(
  W: Float64Array,
  R: number,
  P: number,
  z: Float64Array,
  zz: Float64Array,
  a: Float64Array,
  Eaa: Float64Array,
  t: Float64Array,
): void {
  for (let r = 0; r < R; r++) {
    let s = 0;
    for (let p = 0; p < P; p++) s += W[r * P + p]! * z[p]!;
    a[r] = s;
    // t[r,:] = W[r,:] · zz
    for (let q = 0; q < P; q++) t[r * P + q] = 0;
    for (let p = 0; p < P; p++) {
      const w = W[r * P + p]!;
      if (w === 0) continue;
      const o = p * P;
      for (let q = 0; q < P; q++) t[r * P + q]! += w * zz[o + q]!;
    }
  }
  for (let r = 0; r < R; r++)
    for (let s2 = r; s2 < R; s2++) {
      let v = 0;
      for (let q = 0; q < P; q++) v += t[r * P + q]! * W[s2 * P + q]!;
      Eaa[r * R + s2] = v;
      Eaa[s2 * R + r] = v;
    }
}
