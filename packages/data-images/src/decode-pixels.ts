import type { ImageDecodeOptions } from '@tfbricks/core';
import { convertColor } from './color';
import { type Pixels, crop, cropBox, isPilInterpolation, isTfInterpolation, pilResize, tfResize, tfResizeWithPad } from './resize';

/** Methods whose same-size resize is the identity (so it can be skipped). */
const IDENTITY_AT_SAME_SIZE = new Set(['nearest', 'bilinear', 'bicubic', 'area', 'lanczos3', 'lanczos5', 'box', 'hamming', 'lanczos']);

/**
 * Decoded pixels (any of 1–4 channels) -> the requested colour mode and size, in the
 * order of the family: PIL converts the mode, then resizes (keras_preprocessing's
 * `load_img`); TF decodes to the channel count, then resizes in float (Keras 3).
 * A resize writes into `out` when given (a reused buffer of the record's size); the result
 * may also be the decoded pixels themselves when nothing changes.
 */
export function finishPixels(decoded: Pixels, options: ImageDecodeOptions, out?: Uint8Array): Uint8Array {
  const [height, width] = options.size;
  let img = convertColor(decoded, options.colorMode);
  if (options.family === 'pil') {
    if (!isPilInterpolation(options.interpolation)) throw new RangeError(`not a PIL interpolation: ${options.interpolation}`);
    return pilResize(img, width, height, options.interpolation, out).data;
  }
  const method = options.interpolation;
  if (!isTfInterpolation(method)) throw new RangeError(`not a tf.image.resize method: ${method}`);
  if (options.aspect === 'pad') return tfResizeWithPad(img, width, height, method).data;
  if (options.aspect === 'crop') img = crop(img, cropBox(img.width, img.height, width, height));
  if (img.width === width && img.height === height && IDENTITY_AT_SAME_SIZE.has(method)) return img.data;
  return tfResize(img, width, height, method, out).data;
}
