import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { convertColor } from './color';
import { type PilInterpolation, TF_INTERPOLATIONS, type TfInterpolation } from '@tfbricks/core';
import { cropBox, pilResize, tfResize, tfResizeWithPad } from './resize';

interface ResizeCase {
  w: number;
  h: number;
  c: number;
  ow: number;
  oh: number;
  method: PilInterpolation;
  input: number[];
  output: number[];
}
const ref = JSON.parse(readFileSync(new URL('../test/fixtures/pil-reference.json', import.meta.url), 'utf8')) as {
  resize: ResizeCase[];
  convert: { c: number; mode: 'L' | 'RGB' | 'RGBA'; input: number[]; output: number[] }[];
};

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

const row = (values: number[]) => ({ data: Uint8Array.from(values), width: values.length, height: 1, channels: 1 });
const tfRow = (values: number[], width: number, method: TfInterpolation) => Array.from(tfResize(row(values), width, 1, method).data);

describe('pilResize matches Pillow 9.4 (test/fixtures/make-pil-reference.py)', () => {
  it('every filter, down and up, L / RGB / RGBA (premultiplied), exactly', () => {
    let worst = 0;
    for (const k of ref.resize) {
      const out = pilResize({ data: Uint8Array.from(k.input), width: k.w, height: k.h, channels: k.c }, k.ow, k.oh, k.method);
      const d = maxDiff(out.data, k.output);
      expect(d, `${k.method} ${k.w}x${k.h}x${k.c} -> ${k.ow}x${k.oh}`).toBeLessThanOrEqual(1);
      worst = Math.max(worst, d);
    }
    expect(worst).toBe(0);
  });

  it('analytic: nearest picks floor((o + 0.5) * scale); box averages 2x2 blocks; a constant stays constant', () => {
    expect(Array.from(pilResize(row([0, 10, 20, 30, 40, 50]), 3, 1, 'nearest').data)).toEqual([10, 30, 50]);
    expect(Array.from(pilResize(row([0, 10, 20, 30]), 2, 1, 'box').data)).toEqual([5, 25]);
    for (const m of ['bilinear', 'bicubic', 'lanczos', 'hamming'] as const) {
      expect(Array.from(pilResize(row([77, 77, 77, 77, 77]), 3, 1, m).data), m).toEqual([77, 77, 77]);
    }
  });
});

describe('PIL colour conversion', () => {
  it('L is ITU-R 601-2 luma, alpha is dropped or set to 255, grey is replicated (as Pillow)', () => {
    for (const k of ref.convert) {
      const mode = k.mode === 'L' ? 'grayscale' : k.mode === 'RGB' ? 'rgb' : 'rgba';
      const out = convertColor({ data: Uint8Array.from(k.input), width: 9, height: 4, channels: k.c }, mode);
      expect(Array.from(out.data), `${k.c} -> ${k.mode}`).toEqual(k.output);
    }
    // 0.299 R + 0.587 G + 0.114 B, rounded: pure red 255 -> 76, green -> 150, blue -> 29.
    const rgb = { data: Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255]), width: 3, height: 1, channels: 3 };
    expect(Array.from(convertColor(rgb, 'grayscale').data)).toEqual([76, 150, 29]);
  });
});

