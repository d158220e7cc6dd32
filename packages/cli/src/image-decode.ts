import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { TfbricksError, checkDeclaredSize, echo, usageError } from '@tfbricks/core';
import { readFileBoundedSync } from '@tfbricks/core/node';

/**
 * Most pixels an image may declare before it is decoded (PIL's `Image.MAX_IMAGE_PIXELS`,
 * 89,478,485: a 69-byte PNG can declare 20000x20000). `--max-image-pixels` raises it.
 */
export const DEFAULT_MAX_IMAGE_PIXELS = 89_478_485;
/** Largest image file read (bytes). */
export const MAX_IMAGE_FILE_BYTES = 512 * 1024 * 1024;

/** Width and height a PNG (IHDR) or JPEG (SOFn) header declares, read without decoding; undefined if absent. */
export function imageDimensions(bytes: Uint8Array): { width: number; height: number } | undefined {
  const format = sniffImageFormat(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (format === 'png') {
    if (bytes.length < 24) return undefined;
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (format === 'jpeg') {
    let i = 2;
    while (i + 9 < bytes.length) {
      if (bytes[i] !== 0xff) return undefined;
      const marker = bytes[i + 1];
      if (marker === 0xff) {
        i++;
        continue;
      }
      const length = view.getUint16(i + 2);
      // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { height: view.getUint16(i + 5), width: view.getUint16(i + 7) };
      }
      i += 2 + length;
    }
  }
  return undefined;
}

/** Refuse an image whose header declares more than `maxPixels` pixels, before any decoding. */
export function checkImageSize(bytes: Uint8Array, name: string, maxPixels = DEFAULT_MAX_IMAGE_PIXELS): void {
  const dims = imageDimensions(bytes);
  if (!dims) return;
  const pixels = dims.width * dims.height;
  try {
    checkDeclaredSize(`image ${echo(name)} declares ${dims.width}x${dims.height} pixels, which`, pixels, maxPixels);
  } catch (error) {
    throw new TfbricksError('E_TOO_LARGE', `${(error as Error).message} (a decompression-bomb guard, like PIL's; if the image is genuine, raise it with --max-image-pixels ${pixels})`, {
      usage: true,
      details: { width: dims.width, height: dims.height, maxPixels },
    });
  }
}


/** A decoded image: RGB bytes, row-major, channels last. */
export interface RgbImage {
  width: number;
  height: number;
  /** `height × width × 3` bytes. */
  data: Uint8Array;
}

export type ImageFormat = 'png' | 'jpeg';

/** The format from the file's magic bytes, or undefined. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return undefined;
}

/** Check a file is a PNG or JPEG by its first bytes (usage error otherwise). */
export function requireImageFile(path: string, shown: string, maxPixels = DEFAULT_MAX_IMAGE_PIXELS): ImageFormat {
  const bytes = readImageBytes(path, shown);
  const format = sniffImageFormat(bytes);
  if (!format) throw usageError('E_USAGE', `invalid image ${echo(shown)}: not a PNG or JPEG file (allowed: PNG or JPEG files)`);
  checkImageSize(bytes, shown, maxPixels);
  return format;
}

/** An image file's bytes: a regular file of bounded size (a FIFO or a 10 GB file is refused before reading). */
function readImageBytes(path: string, shown: string): Uint8Array {
  return readFileBoundedSync(path, { what: `image ${echo(shown)}:`, maxBytes: MAX_IMAGE_FILE_BYTES });
}

/**
 * Decode PNG (pngjs) or JPEG (jpeg-js) bytes to RGB. The alpha channel, if any, is
 * dropped (like PIL's `convert('RGB')` that Keras' `load_img` uses); 16-bit PNGs are
 * reduced to 8 bits by pngjs.
 */
export function decodeImage(bytes: Uint8Array, name = 'image', maxPixels = DEFAULT_MAX_IMAGE_PIXELS): RgbImage {
  const format = sniffImageFormat(bytes);
  checkImageSize(bytes, name, maxPixels);
  let rgba: Uint8Array;
  let width: number;
  let height: number;
  try {
    if (format === 'png') {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      ({ width, height } = png);
      rgba = new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength);
    } else if (format === 'jpeg') {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: Math.max(512, Math.ceil((maxPixels * 8) / 2 ** 20)), maxResolutionInMP: Math.ceil(maxPixels / 1e6) });
      ({ width, height } = img);
      rgba = img.data;
    } else {
      throw usageError('E_USAGE', `invalid image ${JSON.stringify(name)}: not a PNG or JPEG file (allowed: PNG or JPEG files)`);
    }
  } catch (error) {
    if (error instanceof TfbricksError) throw error;
    throw new TfbricksError('E_IMAGE_DECODE', `cannot decode ${format?.toUpperCase()} image ${JSON.stringify(name)}: ${(error as Error).message}`, {
      hint: 'check that the file is a complete, valid image',
      cause: error,
    });
  }
  const data = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < width * height; i++, j += 4) {
    data[i * 3] = rgba[j];
    data[i * 3 + 1] = rgba[j + 1];
    data[i * 3 + 2] = rgba[j + 2];
  }
  return { width, height, data };
}

