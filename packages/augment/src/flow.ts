import * as tf from '@tensorflow/tfjs-core';
import { Rng, activatedBackend, isSoftwareGpu, usageError } from '@tfbricks/core';
import { macrotask } from './macrotask';
import { DIRECT_BACKENDS } from './resample-kernels';
import { RowTaker } from './take-rows';
import type { HostImages, ResampledRows } from './transform';

export interface FlowOptions {
  /** Default 32. */
  batchSize?: number;
  /** Reshuffle at the start of every epoch (default true). */
  shuffle?: boolean;
  /** Makes shuffles and transforms reproducible. */
  seed?: number;
  /** With the generator's `validationSplit`: Keras takes the FIRST `floor(n * split)` samples as validation. */
  subset?: 'training' | 'validation';
  /**
   * Where the augmentation's geometric step (the affine resample and flips) runs; every
   * choice gives the same numbers (within 1e-5 of the WGSL kernel on webgpu) and hands out
   * batches on the active backend.
   * - `'cpu'`: in JS on the CPU, straight from the host copy of `x` (read in place on cpu,
   *   copied once on wasm, downloaded once by `load()`/`iterator()` elsewhere), then uploaded.
   * - `'backend'`: on the active backend (our resample kernel on webgpu, the gather ops
   *   elsewhere), from rows of `x` cut on the host where they are there.
   * - `'auto'` (default): `'cpu'` unless the active backend is a hardware GPU: on cpu and
   *   wasm, and on a GPU backend whose device is a software adapter (lavapipe, SwiftShader,
   *   WARP: the same CPU cores, emulating a GPU, run the GPU kernel several times slower than
   *   the JS one), as the backend registry recorded it (core's `activatedBackend`). A tfjs
   *   backend set without the registry counts as hardware unless it is `cpu` or `wasm`.
   */
  transformOn?: TransformOn;
  /**
   * `iterator()` only, where the transform runs on the CPU: while the consumer works on batch
   * `i` (e.g. waits for the device), compute the CPU part of batch `i + 1` (default true).
   * Only host values are made ahead, never tensors, so an abandoned iterator holds no memory
   * of tfjs' and the batches are the same either way.
   */
  prefetch?: boolean;
}

export type TransformOn = 'auto' | 'backend' | 'cpu';
const TRANSFORM_ON: readonly TransformOn[] = ['auto', 'backend', 'cpu'];

/** Whether `auto` computes the geometric step on the CPU on tfjs backend `backend`. */
export function cpuTransformPreferred(backend: string): boolean {
  const info = activatedBackend(backend);
  if (info) return !info.capabilities.gpu || isSoftwareGpu(info);
  return DIRECT_BACKENDS.includes(backend);
}

export interface FlowBatch {
  xs: tf.Tensor4D;
  ys?: tf.Tensor;
}

