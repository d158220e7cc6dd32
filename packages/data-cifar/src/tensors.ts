import * as tf from '@tensorflow/tfjs-core';
import { TfbricksError } from '@tfbricks/core';
import { IMAGE_CHANNELS, IMAGE_HEIGHT, IMAGE_WIDTH } from './spec';
import { batches } from './transforms';
import type { BatchOptions } from '@tfbricks/core';
import type { CifarSplitData } from './types';

export interface ToTensorsOptions {
  /** Scale pixels to [0, 1] (default true); false keeps 0–255 (still float32). */
  normalize?: boolean;
  /** One-hot labels with this many classes (Keras' `to_categorical`); default int32 class indices. */
  numClasses?: number;
}

export interface CifarTensors {
  /** `[N, 32, 32, 3]` float32. */
  xs: tf.Tensor4D;
  /** `[N]` int32 class indices, or `[N, numClasses]` float32 one-hot. */
  ys: tf.Tensor;
}

function usage(message: string): TfbricksError {
  return new TfbricksError('E_USAGE', message, { usage: true });
}

/**
 * Tensors of a split (or of a batch) on the active backend. Builds one float32 array of the
 * images: for a whole training set that is 4× its bytes (600 MB for CIFAR-10's 50,000
 * images): use {@link tensorBatches} to stay small.
 */
export function toTensors(data: { images: Uint8Array; labels: Uint8Array }, options: ToTensorsOptions = {}): CifarTensors {
  const n = data.labels.length;
  const pixels = IMAGE_HEIGHT * IMAGE_WIDTH * IMAGE_CHANNELS;
  if (data.images.length !== n * pixels) {
    throw usage(`images has ${data.images.length} bytes for ${n} labels; expected ${n * pixels}`);
  }
  const normalize = options.normalize ?? true;
  if (typeof normalize !== 'boolean') throw usage(`normalize must be true or false, got ${JSON.stringify(options.normalize)}`);
  const values = new Float32Array(data.images.length);
  const src = data.images;
  if (normalize) {
    const k = 1 / 255;
    for (let i = 0; i < src.length; i++) values[i] = src[i] * k;
  } else {
    for (let i = 0; i < src.length; i++) values[i] = src[i];
  }
  const ys = options.numClasses === undefined ? tf.tensor1d(Int32Array.from(data.labels), 'int32') : toCategorical(data.labels, options.numClasses);
  const xs = tf.tensor4d(values, [n, IMAGE_HEIGHT, IMAGE_WIDTH, IMAGE_CHANNELS], 'float32');
  return { xs, ys };
}

/**
 * One-hot encode class indices (Keras' `to_categorical`): `[N, numClasses]` float32.
 * A label outside `0..numClasses-1` is an error naming its index.
 */
export function toCategorical(labels: ArrayLike<number>, numClasses: number): tf.Tensor2D {
  if (typeof numClasses !== 'number' || !Number.isInteger(numClasses) || numClasses < 1) {
    throw usage(`numClasses must be a positive integer, got ${JSON.stringify(numClasses)}`);
  }
  const n = labels.length;
  const out = new Float32Array(n * numClasses);
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    if (!Number.isInteger(l) || l < 0 || l >= numClasses) {
      throw usage(`label ${l} at index ${i} is outside 0..${numClasses - 1} (numClasses ${numClasses})`);
    }
    out[i * numClasses + l] = 1;
  }
  return tf.tensor2d(out, [n, numClasses], 'float32');
}

/**
 * Batches as tensors (`xs` `[B,32,32,3]` float32, `ys`), built one batch at a time from the
 * uint8 data: never a float copy of the whole set. The caller disposes each batch's tensors.
 */
export function* tensorBatches(data: CifarSplitData, options: BatchOptions & ToTensorsOptions): Generator<CifarTensors & { size: number; indices: Uint32Array }> {
  const { normalize, numClasses, ...batchOptions } = options;
  for (const batch of batches(data, batchOptions)) {
    yield { ...toTensors(batch, { normalize, numClasses }), size: batch.size, indices: batch.indices };
  }
}