/**
 * Resize to `width × height`, per axis: when shrinking, area averaging (each output pixel
 * is the coverage-weighted mean of the source pixels under it, like OpenCV's INTER_AREA);
 * when enlarging, bilinear interpolation with half-pixel centres (like
 * `tf.image.resizeBilinear(..., halfPixelCenters=true)`). Rounded to the nearest byte.
 * The aspect ratio is not preserved (the image is stretched, like Keras'
 * `load_img(target_size=...)`).
 */
export function resizeImage(image: RgbImage, width: number, height: number): RgbImage {
  if (image.width === width && image.height === height) return image;
  const horizontal = axisWeights(image.width, width);
  const vertical = axisWeights(image.height, height);
  // Separable: rows first into a float buffer, then columns.
  const tmp = new Float64Array(image.height * width * 3);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < width; x++) {
      const { index, weight } = horizontal[x];
      for (let c = 0; c < 3; c++) {
        let acc = 0;
        for (let k = 0; k < index.length; k++) acc += weight[k] * image.data[(y * image.width + index[k]) * 3 + c];
        tmp[(y * width + x) * 3 + c] = acc;
      }
    }
  }
  const out = new Uint8Array(height * width * 3);
  for (let y = 0; y < height; y++) {
    const { index, weight } = vertical[y];
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let acc = 0;
        for (let k = 0; k < index.length; k++) acc += weight[k] * tmp[(index[k] * width + x) * 3 + c];
        out[(y * width + x) * 3 + c] = Math.min(255, Math.max(0, Math.round(acc)));
      }
    }
  }
  return { width, height, data: out };
}

interface Taps {
  index: number[];
  weight: number[];
}

function axisWeights(src: number, dst: number): Taps[] {
  const scale = src / dst;
  const taps: Taps[] = [];
  for (let o = 0; o < dst; o++) {
    const index: number[] = [];
    const weight: number[] = [];
    if (scale >= 1) {
      const start = o * scale;
      const end = start + scale;
      for (let i = Math.floor(start); i < Math.min(src, Math.ceil(end)); i++) {
        const cover = Math.min(end, i + 1) - Math.max(start, i);
        if (cover > 1e-12) {
          index.push(i);
          weight.push(cover / scale);
        }
      }
    } else {
      const centre = (o + 0.5) * scale - 0.5;
      const i0 = Math.floor(centre);
      const frac = centre - i0;
      const a = Math.min(src - 1, Math.max(0, i0));
      const b = Math.min(src - 1, Math.max(0, i0 + 1));
      index.push(a, b);
      weight.push(1 - frac, frac);
    }
    taps.push({ index, weight });
  }
  return taps;
}

/** Read, decode and resize an image file to the model's input size. */
export function loadImageFile(path: string, width: number, height: number, shown = path, maxPixels = DEFAULT_MAX_IMAGE_PIXELS): { image: RgbImage; original: { width: number; height: number } } {
  const decoded = decodeImage(readImageBytes(path, shown), shown, maxPixels);
  return { image: resizeImage(decoded, width, height), original: { width: decoded.width, height: decoded.height } };
}
