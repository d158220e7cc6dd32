// The studio's training worker: parses the archive, builds the model, runs @tfbricks/train's
// fit on WebGPU (or cpu), checkpoints into IndexedDB after every epoch, and reports progress.
// The page (main.ts) only draws what this worker posts, so it stays responsive.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { ImageDataGenerator, type ImageDataGeneratorOptions } from '@tfbricks/augment';
import { cpuBackend } from '@tfbricks/backend-cpu';
import { webgpuBackend } from '@tfbricks/backend-webgpu';
import { type BackendRegistry, type JsonValue, createBackendRegistry, errorMessage, isTfbricksError } from '@tfbricks/core';
import { type CifarData, parseCifarArchive } from '@tfbricks/data-cifar';
import { buildModel, createOptimizer, decodeSavedModel, encodeSavedModel, getModelSpec } from '@tfbricks/layers';
import { type BatchEnd, type Callback, type EpochLogs, type TrainingContext, type TrainingPosition, evaluate, fit, predict } from '@tfbricks/train';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { FromWorker, ImageSet, RunConfig, ToWorker } from './protocol';
import { getRun, putRun, type StoredRun } from './storage';

const POSITION_KEY = 'tfbricksTrainingPosition';
const PREDICTION_IMAGES = 24;
const SAMPLE_IMAGES = 40;

const post = (message: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(message, transfer);

let registry: BackendRegistry | undefined;
let data: CifarData | undefined;
let live: { model: tfl.LayersModel; optimizer: tf.Optimizer; config: RunConfig } | undefined;
let control: { abort: AbortController; paused: boolean; wake?: () => void } | undefined;

function fail(phase: 'load' | 'train' | 'preview' | 'export', error: unknown): void {
  console.error(error);
  post({
    type: 'error',
    phase,
    message: errorMessage(error),
    ...(isTfbricksError(error) ? { code: error.code, ...(error.hint ? { hint: error.hint } : {}) } : {}),
  });
}

function take(split: { images: Uint8Array; labels: Uint8Array }, n: number): { images: Uint8Array; labels: Uint8Array } {
  const count = n > 0 ? Math.min(n, split.labels.length) : split.labels.length;
  return { images: split.images.subarray(0, count * 3072), labels: split.labels.subarray(0, count) };
}

function imageSet(split: { images: Uint8Array; labels: Uint8Array }, n: number): ImageSet {
  const s = take(split, n);
  return { images: s.images.slice(), labels: Array.from(s.labels) };
}

async function load(message: Extract<ToWorker, { type: 'load' }>): Promise<void> {
  data = undefined;
  data = await parseCifarArchive(message.blob, { dataset: message.dataset, labelMode: message.labelMode, name: message.name });
  post({
    type: 'loaded',
    name: message.name,
    dataset: data.name,
    classNames: [...data.classNames],
    trainCount: data.train.labels.length,
    testCount: data.test.labels.length,
    samples: imageSet(data.train, SAMPLE_IMAGES),
  });
}

async function backend(choice: RunConfig['backend']): Promise<void> {
  registry ??= createBackendRegistry({ env: {} }).register(webgpuBackend()).register(cpuBackend());
  const resolved = await registry.resolve({ backend: choice });
  post({ type: 'backend', name: resolved.name, description: String(resolved.device.description ?? resolved.name) });
}

async function generatorFor(options: ImageDataGeneratorOptions, train: Uint8Array): Promise<ImageDataGenerator> {
  const generator = new ImageDataGenerator(options);
  if (options.featurewiseCenter || options.featurewiseStdNormalization || options.zcaWhitening) {
    const x = tf.tidy(() => tf.div(tf.tensor4d(Float32Array.from(train), [train.length / 3072, 32, 32, 3]), 255) as tf.Tensor4D);
    try {
      await generator.fit(x);
    } finally {
      x.dispose();
    }
  }
  return generator;
}

/** The first `count` training images and three augmented versions of each (seeds seed, seed+1, seed+2). */
async function preview(message: Extract<ToWorker, { type: 'preview' }>): Promise<void> {
  if (!data) throw new Error('load a dataset first');
  if (!registry) await backend('cpu');
  const original = imageSet(data.train, message.count);
  const generator = await generatorFor(message.augmentation, take(data.train, 512).images);
  const x = tf.tidy(() => tf.div(tf.tensor4d(Float32Array.from(original.images), [original.labels.length, 32, 32, 3]), 255) as tf.Tensor4D);
  const augmented: Uint8Array[] = [];
  try {
    for (let k = 0; k < 3; k++) {
      const y = generator.apply(x, { seed: message.seed + k });
      const bytes = tf.tidy(() => tf.cast(tf.round(tf.clipByValue(tf.mul(y, 255), 0, 255)), 'int32'));
      augmented.push(Uint8Array.from(await bytes.data()));
      tf.dispose([y, bytes]);
    }
  } finally {
    x.dispose();
  }
  post({ type: 'preview', original, augmented });
}

function argmax(p: Float32Array, numClasses: number, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (p[i * numClasses + c] > p[i * numClasses + best]) best = c;
    out.push(best);
  }
  return out;
}