/** What `flow()` needs from the generator. */
export interface FlowSource {
  readonly validationSplit: number;
  apply(images: tf.Tensor4D, options: { seed: number }): tf.Tensor4D;
  /**
   * For `transformOn: 'cpu'`: `apply` of the batch `rows` of host images in two halves, the
   * host one (pure JS: draws and resampling) and the device one (the batch tensor and the rest).
   */
  resampleRows?(source: HostImages, rows: Int32Array, options: { seed: number }): ResampledRows;
  finishRows?(resampled: ResampledRows): tf.Tensor4D;
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
 * `model.fitDataset(gen.flow(x, y), { epochs })` works directly. Batches are built from the
 * host copy of `x`: resampled straight out of it on the CPU and uploaded, or (on a hardware
 * GPU) with one row copy (see `RowTaker`) and one batched augmentation call on the backend;
 * see {@link FlowOptions.transformOn}. The consumer owns (and disposes) them.
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
  private readonly transformOn: TransformOn;
  private readonly prefetch: boolean;

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
    if (options.transformOn !== undefined && !TRANSFORM_ON.includes(options.transformOn)) {
      throw usageError('E_AUGMENT_OPTION', `flow transformOn must be one of ${TRANSFORM_ON.map((v) => `'${v}'`).join(', ')}; got ${JSON.stringify(options.transformOn)}`);
    }
    this.transformOn = options.transformOn ?? 'auto';
    if (options.prefetch !== undefined && typeof options.prefetch !== 'boolean') {
      throw usageError('E_AUGMENT_OPTION', `flow prefetch must be true or false; got ${JSON.stringify(options.prefetch)}`);
    }
    this.prefetch = options.prefetch ?? true;
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
    return this.finish(epoch, index, order, this.resample(epoch, index, order));
  }

  private rowsOf(index: number, order: Uint32Array): Int32Array {
    return Int32Array.from(order.subarray(index * this.batchSize, Math.min(this.length, (index + 1) * this.batchSize)), (v) => v + this.start);
  }

  private seedOf(epoch: number, index: number): number {
    return mix(mix(this.baseSeed, epoch), index + 1);
  }

  /** The host half of a batch on the CPU path (pure JS), or undefined on the backend path. */
  private resample(epoch: number, index: number, order: Uint32Array): ResampledRows | undefined {
    const host = this.hostSource();
    return host ? this.source.resampleRows!(host, this.rowsOf(index, order), { seed: this.seedOf(epoch, index) }) : undefined;
  }

  /** The batch's tensors: from the host half when given, else on the backend. */
  private finish(epoch: number, index: number, order: Uint32Array, resampled: ResampledRows | undefined): FlowBatch {
    const rows = this.rowsOf(index, order);
    return tf.tidy(() => {
      const xs = resampled ? this.source.finishRows!(resampled) : this.source.apply(this.xRows.take(rows) as tf.Tensor4D, { seed: this.seedOf(epoch, index) });
      return this.yRows ? { xs, ys: this.yRows.take(rows) } : { xs };
    });
  }

  /** {@link resample} of a later batch, in a macrotask (so after the consumer's synchronous work). */
  private resampleLater(epoch: number, index: number, order: Uint32Array): Promise<ResampledRows | undefined> {
    const pending = new Promise<ResampledRows | undefined>((resolve, reject) =>
      macrotask(() => {
        try {
          resolve(this.resample(epoch, index, order));
        } catch (error) {
          reject(error);
        }
      }),
    );
    pending.catch(() => undefined); // an abandoned iterator's failure is not an unhandled rejection
    return pending;
  }

  /** `x` in host memory when the next batch's geometric step runs on the CPU, else undefined. */
  private hostSource(): HostImages | undefined {
    if (this.transformOn === 'backend' || (this.transformOn === 'auto' && !cpuTransformPreferred(tf.getBackend()))) return undefined;
    const values = this.source.resampleRows && this.source.finishRows && this.x.dtype === 'float32' ? this.xRows.hostValues() : undefined;
    if (!values) {
      if (this.transformOn === 'auto') return undefined;
      throw usageError(
        'E_AUGMENT_OPTION',
        `flow transformOn 'cpu' needs x (${this.x.dtype}) as float32 values in host memory; on the ${tf.getBackend()} backend they are not there yet`,
        this.x.dtype === 'float32' ? 'call `await flow.load()` first (iterator() does), or use transformOn: \'backend\'' : 'pass x as float32',
      );
    }
    const [n, h, w, c] = this.x.shape;
    return { values: values as Float32Array, shape: [n, h, w, c] };
  }

  /**
   * Where the next batch's geometric step runs: `'cpu'` (JS, from the host copy of `x`) or
   * `'backend'`, following `transformOn` and the active backend (see {@link FlowOptions.transformOn}).
   */
  transformPath(): 'cpu' | 'backend' {
    return this.hostSource() ? 'cpu' : 'backend';
  }

  /**
   * Download `x` and `y` once (off the cpu backend), so batches are cut from host memory (as
   * Keras' flow does from its numpy array) and `transformOn` can pick the CPU. `iterator()`
   * calls it; call it yourself before the synchronous `batch()`/`[Symbol.iterator]` on a GPU backend.
   */
  async load(): Promise<void> {
    await this.xRows.load();
    await this.yRows?.load();
  }

  /** One epoch, synchronously (starts a new epoch). */
  *[Symbol.iterator](): Generator<FlowBatch> {
    const epoch = this.epoch++;
    const order = this.order(epoch);
    for (let i = 0; i < this.size; i++) yield this.batch(epoch, i, order);
  }

  /**
   * tfjs Dataset protocol: a fresh, reshuffled epoch per call. Off the cpu backend the first
   * call downloads `x` and `y` once ({@link load}), so batches are cut from host memory (as
   * Keras' flow does from its numpy array) instead of gathered on the device. On the CPU path
   * it computes the next batch's host half while the consumer works (`prefetch`).
   */
  async iterator(): Promise<{ next(): Promise<IteratorResult<FlowBatch>> }> {
    await this.load();
    const epoch = this.epoch++;
    const order = this.order(epoch);
    let next = 0;
    let ahead: { index: number; resampled: Promise<ResampledRows | undefined> } | undefined;
    return {
      next: async (): Promise<IteratorResult<FlowBatch>> => {
        if (next >= this.size) return { done: true, value: undefined };
        const index = next++;
        const pending = ahead?.index === index ? ahead.resampled : undefined;
        ahead = undefined;
        const resampled = pending ? await pending : this.resample(epoch, index, order);
        const batch = this.finish(epoch, index, order, resampled);
        if (this.prefetch && resampled && next < this.size) ahead = { index: next, resampled: this.resampleLater(epoch, next, order) };
        return { done: false, value: batch };
      },
    };
  }
}
