import * as tf from '@tensorflow/tfjs-core';
import { usageError } from '@tfbricks/core';
import type { BatchEnd, Callback, EpochLogs, TrainingContext } from '../../types';
import { EventFileWriter } from './event-writer';
import { histogram } from './histogram';
import { encodePng } from './png';
import type { SummaryValue } from './proto';

export interface TensorBoardOptions {
  /** Write `batch_*` scalars every N batches (default `'epoch'`: epoch scalars only). */
  updateFreq?: 'epoch' | number;
  /** Weight histograms every N epochs (default 1; 0 disables). */
  histogramFreq?: number;
  /** Buckets per histogram (default 30, like tf.summary.histogram). */
  histogramBuckets?: number;
  /** Augmented training samples written as images at the first batch (default 3; 0 disables). */
  images?: number;
}

/** Keras metric names in TensorBoard tags (`acc` → `accuracy`, `lr` → `learning_rate`). */
function tagName(key: string): string {
  if (key === 'acc') return 'accuracy';
  if (key === 'lr') return 'learning_rate';
  return key;
}

/**
 * Keras' `TensorBoard` callback, backend-independent (pure-JS event files): `train/` and
 * `validation/` run directories under `logDir`, scalars `epoch_loss`, `epoch_accuracy`
 * (and `epoch_learning_rate`) every epoch with step = epoch, optional `batch_loss`,
 * `batch_accuracy` every `updateFreq` batches with step = global batch index, weight
 * histograms (tag = weight name) and a few augmented input images.
 */
export class TensorBoard implements Callback {
  readonly name = 'TensorBoard';
  private readonly updateFreq: 'epoch' | number;
  private readonly histogramFreq: number;
  private readonly buckets: number;
  private readonly images: number;
  private train: EventFileWriter | null = null;
  private validation: EventFileWriter | null = null;
  private imagesWritten = false;
  /** Paths of the event files written by the last run. */
  files: { train?: string; validation?: string } = {};

  constructor(
    readonly logDir: string,
    options: TensorBoardOptions = {},
  ) {
    if (typeof logDir !== 'string' || logDir === '') throw usageError('E_CALLBACK_OPTIONS', `TensorBoard: logDir must be a non-empty string, got ${JSON.stringify(logDir)}`);
    const freq = options.updateFreq ?? 'epoch';
    if (freq !== 'epoch' && !(typeof freq === 'number' && Number.isInteger(freq) && freq >= 1)) {
      throw usageError('E_CALLBACK_OPTIONS', `TensorBoard: option "updateFreq" must be 'epoch' or an integer >= 1, got ${JSON.stringify(freq)}`);
    }
    this.updateFreq = freq;
    this.histogramFreq = options.histogramFreq ?? 1;
    this.buckets = options.histogramBuckets ?? 30;
    this.images = options.images ?? 3;
    for (const [k, v] of [['histogramFreq', this.histogramFreq], ['images', this.images]] as const) {
      if (!Number.isInteger(v) || v < 0) throw usageError('E_CALLBACK_OPTIONS', `TensorBoard: option "${k}" must be an integer >= 0, got ${JSON.stringify(v)}`);
    }
    if (!Number.isInteger(this.buckets) || this.buckets < 1) {
      throw usageError('E_CALLBACK_OPTIONS', `TensorBoard: option "histogramBuckets" must be an integer >= 1, got ${JSON.stringify(this.buckets)}`);
    }
  }

  needsBatchLogs(globalStep: number): boolean {
    return this.updateFreq !== 'epoch' && (globalStep + 1) % this.updateFreq === 0;
  }

  needsBatchInputs(): boolean {
    return this.images > 0 && !this.imagesWritten;
  }

  async onTrainBegin(ctx: TrainingContext): Promise<void> {
    const { join } = await import('node:path');
    this.imagesWritten = false;
    this.train = await EventFileWriter.create(join(this.logDir, 'train'));
    this.validation = ctx.params.hasValidation ? await EventFileWriter.create(join(this.logDir, 'validation')) : null;
    this.files = { train: this.train.path, validation: this.validation?.path };
  }

  async onBatchEnd(batch: BatchEnd, ctx: TrainingContext): Promise<void> {
    if (!this.train) return;
    if (batch.logs) {
      this.train.summary(batch.globalStep, Object.entries(batch.logs).map(([k, v]) => ({ tag: `batch_${tagName(k)}`, simpleValue: v })));
    }
    if (batch.inputs && !this.imagesWritten) {
      this.imagesWritten = true;
      const n = Math.min(this.images, batch.inputs.shape[0]);
      const [, h, w, c] = batch.inputs.shape;
      const scale = 1 / ctx.params.rescale;
      const pixels = tf.tidy(() => tf.cast(tf.clipByValue(tf.round(tf.mul(tf.slice(batch.inputs!, 0, n), scale)), 0, 255), 'int32'));
      const data = Uint8Array.from((await pixels.data()) as Int32Array);
      pixels.dispose();
      const values: SummaryValue[] = [];
      for (let i = 0; i < n; i++) {
        const png = encodePng(data.subarray(i * h * w * c, (i + 1) * h * w * c), w, h, c);
        values.push({ tag: `train_samples/image/${i}`, image: { height: h, width: w, colorspace: c, encodedImageString: png } });
      }
      this.train.summary(batch.globalStep, values);
    }
  }

  async onEpochEnd(epoch: number, logs: EpochLogs, ctx: TrainingContext): Promise<void> {
    if (!this.train) return;
    const trainValues: SummaryValue[] = [];
    const valValues: SummaryValue[] = [];
    for (const [k, v] of Object.entries(logs)) {
      if (k.startsWith('val_')) valValues.push({ tag: `epoch_${tagName(k.slice(4))}`, simpleValue: v });
      else trainValues.push({ tag: `epoch_${tagName(k)}`, simpleValue: v });
    }
    if (logs.lr === undefined) {
      const lr = ctx.getLearningRate();
      if (lr !== null) trainValues.push({ tag: 'epoch_learning_rate', simpleValue: lr });
    }
    this.train.summary(epoch, trainValues);
    this.validation?.summary(epoch, valValues);
    if (this.histogramFreq > 0 && (epoch + 1) % this.histogramFreq === 0) {
      const histos: SummaryValue[] = [];
      for (const w of ctx.model.weights) {
        const values = (await w.read().data()) as Float32Array;
        histos.push({ tag: w.originalName ?? w.name, histo: histogram(values, this.buckets) });
      }
      this.train.summary(epoch, histos);
    }
    await Promise.all([this.train.flush(), this.validation?.flush()]);
  }

  async onTrainEnd(): Promise<void> {
    await Promise.all([this.train?.flush(), this.validation?.flush()]);
    this.train = null;
    this.validation = null;
  }
}
