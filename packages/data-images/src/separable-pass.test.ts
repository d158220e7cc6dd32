import { PIL_INTERPOLATIONS, TF_INTERPOLATIONS } from '@tfbricks/core';
import { describe, expect, it } from 'vitest';
import type { AxisTaps } from './axis-taps';
import { fixedPointWeights, pilAxisTaps } from './pil-resample';
import { pilResize, tfResize } from './resize';
import { PRECISION_BITS } from './separable-pass';
import { simdResampleAvailable, useSimdResample } from './vertical-fixed-simd';
import { tfAxisTaps } from './tf-resample';

/** The plain definition: every output value is Σ over its row taps and column taps, one pixel at a time. */
function naive(src: Uint8Array, w: number, h: number, c: number, cols: AxisTaps | undefined, rows: AxisTaps | undefined, pass: (values: number[], weights: number[]) => number): number[] {
  const ow = cols ? cols.start.length : w;
  const oh = rows ? rows.start.length : h;
  const tap = (t: AxisTaps | undefined, o: number) => (t ? { s: t.start[o], n: t.count[o], w: Array.from(t.weights.subarray(o * t.stride, o * t.stride + t.count[o])) } : { s: o, n: 1, w: [1] });
  const mid: number[] = [];
  for (let y = 0; y < h; y++)
    for (let o = 0; o < ow; o++)
      for (let ch = 0; ch < c; ch++) {
        const { s, n, w: ws } = tap(cols, o);
        mid.push(cols ? pass(Array.from({ length: n }, (_, t) => src[(y * w + s + t) * c + ch]), ws) : src[(y * w + o) * c + ch]);
      }
  const out: number[] = [];
  for (let o = 0; o < oh; o++)
    for (let x = 0; x < ow; x++)
      for (let ch = 0; ch < c; ch++) {
        const { s, n, w: ws } = tap(rows, o);
        out.push(rows ? pass(Array.from({ length: n }, (_, t) => mid[((s + t) * ow + x) * c + ch]), ws) : mid[(o * ow + x) * c + ch]);
      }
  return out;
}

const pixels = (n: number, seed: number) => {
  let s = seed;
  return Uint8Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) & 255);
};

const SIZES: [number, number, number, number][] = [
  [32, 32, 64, 64],
  // rows of 3 x 23 = 69 values: four 16-value steps and a tail of 5; a 17-tap downscale
  [23, 50, 23, 3],
  [7, 5, 3, 11],
  [40, 9, 13, 9],
  [6, 6, 6, 2],
];

describe('the fast separable loops compute exactly the per-pixel definition', () => {
  it.each([
    ['WebAssembly SIMD vertical pass', true],
    ['JavaScript vertical pass', false],
  ])("PIL (%s): Pillow's fixed-point sums (round half up, >> 22, clip), every filter, 1-3 channels", (_, simd) => {
    useSimdResample(simd);
    // Node 20 has WebAssembly SIMD: the first case really runs the wasm pass.
    expect(simdResampleAvailable()).toBe(simd);
    const half = 1 << (PRECISION_BITS - 1);
    for (const method of PIL_INTERPOLATIONS)
      for (const [w, h, ow, oh] of SIZES)
        for (const c of [1, 2, 3]) {
          const src = pixels(w * h * c, w + ow + c);
          const cols = w === ow ? undefined : pilAxisTaps(w, ow, method);
          const rows = h === oh ? undefined : pilAxisTaps(h, oh, method);
          const fixed = (t: AxisTaps | undefined) => (t ? { ...t, weights: Float64Array.from(fixedPointWeights(t)) } : undefined);
          const want = naive(src, w, h, c, fixed(cols), fixed(rows), (v, k) => {
            const ss = v.reduce((s, x, i) => s + x * k[i], half) >> PRECISION_BITS;
            return Math.min(255, Math.max(0, ss));
          });
          // Twice: the second call runs on the memoised tables and reused scratch rows.
          for (let rep = 0; rep < 2; rep++) expect(Array.from(pilResize({ data: src, width: w, height: h, channels: c }, ow, oh, method).data), `${method} ${w}x${h}x${c} -> ${ow}x${oh}`).toEqual(want);
        }
    useSimdResample(true);
  });

  it.each([
    ['WebAssembly SIMD vertical pass', true],
    ['JavaScript vertical pass', false],
  ])('TF (%s): float32 rows, then float32 columns rounded to uint8, every method, 1-4 channels', (_, simd) => {
    useSimdResample(simd);
    expect(simdResampleAvailable()).toBe(simd);
    for (const method of TF_INTERPOLATIONS)
      for (const [w, h, ow, oh] of SIZES)
        for (const c of [1, 3, 4]) {
          const src = pixels(w * h * c, w * oh + c);
          const sum = (v: number[], k: number[]) => v.reduce((s, x, i) => s + x * k[i], 0);
          const rowsFirst = naive(src, w, h, c, tfAxisTaps(w, ow, method), undefined, (v, k) => Math.fround(sum(v, k)));
          // The vertical pass reads the float rows: run the definition on them directly.
          const want: number[] = [];
          const t = tfAxisTaps(h, oh, method);
          for (let o = 0; o < oh; o++)
            for (let x = 0; x < ow * c; x++) {
              let acc = 0;
              for (let i = 0; i < t.count[o]; i++) acc += rowsFirst[(t.start[o] + i) * ow * c + x] * t.weights[o * t.stride + i];
              want.push(Math.min(255, Math.max(0, Math.round(Math.fround(acc)))));
            }
          for (let rep = 0; rep < 2; rep++) expect(Array.from(tfResize({ data: src, width: w, height: h, channels: c }, ow, oh, method).data), `${method} ${w}x${h}x${c} -> ${ow}x${oh}`).toEqual(want);
        }
    useSimdResample(true);
  });
});
