import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { type TfbricksError, isTfbricksError } from '@tfbricks/core';
import { pilResize, tfResize } from '@tfbricks/data-images';
import { DEFAULT_MAX_IMAGE_PIXELS, loadPredictImage, requireImageFile } from './predict-image';

const root = mkdtempSync(join(tmpdir(), 'tfbricks-predict-image-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function png(width: number, height: number, pixel: (x: number, y: number) => [number, number, number, number]): Buffer {
  const img = new PNG({ width, height });
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      img.data.set(pixel(x, y), i);
    }
  return PNG.sync.write(img);
}

/** A grey PNG whose pixel (x, y) is `values[y * width + x]`. */
const greyPng = (width: number, height: number, values: number[]) => png(width, height, (x, y) => [values[y * width + x], values[y * width + x], values[y * width + x], 255]);

function file(name: string, bytes: Uint8Array | string): string {
  const path = join(root, name);
  writeFileSync(path, bytes);
  return path;
}

async function refusal(run: () => unknown): Promise<TfbricksError> {
  let caught: unknown;
  try {
    await run();
  } catch (error) {
    caught = error;
  }
  expect(isTfbricksError(caught), String(caught)).toBe(true);
  return caught as TfbricksError;
}

const channel0 = (data: Uint8Array) => Array.from(data.filter((_, i) => i % 3 === 0));

describe('predict images: PNG and JPEG decoded by data-images', () => {
  it('decodes a PNG to RGB, dropping alpha (like PIL convert("RGB"))', async () => {
    const path = file('alpha.png', png(3, 2, (x, y) => [x * 10, y * 20, 7, 128]));
    expect(requireImageFile(path, 'alpha.png')).toBe('png');
    const { data, original } = await loadPredictImage(path, 'alpha.png', { width: 3, height: 2, resize: 'pil' });
    expect(original).toEqual({ width: 3, height: 2 });
    expect(data.length).toBe(3 * 2 * 3);
    expect(Array.from(data.subarray(0, 6))).toEqual([0, 0, 7, 10, 0, 7]);
    expect(Array.from(data.subarray(15, 18))).toEqual([20, 20, 7]);
  });

  it('decodes a JPEG (a flat colour survives compression within a few levels)', async () => {
    const width = 16;
    const height = 8;
    const pixels = Buffer.alloc(width * height * 4);
    for (let i = 0; i < width * height; i++) pixels.set([200, 40, 90, 255], i * 4);
    const path = file('flat.jpg', jpeg.encode({ data: pixels, width, height }, 95).data);
    expect(requireImageFile(path, 'flat.jpg')).toBe('jpeg');
    const { data, original } = await loadPredictImage(path, 'flat.jpg', { width, height, resize: 'pil' });
    expect(original).toEqual({ width: 16, height: 8 });
    for (let i = 0; i < data.length; i++) expect(Math.abs(data[i] - [200, 40, 90][i % 3])).toBeLessThanOrEqual(3);
  });

  it('refuses other files with a usage error naming the file and what is allowed (a GIF too: predict takes PNG or JPEG)', async () => {
    for (const [name, bytes] of [['x.gif', 'GIF89a\u0001\u0000\u0001\u0000'], ['notes.txt', 'hello'], ['empty.png', '']] as const) {
      const path = file(name, bytes);
      for (const run of [() => requireImageFile(path, name), () => loadPredictImage(path, name, { width: 2, height: 2, resize: 'pil' })]) {
        const error = await refusal(run);
        expect([error.code, error.usage, error.exitCode]).toEqual(['E_USAGE', true, 2]);
        expect(error.message).toBe(`invalid image "${name}": not a PNG or JPEG file (allowed: PNG or JPEG files)`);
      }
    }
  });

  it('refuses a header declaring more than the bound before decoding (E_TOO_LARGE, exit 2), naming --max-image-pixels', async () => {
    const bomb = Buffer.from(png(1, 1, () => [0, 0, 0, 255]));
    bomb.writeUInt32BE(20000, 16);
    bomb.writeUInt32BE(20000, 20);
    const path = file('bomb.png', bomb);
    for (const run of [() => requireImageFile(path, 'bomb.png'), () => loadPredictImage(path, 'bomb.png', { width: 32, height: 32, resize: 'pil' })]) {
      const error = await refusal(run);
      expect([error.code, error.exitCode]).toEqual(['E_TOO_LARGE', 2]);
      expect(error.message).toContain(`image "bomb.png" declares 20000x20000 pixels, which is 400000000, above the limit of ${DEFAULT_MAX_IMAGE_PIXELS}`);
      expect(error.message).toContain('raise it with --max-image-pixels 400000000');
    }
    const jpegPath = file('small.jpg', jpeg.encode({ data: Buffer.alloc(8 * 8 * 4, 255), width: 8, height: 8 }, 90).data);
    expect((await refusal(() => loadPredictImage(jpegPath, 'small.jpg', { width: 8, height: 8, maxPixels: 63, resize: 'pil' }))).message).toContain('declares 8x8 pixels, which is 64, above the limit of 63');
    expect((await loadPredictImage(jpegPath, 'small.jpg', { width: 8, height: 8, maxPixels: 64, resize: 'pil' })).original).toEqual({ width: 8, height: 8 });
  });

  it('a corrupt PNG or JPEG is E_IMAGE_DECODE (exit 1) with the format, the file and a hint', async () => {
    const noisy = png(64, 64, (x, y) => [(x * 37 + y * 11) % 256, (x * 5 + y * 91) % 256, (x * y) % 256, 255]);
    const pixels = Buffer.alloc(64 * 64 * 4);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7919) % 256;
    const jpg = jpeg.encode({ data: pixels, width: 64, height: 64 }, 90).data;
    for (const [name, bytes, format] of [['cut.png', noisy.subarray(0, noisy.length >> 1), 'PNG'], ['cut.jpg', jpg.subarray(0, jpg.length >> 1), 'JPEG']] as const) {
      const path = file(name, bytes);
      expect(requireImageFile(path, name)).toBe(format.toLowerCase());
      const error = await refusal(() => loadPredictImage(path, name, { width: 32, height: 32, resize: 'pil' }));
      expect([error.code, error.exitCode]).toEqual(['E_IMAGE_DECODE', 1]);
      expect(error.message).toMatch(new RegExp(`^cannot decode ${format} image "${name.replace('.', '\\.')}": `));
      expect(error.hint).toBe('check that the file is a complete, valid image');
    }
  });
});

