import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { BadImage, MAX_IMAGE_PIXELS, decodeFile, decodeImageBytes } from './decode-file';
import { pixels, tempDir, writeHugePngHeader } from './test-folders';

const root = tempDir('tfbricks-decode-bytes-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const rgba = pixels(3, 2, 4, (x, y, c) => [x * 10, y * 20, 7, 128][c]);
const png = () => sharp(rgba, { raw: { width: 3, height: 2, channels: 4 } }).png().toBuffer();
const flatJpeg = () => sharp(pixels(16, 8, 3, (_x, _y, c) => [200, 40, 90][c]), { raw: { width: 16, height: 8, channels: 3 } }).jpeg({ quality: 95 }).toBuffer();

async function badImage(run: Promise<unknown>): Promise<BadImage> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BadImage);
  return error as BadImage;
}

describe('decodeImageBytes: one image from bytes, bounded by its header', () => {
  it('decodes PNG bytes to their own channels (RGBA kept; a Uint8Array view works like a Buffer)', async () => {
    const encoded = await png();
    const view = new Uint8Array(encoded.length + 5);
    view.set(encoded, 5);
    for (const bytes of [encoded, view.subarray(5)]) {
      const img = await decodeImageBytes(bytes);
      expect([img.width, img.height, img.channels]).toEqual([3, 2, 4]);
      expect(Array.from(img.data.subarray(0, 8))).toEqual([0, 0, 7, 128, 10, 0, 7, 128]);
      expect(Array.from(img.data.subarray(20, 24))).toEqual([20, 20, 7, 128]);
    }
  });

  it('decodes JPEG bytes (a flat colour survives quality 95 within 3 levels)', async () => {
    const img = await decodeImageBytes(await flatJpeg());
    expect([img.width, img.height, img.channels]).toEqual([16, 8, 3]);
    for (let i = 0; i < img.data.length; i++) expect(Math.abs(img.data[i] - [200, 40, 90][i % 3])).toBeLessThanOrEqual(3);
  });

  it('refuses a header over the pixel bound before decoding: a 20000x20000 PNG bomb, a real PNG over a small bound', async () => {
    writeHugePngHeader(join(root, 'bomb.png'), 20000, 20000);
    const bomb = readFileSync(join(root, 'bomb.png'));
    expect(bomb.length).toBeLessThan(80);
    const t0 = Date.now();
    expect((await badImage(decodeImageBytes(bomb))).code).toBe('too-large');
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(20000 * 20000).toBeGreaterThan(MAX_IMAGE_PIXELS);
    expect((await badImage(decodeImageBytes(await png(), 5))).code).toBe('too-large');
    expect((await badImage(decodeImageBytes(await flatJpeg(), 127))).code).toBe('too-large');
    expect((await decodeImageBytes(await flatJpeg(), 128)).width).toBe(16);
  });

  it('classifies bad bytes: empty, not an image, a truncated PNG, a truncated JPEG', async () => {
    const empty = await badImage(decodeImageBytes(new Uint8Array(0)));
    expect([empty.code, empty.message]).toEqual(['not-an-image', 'empty file']);
    const text = await badImage(decodeImageBytes(new TextEncoder().encode('{"not": "an image"}')));
    expect(text.code).toBe('not-an-image');
    expect(text.message).toContain('no JPEG, PNG');
    const big = await sharp(pixels(64, 64, 3, (x, y, c) => (x * 7 + y * 13 + c * 51) % 256), { raw: { width: 64, height: 64, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
    expect(['truncated', 'unreadable']).toContain((await badImage(decodeImageBytes(big.subarray(0, Math.floor(big.length / 2))))).code);
    const jpeg = await flatJpeg();
    expect(['truncated', 'unreadable']).toContain((await badImage(decodeImageBytes(jpeg.subarray(0, Math.floor(jpeg.length / 2))))).code);
  });

  it('decodeFile reads a file and decodes it the same way', async () => {
    writeFileSync(join(root, 'a.png'), await png());
    expect(await decodeFile(join(root, 'a.png'))).toEqual(await decodeImageBytes(await png()));
    expect((await badImage(decodeFile(join(root, 'missing.png')))).code).toBe('unreadable');
  });
});
