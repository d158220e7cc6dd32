import type { AxisTaps } from './axis-taps';
import { verticalFixedSimd, verticalFloatSimd } from './vertical-fixed-simd';

/**
 * The two loops of a separable resize over interleaved pixels, written for speed: no
 * allocation but the output, no function call per pixel, taps read from typed arrays.
 *
 * - `horizontal*`: each row of `width × channels` values becomes a row of `taps.start.length × channels`;
 * - `vertical*`: output row `o` is Σ_t weight_t × input row `start_o + t`, all of a row's
 *   values (every column and channel) with the same weights, contiguous in memory.
 *
 * The `Fixed` loops are Pillow's 8-bit ones (`ImagingResampleHorizontal_8bpc` /
 * `Vertical_8bpc`): integer weights with {@link PRECISION_BITS} fraction bits, a rounding
 * half added, shifted and clipped. The `Float` loops are TensorFlow's float arithmetic.
 */
export const PRECISION_BITS = 32 - 8 - 2;
const HALF = 1 << (PRECISION_BITS - 1);

const clip8 = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

/** Per-row accumulators of the vertical passes, reused (grown as needed; passes are synchronous). */
let accI = new Int32Array(0);
let accF = new Float64Array(0);

/**
 * Horizontal: one output pixel at a time, all its channels accumulated together (one
 * weight read per tap); 3 channels (RGB) has its own loop, the common case.
 */
export function horizontalFixed(src: Uint8Array, rows: number, width: number, channels: number, taps: AxisTaps, k: Int32Array, out: Uint8Array): void {
  const outW = taps.start.length;
  const { start, count, stride } = taps;
  const inRow = width * channels;
  for (let y = 0, q = 0; y < rows; y++) {
    const rowBase = y * inRow;
    for (let o = 0; o < outW; o++) {
      const n = count[o];
      const wb = o * stride;
      let p = rowBase + start[o] * channels;
      if (channels === 3) {
        let s0 = HALF;
        let s1 = HALF;
        let s2 = HALF;
        for (let t = 0; t < n; t++, p += 3) {
          const w = k[wb + t];
          s0 += src[p] * w;
          s1 += src[p + 1] * w;
          s2 += src[p + 2] * w;
        }
        out[q] = clip8(s0 >> PRECISION_BITS);
        out[q + 1] = clip8(s1 >> PRECISION_BITS);
        out[q + 2] = clip8(s2 >> PRECISION_BITS);
        q += 3;
      } else {
        for (let c = 0; c < channels; c++, q++) {
          let ss = HALF;
          for (let t = 0, pc = p + c; t < n; t++, pc += channels) ss += src[pc] * k[wb + t];
          out[q] = clip8(ss >> PRECISION_BITS);
        }
      }
    }
  }
}

/**
 * Vertical: WebAssembly SIMD where available ({@link verticalFixedSimd}); otherwise output
 * row `o` reads `n` whole input rows with the same weights. Up to four
 * taps (bilinear, bicubic and hamming upscales, most small downscales) have unrolled
 * loops; longer ones accumulate row by row into integer sums. Either way the sums, in
 * the same tap order, are Pillow's.
 */
export function verticalFixed(src: Uint8Array, rowLen: number, taps: AxisTaps, k: Int32Array, out: Uint8Array): void {
  if (verticalFixedSimd(src, rowLen, taps, k, out)) return;
  const outH = taps.start.length;
  const { start, count, stride } = taps;
  for (let o = 0; o < outH; o++) {
    const n = count[o];
    const wb = o * stride;
    const b0 = start[o] * rowLen;
    const q = o * rowLen;
    const w0 = k[wb];
    if (n === 1) {
      for (let x = 0; x < rowLen; x++) out[q + x] = clip8((HALF + src[b0 + x] * w0) >> PRECISION_BITS);
    } else if (n === 2) {
      const w1 = k[wb + 1];
      const b1 = b0 + rowLen;
      for (let x = 0; x < rowLen; x++) out[q + x] = clip8((HALF + src[b0 + x] * w0 + src[b1 + x] * w1) >> PRECISION_BITS);
    } else if (n === 3) {
      const w1 = k[wb + 1];
      const w2 = k[wb + 2];
      const b1 = b0 + rowLen;
      const b2 = b1 + rowLen;
      for (let x = 0; x < rowLen; x++) out[q + x] = clip8((HALF + src[b0 + x] * w0 + src[b1 + x] * w1 + src[b2 + x] * w2) >> PRECISION_BITS);
    } else if (n === 4) {
      const w1 = k[wb + 1];
      const w2 = k[wb + 2];
      const w3 = k[wb + 3];
      const b1 = b0 + rowLen;
      const b2 = b1 + rowLen;
      const b3 = b2 + rowLen;
      for (let x = 0; x < rowLen; x++) out[q + x] = clip8((HALF + src[b0 + x] * w0 + src[b1 + x] * w1 + src[b2 + x] * w2 + src[b3 + x] * w3) >> PRECISION_BITS);
    } else {
      if (accI.length < rowLen) accI = new Int32Array(rowLen);
      const acc = accI;
      acc.fill(HALF, 0, rowLen);
      for (let t = 0, base = b0; t < n; t++, base += rowLen) {
        const w = k[wb + t];
        for (let x = 0; x < rowLen; x++) acc[x] += src[base + x] * w;
      }
      for (let x = 0; x < rowLen; x++) out[q + x] = clip8(acc[x] >> PRECISION_BITS);
    }
  }
}