describe('predict images: resized to the model input by data-images', () => {
  it('CIFAR-trained models: PIL bilinear (antialiased when shrinking, not the old area average)', async () => {
    // 4x2 -> 2x1. PIL's bilinear filter spans 2 source pixels per side at scale 2: horizontal
    // weights 3/7, 3/7, 1/7 (and mirrored), then the two rows averaged: 69 and 145 where the
    // old area average gave 55 and 151.
    const path = file('shrink.png', greyPng(4, 2, [0, 100, 50, 51, 10, 110, 250, 253]));
    const { data } = await loadPredictImage(path, 'shrink.png', { width: 2, height: 1, resize: 'pil' });
    expect(Array.from(data)).toEqual([69, 69, 69, 145, 145, 145]);
  });

  it('CIFAR-trained models: enlarging interpolates with half-pixel centres (unchanged from before)', async () => {
    const path = file('grow.png', greyPng(2, 1, [0, 200]));
    const { data } = await loadPredictImage(path, 'grow.png', { width: 4, height: 1, resize: 'pil' });
    // centres map to -0.25, 0.25, 0.75, 1.25 -> clamped 0, 50, 150, 200
    expect(channel0(data)).toEqual([0, 50, 150, 200]);
  });

  it('keeps a 32x32 image unchanged and shrinks a flat 64x64 one to the same flat 32x32', async () => {
    const values = Array.from({ length: 32 * 32 }, (_, i) => i % 251);
    const same = await loadPredictImage(file('same.png', greyPng(32, 32, values)), 'same.png', { width: 32, height: 32, resize: 'pil' });
    expect(channel0(same.data)).toEqual(values);
    expect(same.original).toEqual({ width: 32, height: 32 });
    for (const resize of ['pil', 'tf'] as const) {
      const small = await loadPredictImage(file('flat.png', greyPng(64, 64, new Array(64 * 64).fill(77))), 'flat.png', { width: 32, height: 32, resize });
      expect(small.original).toEqual({ width: 64, height: 64 });
      expect(small.data.length).toBe(32 * 32 * 3);
      expect(small.data.every((v) => v === 77)).toBe(true);
    }
  });

  it('folder-trained models: tf.image.resize bilinear, as training resized; CIFAR ones: PIL bilinear', async () => {
    const w = 20;
    const h = 12;
    const rgb = Array.from({ length: w * h * 3 }, (_, i) => (i * 37) % 256);
    const path = file('pattern.png', png(w, h, (x, y) => [...rgb.slice((y * w + x) * 3, (y * w + x) * 3 + 3), 255] as [number, number, number, number]));
    const src = { data: Uint8Array.from(rgb), width: w, height: h, channels: 3 };
    const tf = await loadPredictImage(path, 'pattern.png', { width: 7, height: 5, resize: 'tf' });
    const pil = await loadPredictImage(path, 'pattern.png', { width: 7, height: 5, resize: 'pil' });
    expect(Array.from(tf.data)).toEqual(Array.from(tfResize(src, 7, 5, 'bilinear').data));
    expect(Array.from(pil.data)).toEqual(Array.from(pilResize(src, 7, 5, 'bilinear').data));
    expect(Array.from(tf.data)).not.toEqual(Array.from(pil.data));
  });
});
