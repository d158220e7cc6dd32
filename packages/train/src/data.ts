import * as tf from '@tensorflow/tfjs-core';
import { Rng, TfbricksError, usageError, type RngState } from '@tfbricks/core';
import type { DataSource } from './types';

/** A host-side batch: uint8 NHWC bytes and class indices. */
export interface HostBatch {
  images: Uint8Array;
  labels: Uint8Array;
  size: number;
}

/** A training/evaluation source normalised to one iteration interface. */
export interface PreparedSource {
  readonly count: number;
  readonly imageShape: readonly [number, number, number];
  /**
   * Batches of one pass. `order` is the generator state for shuffling (ignored when
   * `shuffle` is false); `skip` batches are skipped without being materialised where
   * the source allows it.
   */
  batches(options: { batchSize: number; shuffle: boolean; shuffleState: RngState; skip: number }): Iterable<HostBatch>;
}

function isDatasetSource(source: DataSource): source is Extract<DataSource, { dataset: unknown }> {
  return typeof (source as { dataset?: unknown }).dataset === 'object' && (source as { dataset?: unknown }).dataset !== null;
}

/** Validate a source and wrap it. `what` names the option (`train`, `validation`). */
export async function prepareSource(
  source: DataSource | undefined,
  what: string,
  modelShape: readonly number[],
  numClasses: number,
  signal?: AbortSignal,
): Promise<PreparedSource> {
  if (source === undefined || source === null || typeof source !== 'object') {
    throw usageError('E_FIT_OPTIONS', `option "${what}" must be {images, labels} or {dataset, split}, got ${String(source)}`);
  }
  const expected = modelShape as [number, number, number];
  if (isDatasetSource(source)) {
    const { dataset, split } = source;
    if (!dataset.splits.includes(split)) {
      throw usageError('E_FIT_OPTIONS', `option "${what}.split" is "${split}"; dataset "${dataset.name}" has splits: ${dataset.splits.join(', ')}`);
    }
    await dataset.prepare({ signal });
    checkShape(dataset.imageShape, expected, `${what} (dataset "${dataset.name}")`);
    const count = dataset.size(split);
    if (count <= 0) throw usageError('E_FIT_OPTIONS', `option "${what}": split "${split}" of "${dataset.name}" is empty`);
    return {
      count,
      imageShape: dataset.imageShape,
      *batches({ batchSize, shuffle, shuffleState, skip }) {
        // The dataset shuffles with an integer seed; derive it from the saved generator state.
        const seed = Rng.fromState(shuffleState).nextUint32();
        let index = 0;
        for (const b of dataset.batches(split, { batchSize, shuffle, seed, dropRemainder: false })) {
          if (index++ < skip) continue;
          checkLabels(b.labels, numClasses, what);
          yield { images: b.images, labels: b.labels, size: b.size };
        }
      },
    };
  }
  const { images, labels } = source as Extract<DataSource, { images: unknown }>;
  if (!(images instanceof Uint8Array) || !(labels instanceof Uint8Array)) {
    throw usageError('E_FIT_OPTIONS', `option "${what}" needs images and labels as Uint8Array, got images: ${typeName(images)}, labels: ${typeName(labels)}`);
  }
  const shape = (source as { imageShape?: readonly [number, number, number] }).imageShape ?? expected;
  checkShape(shape, expected, what);
  const pixels = shape[0] * shape[1] * shape[2];
  const count = labels.length;
  if (count === 0) throw usageError('E_FIT_OPTIONS', `option "${what}" has no records (labels is empty)`);
  if (images.length !== count * pixels) {
    throw usageError(
      'E_FIT_OPTIONS',
      `option "${what}": images has ${images.length} bytes but ${count} labels × ${shape.join('×')} needs ${count * pixels}`,
    );
  }
  checkLabels(labels, numClasses, what);
  return {
    count,
    imageShape: shape,
    *batches({ batchSize, shuffle, shuffleState, skip }) {
      const order = shuffle ? Rng.fromState(shuffleState).permutation(count) : null;
      for (let start = skip * batchSize; start < count; start += batchSize) {
        const size = Math.min(batchSize, count - start);
        if (!order) {
          yield { images: images.subarray(start * pixels, (start + size) * pixels), labels: labels.subarray(start, start + size), size };
          continue;
        }
        const bImages = new Uint8Array(size * pixels);
        const bLabels = new Uint8Array(size);
        for (let i = 0; i < size; i++) {
          const r = order[start + i];
          bImages.set(images.subarray(r * pixels, (r + 1) * pixels), i * pixels);
          bLabels[i] = labels[r];
        }
        yield { images: bImages, labels: bLabels, size };
      }
    },
  };
}

function typeName(v: unknown): string {
  return v === null ? 'null' : typeof v === 'object' ? (v as object).constructor?.name ?? 'object' : typeof v;
}

function checkShape(actual: readonly number[], expected: readonly number[], what: string): void {
  if (actual.length !== 3 || actual.some((d, i) => d !== expected[i])) {
    throw new TfbricksError(
      'E_FIT_SHAPE',
      `${what}: image shape [${actual.join(', ')}] does not match the model input [${expected.join(', ')}]`,
      { usage: true, hint: 'build the model for the data\'s image shape (e.g. getModelSpec(name, {inputShape}))' },
    );
  }
}

function checkLabels(labels: Uint8Array, numClasses: number, what: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= numClasses) {
      throw usageError('E_FIT_LABELS', `${what}: label ${labels[i]} at record ${i} is out of range for ${numClasses} classes (allowed 0..${numClasses - 1})`);
    }
  }
}

/** uint8 NHWC → float32 tensor, multiplied by `rescale` on the host (one pass, no device op). */
export function imagesToTensor(batch: HostBatch, shape: readonly [number, number, number], rescale: number): tf.Tensor4D {
  const n = batch.images.length;
  const data = new Float32Array(n);
  const src = batch.images;
  if (rescale === 1) for (let i = 0; i < n; i++) data[i] = src[i];
  else for (let i = 0; i < n; i++) data[i] = src[i] * rescale;
  return tf.tensor4d(data, [batch.size, shape[0], shape[1], shape[2]], 'float32');
}

/** Class indices → one-hot float32 `[size, numClasses]`. */
export function labelsToOneHot(labels: Uint8Array, numClasses: number): tf.Tensor2D {
  const data = new Float32Array(labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) data[i * numClasses + labels[i]] = 1;
  return tf.tensor2d(data, [labels.length, numClasses], 'float32');
}
