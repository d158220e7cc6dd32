import type { BadImageFile, ImageDecodeOptions, ImageFileEntry, ImageFolderReader, ListFolderOptions, PrepareResult } from '@tfbricks/core';
import { TfbricksError, usageError } from '@tfbricks/core';
import { finishPixels } from './decode-pixels';
import { headerSize } from './image-header';
import { comparePython, hasImageExtension } from './python-order';
import type { Pixels } from './resize';

/** A file of a picked folder (`<input webkitdirectory>` gives `File`s with `webkitRelativePath`). */
export interface BlobImageFile {
  /** `<folder>/<class>/…/<name>` or `<class>/…/<name>`, `/`-separated. */
  relativePath: string;
  blob: Blob;
  lastModified?: number;
}

/** PIL's decompression-bomb threshold, as the Node reader uses. */
const MAX_PIXELS = 89_478_485;

async function decodeBlob(blob: Blob, maxPixels: number): Promise<Pixels> {
  const head = new Uint8Array(await blob.slice(0, 65536).arrayBuffer());
  const size = headerSize(head);
  if (!size) throw Object.assign(new Error(head.length ? 'not an image (no JPEG, PNG, GIF or BMP signature)' : 'empty file'), { code: 'not-an-image' as const });
  if (size.width * size.height > maxPixels) {
    throw Object.assign(new Error(`header declares ${size.width} x ${size.height} = ${size.width * size.height} pixels, over the limit of ${maxPixels} (refused before decoding)`), { code: 'too-large' as const });
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  } catch (error) {
    throw Object.assign(new Error(`cannot be decoded (${(error as Error).message})`), { code: 'unreadable' as const });
  }
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
  return { data: new Uint8Array(img.data.buffer), width: img.width, height: img.height, channels: 4 };
}

/**
 * The browser {@link ImageFolderReader}: a picked folder's files (no file system), listed with
 * Keras' rules, decoded by the browser (`createImageBitmap`, header dimensions checked first),
 * converted and resized with PIL's or TF's semantics like the Node reader, kept in memory
 * (a page has no disk cache).
 */
export function blobFolderReader(files: readonly BlobImageFile[], options: { maxPixels?: number } = {}): ImageFolderReader {
  const maxPixels = options.maxPixels ?? MAX_PIXELS;
  const byPath = new Map(files.map((f) => [f.relativePath, f]));
  const decoded = new Map<string, Uint8Array | BadImageFile>();
  const key = (path: string, o: ImageDecodeOptions) => `${JSON.stringify(o)}\u0000${path}`;

  return {
    name: 'browser-blob',
    async list(directory: string, o: ListFolderOptions) {
      const prefix = directory ? `${directory.replace(/\/+$/, '')}/` : '';
      const rel = files.map((f) => f.relativePath).filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length));
      const infer = o.inferLabels !== false;
      const found = [...new Set(rel.filter((p) => p.includes('/')).map((p) => p.split('/')[0]))]
        .filter((c) => o.style !== 'keras3' || !c.startsWith('.'))
        .sort(comparePython);
      if (infer && o.classes) {
        const missing = o.classes.filter((c) => !found.includes(c));
        if (missing.length) throw usageError('E_IMAGE_CLASSES', `classes ${JSON.stringify(missing)} are not subfolders of ${JSON.stringify(directory)}`, `allowed: a subset of ${JSON.stringify(found)}`);
      }
      const classNames = infer ? (o.classes ? [...o.classes] : found) : [];
      const entries: ImageFileEntry[] = [];
      const split = (p: string) => [p.slice(0, Math.max(0, p.lastIndexOf('/'))), p.slice(p.lastIndexOf('/') + 1)];
      const classesToWalk = infer ? classNames : [''];
      classesToWalk.forEach((cls, classIndex) => {
        const inClass = rel.filter((p) => (cls === '' ? true : p.startsWith(`${cls}/`)) && hasImageExtension(split(p)[1], o.style));
        // os.walk roots sorted as strings, names sorted within a root.
        inClass.sort((a, b) => comparePython(split(a)[0], split(b)[0]) || comparePython(split(a)[1], split(b)[1]));
        for (const p of inClass) {
          const f = byPath.get(prefix + p)!;
          entries.push({ path: prefix + p, relativePath: p, classIndex, size: f.blob.size, mtimeMs: f.lastModified ?? 0 });
        }
      });
      return { classNames, files: entries, bad: [] };
    },

    async prepare(list, o): Promise<PrepareResult> {
      const bad: BadImageFile[] = [];
      let done = 0;
      for (const file of list) {
        const k = key(file.path, o);
        if (!decoded.has(k)) {
          try {
            decoded.set(k, finishPixels(await decodeBlob(byPath.get(file.path)!.blob, maxPixels), o));
            done++;
          } catch (error) {
            const code = (error as { code?: BadImageFile['code'] }).code ?? 'unreadable';
            decoded.set(k, { path: file.path, code, reason: (error as Error).message });
          }
        }
        const v = decoded.get(k)!;
        if (!(v instanceof Uint8Array)) bad.push(v);
      }
      return { bad, decoded: done, cached: list.length - done - bad.length };
    },

    async read(list, o) {
      await this.prepare(list, o);
      const first = decoded.get(key(list[0]?.path ?? '', o));
      const record = first instanceof Uint8Array ? first.length : o.size[0] * o.size[1] * (o.colorMode === 'grayscale' ? 1 : o.colorMode === 'rgba' ? 4 : 3);
      const out = new Uint8Array(list.length * record);
      list.forEach((file, i) => {
        const v = decoded.get(key(file.path, o))!;
        if (!(v instanceof Uint8Array)) throw new TfbricksError('E_IMAGE_BAD', `image ${JSON.stringify(file.path)}: ${v.reason}`, { hint: 'remove or fix the file, or skip bad images' });
        out.set(v, i * record);
      });
      return out;
    },
  };
}
