import { readFileSync } from 'node:fs';
import { type BadImageFile, TfbricksError } from '@tfbricks/core';
import type { Pixels } from '../resize';
import { decodeJpegWasm, wasmCanDecode } from './jpeg-wasm';
import { sniffFormat } from '../sniff';

/** PIL's `Image.MAX_IMAGE_PIXELS` (its decompression-bomb threshold): larger images are refused before decoding. */
export const MAX_IMAGE_PIXELS = 89_478_485;

/** A file that cannot be decoded, with the reason (becomes a {@link BadImageFile}). */
export class BadImage extends Error {
  constructor(
    readonly code: BadImageFile['code'],
    reason: string,
  ) {
    super(reason);
  }
}

type Sharp = (typeof import('sharp'))['default'];
let sharpModule: Promise<Sharp> | undefined;

/** sharp (libvips) is loaded on first use, never at import. */
function loadSharp(): Promise<Sharp> {
  sharpModule ??= import('sharp').then(
    (m) => {
      const sharp = ((m as unknown as { default?: Sharp }).default ?? m) as Sharp;
      sharp.cache(false);
      return sharp;
    },
    (error) => {
      sharpModule = undefined;
      throw new TfbricksError('E_IMAGE_DECODER', `cannot load sharp (libvips), the Node image decoder: ${(error as Error).message}`, {
        hint: 'install it with your package manager (npm install sharp); it downloads its platform binary (@img/sharp-<platform>) from the npm registry',
        cause: error,
      });
    },
  );
  return sharpModule;
}

function checkPixels(width: number, height: number, maxPixels: number): void {
  if (width * height > maxPixels) {
    throw new BadImage('too-large', `header declares ${width} x ${height} = ${width * height} pixels, over the limit of ${maxPixels} (refused before decoding)`);
  }
}

interface BmpJs {
  decode(buffer: Buffer): { data: Buffer; width: number; height: number };
}
/** bmp-js ships no types; a variable specifier keeps TypeScript from looking for them. */
const BMP_JS: string = 'bmp-js';

/** BMP through bmp-js, after bounding the header's dimensions. PIL opens BMPs as RGB. */
async function decodeBmp(bytes: Buffer, maxPixels: number): Promise<Pixels> {
  if (bytes.length < 26) throw new BadImage('truncated', 'BMP header is truncated');
  const width = bytes.readInt32LE(18);
  const height = Math.abs(bytes.readInt32LE(22));
  if (width <= 0 || height <= 0) throw new BadImage('not-an-image', `BMP header declares ${width} x ${height} pixels`);
  checkPixels(width, height, maxPixels);
  const bmp = (await import(BMP_JS)) as BmpJs & { default?: BmpJs };
  const decode = bmp.decode ?? bmp.default!.decode;
  let img;
  try {
    img = decode(bytes);
  } catch (error) {
    throw new BadImage(error instanceof RangeError ? 'truncated' : 'unreadable', `BMP cannot be decoded (${(error as Error).message})`);
  }
  // bmp-js hands over ABGR.
  const n = img.width * img.height;
  const data = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    data[i * 3] = img.data[i * 4 + 3];
    data[i * 3 + 1] = img.data[i * 4 + 2];
    data[i * 3 + 2] = img.data[i * 4 + 1];
  }
  return { data, width: img.width, height: img.height, channels: 3 };
}

