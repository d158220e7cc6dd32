import type { ImageColorMode } from '@tfbricks/core';
import type { Pixels } from './resize';

/** PIL's `L24`: ITU-R 601-2 luma in 16.16 fixed point, `(19595 R + 38470 G + 7471 B + 0x8000) >> 16`. */
const luma = (r: number, g: number, b: number) => (r * 19595 + g * 38470 + b * 7471 + 0x8000) >>> 16;

/**
 * `Image.convert('RGB' | 'RGBA' | 'L')` from what a decoder hands over (1: L, 2: LA,
 * 3: RGB, 4: RGBA): alpha is dropped without compositing, grey is replicated, luma for L.
 */
export function convertColor(src: Pixels, mode: ImageColorMode): Pixels {
  const want = mode === 'grayscale' ? 1 : mode === 'rgba' ? 4 : 3;
  const from = src.channels;
  if (from === want) return src;
  const n = src.width * src.height;
  const out = new Uint8Array(n * want);
  const s = src.data;
  for (let i = 0; i < n; i++) {
    const p = i * from;
    let r: number;
    let g: number;
    let b: number;
    let a = 255;
    if (from <= 2) {
      r = g = b = s[p];
      if (from === 2) a = s[p + 1];
    } else {
      r = s[p];
      g = s[p + 1];
      b = s[p + 2];
      if (from === 4) a = s[p + 3];
    }
    const q = i * want;
    if (want === 1) out[q] = from <= 2 ? r : luma(r, g, b);
    else {
      out[q] = r;
      out[q + 1] = g;
      out[q + 2] = b;
      if (want === 4) out[q + 3] = a;
    }
  }
  return { data: out, width: src.width, height: src.height, channels: want };
}

/** PIL's `RGBA` -> `RGBa`: `MULDIV255(v, a)`. */
export function premultiply(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let p = 0; p < data.length; p += 4) {
    const a = data[p + 3];
    for (let c = 0; c < 3; c++) {
      const t = data[p + c] * a + 128;
      out[p + c] = ((t >> 8) + t) >> 8;
    }
    out[p + 3] = a;
  }
  return out;
}

/** PIL's `RGBa` -> `RGBA`: `min(255, 255 v / a)` (integer division), unchanged for a = 0 or 255. */
export function unpremultiply(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let p = 0; p < data.length; p += 4) {
    const a = data[p + 3];
    for (let c = 0; c < 3; c++) out[p + c] = a === 0 || a === 255 ? data[p + c] : Math.min(255, Math.trunc((255 * data[p + c]) / a));
    out[p + 3] = a;
  }
  return out;
}