/** Reports progress, honours pause, and after each epoch evaluates, predicts and checkpoints. */
class StudioCallback implements Callback {
  readonly name = 'StudioCallback';
  private epochStart = 0;
  private imagesThisEpoch = 0;
  private lastPost = 0;
  private logEvery = 1;
  private steps = 1;
  private trainSeconds = 0;

  constructor(
    private readonly config: RunConfig,
    private readonly test: { images: Uint8Array; labels: Uint8Array },
    private readonly restored: TrainingPosition | undefined,
    private readonly confusionHistory: number[][][],
  ) {}

  async restore(): Promise<TrainingPosition | undefined> {
    return this.restored;
  }

  onTrainBegin(ctx: TrainingContext): void {
    // Batch logs are a GPU→CPU read; a few per epoch draw the batch curve without stalling the GPU.
    this.logEvery = Math.max(1, Math.ceil(ctx.params.steps / 4));
    this.steps = ctx.params.steps;
    post({ type: 'started', epochs: ctx.params.epochs, initialEpoch: ctx.epoch, steps: ctx.params.steps, samples: ctx.params.samples, history: ctx.history });
  }

  needsBatchLogs(globalStep: number): boolean {
    // The epoch's last batch is always read back: the epoch's training time (images/s) then
    // ends when the device has finished it, not when it was queued.
    return globalStep % this.logEvery === 0 || (globalStep + 1) % this.steps === 0;
  }

  onEpochBegin(): void {
    this.epochStart = performance.now();
    this.imagesThisEpoch = 0;
  }

  async onBatchEnd(batch: BatchEnd, ctx: TrainingContext): Promise<void> {
    this.imagesThisEpoch += batch.size;
    const now = performance.now();
    const seconds = (now - this.epochStart) / 1000;
    const rate = this.imagesThisEpoch / Math.max(seconds, 1e-3);
    const last = batch.batch + 1 === ctx.params.steps;
    if (last) this.trainSeconds = seconds;
    if (now - this.lastPost > 150 || last || batch.logs) {
      this.lastPost = now;
      const left = ctx.params.samples - this.imagesThisEpoch + (ctx.params.epochs - ctx.epoch - 1) * ctx.params.samples;
      post({
        type: 'progress',
        epoch: ctx.epoch,
        batch: batch.batch + 1,
        steps: ctx.params.steps,
        imagesPerSecond: rate,
        etaSeconds: left / Math.max(rate, 1e-6),
        ...(batch.logs ? { loss: batch.logs.loss, acc: batch.logs.acc } : {}),
      });
    }
    while (control?.paused && !control.abort.signal.aborted) {
      post({ type: 'paused' });
      await new Promise<void>((resolve) => {
        control!.wake = resolve;
      });
      if (!control?.paused) post({ type: 'resumed' });
      this.epochStart += performance.now() - now; // paused time is not training time
    }
  }

