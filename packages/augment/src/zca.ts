import { symmetricEigen } from './eigen';

/**
 * Keras' ZCA principal components for centred, flattened samples `x` (n x d, row-major,
 * float64): `sigma = x.T @ x / n; u, s, _ = svd(sigma); pc = (u * 1/sqrt(s + eps)) @ u.T`.
 * For a symmetric PSD `sigma` the SVD is its eigendecomposition. When n < d, sigma has
 * rank <= n: its nonzero part comes from the n x n Gram matrix `x @ x.T / n`, and the
 * null space gets exactly `1/sqrt(eps)` (what the SVD gives it) -- the same matrix in
 * O(n^2 d + n d^2) instead of O(d^3). Everything in float64; returns d x d row-major.
 */
export function zcaPrincipalComponents(x: Float64Array, n: number, d: number, epsilon: number): Float64Array {
  if (x.length !== n * d) throw new RangeError(`zcaPrincipalComponents: expected ${n * d} values, got ${x.length}`);
  const xt = transpose(x, n, d); // d x n
  if (d <= n) {
    const sigma = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      for (let j = i; j < d; j++) {
        const v = dot(xt, i * n, xt, j * n, n) / n;
        sigma[i * d + j] = v;
        sigma[j * d + i] = v;
      }
    }
    const { values, vectors } = symmetricEigen(sigma, d);
    const coef = Array.from(values, (s) => 1 / Math.sqrt(Math.max(s, 0) + epsilon));
    return lowRankPlusDiagonal(transpose(vectors, d, d), coef, d, d, 0);
  }
  const g = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const v = dot(x, i * d, x, j * d, d) / n;
      g[i * n + j] = v;
      g[j * n + i] = v;
    }
  }
  const { values, vectors } = symmetricEigen(g, n);
  let top = 0;
  for (const v of values) top = Math.max(top, v);
  const threshold = top * n * 2 ** -52;
  const kept: number[] = [];
  for (let k = 0; k < n; k++) if (values[k] > threshold) kept.push(k);
  const r = kept.length;
  // u_k = x^T v_k / sqrt(n l_k): scaled eigenvectors as rows of vs (r x n).
  const vs = new Float64Array(r * n);
  kept.forEach((k, row) => {
    const scale = 1 / Math.sqrt(n * values[k]);
    for (let i = 0; i < n; i++) vs[row * n + i] = vectors[k * n + i] * scale;
  });
  const ut = new Float64Array(d * r); // row t = (u_1[t], ..., u_r[t])
  for (let t = 0; t < d; t++) for (let k = 0; k < r; k++) ut[t * r + k] = dot(xt, t * n, vs, k * n, n);
  const c = 1 / Math.sqrt(epsilon);
  const coef = kept.map((k) => 1 / Math.sqrt(values[k] + epsilon) - c);
  return lowRankPlusDiagonal(ut, coef, r, d, c);
}

/** P = diag * I + U diag(coef) U^T with `ut` = U as d x r row-major. */
function lowRankPlusDiagonal(ut: Float64Array, coef: readonly number[], r: number, d: number, diag: number): Float64Array {
  const wt = new Float64Array(d * r);
  for (let t = 0; t < d; t++) for (let k = 0; k < r; k++) wt[t * r + k] = ut[t * r + k] * coef[k];
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const v = dot(wt, i * r, ut, j * r, r) + (i === j ? diag : 0);
      out[i * d + j] = v;
      out[j * d + i] = v;
    }
  }
  return out;
}

function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < len; k += 4) {
    s0 += a[ao + k] * b[bo + k];
    s1 += a[ao + k + 1] * b[bo + k + 1];
    s2 += a[ao + k + 2] * b[bo + k + 2];
    s3 += a[ao + k + 3] * b[bo + k + 3];
  }
  for (; k < len; k++) s0 += a[ao + k] * b[bo + k];
  return s0 + s1 + (s2 + s3);
}

function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j];
  return out;
}
