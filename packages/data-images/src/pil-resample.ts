import type { PilInterpolation } from '@tfbricks/core';
import { type AxisTaps, makeTaps, singleTaps } from './axis-taps';

interface PilFilter {
  support: number;
  f(x: number): number;
}

const sinc = (x: number): number => {
  if (x === 0) return 1;
  const px = x * Math.PI;
  return Math.sin(px) / px;
};

/** Pillow's `libImaging/Resample.c` filters. */
const FILTERS: Record<Exclude<PilInterpolation, 'nearest'>, PilFilter> = {
  box: { support: 0.5, f: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
  bilinear: {
    support: 1,
    f: (x) => {
      const a = Math.abs(x);
      return a < 1 ? 1 - a : 0;
    },
  },
  hamming: {
    support: 1,
    f: (x) => {
      const a = Math.abs(x);
      if (a === 0) return 1;
      if (a >= 1) return 0;
      const px = a * Math.PI;
      return (Math.sin(px) / px) * (0.54 + 0.46 * Math.cos(px));
    },
  },
  bicubic: {
    support: 2,
    f: (x) => {
      const a = -0.5;
      const t = Math.abs(x);
      if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
      if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
      return 0;
    },
  },
  lanczos: { support: 3, f: (x) => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0) },
};

/**
 * Pillow's `precompute_coeffs` for one axis (`ImagingResample`, box = whole image):
 * the filter widened by the downscale factor, normalised per output pixel.
 */
function filterTaps(inSize: number, outSize: number, filter: PilFilter): AxisTaps {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = filter.support * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const taps = makeTaps(outSize, ksize);
  const ss = 1 / filterscale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let ww = 0;
    const base = xx * ksize;
    for (let x = 0; x < xmax; x++) {
      const w = filter.f((x + xmin - center + 0.5) * ss);
      taps.weights[base + x] = w;
      ww += w;
    }
    if (ww !== 0) for (let x = 0; x < xmax; x++) taps.weights[base + x] /= ww;
    taps.start[xx] = xmin;
    taps.count[xx] = xmax;
  }
  return taps;
}

/**
 * Pillow's NEAREST resize (`ImagingScaleAffine`): source index `floor((o + 0.5) × scale)`,
 * accumulated in double precision as Pillow does.
 */
function nearestTaps(inSize: number, outSize: number): AxisTaps {
  const scale = inSize / outSize;
  const idx = new Int32Array(outSize);
  let xo = scale * 0.5;
  for (let o = 0; o < outSize; o++) {
    idx[o] = Math.min(inSize - 1, xo < 0 ? -1 : Math.trunc(xo));
    xo += scale;
  }
  return singleTaps(idx);
}

/** Taps of PIL's `resize` on one axis. */
export function pilAxisTaps(inSize: number, outSize: number, method: PilInterpolation): AxisTaps {
  return method === 'nearest' ? nearestTaps(inSize, outSize) : filterTaps(inSize, outSize, FILTERS[method]);
}

const PRECISION_BITS = 32 - 8 - 2;

/** Pillow's `normalize_coeffs_8bpc`: weights to fixed point, rounded half away from zero. */
export function fixedPointWeights(taps: AxisTaps): Int32Array {
  const out = new Int32Array(taps.weights.length);
  for (let i = 0; i < out.length; i++) {
    const w = taps.weights[i] * (1 << PRECISION_BITS);
    out[i] = w < 0 ? Math.trunc(-0.5 + w) : Math.trunc(0.5 + w);
  }
  return out;
}

/**
 * One 8-bit pass of Pillow's resampler along an axis of an interleaved image:
 * `(ss = 1 << (P-1)) + Σ pixel × k`, shifted right by P and clipped, as in Resample.c.
 */
export function pilPass(
  src: Uint8Array,
  lines: number,
  inLen: number,
  channels: number,
  taps: AxisTaps,
  horizontal: boolean,
): Uint8Array {
  const outLen = taps.start.length;
  const k = fixedPointWeights(taps);
  const out = new Uint8Array(lines * outLen * channels);
  const half = 1 << (PRECISION_BITS - 1);
  // Pixel address: horizontal passes walk along a row; vertical passes along a column.
  const lineStride = horizontal ? inLen * channels : channels;
  const stepStride = horizontal ? channels : lines * channels;
  const outLineStride = horizontal ? outLen * channels : channels;
  const outStepStride = horizontal ? channels : lines * channels;
  for (let line = 0; line < lines; line++) {
    for (let o = 0; o < outLen; o++) {
      const start = taps.start[o];
      const count = taps.count[o];
      const wbase = o * taps.stride;
      for (let c = 0; c < channels; c++) {
        let ss = half;
        let p = line * lineStride + start * stepStride + c;
        for (let t = 0; t < count; t++, p += stepStride) ss += src[p] * k[wbase + t];
        const v = ss >> PRECISION_BITS;
        out[line * outLineStride + o * outStepStride + c] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
  return out;
}
