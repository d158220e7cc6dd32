import type { TfInterpolation } from '@tfbricks/core';
import { type AxisTaps, makeTaps, singleTaps, tapsFromPairs, tapsMemo } from './axis-taps';

/**
 * `ResizeBilinear(half_pixel_centers=True)`: `in = (o + 0.5) × scale − 0.5`, lower index
 * `max(floor(in), 0)`, upper `min(ceil(in), n − 1)`, lerp `in − floor(in)`.
 */
function bilinearTaps(inSize: number, outSize: number): AxisTaps {
  const scale = inSize / outSize;
  const pairs = [];
  for (let o = 0; o < outSize; o++) {
    const x = (o + 0.5) * scale - 0.5;
    const f = Math.floor(x);
    const lo = Math.max(f, 0);
    const hi = Math.min(Math.ceil(x), inSize - 1);
    const lerp = x - f;
    pairs.push({ index: [lo, hi], weight: [1 - lerp, lerp] });
  }
  return tapsFromPairs(pairs);
}

/** `ResizeNearestNeighbor(half_pixel_centers=True)`: `min(floor((o + 0.5) × scale), n − 1)`. */
function nearestTaps(inSize: number, outSize: number): AxisTaps {
  const scale = inSize / outSize;
  return singleTaps(Array.from({ length: outSize }, (_, o) => Math.min(Math.floor((o + 0.5) * scale), inSize - 1)));
}

const TABLE = 1024;
/** TF's `GetCoeffsTable(use_keys_cubic=true)`: Keys' cubic (A = −0.5) sampled at 1/1024. */
const KEYS_TABLE = (() => {
  const a = -0.5;
  const t = new Float64Array((TABLE + 1) * 2);
  for (let i = 0; i <= TABLE; i++) {
    const x = i / TABLE;
    t[i * 2] = Math.fround(((a + 2) * x - (a + 3)) * x * x + 1);
    const y = x + 1;
    t[i * 2 + 1] = Math.fround(((a * y - 5 * a) * y + 8 * a) * y - 4 * a);
  }
  return t;
})();

/**
 * `ResizeBicubic(half_pixel_centers=True)`: four taps from the quantised Keys table;
 * taps that fall outside the image get weight 0 and the rest are renormalised.
 */
function bicubicTaps(inSize: number, outSize: number): AxisTaps {
  const scale = inSize / outSize;
  const pairs = [];
  const bound = (v: number) => Math.min(inSize - 1, Math.max(0, v));
  for (let o = 0; o < outSize; o++) {
    const x = Math.fround((o + 0.5) * scale - 0.5);
    const i = Math.floor(x);
    const offset = Math.round((x - i) * TABLE);
    const w = [KEYS_TABLE[offset * 2 + 1], KEYS_TABLE[offset * 2], KEYS_TABLE[(TABLE - offset) * 2], KEYS_TABLE[(TABLE - offset) * 2 + 1]];
    const index = [i - 1, i, i + 1, i + 2];
    const weight = index.map((v, k) => (bound(v) === v ? w[k] : 0));
    const sum = weight.reduce((s, v) => s + v, 0);
    pairs.push({ index: index.map(bound), weight: Math.abs(sum) > 0 ? weight.map((v) => v / sum) : weight });
  }
  return tapsFromPairs(pairs);
}

/**
 * `ResizeArea` (no half-pixel centres): output `o` covers source `[o·s, (o+1)·s)`; each
 * source pixel weighs its overlap, divided by `s` (clamped at the last pixel).
 */
function areaTaps(inSize: number, outSize: number): AxisTaps {
  const scale = inSize / outSize;
  const pairs = [];
  for (let o = 0; o < outSize; o++) {
    const start = o * scale;
    const end = (o + 1) * scale;
    const index: number[] = [];
    const weight: number[] = [];
    for (let i = Math.floor(start); i < Math.ceil(end); i++) {
      const cover = Math.min(end, i + 1) - Math.max(start, i);
      if (cover <= 0) continue;
      index.push(Math.min(i, inSize - 1));
      weight.push(cover / scale);
    }
    pairs.push({ index, weight });
  }
  return tapsFromPairs(pairs);
}

interface Kernel {
  radius: number;
  f(x: number): number;
}

const sinc = (x: number) => (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x));
/** `sampling_kernels.h`. */
const KERNELS: Record<'lanczos3' | 'lanczos5' | 'gaussian' | 'mitchellcubic', Kernel> = {
  lanczos3: { radius: 3, f: (x) => (Math.abs(x) > 3 ? 0 : sinc(x) * sinc(x / 3)) },
  lanczos5: { radius: 5, f: (x) => (Math.abs(x) > 5 ? 0 : sinc(x) * sinc(x / 5)) },
  gaussian: { radius: 1.5, f: (x) => (Math.abs(x) >= 1.5 ? 0 : Math.exp((-x * x) / (2 * 0.5 * 0.5))) },
  mitchellcubic: {
    radius: 2,
    f: (v) => {
      const x = Math.abs(v);
      if (x >= 2) return 0;
      if (x >= 1) return (((-7 / 18) * x + 2) * x - 10 / 3) * x + 16 / 9;
      return ((7 / 6) * x - 2) * x * x + 8 / 9;
    },
  },
};

/**
 * `ScaleAndTranslate` with `antialias=False` (kernel not widened), zero translation:
 * sample `(o + 0.5) / scale`, span `[ceil(s − r − 0.5), floor(s + r − 0.5)]` clipped to the
 * image, weights `k(i + 0.5 − s)` normalised (all zero when they sum to ~0).
 */
function kernelTaps(inSize: number, outSize: number, kernel: Kernel): AxisTaps {
  const invScale = inSize / outSize;
  const stride = Math.ceil(kernel.radius) * 2 + 1;
  const taps = makeTaps(outSize, stride);
  for (let o = 0; o < outSize; o++) {
    const sample = (o + 0.5) * invScale;
    const lo = Math.max(0, Math.ceil(sample - kernel.radius - 0.5));
    const hi = Math.min(inSize - 1, Math.floor(sample + kernel.radius - 0.5));
    let total = 0;
    const count = Math.max(0, hi - lo + 1);
    for (let i = 0; i < count; i++) {
      const w = kernel.f(lo + i + 0.5 - sample);
      taps.weights[o * stride + i] = w;
      total += w;
    }
    if (Math.abs(total) >= 1000 * Number.MIN_VALUE) for (let i = 0; i < count; i++) taps.weights[o * stride + i] /= total;
    taps.start[o] = lo;
    taps.count[o] = count;
  }
  return taps;
}

function makeTfAxisTaps(inSize: number, outSize: number, method: TfInterpolation): AxisTaps {
  switch (method) {
    case 'bilinear':
      return bilinearTaps(inSize, outSize);
    case 'nearest':
      return nearestTaps(inSize, outSize);
    case 'bicubic':
      return bicubicTaps(inSize, outSize);
    case 'area':
      return areaTaps(inSize, outSize);
    default:
      return kernelTaps(inSize, outSize, KERNELS[method]);
  }
}

const memo = tapsMemo<AxisTaps>();

/** Taps of `tf.image.resize(method, antialias=False)` on one axis, computed once per (in, out, method). */
export function tfAxisTaps(inSize: number, outSize: number, method: TfInterpolation): AxisTaps {
  return memo(`${inSize}:${outSize}:${method}`, () => makeTfAxisTaps(inSize, outSize, method));
}
