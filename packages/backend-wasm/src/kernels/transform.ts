import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './wasm-calls';

export interface TransformAttrs {
  interpolation: 'nearest' | 'bilinear';
  fillMode: 'constant' | 'reflect' | 'wrap' | 'nearest';
  fillValue: number;
  outputShape?: [number, number];
}

const clamp = (lo: number, v: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** tfjs' (and TensorFlow's) mapping of a source coordinate outside `[0, len)` for a fill mode. */
export function mapCoordinate(coord: number, len: number, mode: TransformAttrs['fillMode']): number {
  if (mode === 'constant') return coord;
  if (mode === 'nearest') return clamp(0, coord, len - 1);
  let c = coord;
  if (mode === 'reflect') {
    if (c < 0) {
      if (len <= 1) c = 0;
      else {
        const sz2 = 2 * len;
        if (c < sz2) c = sz2 * Math.trunc(-c / sz2) + c;
        c = c < -len ? c + sz2 : -c - 1;
      }
    } else if (c > len - 1) {
      if (len <= 1) c = 0;
      else {
        const sz2 = 2 * len;
        c -= sz2 * Math.trunc(c / sz2);
        if (c >= len) c = sz2 - c - 1;
      }
    }
  } else if (c < 0) {
    c = len <= 1 ? 0 : c + len * (Math.trunc(-c / (len - 1)) + 1);
  } else if (c > len - 1) {
    c = len <= 1 ? 0 : c - len * Math.trunc(c / (len - 1));
  }
  return clamp(0, c, len - 1);
}

/**
 * `Transform` (projective image warp, NHWC) on the wasm heap with tfjs-backend-cpu's
 * semantics — JavaScript `Math.round` for nearest, the same fill-mode mapping — where
 * tfjs-backend-wasm's kernel rounds and reflects differently (the parity suite's nearest +
 * reflect case).
 */
export function transform(backend: WasmBackendLike, image: TensorInfo, transforms: TensorInfo, attrs: TransformAttrs): TensorInfo {
  const [batch, h, w, channels] = image.shape as [number, number, number, number];
  const [oh, ow] = attrs.outputShape ?? [h, w];
  const out = backend.makeOutput([batch, oh, ow, channels], image.dtype);
  const dst = backend.typedArrayFromHeap(out);
  const src = backend.typedArrayFromHeap(image);
  const m = backend.typedArrayFromHeap(transforms);
  dst.fill(attrs.fillValue);
  const read = (b: number, y: number, x: number, ch: number): number =>
    y >= 0 && y < h && x >= 0 && x < w ? src[((b * h + y) * w + x) * channels + ch]! : attrs.fillValue;
  for (let b = 0; b < batch; b++) {
    const t = transforms.shape[0] === 1 ? 0 : b * 8;
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        const projection = m[t + 6]! * x + m[t + 7]! * y + 1;
        if (projection === 0) continue;
        const inX = mapCoordinate((m[t]! * x + m[t + 1]! * y + m[t + 2]!) / projection, w, attrs.fillMode);
        const inY = mapCoordinate((m[t + 3]! * x + m[t + 4]! * y + m[t + 5]!) / projection, h, attrs.fillMode);
        const base = ((b * oh + y) * ow + x) * channels;
        for (let ch = 0; ch < channels; ch++) {
          let v: number;
          if (attrs.interpolation === 'nearest') v = read(b, Math.round(inY), Math.round(inX), ch);
          else {
            const y0 = Math.floor(inY);
            const x0 = Math.floor(inX);
            const top = (x0 + 1 - inX) * read(b, y0, x0, ch) + (inX - x0) * read(b, y0, x0 + 1, ch);
            const bottom = (x0 + 1 - inX) * read(b, y0 + 1, x0, ch) + (inX - x0) * read(b, y0 + 1, x0 + 1, ch);
            v = (y0 + 1 - inY) * top + (inY - y0) * bottom;
          }
          dst[base + ch] = v;
        }
      }
    }
  }
  return out;
}
