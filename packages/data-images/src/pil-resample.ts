import type { PilInterpolation } from '@tfbricks/core';
import { type AxisTaps, makeTaps, singleTaps, tapsMemo } from './axis-taps';
import { PRECISION_BITS } from './separable-pass';

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

/** Pillow's `normalize_coeffs_8bpc`: weights to fixed point, rounded half away from zero. */
export function fixedPointWeights(taps: AxisTaps): Int32Array {
  const out = new Int32Array(taps.weights.length);
  for (let i = 0; i < out.length; i++) {
    const w = taps.weights[i] * (1 << PRECISION_BITS);
    out[i] = w < 0 ? Math.trunc(-0.5 + w) : Math.trunc(0.5 + w);
  }
  return out;
}

/** One axis of PIL's 8-bit resampler: the taps and their fixed-point weights. */
export interface PilAxisPlan {
  taps: AxisTaps;
  k: Int32Array;
}

const plans = tapsMemo<PilAxisPlan>();

/** {@link pilAxisTaps} and {@link fixedPointWeights}, computed once per (in, out, method). */
export function pilAxisPlan(inSize: number, outSize: number, method: PilInterpolation): PilAxisPlan {
  return plans(`${inSize}:${outSize}:${method}`, () => {
    const taps = pilAxisTaps(inSize, outSize, method);
    return { taps, k: fixedPointWeights(taps) };
  });
}