/** {@link horizontalFixed} in float (TF), into float32 rows. */
export function horizontalFloat(src: ArrayLike<number>, rows: number, width: number, channels: number, taps: AxisTaps, out: Float32Array): void {
  const outW = taps.start.length;
  const { start, count, stride, weights } = taps;
  const inRow = width * channels;
  for (let y = 0, q = 0; y < rows; y++) {
    const rowBase = y * inRow;
    for (let o = 0; o < outW; o++) {
      const n = count[o];
      const wb = o * stride;
      let p = rowBase + start[o] * channels;
      if (channels === 3) {
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        for (let t = 0; t < n; t++, p += 3) {
          const w = weights[wb + t];
          s0 += src[p] * w;
          s1 += src[p + 1] * w;
          s2 += src[p + 2] * w;
        }
        out[q] = s0;
        out[q + 1] = s1;
        out[q + 2] = s2;
        q += 3;
      } else {
        for (let c = 0; c < channels; c++, q++) {
          let acc = 0;
          for (let t = 0, pc = p + c; t < n; t++, pc += channels) acc += src[pc] * weights[wb + t];
          out[q] = acc;
        }
      }
    }
  }
}

/**
 * TF's float result is stored as float32, then rounded to the nearest uint8 (half up,
 * as `Math.round`) and clipped. Inside (0, 255) a float32 plus 0.5 is exact in double, so
 * truncating it is `Math.round`, without the call.
 */
const round8 = (v: number): number => {
  const f = Math.fround(v);
  return f <= 0 ? 0 : f >= 255 ? 255 : (f + 0.5) | 0;
};

/** The vertical float pass (WebAssembly SIMD where available, else unrolled up to four taps, as {@link verticalFixed}), rounded to uint8 on the way out. */
export function verticalFloatToUint8(src: Float32Array, rowLen: number, taps: AxisTaps, out: Uint8Array): void {
  if (verticalFloatSimd(src, rowLen, taps, out)) return;
  const outH = taps.start.length;
  const { start, count, stride, weights } = taps;
  for (let o = 0; o < outH; o++) {
    const n = count[o];
    const wb = o * stride;
    const b0 = start[o] * rowLen;
    const q = o * rowLen;
    const w0 = weights[wb];
    if (n === 1) {
      for (let x = 0; x < rowLen; x++) out[q + x] = round8(src[b0 + x] * w0);
    } else if (n === 2) {
      const w1 = weights[wb + 1];
      const b1 = b0 + rowLen;
      for (let x = 0; x < rowLen; x++) out[q + x] = round8(src[b0 + x] * w0 + src[b1 + x] * w1);
    } else if (n === 3) {
      const w1 = weights[wb + 1];
      const w2 = weights[wb + 2];
      const b1 = b0 + rowLen;
      const b2 = b1 + rowLen;
      for (let x = 0; x < rowLen; x++) out[q + x] = round8(src[b0 + x] * w0 + src[b1 + x] * w1 + src[b2 + x] * w2);
    } else if (n === 4) {
      const w1 = weights[wb + 1];
      const w2 = weights[wb + 2];
      const w3 = weights[wb + 3];
      const b1 = b0 + rowLen;
      const b2 = b1 + rowLen;
      const b3 = b2 + rowLen;
      for (let x = 0; x < rowLen; x++) out[q + x] = round8(src[b0 + x] * w0 + src[b1 + x] * w1 + src[b2 + x] * w2 + src[b3 + x] * w3);
    } else {
      if (accF.length < rowLen) accF = new Float64Array(rowLen);
      const acc = accF;
      acc.fill(0, 0, rowLen);
      for (let t = 0, base = b0; t < n; t++, base += rowLen) {
        const w = weights[wb + t];
        for (let x = 0; x < rowLen; x++) acc[x] += src[base + x] * w;
      }
      for (let x = 0; x < rowLen; x++) out[q + x] = round8(acc[x]);
    }
  }
}