/** Binary PGM/PPM (P5/P6, maxval 255), which keras_preprocessing lists and libvips' prebuilt sharp does not read. */
function decodePpm(bytes: Buffer, maxPixels: number): Pixels {
  const fields: number[] = [];
  let p = 2;
  while (fields.length < 3 && p < bytes.length) {
    while (p < bytes.length && /\s/.test(String.fromCharCode(bytes[p]))) p++;
    if (bytes[p] === 0x23) {
      while (p < bytes.length && bytes[p] !== 0x0a) p++;
      continue;
    }
    let s = '';
    while (p < bytes.length && /\d/.test(String.fromCharCode(bytes[p]))) s += String.fromCharCode(bytes[p++]);
    if (!s) throw new BadImage('not-an-image', 'PPM header is not valid');
    fields.push(Number(s));
  }
  const [width, height, maxval] = fields;
  if (fields.length < 3 || !width || !height) throw new BadImage('truncated', 'PPM header is truncated');
  if (maxval !== 255) throw new BadImage('unsupported', `PPM with maxval ${maxval} (only 255 is supported)`);
  checkPixels(width, height, maxPixels);
  const channels = bytes[1] === 0x36 ? 3 : 1;
  const start = p + 1;
  const need = width * height * channels;
  if (bytes.length - start < need) throw new BadImage('truncated', `PPM data is truncated (${bytes.length - start} of ${need} bytes)`);
  return { data: new Uint8Array(bytes.subarray(start, start + need)), width, height, channels };
}

function classifySharpError(error: unknown): BadImage {
  const message = (error as Error).message ?? String(error);
  if (/pixel limit/i.test(message)) return new BadImage('too-large', `${message} (refused before decoding)`);
  if (/premature end|truncated|unexpected end|not enough data|read error|out of data/i.test(message)) return new BadImage('truncated', `truncated image (${message.split('\n')[0]})`);
  if (/unsupported image format/i.test(message)) return new BadImage('not-an-image', 'not an image in a supported format');
  return new BadImage('unreadable', `cannot be decoded (${message.split('\n')[0]})`);
}

/** JPEG, PNG, GIF (first frame), TIFF, WebP through sharp; dimensions bounded from the header by libvips. */
async function decodeWithSharp(bytes: Buffer, maxPixels: number): Promise<Pixels> {
  const sharp = await loadSharp();
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: maxPixels, pages: 1, page: 0 }).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: info.channels };
  } catch (error) {
    throw classifySharpError(error);
  }
}

/**
 * Decode one image's bytes (already read, e.g. bounded by the caller) to its own channels
 * (1: L, 2: LA, 3: RGB, 4: RGBA): JPEG through mozjpeg-wasm (sharp when wasm refuses it),
 * PNG, GIF (first frame), TIFF, WebP through sharp, BMP and binary PGM/PPM by hand. An
 * image whose header declares more than `maxPixels` pixels is refused before its pixels are
 * allocated. Throws {@link BadImage} (`not-an-image`, `too-large`, `truncated`, …).
 */
export async function decodeImageBytes(bytes: Uint8Array, maxPixels = MAX_IMAGE_PIXELS): Promise<Pixels> {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const format = sniffFormat(buffer);
  if (!format) throw new BadImage('not-an-image', buffer.length === 0 ? 'empty file' : 'not an image (no JPEG, PNG, GIF, BMP, TIFF or PPM signature)');
  if (format === 'bmp') return decodeBmp(buffer, maxPixels);
  if (format === 'ppm') return decodePpm(buffer, maxPixels);
  if (format === 'jpeg' && wasmCanDecode(buffer, maxPixels)) {
    try {
      return await decodeJpegWasm(buffer);
    } catch {
      // Anything the wasm decoder refuses, sharp decodes or classifies.
    }
  }
  return decodeWithSharp(buffer, maxPixels);
}

/** Read and decode one file to its own channels (1: L, 2: LA, 3: RGB, 4: RGBA). Throws {@link BadImage}. */
export async function decodeFile(path: string, maxPixels = MAX_IMAGE_PIXELS): Promise<Pixels> {
  let bytes: Buffer;
  try {
    // Synchronous: for the small files of an image folder one read(2) beats the thread-pool
    // round trips of fs.promises (open, fstat, read, close), and decoding is on this thread anyway.
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BadImage(code === 'EACCES' || code === 'EPERM' ? 'no-permission' : 'unreadable', `cannot be read (${code})`);
  }
  return decodeImageBytes(bytes, maxPixels);
}
