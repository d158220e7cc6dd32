import type { FillMode, InterpolationOrder } from './fill-mode';
import { mapCoordinate } from './fill-mode';
import type { ImageGeometry } from './sampling';

/**
 * The CPU fast path: the same per-pixel computation as `planSampling` (same float64
 * coordinates in scipy's order, same mapping and weights), but accumulating straight into
 * the output instead of writing a plan. `x` is the NHWC batch's data.
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
): Float32Array {
  const b = geometries.length;
  const hw = h * w;
  const out = new Float32Array(b * hw * c);
  const colR = new Float64Array(w);
  const colC = new Float64Array(w);
  for (let img = 0; img < b; img++) {
    const g = geometries[img];
    const m = g.map ?? { a00: 1, a01: 0, a10: 0, a11: 1, o0: 0, o1: 0 };
    const mapped = g.map !== null;
    const base = img * hw;
    for (let j = 0; j < w; j++) {
      const sj = g.flipHorizontal ? w - 1 - j : j;
      colR[j] = sj * m.a01;
      colC[j] = sj * m.a11;
    }
    for (let i = 0; i < h; i++) {
      const si = g.flipVertical ? h - 1 - i : i;
      const rowR = si * m.a00;
      const rowC = si * m.a10;
      for (let j = 0; j < w; j++) {
        let r = rowR + colR[j] + m.o0;
        let cc = rowC + colC[j] + m.o1;
        if (mapped) {
          if (!(r >= 0 && r <= h - 1)) r = mapCoordinate(r, h, mode);
          if (!(cc >= 0 && cc <= w - 1)) cc = mapCoordinate(cc, w, mode);
        }
        const o = (base + i * w + j) * c;
        if (Number.isNaN(r) || Number.isNaN(cc)) {
          for (let ch = 0; ch < c; ch++) out[o + ch] = cval;
          continue;
        }
        if (order === 0) {
          const s = (base + clamp(Math.floor(r + 0.5), h) * w + clamp(Math.floor(cc + 0.5), w)) * c;
          for (let ch = 0; ch < c; ch++) out[o + ch] = x[s + ch];
          continue;
        }
        const r0 = Math.floor(r);
        const c0 = Math.floor(cc);
        const tr = r - r0;
        const tc = cc - c0;
        const ra = clamp(r0, h) * w;
        const rb = clamp(r0 + 1, h) * w;
        const ca = clamp(c0, w);
        const cb = clamp(c0 + 1, w);
        // Weights rounded to float32 as in the planned path.
        const w00 = Math.fround((1 - tr) * (1 - tc));
        const w01 = Math.fround((1 - tr) * tc);
        const w10 = Math.fround(tr * (1 - tc));
        const w11 = Math.fround(tr * tc);
        const s00 = (base + ra + ca) * c;
        const s01 = (base + ra + cb) * c;
        const s10 = (base + rb + ca) * c;
        const s11 = (base + rb + cb) * c;
        for (let ch = 0; ch < c; ch++) {
          out[o + ch] = w00 * x[s00 + ch] + w01 * x[s01 + ch] + w10 * x[s10 + ch] + w11 * x[s11 + ch];
        }
      }
    }
  }
  return out;
}

function clamp(i: number, len: number): number {
  return i < 0 ? 0 : i >= len ? len - 1 : i;
}
