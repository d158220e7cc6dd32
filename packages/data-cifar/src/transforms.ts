import { type BatchOptions, type RawBatch, Rng, TfbricksError } from '@tfbricks/core';
import { IMAGE_BYTES } from './spec';
import type { CifarSplitData } from './types';

function usage(message: string, hint?: string): TfbricksError {
  return new TfbricksError('E_USAGE', message, { usage: true, hint });
}

/** Records in a split (checks that images and labels agree). */
export function numRecords(split: CifarSplitData): number {
  const n = split.labels.length;
  if (split.images.length !== n * IMAGE_BYTES) {
    throw usage(`split has ${n} labels but ${split.images.length} image bytes; expected ${n * IMAGE_BYTES} (${IMAGE_BYTES} per image)`);
  }
  return n;
}

function checkSeed(seed: unknown, name = 'seed'): number {
  if (typeof seed !== 'number' || !Number.isInteger(seed)) throw usage(`${name} must be an integer, got ${JSON.stringify(seed)}`);
  return seed;
}

/** A new split holding the records at `indices` (in that order). */
export function gather(split: CifarSplitData, indices: ArrayLike<number>): CifarSplitData {
  const n = numRecords(split);
  const images = new Uint8Array(indices.length * IMAGE_BYTES);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    if (!(j >= 0 && j < n) || !Number.isInteger(j)) throw usage(`index ${j} at position ${i} is outside 0..${n - 1}`);
    images.set(split.images.subarray(j * IMAGE_BYTES, (j + 1) * IMAGE_BYTES), i * IMAGE_BYTES);
    labels[i] = split.labels[j];
  }
  return { images, labels };
}

/** A shuffled copy (deterministic for a seed: the same seed gives the same order). */
export function shuffle(split: CifarSplitData, seed: number): CifarSplitData {
  return gather(split, new Rng(checkSeed(seed)).permutation(numRecords(split)));
}

/**
 * Indices of a validation split: `round(n × fraction)` records. With a `seed` they are a
 * seeded random subset; without, the last records (Keras' `validation_split`). Both parts
 * keep their natural order.
 */
export function splitIndices(n: number, fraction: number, seed?: number): { train: Uint32Array; validation: Uint32Array } {
  if (typeof fraction !== 'number' || !(fraction > 0 && fraction < 1)) {
    throw usage(`validation fraction must be a number in (0, 1), got ${JSON.stringify(fraction)}`);
  }
  const k = Math.round(n * fraction);
  if (k < 1 || k > n - 1) {
    throw usage(`validation fraction ${fraction} of ${n} records gives ${k}; both parts need at least one record`);
  }
  let order: Uint32Array;
  if (seed === undefined) {
    order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
  } else {
    order = new Rng(checkSeed(seed)).permutation(n);
  }
  const train = order.slice(0, n - k).sort();
  const validation = order.slice(n - k).sort();
  return { train, validation };
}

/** Split off a validation part by fraction (see {@link splitIndices}); copies the records. */
export function split(data: CifarSplitData, fraction: number, options: { seed?: number } = {}): { train: CifarSplitData; validation: CifarSplitData } {
  const idx = splitIndices(numRecords(data), fraction, options.seed);
  return { train: gather(data, idx.train), validation: gather(data, idx.validation) };
}

/** Validate {@link BatchOptions}; returns them with defaults filled in. */
export function checkBatchOptions(options: BatchOptions, defaultShuffle: boolean): Required<BatchOptions> {
  if (options === null || typeof options !== 'object') throw usage(`batch options must be an object, got ${JSON.stringify(options)}`);
  const { batchSize } = options;
  if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize < 1) {
    throw usage(`batchSize must be a positive integer, got ${JSON.stringify(batchSize)}`, 'e.g. batchSize: 32');
  }
  const shuffleOpt = options.shuffle ?? defaultShuffle;
  if (typeof shuffleOpt !== 'boolean') throw usage(`shuffle must be true or false, got ${JSON.stringify(options.shuffle)}`);
  const dropRemainder = options.dropRemainder ?? false;
  if (typeof dropRemainder !== 'boolean') throw usage(`dropRemainder must be true or false, got ${JSON.stringify(options.dropRemainder)}`);
  const seed = options.seed === undefined ? 0 : checkSeed(options.seed);
  return { batchSize, shuffle: shuffleOpt, dropRemainder, seed };
}

/**
 * Batches of `count` records of `base`, where position `i` of the split is base record
 * `map[i]` (or `i` without a map). Each batch is a view (consecutive base records) or a
 * small copy; nothing materialises a float or full-size copy. Every pass re-iterates.
 */
export function batchIterable(base: CifarSplitData, map: Uint32Array | undefined, count: number, options: Required<BatchOptions>): Iterable<RawBatch> {
  const { batchSize, shuffle: doShuffle, seed, dropRemainder } = options;
  return {
    *[Symbol.iterator]() {
      const order = doShuffle ? new Rng(seed).permutation(count) : undefined;
      const full = Math.floor(count / batchSize);
      const batches = dropRemainder || count % batchSize === 0 ? full : full + 1;
      for (let b = 0; b < batches; b++) {
        const start = b * batchSize;
        const size = Math.min(batchSize, count - start);
        const indices = new Uint32Array(size);
        for (let i = 0; i < size; i++) indices[i] = order ? order[start + i] : start + i;
        if (!order && !map) {
          yield {
            images: base.images.subarray(start * IMAGE_BYTES, (start + size) * IMAGE_BYTES),
            labels: base.labels.subarray(start, start + size),
            indices,
            size,
          };
          continue;
        }
        const images = new Uint8Array(size * IMAGE_BYTES);
        const labels = new Uint8Array(size);
        for (let i = 0; i < size; i++) {
          const r = map ? map[indices[i]] : indices[i];
          images.set(base.images.subarray(r * IMAGE_BYTES, (r + 1) * IMAGE_BYTES), i * IMAGE_BYTES);
          labels[i] = base.labels[r];
        }
        yield { images, labels, indices, size };
      }
    },
  };
}

/**
 * Batches of a split: `{ images, labels, indices, size }` with uint8 NHWC images.
 * `shuffle` defaults to false here; pass a different `seed` per epoch for a new order.
 */
export function batches(data: CifarSplitData, options: BatchOptions): Iterable<RawBatch> {
  return batchIterable(data, undefined, numRecords(data), checkBatchOptions(options, false));
}

/** Records per class (index = class). */
export function classCounts(labels: Uint8Array, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l >= numClasses) throw usage(`label ${l} at index ${i} is outside 0..${numClasses - 1}`);
    counts[l]++;
  }
  return counts;
}
