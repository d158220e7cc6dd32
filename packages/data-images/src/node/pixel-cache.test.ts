import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageDecodeOptions } from '@tfbricks/core';
import { describe, expect, it } from 'vitest';
import { PixelCache } from './pixel-cache';

const options: ImageDecodeOptions = { size: [16, 16], colorMode: 'rgb', family: 'pil', interpolation: 'nearest' };
const file = (i: number, mtimeMs = 1) => ({ path: `/photos/${i}.png`, relativePath: `${i}.png`, classIndex: 0, size: 100 + i, mtimeMs });
const record = (v: number) => new Uint8Array(16 * 16 * 3).fill(v);

describe('PixelCache: records gathered and written in chunks', () => {
  it('every record reads back, before and after a flush, across overwrites and chunk boundaries, and from a new instance', () => {
    const root = mkdtempSync(join(tmpdir(), 'tfbricks-pixel-cache-'));
    const cache = new PixelCache(root, options);
    // 768-byte records: 1,365 to a 1 MiB chunk; 3,000 cross two chunk boundaries.
    const buffer = record(0);
    for (let i = 0; i < 3000; i++) cache.store(file(i), buffer.fill(i % 251));
    // An overwrite of an early slot (a changed file) in the middle of appends.
    cache.store(file(7, 2), record(99));
    cache.store(file(3000), record(3000 % 251));
    const out = new Uint8Array(768);
    for (const i of [0, 7, 1364, 1365, 2999, 3000]) {
      const hit = cache.lookup(i === 7 ? file(7, 2) : file(i));
      cache.readInto(hit!.slot!, out, 0);
      expect(new Set(out), `record ${i}`).toEqual(new Set([i === 7 ? 99 : i % 251]));
    }
    expect(cache.lookup(file(7))).toBeUndefined();
    cache.store(file(3001), record(5));
    cache.close();
    expect(statSync(join(cache.dir, 'pixels.bin')).size).toBe(3002 * 768);
    const again = new PixelCache(root, options);
    for (const i of [1, 2000, 3001]) {
      again.readInto(again.lookup(file(i))!.slot!, out, 0);
      expect(out[0]).toBe(i === 3001 ? 5 : i % 251);
    }
    again.close();
  });
});
