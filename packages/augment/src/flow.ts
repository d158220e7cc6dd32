import * as tf from '@tensorflow/tfjs-core';
import { Rng, usageError } from '@tfbricks/core';
import { RowTaker } from './take-rows';

export interface FlowOptions {
  /** Default 32. */
  batchSize?: number;
  /** Reshuffle at the start of every epoch (default true). */
  shuffle?: boolean;
  /** Makes shuffles and transforms reproducible. */
  seed?: number;
  /** With the generator's `validationSplit`: Keras takes the FIRST `floor(n * split)` samples as validation. */
  subset?: 'training' | 'validation';
}

export interface FlowBatch {
  xs: tf.Tensor4D;
  ys?: tf.Tensor;
}

/** What `flow()` needs from the generator. */
export interface FlowSource {
  readonly validationSplit: number;
  apply(images: tf.Tensor4D, options: { seed: number }): tf.Tensor4D;
}

function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return (h ^ (h >>> 12)) | 0;
}

/**
 * Keras' NumpyArrayIterator as a tfjs Dataset-like object: `iterator()` starts a new
 * epoch (reshuffled when `shuffle`), `size` is the number of batches per epoch, so
 * `model.fitDataset(gen.flow(x, y), { epochs })` works directly. Batches are built with
 * one row copy (see `RowTaker`) and one batched augmentation call; the consumer owns (and disposes) them.
 */
export class FlowDataset {
  /** Batches per epoch (the last one may be smaller). */
  readonly size: number;
  /** Samples per epoch. */
  readonly length: number;
  readonly batchSize: number;
  private epoch = 0;
  private readonly start: number;
  private readonly baseSeed: number;
  private readonly shuffle: boolean;
  private readonly xRows: RowTaker;
  private readonly yRows: RowTaker | undefined;

  constructor(
    private readonly source: FlowSource,
    private readonly x: tf.Tensor4D,
    private readonly y: tf.Tensor | undefined,
    options: FlowOptions = {},
  ) {
    if (!(x instanceof tf.Tensor) || x.rank !== 4) {
      throw usageError('E_AUGMENT_INPUT', `flow x must be a rank-4 NHWC tensor; got ${x instanceof tf.Tensor ? `shape [${x.shape.join(', ')}]` : typeof x}`);
    }
    if (y !== undefined && y !== null && (!(y instanceof tf.Tensor) || y.shape[0] !== x.shape[0])) {
      throw usageError(
        'E_AUGMENT_INPUT',
        `flow y must be a tensor with one row per image (${x.shape[0]}); got ${y instanceof tf.Tensor ? `shape [${y.shape.join(', ')}]` : typeof y}`,
      );
    }
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw usageError('E_AUGMENT_OPTION', `flow batchSize must be an integer >= 1; got ${JSON.stringify(options.batchSize)}`);
    }
    if (options.seed !== undefined && !Number.isInteger(options.seed)) {
      throw usageError('E_AUGMENT_OPTION', `flow seed must be an integer; got ${JSON.stringify(options.seed)}`);
    }
    const n = x.shape[0];
    let start = 0;
    let count = n;
    if (options.subset !== undefined) {
      if (options.subset !== 'training' && options.subset !== 'validation') {
        throw usageError('E_AUGMENT_OPTION', `flow subset must be 'training' or 'validation'; got ${JSON.stringify(options.subset)}`);
      }
      if (!source.validationSplit) {
        throw usageError('E_AUGMENT_OPTION', `flow subset '${options.subset}' needs the generator's validationSplit > 0; it is 0`);
      }
      const split = Math.floor(n * source.validationSplit);
      if (options.subset === 'validation') count = split;
      else {
        start = split;
        count = n - split;
      }
    }
    this.start = start;
    this.length = count;
    this.batchSize = batchSize;
    this.size = Math.ceil(count / batchSize);
    this.shuffle = options.shuffle ?? true;
    this.baseSeed = options.seed ?? Math.floor(Math.random() * 0x7fffffff);
    this.xRows = new RowTaker(x);
    this.yRows = y ? new RowTaker(y) : undefined;
  }

  /** Sample order for an epoch (indices into the subset). */
  order(epoch: number): Uint32Array {
    if (!this.shuffle) return Uint32Array.from({ length: this.length }, (_, i) => i);
    return new Rng(mix(this.baseSeed, epoch)).permutation(this.length);
  }

  /** Batch `index` of epoch `epoch`; deterministic for a given seed. */
  batch(epoch: number, index: number, order: Uint32Array = this.order(epoch)): FlowBatch {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw usageError('E_AUGMENT_INPUT', `flow batch index must be an integer in [0, ${this.size}); got ${index}`);
    }
    const rows = Int32Array.from(order.subarray(index * this.batchSize, Math.min(this.length, (index + 1) * this.batchSize)), (v) => v + this.start);
    const seed = mix(mix(this.baseSeed, epoch), index + 1);
    return tf.tidy(() => {
      const xs = this.source.apply(this.xRows.take(rows) as tf.Tensor4D, { seed });
      return this.yRows ? { xs, ys: this.yRows.take(rows) } : { xs };
    });
  }

  /** One epoch, synchronously (starts a new epoch). */
  *[Symbol.iterator](): Generator<FlowBatch> {
    const epoch = this.epoch++;
    const order = this.order(epoch);
    for (let i = 0; i < this.size; i++) yield this.batch(epoch, i, order);
  }

  /**
   * tfjs Dataset protocol: a fresh, reshuffled epoch per call. Off the cpu backend the first
   * call downloads `x` and `y` once, so batches are cut from host memory (as Keras' flow does
   * from its numpy array) instead of gathered on the device.
   */
  async iterator(): Promise<{ next(): Promise<IteratorResult<FlowBatch>> }> {
    await this.xRows.load();
    await this.yRows?.load();
    const it = this[Symbol.iterator]();
    return { next: async () => it.next() as IteratorResult<FlowBatch> };
  }
}
