import type { FillMode, InterpolationOrder } from './fill-mode';
import { type ImageGeometry, SourceRowCoordinates, clampIndex } from './sampling';

/**
 * The CPU fast path: the same per-pixel computation as `planSampling` (same float64
 * coordinates in scipy's order, same mapping and weights), but accumulating straight into
 * the output instead of writing a plan. `x` is NHWC data: the batch itself, or with
 * `sourceImages` a larger array from which output image `b` reads image `sourceImages[b]`
 * (so `flow()` resamples its batch straight out of the source, without copying rows).
 */
export function resampleDirect(
  x: Float32Array,
  geometries: readonly ImageGeometry[],
  h: number,
  w: number,
  c: number,
  order: InterpolationOrder,
  mode: FillMode,
  cval: number,
  sourceImages?: ArrayLike<number>,
): Float32Array {
  const out = new Float32Array(geometries.length * h * w * c);
  const coords = new SourceRowCoordinates(h, w, mode);
  const { r: rs, c: cs } = coords;
  const hw = h * w;
  for (let img = 0; img < geometries.length; img++) {
    coords.image(geometries[img]!);
    const base = ((sourceImages ? sourceImages[img]! : img) * hw) | 0;
    for (let i = 0; i < h; i++) {
      coords.row(i);
      const pixel = img * hw + i * w;
      for (let j = 0; j < w; j++) {
        const o = ((pixel + j) * c) | 0;
        const r = rs[j]!;
        const cc = cs[j]!;
        if (Number.isNaN(r) || Number.isNaN(cc)) {
          for (let ch = 0; ch < c; ch++) out[o + ch] = cval;
        } else if (order === 0) {
          const s = ((base + clampIndex(Math.floor(r + 0.5) | 0, h) * w + clampIndex(Math.floor(cc + 0.5) | 0, w)) * c) | 0;
          for (let ch = 0; ch < c; ch++) out[o + ch] = x[s + ch]!;
        } else {
          bilinear(x, out, o, base, r, cc, h, w, c);
        }
      }
    }
  }
  return out;
}

/** One bilinear output pixel at `out[o..o+c)`, weights rounded to float32 as in the planned path. */
function bilinear(x: Float32Array, out: Float32Array, o: number, base: number, r: number, cc: number, h: number, w: number, c: number): void {
  // Integer arithmetic (`| 0`) for the indices: coordinates are finite and inside (-1, len)
  // here, and int32 index math makes the pixel loop about 1.4x faster in V8.
  const r0 = Math.floor(r) | 0;
  const c0 = Math.floor(cc) | 0;
  const tr = r - r0;
  const tc = cc - c0;
  const ra = (clampIndex(r0, h) * w) | 0;
  const rb = (clampIndex(r0 + 1, h) * w) | 0;
  const ca = clampIndex(c0, w) | 0;
  const cb = clampIndex(c0 + 1, w) | 0;
  const w00 = Math.fround((1 - tr) * (1 - tc));
  const w01 = Math.fround((1 - tr) * tc);
  const w10 = Math.fround(tr * (1 - tc));
  const w11 = Math.fround(tr * tc);
  const s00 = ((base + ra + ca) * c) | 0;
  const s01 = ((base + ra + cb) * c) | 0;
  const s10 = ((base + rb + ca) * c) | 0;
  const s11 = ((base + rb + cb) * c) | 0;
  for (let ch = 0; ch < c; ch++) {
    out[o + ch] = w00 * x[s00 + ch]! + w01 * x[s01 + ch]! + w10 * x[s10 + ch]! + w11 * x[s11 + ch]!;
  }
}
