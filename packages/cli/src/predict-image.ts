import { type ImageDecodeOptions, TfbricksError, checkDeclaredSize, echo, usageError } from '@tfbricks/core';
import { readFileBoundedSync } from '@tfbricks/core/node';
import { finishPixels, headerSize, sniffFormat } from '@tfbricks/data-images';
import { BadImage, MAX_IMAGE_PIXELS, decodeImageBytes } from '@tfbricks/data-images/node';

// `tfbricks predict`'s glue around @tfbricks/data-images: which files it takes (PNG, JPEG),
// a bounded read, and errors worded for the command line (`--max-image-pixels`). Decoding
// and resizing are data-images'.

/**
 * Most pixels an image may declare before it is decoded (PIL's `Image.MAX_IMAGE_PIXELS`,
 * 89,478,485: a 69-byte PNG can declare 20000x20000). `--max-image-pixels` raises it.
 */
export const DEFAULT_MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS;
/** Largest image file read (bytes). */
export const MAX_IMAGE_FILE_BYTES = 512 * 1024 * 1024;

/** The formats `predict` takes. */
export type PredictImageFormat = 'png' | 'jpeg';

/**
 * How an image is resized to the model's input: `tf` as a folder-trained run's training
 * resized it (Keras 3, `tf.image.resize` bilinear); `pil` as Keras' `load_img(path,
 * target_size, interpolation='bilinear')` does (PIL's antialiased bilinear), for models
 * trained on CIFAR. Stretched either way (the aspect ratio is not kept).
 */
export type PredictResize = 'tf' | 'pil';

const NOT_AN_IMAGE = 'not a PNG or JPEG file (allowed: PNG or JPEG files)';
const NOT_AN_IMAGE_HINT = 'pass PNG or JPEG files';
const BOMB_GUARD = "a decompression-bomb guard, like PIL's";

/** An image file's bytes: a regular file of bounded size (a FIFO or a 10 GB file is refused before reading). */
function readImageBytes(path: string, shown: string): Uint8Array {
  return readFileBoundedSync(path, { what: `image ${echo(shown)}:`, maxBytes: MAX_IMAGE_FILE_BYTES });
}

/** PNG or JPEG by the magic bytes (usage error otherwise). */
function predictFormat(bytes: Uint8Array, shown: string): PredictImageFormat {
  const format = sniffFormat(bytes);
  if (format !== 'png' && format !== 'jpeg') throw usageError('E_USAGE', `invalid image ${echo(shown)}: ${NOT_AN_IMAGE}`, NOT_AN_IMAGE_HINT);
  return format;
}

/** Refuse an image whose header declares more than `maxPixels` pixels, before any decoding. */
function checkHeaderPixels(bytes: Uint8Array, shown: string, maxPixels: number): void {
  const dims = headerSize(bytes);
  if (!dims) return;
  const pixels = dims.width * dims.height;
  try {
    checkDeclaredSize(`image ${echo(shown)} declares ${dims.width}x${dims.height} pixels, which`, pixels, maxPixels);
  } catch (error) {
    throw new TfbricksError('E_TOO_LARGE', `${(error as Error).message} (${BOMB_GUARD}; if the image is genuine, raise it with --max-image-pixels ${pixels})`, {
      usage: true,
      hint: `if the image is genuine, pass --max-image-pixels ${pixels}`,
      details: { width: dims.width, height: dims.height, maxPixels },
    });
  }
}

/** Check a file is a PNG or JPEG within the pixel bound, by its bytes, without decoding it (usage errors otherwise). */
export function requireImageFile(path: string, shown: string, maxPixels = DEFAULT_MAX_IMAGE_PIXELS): PredictImageFormat {
  const bytes = readImageBytes(path, shown);
  const format = predictFormat(bytes, shown);
  checkHeaderPixels(bytes, shown, maxPixels);
  return format;
}

/** A decoder's refusal as the CLI words it: oversized and non-images are usage errors (exit 2), a corrupt file is `E_IMAGE_DECODE` (exit 1). */
function decodeError(error: BadImage, format: PredictImageFormat, shown: string): TfbricksError {
  if (error.code === 'too-large') {
    return new TfbricksError('E_TOO_LARGE', `image ${echo(shown)}: ${error.message} (${BOMB_GUARD}; if the image is genuine, raise it with --max-image-pixels)`, {
      usage: true,
      hint: 'if the image is genuine, raise --max-image-pixels',
    });
  }
  if (error.code === 'not-an-image') return usageError('E_USAGE', `invalid image ${echo(shown)}: ${NOT_AN_IMAGE}`, NOT_AN_IMAGE_HINT);
  return new TfbricksError('E_IMAGE_DECODE', `cannot decode ${format.toUpperCase()} image ${echo(shown)}: ${error.message}`, {
    hint: 'check that the file is a complete, valid image',
    cause: error,
    details: { reason: error.code },
  });
}

export interface PredictImageOptions {
  /** The model's input size. */
  width: number;
  height: number;
  maxPixels?: number;
  resize: PredictResize;
}

/**
 * Read, decode (data-images' decoders, the header bounded by `maxPixels` first) and resize
 * an image file to the model's input: RGB bytes, `height × width × 3`, alpha dropped like
 * PIL's `convert('RGB')`. `original` is the decoded size.
 */
export async function loadPredictImage(path: string, shown: string, options: PredictImageOptions): Promise<{ data: Uint8Array; original: { width: number; height: number } }> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_IMAGE_PIXELS;
  const bytes = readImageBytes(path, shown);
  const format = predictFormat(bytes, shown);
  checkHeaderPixels(bytes, shown, maxPixels);
  let decoded;
  try {
    decoded = await decodeImageBytes(bytes, maxPixels);
  } catch (error) {
    if (error instanceof BadImage) throw decodeError(error, format, shown);
    throw error;
  }
  const resize: ImageDecodeOptions = { size: [options.height, options.width], colorMode: 'rgb', family: options.resize, interpolation: 'bilinear' };
  return { data: finishPixels(decoded, resize), original: { width: decoded.width, height: decoded.height } };
}
