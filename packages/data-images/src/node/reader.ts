import type { BadImageFile, ImageDecodeOptions, ImageFileEntry, ImageFolderReader, ListFolderOptions, PrepareResult } from '@tfbricks/core';
import { TfbricksError, channelsOf } from '@tfbricks/core';
import { finishPixels } from '../decode-pixels';
import { defaultImageCacheDir } from './cache-dir';
import { BadImage, MAX_IMAGE_PIXELS, decodeFile } from './decode-file';
import { listImageFolder } from './list-folder';
import { PixelCache } from './pixel-cache';

export interface NodeImageReaderOptions {
  /** Cache folder (default {@link defaultImageCacheDir}); `false`: no cache, decode on every read. */
  cacheDir?: string | false;
  /** Images decoded at once (sharp runs them on libuv's threads); default 8. */
  concurrency?: number;
  /** Refuse images whose header declares more pixels (default PIL's 89,478,485). */
  maxPixels?: number;
  env?: Record<string, string | undefined>;
}

/** Run `work` over `items` with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/**
 * The Node {@link ImageFolderReader}: lists with Keras' rules, decodes with sharp (libvips,
 * loaded on first use; bmp-js for BMP), converts and resizes with PIL's or TF's
 * semantics, and keeps the results in an on-disk cache keyed by path, size, mtime and the
 * decode options. Nothing is ever written into the image folder.
 */
export interface NodeImageFolderReader extends ImageFolderReader {
  /** Like `read`, synchronously, for files `prepare` put in the cache (throws for any other). */
  readCached(files: readonly ImageFileEntry[], options: ImageDecodeOptions): Uint8Array;
}

export function imageFolderReader(options: NodeImageReaderOptions = {}): NodeImageFolderReader {
  const concurrency = options.concurrency ?? 8;
  const maxPixels = options.maxPixels ?? MAX_IMAGE_PIXELS;
  const root = options.cacheDir === false ? undefined : (options.cacheDir ?? defaultImageCacheDir(options.env));
  const caches = new Map<string, PixelCache>();
  const cacheFor = (decode: ImageDecodeOptions): PixelCache | undefined => {
    if (!root) return undefined;
    const key = JSON.stringify(decode);
    let cache = caches.get(key);
    if (!cache) {
      try {
        cache = new PixelCache(root, decode);
      } catch (error) {
        throw new TfbricksError('E_IMAGE_CACHE', `cannot use the image cache in ${root}: ${(error as Error).message}`, {
          hint: 'set TFBRICKS_HOME (or cacheDir) to a folder you can write to',
          cause: error,
        });
      }
      caches.set(key, cache);
    }
    return cache;
  };

  const decodeOne = async (file: ImageFileEntry, decode: ImageDecodeOptions): Promise<Uint8Array> => finishPixels(await decodeFile(file.path, maxPixels), decode);

  return {
    name: 'node-sharp',
    async list(directory: string, listOptions: ListFolderOptions) {
      return listImageFolder(directory, listOptions);
    },

    async prepare(files, decode, onProgress): Promise<PrepareResult> {
      const cache = cacheFor(decode);
      const scratch = new Uint8Array(decode.size[0] * decode.size[1] * channelsOf(decode.colorMode));
      const bad: BadImageFile[] = [];
      let decoded = 0;
      let cached = 0;
      let done = 0;
      await pool(files, concurrency, async (file) => {
        const hit = cache?.lookup(file);
        if (hit) {
          cached++;
          if (hit.bad) bad.push({ path: file.path, ...hit.bad });
        } else {
          try {
            const decoded = await decodeFile(file.path, maxPixels);
            // Resized into one reused buffer, stored (copied) at once: nothing awaits in between.
            cache?.store(file, finishPixels(decoded, decode, scratch));
          } catch (error) {
            if (!(error instanceof BadImage)) throw error;
            bad.push({ path: file.path, code: error.code, reason: error.message });
            cache?.storeBad(file, { code: error.code, reason: error.message });
          }
          decoded++;
        }
        onProgress?.(++done, files.length);
      });
      cache?.flush();
      // Report in listing order, whatever order the decodes finished in.
      const order = new Map(files.map((f, i) => [f.path, i]));
      bad.sort((a, b) => order.get(a.path)! - order.get(b.path)!);
      return { bad, decoded, cached };
    },

    readCached(files, decode): Uint8Array {
      const cache = cacheFor(decode);
      if (!cache) throw new TfbricksError('E_IMAGE_CACHE', 'readCached needs the image cache (this reader has cacheDir: false)');
      const out = new Uint8Array(files.length * cache.recordBytes);
      files.forEach((file, i) => {
        const hit = cache.lookup(file);
        if (hit?.slot === undefined) {
          throw new TfbricksError('E_IMAGE_CACHE', `image ${JSON.stringify(file.path)} is not in the cache${hit?.bad ? ` (${hit.bad.reason})` : ' (changed since prepare?)'}`, {
            hint: 'call prepare() on these files first; leave out the bad ones',
          });
        }
        cache.readInto(hit.slot, out, i * cache.recordBytes);
      });
      return out;
    },

    async read(files, decode): Promise<Uint8Array> {
      const [h, w] = decode.size;
      const record = h * w * channelsOf(decode.colorMode);
      const out = new Uint8Array(files.length * record);
      const cache = cacheFor(decode);
      await pool(files, concurrency, async (file, i) => {
        const hit = cache?.lookup(file);
        if (hit?.slot !== undefined) return cache!.readInto(hit.slot, out, i * record);
        let pixels: Uint8Array;
        try {
          if (hit?.bad) throw new BadImage(hit.bad.code, hit.bad.reason);
          pixels = await decodeOne(file, decode);
        } catch (error) {
          if (!(error instanceof BadImage)) throw error;
          throw new TfbricksError('E_IMAGE_BAD', `image ${JSON.stringify(file.path)}: ${error.message}`, {
            hint: 'remove or fix the file, or skip bad images (prepare() lists them all)',
            details: { path: file.path, code: error.code },
          });
        }
        cache?.store(file, pixels);
        out.set(pixels, i * record);
      });
      return out;
    },
  };
}
