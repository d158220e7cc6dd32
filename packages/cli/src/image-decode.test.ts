import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { decodeImage, resizeImage, sniffImageFormat } from './image-decode';

function png(width: number, height: number, pixel: (x: number, y: number) => [number, number, number, number]): Uint8Array {
  const img = new PNG({ width, height });
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const [r, g, b, a] = pixel(x, y);
      const i = (y * width + x) * 4;
      img.data[i] = r;
      img.data[i + 1] = g;
      img.data[i + 2] = b;
      img.data[i + 3] = a;
    }
  return new Uint8Array(PNG.sync.write(img));
}

describe('image decoding', () => {
  it('decodes PNG to RGB, dropping alpha', () => {
    const bytes = png(3, 2, (x, y) => [x * 10, y * 20, 7, 128]);
    expect(sniffImageFormat(bytes)).toBe('png');
    const img = decodeImage(bytes);
    expect([img.width, img.height]).toEqual([3, 2]);
    expect(Array.from(img.data.subarray(0, 6))).toEqual([0, 0, 7, 10, 0, 7]);
    expect(Array.from(img.data.subarray(15, 18))).toEqual([20, 20, 7]);
  });

  it('decodes JPEG (flat colour survives compression within a few levels)', () => {
    const width = 16;
    const height = 8;
    const data = Buffer.alloc(width * height * 4);
    for (let i = 0; i < width * height; i++) data.set([200, 40, 90, 255], i * 4);
    const encoded = jpeg.encode({ data, width, height }, 95).data;
    expect(sniffImageFormat(encoded)).toBe('jpeg');
    const img = decodeImage(encoded);
    expect([img.width, img.height]).toEqual([16, 8]);
    for (let c = 0; c < 3; c++) expect(Math.abs(img.data[c] - [200, 40, 90][c])).toBeLessThanOrEqual(3);
  });

  it('rejects other bytes with a usage error', () => {
    expect(() => decodeImage(new Uint8Array([1, 2, 3, 4]), 'x.gif')).toThrow(/not a PNG or JPEG/);
  });
});

describe('resizing to the model input', () => {
  it('averages areas when shrinking (2×2 blocks → their mean)', () => {
    const src = { width: 4, height: 2, data: new Uint8Array(4 * 2 * 3) };
    const values = [0, 100, 50, 51, 10, 110, 250, 253];
    values.forEach((v, i) => src.data.set([v, v, v], i * 3));
    const out = resizeImage(src, 2, 1);
    expect(Array.from(out.data)).toEqual([55, 55, 55, 151, 151, 151]);
  });

  it('interpolates bilinearly with half-pixel centres when enlarging', () => {
    const src = { width: 2, height: 1, data: new Uint8Array([0, 0, 0, 200, 200, 200]) };
    const out = resizeImage(src, 4, 1);
    // centres map to -0.25, 0.25, 0.75, 1.25 → clamped 0, 50, 150, 200
    expect(Array.from(out.data.filter((_, i) => i % 3 === 0))).toEqual([0, 50, 150, 200]);
  });

  it('keeps a 32×32 image unchanged and shrinks a 64×64 one to 32×32', () => {
    const same = { width: 32, height: 32, data: new Uint8Array(32 * 32 * 3).map((_, i) => i % 251) };
    expect(resizeImage(same, 32, 32)).toBe(same);
    const big = { width: 64, height: 64, data: new Uint8Array(64 * 64 * 3).fill(77) };
    const small = resizeImage(big, 32, 32);
    expect(small.data.length).toBe(32 * 32 * 3);
    expect(small.data.every((v) => v === 77)).toBe(true);
  });
});
