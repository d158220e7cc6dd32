import * as tf from '@tensorflow/tfjs-core';
import type { ImageDecodeOptions, ImageFileEntry, ImageFolderReader } from '@tfbricks/core';
import { channelsOf } from '@tfbricks/core';
import type { LabelMode } from './image-dataset-options';
import { NumpyRandomState } from '@tfbricks/core';

export interface ImageFolderBatch {
  /** float32 `[n, height, width, channels]`, values 0–255 (as Keras yields them). */
  xs: tf.Tensor4D;
  /** int32 `[n]` (int), float32 one-hot `[n, K]` (categorical), float32 `[n, 1]` (binary); absent without labels. */
  ys?: tf.Tensor;
}

export interface ImageFolderDatasetInit {
  files: readonly ImageFileEntry[];
  labels: readonly number[] | null;
  classNames: readonly string[] | null;
  labelMode: LabelMode;
  reader: ImageFolderReader;
  decode: ImageDecodeOptions;
  batchSize: number | null;
  shuffle: boolean;
  seed: number;
}

/**
 * What `imageDatasetFromDirectory` returns: a tfjs `Dataset`-like object (`iterator()`
 * starts an epoch, `size` is batches per epoch) that `model.fitDataset` accepts, with
 * Keras' `class_names` and `file_paths`. Each batch is read from the reader's cache, so
 * memory holds one batch, never the set.
 */
export class ImageFolderDataset {
  readonly classNames: readonly string[] | null;
  readonly filePaths: readonly string[];
  /** Batches per epoch. */
  readonly size: number;
  /** Images per epoch. */
  readonly length: number;
  private epoch = 0;

  constructor(private readonly init: ImageFolderDatasetInit) {
    this.classNames = init.classNames;
    this.filePaths = init.files.map((f) => f.path);
    this.length = init.files.length;
    this.size = init.batchSize === null ? this.length : Math.ceil(this.length / init.batchSize);
  }

  /** Sample order of an epoch: file order, or a numpy permutation seeded by `seed + epoch`. */
  order(epoch: number): number[] {
    if (!this.init.shuffle) return Array.from({ length: this.length }, (_, i) => i);
    return new NumpyRandomState((this.init.seed + epoch) >>> 0).permutation(this.length);
  }

  /** Rows `rows` as one batch of tensors. */
  async batch(rows: readonly number[]): Promise<ImageFolderBatch> {
    const { decode, reader, files, labels, labelMode, classNames } = this.init;
    const [h, w] = decode.size;
    const pixels = await reader.read(rows.map((r) => files[r]), decode);
    const n = rows.length;
    return tf.tidy(() => {
      const xs = tf.tensor4d(Float32Array.from(pixels), [n, h, w, channelsOf(decode.colorMode)], 'float32');
      if (!labels || labelMode === null) return { xs };
      const idx = rows.map((r) => labels[r]);
      if (labelMode === 'int') return { xs, ys: tf.tensor1d(idx, 'int32') };
      if (labelMode === 'binary') return { xs, ys: tf.tensor2d(idx, [n, 1], 'float32') };
      return { xs, ys: tf.cast(tf.oneHot(tf.tensor1d(idx, 'int32'), classNames!.length), 'float32') };
    });
  }

  /** tfjs Dataset protocol: a fresh epoch per call. */
  async iterator(): Promise<{ next(): Promise<IteratorResult<ImageFolderBatch>> }> {
    const order = this.order(this.epoch++);
    const step = this.init.batchSize ?? 1;
    let at = 0;
    return {
      next: async () => {
        if (at >= order.length) return { done: true, value: undefined };
        const rows = order.slice(at, at + step);
        at += step;
        const value = await this.batch(rows);
        // Unbatched (batchSize null): single images, as Keras yields them.
        if (this.init.batchSize === null) {
          const xs = tf.squeeze(value.xs, [0]) as unknown as tf.Tensor4D;
          const ys = value.ys ? tf.squeeze(value.ys, [0]) : undefined;
          tf.dispose([value.xs, value.ys ?? []].flat());
          return { done: false, value: ys ? { xs, ys } : { xs } };
        }
        return { done: false, value };
      },
    };
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ImageFolderBatch> {
    const it = await this.iterator();
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
}
