import { symmetricEigen } from './eigen';

/**
 * Keras' ZCA principal components for centred, flattened samples `x` (n x d, row-major,
 * float64): `sigma = x.T @ x / n; u, s, _ = svd(sigma); pc = (u * 1/sqrt(s + eps)) @ u.T`.
 * For a symmetric PSD `sigma` the SVD is its eigendecomposition. When n < d, sigma has
 * rank <= n: the nonzero part comes from the n x n Gram matrix `x @ x.T / n` and the
 * null space gets exactly `1/sqrt(eps)` (what the SVD gives it), which is the same
 * matrix computed in O(n^2 d + d^2 n) instead of O(d^3). All in float64.
 */
export function zcaPrincipalComponents(x: Float64Array, n: number, d: number, epsilon: number): Float64Array {
  const pc = new Float64Array(d * d);
  if (d <= n) {
    const sigma = new Float64Array(d * d);
    gramColumns(x, n, d, sigma);
    for (let i = 0; i < d * d; i++) sigma[i] /= n;
    const { values, vectors } = symmetricEigen(sigma, d);
    const coef = Array.from(values, (s) => 1 / Math.sqrt(Math.max(s, 0) + epsilon));
    lowRankInto(pc, vectors, coef, d, d, 0);
    return pc;
  }
  // Gram route: G = x x^T / n = V L V^T;  u_k = x^T v_k / sqrt(n l_k).
  const g = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const xi = i * d;
    for (let j = i; j < n; j++) {
      const xj = j * d;
      let s = 0;
      for (let k = 0; k < d; k++) s += x[xi + k] * x[xj + k];
      g[i * n + j] = s / n;
      g[j * n + i] = s / n;
    }
  }
  const { values, vectors } = symmetricEigen(g, n);
  let top = 0;
  for (const v of values) top = Math.max(top, v);
  const threshold = top * n * 2 ** -52;
  const kept: number[] = [];
  for (let k = 0; k < n; k++) if (values[k] > threshold) kept.push(k);
  const r = kept.length;
  const u = new Float64Array(r * d); // rows: eigenvectors of sigma
  const c = 1 / Math.sqrt(epsilon);
  const coef: number[] = [];
  kept.forEach((k, row) => {
    const scale = 1 / Math.sqrt(n * values[k]);
    const vk = k * n;
    const ur = row * d;
    for (let i = 0; i < n; i++) {
      const w = vectors[vk + i] * scale;
      if (w === 0) continue;
      const xi = i * d;
      for (let t = 0; t < d; t++) u[ur + t] += w * x[xi + t];
    }
    coef.push(1 / Math.sqrt(values[k] + epsilon) - c);
  });
  lowRankInto(pc, u, coef, r, d, c);
  return pc;
}

/** out = diag * I + sum_k coef[k] * u_k u_k^T (u_k = rows of `u`, r x d). */
function lowRankInto(out: Float64Array, u: Float64Array, coef: readonly number[], r: number, d: number, diag: number): void {
  for (let i = 0; i < d; i++) out[i * d + i] = diag;
  for (let k = 0; k < r; k++) {
    const uk = k * d;
    const ck = coef[k];
    for (let i = 0; i < d; i++) {
      const a = ck * u[uk + i];
      if (a === 0) continue;
      const oi = i * d;
      for (let j = i; j < d; j++) out[oi + j] += a * u[uk + j];
    }
  }
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) out[j * d + i] = out[i * d + j];
}

/** out (d x d) = x^T x for row-major x (n x d). */
function gramColumns(x: Float64Array, n: number, d: number, out: Float64Array): void {
  for (let s = 0; s < n; s++) {
    const xs = s * d;
    for (let i = 0; i < d; i++) {
      const a = x[xs + i];
      if (a === 0) continue;
      const oi = i * d;
      for (let j = i; j < d; j++) out[oi + j] += a * x[xs + j];
    }
  }
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) out[j * d + i] = out[i * d + j];
}