  async onEpochEnd(epoch: number, logs: EpochLogs, ctx: TrainingContext): Promise<void> {
    // The one validation pass of the epoch (fit is given no validation source): loss, accuracy
    // and the confusion matrix from the same sums. Its val_loss / val_acc join the epoch's
    // logs here, before the checkpoint captures them and fit adds them to the history.
    const result = await evaluate(ctx.model, this.test, { batchSize: Math.max(this.config.batchSize, 64) });
    logs.val_loss = result.loss;
    logs.val_acc = result.accuracy;
    const shown = take(this.test, PREDICTION_IMAGES);
    const p = await predict(ctx.model, shown.images, { batchSize: PREDICTION_IMAGES });
    this.confusionHistory.push(result.confusionMatrix);
    post({
      type: 'epoch',
      report: {
        epoch,
        logs: { ...logs },
        confusion: result.confusionMatrix,
        testAccuracy: result.accuracy,
        testCount: result.count,
        predictions: { images: shown.images.slice(), labels: Array.from(shown.labels), predicted: argmax(p.probabilities, p.numClasses, p.count) },
        imagesPerSecond: ctx.params.samples / Math.max(this.trainSeconds, 1e-3),
        seconds: this.trainSeconds,
      },
    });
    // Checkpoint: weights, optimizer state and the exact training position, in IndexedDB.
    const position = await ctx.capturePosition();
    const checkpoint = await encodeSavedModel(ctx.model, {
      optimizer: ctx.optimizer,
      metadata: { [POSITION_KEY]: position as unknown as JsonValue, studio: { config: this.config } as unknown as JsonValue },
    });
    const run: StoredRun = {
      config: this.config,
      epochsDone: epoch + 1,
      status: epoch + 1 >= ctx.params.epochs ? 'done' : control?.paused ? 'paused' : 'running',
      // The position's history includes this epoch (ctx.history gets it after the callbacks).
      history: structuredClone(position.history),
      checkpoint,
      confusion: result.confusionMatrix,
      savedAt: new Date().toISOString(),
    };
    await putRun(run);
    post({ type: 'checkpoint', epochsDone: epoch + 1 });
  }
}

async function train(message: Extract<ToWorker, { type: 'train' }>): Promise<void> {
  if (!data) throw new Error('load a dataset first');
  const { config } = message;
  await backend(config.backend);
  const stored = message.resume ? await getRun() : undefined;
  let model: tfl.LayersModel;
  let optimizer: tf.Optimizer;
  let position: TrainingPosition | undefined;
  if (stored?.checkpoint) {
    const decoded = await decodeSavedModel(stored.checkpoint, { where: 'the checkpoint in browser storage' });
    if (!decoded.optimizer) throw new Error('the stored checkpoint has no optimizer state; start a new run');
    model = decoded.model;
    optimizer = decoded.optimizer;
    position = decoded.metadata[POSITION_KEY] as TrainingPosition | undefined;
  } else {
    const spec = getModelSpec(config.model, { numClasses: data.classNames.length, inputShape: [32, 32, 3] });
    model = buildModel(spec, { seed: config.seed });
    optimizer = createOptimizer(config.optimizer as Parameters<typeof createOptimizer>[0], { learningRate: config.learningRate });
  }
  live?.model.dispose();
  live = { model, optimizer, config };
  const trainSplit = take(data.train, config.limitTrain);
  const test = take(data.test, config.limitTest);
  const augmentation = config.augment ? await generatorFor(config.augmentation, trainSplit.images) : undefined;
  control = { abort: new AbortController(), paused: false };
  const confusions: number[][][] = [];
  const result = await fit({
    model,
    optimizer,
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
    train: { ...trainSplit, imageShape: [32, 32, 3] },
    epochs: config.epochs,
    batchSize: config.batchSize,
    seed: config.seed,
    augmentation,
    callbacks: [new StudioCallback(config, test, position, confusions)],
    signal: control.abort.signal,
  });
  if (result.stopReason === 'signal') {
    const run = await getRun();
    if (run) await putRun({ ...run, status: 'stopped' });
  }
  control = undefined;
  post({ type: 'done', stopReason: result.stopReason, epochsCompleted: result.epochsCompleted, history: result.history });
}

async function exportModel(): Promise<void> {
  let files: Record<string, Uint8Array | string>;
  if (live) {
    files = await encodeSavedModel(live.model, { optimizer: live.optimizer, metadata: { studio: { config: live.config } as unknown as JsonValue } });
  } else {
    const run = await getRun();
    if (!run?.checkpoint) throw new Error('no trained model yet: train first');
    files = run.checkpoint;
  }
  post({ type: 'model', files, name: `tfbricks-${live?.config.model ?? 'model'}` });
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const m = event.data;
  switch (m.type) {
    case 'load':
      load(m).catch((e) => fail('load', e));
      break;
    case 'preview':
      preview(m).catch((e) => fail('preview', e));
      break;
    case 'train':
      train(m).catch((e) => {
        control = undefined;
        fail('train', e);
      });
      break;
    case 'pause':
      if (control) control.paused = true;
      break;
    case 'resume':
      if (control) {
        control.paused = false;
        control.wake?.();
      }
      break;
    case 'stop':
      if (control) {
        control.abort.abort();
        control.paused = false;
        control.wake?.();
      }
      break;
    case 'export':
      exportModel().catch((e) => fail('export', e));
      break;
  }
};
