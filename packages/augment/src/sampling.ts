import type { AffineMap } from './keras-matrix';
import { type FillMode, type InterpolationOrder, mapCoordinate } from './fill-mode';

/** Per-image geometric work for one batch: an affine map (or none) and the flips applied after it. */
export interface ImageGeometry {
  map: AffineMap | null;
  flipHorizontal: boolean;
  flipVertical: boolean;
}

/**
 * Gather plan for a whole NHWC batch: for each output pixel, `taps` source rows of the
 * flattened `[B*H*W, C]` batch and their weights. Index -1 stands for `cval`.
 */
export interface SamplingPlan {
  taps: 1 | 4;
  indices: Int32Array;
  /** `null` when `taps` is 1 (every weight is 1). */
  weights: Float32Array | null;
  /** Whether any index is -1 (`cval`). */
  usesCval: boolean;
}

const IDENTITY = { a00: 1, a01: 0, a10: 0, a11: 1, o0: 0, o1: 0 };

/**
 * The source coordinates that scipy.ndimage.affine_transform reads for the output pixels of
 * one image, one row at a time: float64, in scipy's order of operations
 * (`icoor = sum(out_coord * row) + shift`), with the fill mode applied; flips after the affine
 * step are folded in as output permutations. Call {@link image} for each image, then
 * {@link row} for each output row `i`: it fills `r[j]`, `c[j]` (length `w`), NaN where scipy
 * reads `cval`. The pixel loops stay in the callers (no callback per pixel: V8 keeps them tight).
 */
export class SourceRowCoordinates {
  readonly r: Float64Array;
  readonly c: Float64Array;
  private readonly colR: Float64Array;
  private readonly colC: Float64Array;
  private m = IDENTITY;
  private mapped = false;
  private flipVertical = false;

  constructor(
    private readonly h: number,
    private readonly w: number,
    private readonly mode: FillMode,
  ) {
    this.r = new Float64Array(w);
    this.c = new Float64Array(w);
    this.colR = new Float64Array(w);
    this.colC = new Float64Array(w);
  }

  image(g: ImageGeometry): void {
    const w = this.w;
    this.m = g.map ?? IDENTITY;
    this.mapped = g.map !== null;
    this.flipVertical = g.flipVertical;
    for (let j = 0; j < w; j++) {
      const sj = g.flipHorizontal ? w - 1 - j : j;
      this.colR[j] = sj * this.m.a01;
      this.colC[j] = sj * this.m.a11;
    }
  }

  row(i: number): void {
    const { h, w, m, mode, r: rs, c: cs, colR, colC } = this;
    const si = this.flipVertical ? h - 1 - i : i;
    const rowR = si * m.a00;
    const rowC = si * m.a10;
    for (let j = 0; j < w; j++) {
      let r = rowR + colR[j]! + m.o0;
      let c = rowC + colC[j]! + m.o1;
      if (this.mapped) {
        if (!(r >= 0 && r <= h - 1)) r = mapCoordinate(r, h, mode);
        if (!(c >= 0 && c <= w - 1)) c = mapCoordinate(c, w, mode);
      }
      rs[j] = r;
      cs[j] = c;
    }
  }
}

/**
 * Visits every output pixel of a whole NHWC batch with its source coordinate (see
 * {@link SourceRowCoordinates}). `pixel` is the flat output pixel index (`b*h*w + i*w + j`),
 * `base` the flat index of that image's first pixel.
 */
export function forEachSourceCoordinate(
  geometries: readonly ImageGeometry[],
  h: number,
  w: number,
  mode: FillMode,
  visit: (pixel: number, base: number, r: number, c: number) => void,
): void {
  const coords = new SourceRowCoordinates(h, w, mode);
  for (let img = 0; img < geometries.length; img++) {
    coords.image(geometries[img]!);
    const base = img * h * w;
    for (let i = 0; i < h; i++) {
      coords.row(i);
      for (let j = 0; j < w; j++) visit(base + i * w + j, base, coords.r[j]!, coords.c[j]!);
    }
  }
}

/**
 * Computes, in float64 on the CPU, exactly what scipy.ndimage.affine_transform reads for
 * every output pixel (order 0 or 1, modes nearest/constant/reflect/wrap), for the whole
 * batch at once; flips after the affine step are folded in as output permutations.
 */
export function planSampling(
  geometries: readonly ImageGeometry[],
  h: number,
  w: number,
  order: InterpolationOrder,
  mode: FillMode,
): SamplingPlan {
  const n = geometries.length * h * w;
  const cvalRow = -1;
  const taps = order === 0 ? 1 : 4;
  const indices = new Int32Array(n * taps);
  const weights = taps === 4 ? new Float32Array(n * 4) : null;
  let usesCval = false;
  forEachSourceCoordinate(geometries, h, w, mode, (pixel, base, r, c) => {
    const out = pixel * taps;
    if (Number.isNaN(r) || Number.isNaN(c)) {
      usesCval = true;
      indices[out] = cvalRow;
      if (weights) {
        weights[out] = 1;
        for (let k = 1; k < 4; k++) {
          indices[out + k] = cvalRow;
          weights[out + k] = 0;
        }
      }
      return;
    }
    if (weights === null) {
      indices[out] = base + clampIndex(Math.floor(r + 0.5), h) * w + clampIndex(Math.floor(c + 0.5), w);
      return;
    }
    const r0 = Math.floor(r);
    const c0 = Math.floor(c);
    const tr = r - r0;
    const tc = c - c0;
    const ra = clampIndex(r0, h) * w;
    const rb = clampIndex(r0 + 1, h) * w;
    const ca = clampIndex(c0, w);
    const cb = clampIndex(c0 + 1, w);
    indices[out] = base + ra + ca;
    indices[out + 1] = base + ra + cb;
    indices[out + 2] = base + rb + ca;
    indices[out + 3] = base + rb + cb;
    weights[out] = (1 - tr) * (1 - tc);
    weights[out + 1] = (1 - tr) * tc;
    weights[out + 2] = tr * (1 - tc);
    weights[out + 3] = tr * tc;
  });
  return { taps, indices, weights, usesCval };
}

/** A neighbour index clamped into [0, len-1] (scipy clamps the taps beside the edge). */
export function clampIndex(i: number, len: number): number {
  return i < 0 ? 0 : i >= len ? len - 1 : i;
}
