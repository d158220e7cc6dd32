import type * as tfl from '@tensorflow/tfjs-layers';
import type { Optimizer, Tensor4D } from '@tensorflow/tfjs-core';
import type { Augmentation, DatasetPlugin, JsonValue, RngState } from '@tfbricks/core';

/** Raw images in memory: uint8 NHWC bytes and class indices. */
export interface InMemorySource {
  /** `count × height × width × channels` bytes, channels last. */
  images: Uint8Array;
  /** `count` class indices. */
  labels: Uint8Array;
  /** `[height, width, channels]`; default: the model's input shape. */
  imageShape?: readonly [number, number, number];
}

/** A split of a {@link DatasetPlugin} (call `prepare()` first, or let `fit` do it). */
export interface DatasetSource {
  dataset: DatasetPlugin;
  split: string;
}

/** Where training or validation records come from. */
export type DataSource = InMemorySource | DatasetSource;

/** Loss names understood by `fit`/`evaluate` (labels are always class indices). */
export type LossName = 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy';

/** Metric names understood by `fit`. `accuracy` is logged as `acc` (tfjs' key). */
export type MetricName = 'accuracy' | 'acc';

/** Numbers logged at the end of an epoch: `loss`, `acc`, `val_loss`, `val_acc`, `lr`, … */
export type EpochLogs = Record<string, number>;

/** Keras-like training history. */
export interface History {
  /** Epoch indices (0-based) in the order they completed. */
  epoch: number[];
  /** One array per logged key, aligned with `epoch`. */
  history: Record<string, number[]>;
}

export type StopReason = 'completed' | 'early-stopping' | 'nan' | 'signal';

export interface FitResult {
  history: History;
  stopReason: StopReason;
  /** Epochs finished in total, counting those before a resume (`initialEpoch`). */
  epochsCompleted: number;
}

/** Static facts about the run, like Keras' `callback.params`. */
export interface TrainingParams {
  epochs: number;
  initialEpoch: number;
  batchSize: number;
  /** Batches per epoch. */
  steps: number;
  /** Training records. */
  samples: number;
  seed: number;
  numClasses: number;
  hasValidation: boolean;
  metrics: string[];
  /** Pixel scale applied to uint8 inputs (e.g. 1/255). */
  rescale: number;
}

/** What a callback sees at the end of each batch. */
export interface BatchEnd {
  /** Batch index within the epoch. */
  batch: number;
  /** Records in this batch. */
  size: number;
  /** Batches finished since the start of training (all epochs, counting resumed ones). */
  globalStep: number;
  /**
   * `loss`, `acc` of this batch, resolved only when some callback's
   * {@link Callback.needsBatchLogs} returned true for this step; otherwise undefined.
   */
  logs?: Record<string, number>;
  /**
   * The (augmented, rescaled) input batch, only when some callback's
   * {@link Callback.needsBatchInputs} returned true. Valid only during the call.
   */
  inputs?: Tensor4D;
}

/** Saved position of a run; what `BackupAndRestore` persists besides weights. */
export interface TrainingPosition {
  /** Epoch to run next (or the one in progress when `step > 0`). */
  epoch: number;
  /** Batches of `epoch` already done. */
  step: number;
  globalStep: number;
  seed: number;
  /** Batch size and training records of the run (a resume must match them). */
  batchSize: number;
  samples: number;
  /** State of the shuffle generator at the start of `epoch`. */
  shuffleState: RngState;
  /** Running sums of the epoch in progress (`loss`, `acc` × records) and records seen. */
  partial: { sums: Record<string, number>; count: number };
  history: History;
  /** Learning rate when saved. */
  learningRate: number | null;
  /** `Callback.getState()` results by {@link Callback.stateKey}. */
  callbacks: Record<string, JsonValue>;
}

/** Live view of the run that callbacks receive. */
export interface TrainingContext {
  readonly model: tfl.LayersModel;
  readonly optimizer: Optimizer;
  readonly params: TrainingParams;
  /** Current epoch (0-based). */
  readonly epoch: number;
  /** Batches finished in the current epoch. */
  readonly step: number;
  readonly globalStep: number;
  readonly history: History;
  /** Set by a callback to stop after the current batch (`stopReason` says why). */
  stopTraining: boolean;
  stopReason: StopReason;
  /** Current learning rate (null when the optimizer has none, e.g. custom). */
  getLearningRate(): number | null;
  setLearningRate(lr: number): void;
  /** The position to save for an exact resume at this point (reads on-device sums). */
  capturePosition(): Promise<TrainingPosition>;
  /** `tf.memory().numTensors` measured at the start of every epoch, in order. */
  readonly tensorCounts: readonly number[];
}

/**
 * A training callback. Every hook is optional and may be async. Hooks run in list order.
 */
export interface Callback {
  /** Human-readable name (defaults to the class name). */
  readonly name: string;
  /**
   * Key under which `getState()` is saved by BackupAndRestore; must be unique among the
   * run's callbacks when set. Callbacks without state leave it undefined.
   */
  readonly stateKey?: string;
  /** Whether this callback needs resolved numeric batch logs at `globalStep` (a GPU→CPU read). */
  needsBatchLogs?(globalStep: number): boolean;
  /** Whether this callback wants the input batch tensor at `globalStep`. */
  needsBatchInputs?(globalStep: number): boolean;
  /**
   * Called once before training: a callback that can restore a previous run returns the
   * position to resume from (after restoring weights and optimizer state itself).
   */
  restore?(ctx: TrainingContext): Promise<TrainingPosition | undefined>;
  onTrainBegin?(ctx: TrainingContext): void | Promise<void>;
  onEpochBegin?(epoch: number, ctx: TrainingContext): void | Promise<void>;
  onBatchEnd?(batch: BatchEnd, ctx: TrainingContext): void | Promise<void>;
  /** `logs` is mutable: callbacks may add keys (e.g. `lr`) before later callbacks see it. */
  onEpochEnd?(epoch: number, logs: EpochLogs, ctx: TrainingContext): void | Promise<void>;
  /** Always called, also after a stop; `ctx.stopReason` says why training ended. */
  onTrainEnd?(ctx: TrainingContext): void | Promise<void>;
  /** State saved by BackupAndRestore (may be async, e.g. to read tensors). */
  getState?(): JsonValue | Promise<JsonValue>;
  setState?(state: JsonValue): void;
}

export interface FitOptions {
  model: tfl.LayersModel;
  /**
   * Default: the model's compiled optimizer, else `createOptimizer('adam', {learningRate: 1e-3})`
   * (Keras' default). Checkpoints need an optimizer made by layers' `createOptimizer`.
   */
  optimizer?: Optimizer;
  loss?: LossName;
  metrics?: MetricName[];
  train: DataSource;
  validation?: DataSource;
  epochs: number;
  initialEpoch?: number;
  batchSize?: number;
  seed: number;
  shuffle?: boolean;
  augmentation?: Augmentation;
  /** Multiplies the uint8 pixels before augmentation (default 1/255). */
  rescale?: number;
  callbacks?: Callback[];
  /** Stop after the current batch; callbacks (BackupAndRestore) save the position. */
  signal?: AbortSignal;
  /** Default: the last dimension of the model's output. */
  numClasses?: number;
  /** Validation batch size (default `batchSize`). */
  validationBatchSize?: number;
  /** Make dropout draw from seeds derived from (seed, epoch, step) (default true). */
  deterministicDropout?: boolean;
}
