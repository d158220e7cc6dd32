import type { BadImageFile, ImageDecodeOptions, ImageFileEntry, ImageFolderReader, ListFolderOptions, PrepareResult } from '@tfbricks/core';
import { TfbricksError, channelsOf, usageError } from '@tfbricks/core';
import { finishPixels } from '../decode-pixels';
import { defaultImageCacheDir } from './cache-dir';
import { BadImage, MAX_IMAGE_PIXELS, decodeFile } from './decode-file';
import { DecodeWorkers, defaultDecodeWorkers } from './decode-workers';
import { listImageFolder } from './list-folder';
import { PixelCache } from './pixel-cache';

export interface NodeImageReaderOptions {
  /** Cache folder (default {@link defaultImageCacheDir}); `false`: no cache, decode on every read. */
  cacheDir?: string | false;
  /** Images decoded at once (sharp runs them on libuv's threads); default 8. */
  concurrency?: number;
  /** Refuse images whose header declares more pixels (default PIL's 89,478,485). */
  maxPixels?: number;
  /**
   * Worker threads that decode and resize beside the main thread in `prepare()`:
   * `'auto'` (default) starts one fewer than the cores (at most 7) when at least 2,048
   * files need decoding; a number starts that many whenever more than 256 do; 0 keeps
   * everything on the main thread. (On the 2-vCPU benchmark machine one worker made a cold
   * pass about 1.4× faster when the other core was free, and no faster when it was busy:
   * packages/data-images/BENCHMARKS.md.)
   */
  workers?: number | 'auto';
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

/** Files per job sent to a decode worker (or decoded by the main thread between its messages). */
const WORKER_CHUNK = 256;
/** Worker threads start only for at least this many files to decode (their start-up costs ~50 ms). */
const WORKER_MIN_FILES = 2048;

/**
 * Decode `files` on the main thread and `threads` workers at once: each takes the next
 * chunk of {@link WORKER_CHUNK} files until none is left; the main thread stores every
 * record (the cache has one writer). Bad files are reported as on one thread.
 */
async function decodeInParallel(
  files: readonly ImageFileEntry[],
  decode: ImageDecodeOptions,
  record: number,
  threads: number,
  maxPixels: number,
  decodeHere: (file: ImageFileEntry) => Promise<void>,
  stored: (file: ImageFileEntry, pixels: Uint8Array | BadImage) => void,
): Promise<void> {
  const workers = new DecodeWorkers(threads);
  let next = 0;
  const take = () => {
    const chunk = files.slice(next, next + WORKER_CHUNK);
    next += chunk.length;
    return chunk;
  };
  const workerLane = async () => {
    for (let chunk = take(); chunk.length; chunk = take()) {
      const reply = await workers.run(chunk.map((f) => f.path), decode, maxPixels);
      const bad = new Map(reply.bad.map((b) => [b.index, b]));
      chunk.forEach((file, i) => {
        const b = bad.get(i);
        stored(file, b ? new BadImage(b.code, b.reason) : reply.pixels.subarray(i * record, (i + 1) * record));
      });
    }
  };
  const mainLane = async () => {
    for (let chunk = take(); chunk.length; chunk = take()) {
      for (const file of chunk) await decodeHere(file);
      // Let the workers' replies in (they are events; the decodes above only queue microtasks).
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  try {
    await Promise.all([mainLane(), ...Array.from({ length: workers.size }, workerLane)]);
  } finally {
    await workers.close();
  }
}

export function imageFolderReader(options: NodeImageReaderOptions = {}): NodeImageFolderReader {
  const concurrency = options.concurrency ?? 8;
  const maxPixels = options.maxPixels ?? MAX_IMAGE_PIXELS;
  if (options.workers !== undefined && options.workers !== 'auto' && !(Number.isInteger(options.workers) && options.workers >= 0 && options.workers <= 64)) {
    throw usageError('E_IMAGE_OPTION', `imageFolderReader workers must be an integer in [0, 64] or 'auto'; got ${JSON.stringify(options.workers)}`);
  }
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
      const record = decode.size[0] * decode.size[1] * channelsOf(decode.colorMode);
      const scratch = new Uint8Array(record);
      const bad: BadImageFile[] = [];
      let done = 0;
      const misses: ImageFileEntry[] = [];
      for (const file of files) {
        const hit = cache?.lookup(file);
        if (!hit) misses.push(file);
        else {
          if (hit.bad) bad.push({ path: file.path, ...hit.bad });
          onProgress?.(++done, files.length);
        }
      }
      const stored = (file: ImageFileEntry, pixels: Uint8Array | BadImage) => {
        if (pixels instanceof BadImage) {
          bad.push({ path: file.path, code: pixels.code, reason: pixels.message });
          cache?.storeBad(file, { code: pixels.code, reason: pixels.message });
        } else cache?.store(file, pixels);
        onProgress?.(++done, files.length);
      };
      const decodeHere = async (file: ImageFileEntry) => {
        let decoded;
        try {
          decoded = await decodeFile(file.path, maxPixels);
        } catch (error) {
          if (!(error instanceof BadImage)) throw error;
          return stored(file, error);
        }
        // Resized into one reused buffer, stored (copied) at once: nothing awaits in between.
        stored(file, finishPixels(decoded, decode, scratch));
      };
      const workers = options.workers ?? 'auto';
      const threads = workers === 'auto' ? (misses.length >= WORKER_MIN_FILES ? defaultDecodeWorkers() : 0) : workers;
      if (threads > 0 && misses.length > WORKER_CHUNK) await decodeInParallel(misses, decode, record, threads, maxPixels, decodeHere, stored);
      else await pool(misses, concurrency, decodeHere);
      cache?.flush();
      // Report in listing order, whatever order the decodes finished in.
      const order = new Map(files.map((f, i) => [f.path, i]));
      bad.sort((a, b) => order.get(a.path)! - order.get(b.path)!);
      return { bad, decoded: misses.length, cached: files.length - misses.length };
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