describe('tfResize follows the documented tf.image.resize formulas (antialias=False)', () => {
  it('bilinear: half-pixel centres, in = (o + 0.5) * s - 0.5, clamped at the edges', () => {
    // 2 -> 4: in = -0.25, 0.25, 0.75, 1.25 -> 0, 25, 75, 100.
    expect(tfRow([0, 100], 4, 'bilinear')).toEqual([0, 25, 75, 100]);
    // 4 -> 2 without antialias: in = 0.5, 2.5 -> mean of neighbours, no wider averaging.
    expect(tfRow([0, 40, 80, 200], 2, 'bilinear')).toEqual([20, 140]);
  });

  it('nearest: floor((o + 0.5) * s); area: coverage-weighted mean', () => {
    expect(tfRow([0, 10, 20, 30], 2, 'nearest')).toEqual([10, 30]);
    expect(tfRow([0, 10, 20, 30], 8, 'nearest')).toEqual([0, 0, 10, 10, 20, 20, 30, 30]);
    expect(tfRow([0, 10, 20, 30], 2, 'area')).toEqual([5, 25]);
    // 3 -> 2: [0, 1.5) and [1.5, 3): (0 + 0.5*30)/1.5 = 10, (0.5*30 + 60)/1.5 = 50.
    expect(tfRow([0, 30, 60], 2, 'area')).toEqual([10, 50]);
  });

  it('bicubic: Keys a = -0.5 taps, out-of-image taps dropped and the rest renormalised', () => {
    // 4 -> 2: in = 0.5 and 2.5; weights w(1.5), w(0.5), w(0.5), w(1.5) = -1/16, 9/16, 9/16, -1/16.
    const first = (9 / 16) * 0 + (9 / 16) * 10 + (-1 / 16) * 20;
    const second = (-1 / 16) * 10 + (9 / 16) * 20 + (9 / 16) * 30;
    expect(tfRow([0, 10, 20, 30], 2, 'bicubic')).toEqual([Math.round(first / (17 / 16)), Math.round(second / (17 / 16))]);
  });

  it('lanczos3 / lanczos5 / gaussian / mitchellcubic: kernel at (i + 0.5 - (o + 0.5) / scale), normalised', () => {
    const input = [10, 200, 30, 180, 60, 90, 250, 0];
    const sinc = (x: number) => (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x));
    const kernels: Record<string, [number, (x: number) => number]> = {
      lanczos3: [3, (x) => sinc(x) * sinc(x / 3)],
      lanczos5: [5, (x) => sinc(x) * sinc(x / 5)],
      gaussian: [1.5, (x) => Math.exp(-2 * x * x)],
      mitchellcubic: [2, (x) => (Math.abs(x) < 1 ? (7 / 6) * Math.abs(x) ** 3 - 2 * x * x + 8 / 9 : (-7 / 18) * Math.abs(x) ** 3 + 2 * x * x - (10 / 3) * Math.abs(x) + 16 / 9)],
    };
    for (const [method, [radius, k]] of Object.entries(kernels)) {
      const expected = [0, 1, 2].map((o) => {
        const s = ((o + 0.5) * 8) / 3;
        let acc = 0;
        let total = 0;
        for (let i = 0; i < 8; i++) {
          const x = i + 0.5 - s;
          if (Math.abs(x) >= radius) continue;
          acc += k(x) * input[i];
          total += k(x);
        }
        return Math.min(255, Math.max(0, Math.round(acc / total)));
      });
      const got = tfRow(input, 3, method as TfInterpolation);
      expect(maxDiff(got, expected), method).toBeLessThanOrEqual(1);
    }
  });

  it('every method keeps a constant image constant, on both axes and channels', () => {
    const img = { data: new Uint8Array(5 * 7 * 3).fill(123), width: 5, height: 7, channels: 3 };
    for (const m of TF_INTERPOLATIONS) expect(new Set(tfResize(img, 9, 3, m).data), m).toEqual(new Set([123]));
  });

  it('crop_to_aspect_ratio takes the centred box; pad_to_aspect_ratio pads with zeros', () => {
    expect(cropBox(100, 50, 10, 10)).toEqual({ x: 25, y: 0, width: 50, height: 50 });
    expect(cropBox(30, 90, 20, 10)).toEqual({ x: 0, y: 37, width: 30, height: 15 });
    const padded = tfResizeWithPad({ data: new Uint8Array(4 * 2).fill(9), width: 4, height: 2, channels: 1 }, 4, 4, 'bilinear');
    expect(Array.from(padded.data)).toEqual([0, 0, 0, 0, 9, 9, 9, 9, 9, 9, 9, 9, 0, 0, 0, 0]);
  });
});
