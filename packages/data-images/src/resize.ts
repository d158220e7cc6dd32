import { PIL_INTERPOLATIONS, type PilInterpolation, TF_INTERPOLATIONS, type TfInterpolation } from '@tfbricks/core';
import { pilAxisPlan } from './pil-resample';
import { horizontalFixed, horizontalFloat, verticalFixed, verticalFloatToUint8 } from './separable-pass';
import { tfAxisTaps } from './tf-resample';
import { premultiply, unpremultiply } from './color';

/** Interleaved uint8 pixels, channels last. */
export interface Pixels {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

export function isPilInterpolation(v: string): v is PilInterpolation {
  return (PIL_INTERPOLATIONS as readonly string[]).includes(v);
}

export function isTfInterpolation(v: string): v is TfInterpolation {
  return (TF_INTERPOLATIONS as readonly string[]).includes(v);
}

/** Intermediate rows of a two-pass resize, reused from call to call (grown as needed, never shared between calls in flight: resizing is synchronous). */
let scratch8 = new Uint8Array(0);
let scratchF = new Float32Array(0);
const scratchUint8 = (n: number): Uint8Array => (scratch8.length >= n ? scratch8 : (scratch8 = new Uint8Array(n)));
const scratchFloat = (n: number): Float32Array => (scratchF.length >= n ? scratchF : (scratchF = new Float32Array(n)));

/** The caller's output buffer when given (and not an intermediate step), else a new one. */
function output(out: Uint8Array | undefined, n: number, intermediate: boolean): Uint8Array {
  if (!out || intermediate) return new Uint8Array(n);
  if (out.length !== n) throw new RangeError(`output buffer of ${out.length} bytes, expected ${n}`);
  return out;
}

/**
 * PIL's `Image.resize(size, resample)` on 8-bit pixels: a horizontal then a vertical
 * 8-bit pass (each only when that side changes), fixed-point weights; RGBA is resized
 * premultiplied (PIL converts `RGBA` to `RGBa` and back for every filter but nearest).
 * `out` (optional) receives the result when a resize happens (its exact size).
 */
export function pilResize(src: Pixels, width: number, height: number, method: PilInterpolation, out?: Uint8Array): Pixels {
  if (src.width === width && src.height === height) return src;
  const premul = src.channels === 4 && method !== 'nearest';
  const input = premul ? premultiply(src.data) : src.data;
  const c = src.channels;
  let data: Uint8Array;
  if (width === src.width) data = input;
  else {
    const h = pilAxisPlan(src.width, width, method);
    const n = src.height * width * c;
    data = height === src.height ? output(out, n, premul) : scratchUint8(n);
    horizontalFixed(input, src.height, src.width, c, h.taps, h.k, data);
  }
  if (height !== src.height) {
    const v = pilAxisPlan(src.height, height, method);
    const target = output(out, height * width * c, premul);
    verticalFixed(data, width * c, v.taps, v.k, target);
    data = target;
  }
  if (premul) data = unpremultiply(data);
  return { data, width, height, channels: c };
}

/**
 * `tf.image.resize(images, [height, width], method, antialias=False)` computed in float
 * (both axes always, as TF does), then rounded to the nearest uint8 and clipped
 * (TF returns the float values; the difference is at most 0.5, plus the clipping of
 * cubic/lanczos overshoot).
 */
export function tfResize(src: Pixels, width: number, height: number, method: TfInterpolation, out?: Uint8Array): Pixels {
  const c = src.channels;
  const rows = scratchFloat(src.height * width * c);
  horizontalFloat(src.data, src.height, src.width, c, tfAxisTaps(src.width, width, method), rows);
  const data = output(out, height * width * c, false);
  verticalFloatToUint8(rows, width * c, tfAxisTaps(src.height, height, method), data);
  return { data, width, height, channels: c };
}

/** Keras' `smart_resize` crop: the centred box of the target's aspect ratio. */
export function cropBox(width: number, height: number, targetWidth: number, targetHeight: number): { x: number; y: number; width: number; height: number } {
  const cropHeight = Math.min(height, Math.trunc(Math.fround((width * targetHeight) / targetWidth)));
  const cropWidth = Math.min(width, Math.trunc((height * targetWidth) / targetHeight));
  return { x: Math.trunc((width - cropWidth) / 2), y: Math.trunc((height - cropHeight) / 2), width: cropWidth, height: cropHeight };
}

export function crop(src: Pixels, box: { x: number; y: number; width: number; height: number }): Pixels {
  const c = src.channels;
  const data = new Uint8Array(box.width * box.height * c);
  for (let y = 0; y < box.height; y++) {
    const from = ((box.y + y) * src.width + box.x) * c;
    data.set(src.data.subarray(from, from + box.width * c), y * box.width * c);
  }
  return { data, width: box.width, height: box.height, channels: c };
}

/**
 * `tf.image.resize_with_pad`: resize to fit inside the target keeping the aspect ratio
 * (`floor(side / ratio)`), then pad with zeros, offsets `floor((target − side/ratio) / 2)`.
 */
export function tfResizeWithPad(src: Pixels, width: number, height: number, method: TfInterpolation): Pixels {
  const ratio = Math.max(src.width / width, src.height / height);
  const rw = src.width / ratio;
  const rh = src.height / ratio;
  const inner = tfResize(src, Math.max(1, Math.floor(rw)), Math.max(1, Math.floor(rh)), method);
  const px = Math.max(0, Math.floor((width - rw) / 2));
  const py = Math.max(0, Math.floor((height - rh) / 2));
  const c = src.channels;
  const data = new Uint8Array(width * height * c);
  for (let y = 0; y < inner.height; y++) data.set(inner.data.subarray(y * inner.width * c, (y + 1) * inner.width * c), ((y + py) * width + px) * c);
  return { data, width, height, channels: c };
}
