import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageDecodeOptions } from '@tfbricks/core';
import { describe, expect, it } from 'vitest';
import { imageFolderReader } from './reader';
import { pixels, tempDir, writeImage } from './test-folders';

const PIL64: ImageDecodeOptions = { size: [12, 12], colorMode: 'rgb', family: 'pil', interpolation: 'bilinear' };

describe('prepare() with decode worker threads', () => {
  it('gives the same records, bad files and counts as the main thread alone (real JPEG and PNG files)', async () => {
    const root = tempDir();
    const data = join(root, 'data');
    // 600 files (3 jobs of 256): JPEGs and PNGs of known gradients, two bad files among them.
    for (let i = 0; i < 600; i++) {
      const img = pixels(6, 6, 3, (x, y, c) => (x * 40 + y * 7 + c * 50 + i) % 256);
      await writeImage(join(data, `c${i % 3}`, `img_${String(i).padStart(3, '0')}.${i % 2 ? 'png' : 'jpg'}`), img, 6, 6, 3, i % 2 ? 'png' : 'jpeg');
    }
    writeFileSync(join(data, 'c0', 'img_300.jpg'), 'not a jpeg');
    writeFileSync(join(data, 'c2', 'img_401.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]));
    const one = imageFolderReader({ cacheDir: join(root, 'cache-1'), workers: 0 });
    const two = imageFolderReader({ cacheDir: join(root, 'cache-2'), workers: 2 });
    const listing = await one.list(data, { style: 'keras-preprocessing' });
    expect(listing.files).toHaveLength(600);
    const progress: number[] = [];
    const [a, b] = [await one.prepare(listing.files, PIL64), await two.prepare(listing.files, PIL64, (done) => progress.push(done))];
    expect(b).toEqual(a);
    expect(a.decoded).toBe(600);
    expect(a.bad.map((x) => [x.path.split('/').pop(), x.code])).toEqual([
      ['img_300.jpg', 'not-an-image'],
      ['img_401.png', expect.any(String)],
    ]);
    expect(progress).toHaveLength(600);
    expect(progress.at(-1)).toBe(600);
    const good = listing.files.filter((f) => !a.bad.some((x) => x.path === f.path));
    expect(Buffer.from(two.readCached(good, PIL64)).equals(Buffer.from(one.readCached(good, PIL64)))).toBe(true);
  }, 120_000);
});
