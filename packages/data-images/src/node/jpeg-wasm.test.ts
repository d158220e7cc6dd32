import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { jpegSize } from '../image-header';
import { decodeJpegWasm, wasmCanDecode } from './jpeg-wasm';
import { pixels, tempDir, writeImage } from './test-folders';

describe('JPEG through mozjpeg-wasm', () => {
  it('decodes like libvips (sharp) within one level, reads the SOF size, and leaves cut-short files to sharp', async () => {
    const dir = tempDir();
    const path = join(dir, 'x.jpg');
    await writeImage(path, pixels(37, 21, 3, (x, y, c) => (x * 7 + y * 13 + c * 40 + ((x * y) % 17) * 5) % 256), 37, 21, 3, 'jpeg');
    const bytes = readFileSync(path);
    expect(jpegSize(bytes)).toEqual({ width: 37, height: 21, components: 3 });
    expect(wasmCanDecode(bytes, 1e8)).toBe(true);
    expect(wasmCanDecode(bytes.subarray(0, bytes.length - 40), 1e8)).toBe(false);
    expect(wasmCanDecode(bytes, 100)).toBe(false);
    const ours = await decodeJpegWasm(bytes);
    const ref = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
    expect([ours.width, ours.height, ours.channels]).toEqual([ref.info.width, ref.info.height, ref.info.channels]);
    let worst = 0;
    for (let i = 0; i < ours.data.length; i++) worst = Math.max(worst, Math.abs(ours.data[i] - ref.data[i]));
    expect(worst).toBeLessThanOrEqual(1);
  });
});
