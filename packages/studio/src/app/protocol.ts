// Messages between the page (UI thread) and the training worker.
import type { ImageDataGeneratorOptions } from '@tfbricks/augment';

export type DatasetName = 'cifar10' | 'cifar100';
export type BackendChoice = 'webgpu' | 'cpu';

/** Everything a run depends on; stored with its checkpoints so a resume uses the same. */
export interface RunConfig {
  dataset: DatasetName;
  labelMode?: 'fine' | 'coarse';
  model: string;
  optimizer: string;
  learningRate: number;
  batchSize: number;
  epochs: number;
  seed: number;
  /** Use only the first n training / test images (0: all). */
  limitTrain: number;
  limitTest: number;
  augment: boolean;
  augmentation: ImageDataGeneratorOptions;
  backend: BackendChoice;
}

/** A few images with labels: NHWC uint8, 32×32×3 each. */
export interface ImageSet {
  images: Uint8Array;
  labels: number[];
  /** Predicted classes, when a model has seen them. */
  predicted?: number[];
}

export type ToWorker =
  | { type: 'load'; blob: Blob; name: string; dataset: DatasetName; labelMode?: 'fine' | 'coarse' }
  | { type: 'preview'; augmentation: ImageDataGeneratorOptions; seed: number; count: number }
  | { type: 'train'; config: RunConfig; resume: boolean }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  | { type: 'export' };

export interface EpochReport {
  epoch: number;
  logs: Record<string, number>;
  confusion: number[][];
  testAccuracy: number;
  testCount: number;
  predictions: ImageSet;
  imagesPerSecond: number;
  seconds: number;
}

export type FromWorker =
  | { type: 'loaded'; name: string; dataset: DatasetName; classNames: string[]; trainCount: number; testCount: number; samples: ImageSet }
  | { type: 'preview'; original: ImageSet; augmented: Uint8Array[] }
  | { type: 'backend'; name: string; description: string }
  | { type: 'started'; epochs: number; initialEpoch: number; steps: number; samples: number; history: { epoch: number[]; history: Record<string, number[]> } }
  | { type: 'progress'; epoch: number; batch: number; steps: number; imagesPerSecond: number; etaSeconds: number; loss?: number; acc?: number }
  | { type: 'epoch'; report: EpochReport }
  | { type: 'checkpoint'; epochsDone: number }
  | { type: 'paused' }
  | { type: 'resumed' }
  | { type: 'done'; stopReason: string; epochsCompleted: number; history: { epoch: number[]; history: Record<string, number[]> } }
  | { type: 'model'; files: Record<string, Uint8Array | string>; name: string }
  | { type: 'error'; phase: 'load' | 'train' | 'preview' | 'export'; message: string; hint?: string; code?: string };
