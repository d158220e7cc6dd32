/** Options for {@link DatasetPlugin.batches}. */
export interface BatchOptions {
  /** Records per batch (> 0). The last batch may be smaller unless `dropRemainder`. */
  batchSize: number;
  /** Shuffle the order (default true for training splits). */
  shuffle?: boolean;
  /** Seed for the shuffle; the same seed gives the same order. */
  seed?: number;
  /** Drop a final batch smaller than `batchSize`. */
  dropRemainder?: boolean;
}

/** One batch of raw records: uint8 images in NHWC order and class indices. */
export interface RawBatch {
  /** `size × height × width × channels` bytes, channels last. */
  images: Uint8Array;
  /** `size` class indices. */
  labels: Uint8Array;
  /** Record indices within the split, in batch order. */
  indices: Uint32Array;
  size: number;
}

/**
 * An image classification dataset. `prepare()` makes the data available (download,
 * verify, parse); afterwards the other members describe and iterate it. Batches are
 * views or small copies of uint8 data: nothing materialises float copies of the whole set.
 */
export interface DatasetPlugin {
  /** e.g. `cifar10`. */
  readonly name: string;
  /** `[height, width, channels]`. */
  readonly imageShape: readonly [number, number, number];
  /** Class names in label order. */
  readonly classNames: readonly string[];
  /** Split names, e.g. `['train', 'test']`. */
  readonly splits: readonly string[];
  /** Load (download, verify, parse) the data. Idempotent. */
  prepare(options?: { signal?: AbortSignal }): Promise<void>;
  /** Number of records in a split (after `prepare`). */
  size(split: string): number;
  /** Batches of a split; iterating again starts a new pass. */
  batches(split: string, options: BatchOptions): Iterable<RawBatch>;
}
