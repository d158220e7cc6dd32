import type { DataSource } from '@tfbricks/train';
import { TfbricksError } from '@tfbricks/core';
import { CIFAR10_SPEC, CIFAR100_SPEC } from '@tfbricks/data-cifar';
import { type DataRequest, type Split, describeData, loadData } from './data';
import { type DataFingerprint, fingerprintData, fingerprintFolder } from './data-fingerprint';
import type { CliIo } from './io';
import { println } from './io';
import { RUN_LAYOUT } from './run-dir';

/** The run-dir file holding the class names in label order (a JSON array). */
export const CLASS_NAMES_FILE = RUN_LAYOUT.classNames;

/** Where `train` and `evaluate` get records from: CIFAR arrays or a folder streamed from the image cache. */
export interface TrainSources {
  classNames: string[];
  imageShape: [number, number, number];
  train: DataSource;
  /** Validation during fit: the held-out split, or the test set (CIFAR), or none. */
  validation: DataSource | undefined;
  /** What the final evaluation runs on, and its name (`test`, `validation`, `train`). */
  evaluation: DataSource;
  evaluationSplit: string;
  /** What a resumed run checks its data against (CIFAR: the files' hashes; a folder: its listing). */
  fingerprint: () => DataFingerprint;
  /** Training images in memory (CIFAR only): featurewise statistics are fitted on all of them. */
  trainImages?: { images: Uint8Array; count: number };
  /** A folder's training images are streamed: featurewise statistics are fitted on a seeded sample of them. */
  fitSample?: () => FitSample;
}

/** A bounded, seeded sample of the training subset (featurewise statistics in folder mode). */
export interface FitSample {
  images: Uint8Array;
  count: number;
  /** Images in the training subset. */
  total: number;
}

/** Featurewise statistics of a folder run are fitted on at most this many training images... */
export const FIT_SAMPLE_MAX_IMAGES = 1000;
/** ...and at most this many bytes of uint8 pixels (256×256 RGB: 341 images). */
export const FIT_SAMPLE_MAX_BYTES = 64 * 2 ** 20;

/**
 * The first `n` images of the training subset in numpy's permutation seeded by the run's
 * seed: reproducible from the seed and the listing alone, so `export` refits the very
 * statistics `train` used.
 */
export function seededSample(dataset: { size(split: string): number; batches(split: string, o: { batchSize: number; shuffle: boolean; seed: number }): Iterable<{ images: Uint8Array; size: number }> }, imageShape: readonly number[], seed: number): FitSample {
  const total = dataset.size('train');
  const record = imageShape[0] * imageShape[1] * imageShape[2];
  const count = Math.max(1, Math.min(total, FIT_SAMPLE_MAX_IMAGES, Math.floor(FIT_SAMPLE_MAX_BYTES / record)));
  const first = dataset.batches('train', { batchSize: count, shuffle: true, seed })[Symbol.iterator]().next();
  if (first.done) throw new TfbricksError('E_IMAGE_EMPTY', 'no training images to fit the featurewise statistics on');
  return { images: first.value.images, count: first.value.size, total };
}

export interface FolderRequest {
  dataDir: string;
  imageSize: [number, number];
  validationSplit: number;
  seed: number;
  skipBadImages: boolean;
}

/**
 * A folder of class subfolders, as Keras 3's `image_dataset_from_directory(...,
 * validation_split, subset='both', seed)` splits it: prints Keras' lines, decodes every image
 * once into the image cache (bad files: refused, all listed, unless skipped), then
 * streams batches. Nothing is written into the folder.
 */
export async function openImageFolder(req: FolderRequest, io: CliIo): Promise<TrainSources> {
  // Loaded only in folder mode: CIFAR runs never load the image decoders.
  const { imageFolderDataset } = await import('@tfbricks/data-images/node');
  // What decides the pixels and the split: passed to the dataset and fingerprinted as given.
  const decided = { imageSize: req.imageSize, validationSplit: req.validationSplit, seed: req.seed, colorMode: 'rgb', interpolation: 'bilinear' } as const;
  const dataset = imageFolderDataset(req.dataDir, {
    ...decided,
    skipBadImages: req.skipBadImages,
    env: io.env,
    print: (line) => println(io.stdout, line),
  });
  await dataset.prepare();
  const hasValidation = dataset.splits.includes('validation');
  const train: DataSource = { dataset, split: 'train' };
  const validation: DataSource | undefined = hasValidation ? { dataset, split: 'validation' } : undefined;
  const imageShape = [...dataset.imageShape] as [number, number, number];
  return {
    classNames: [...dataset.classNames],
    imageShape,
    train,
    validation,
    evaluation: validation ?? train,
    evaluationSplit: hasValidation ? 'validation' : 'train',
    fingerprint: () => fingerprintFolder(dataset.files, dataset.classNames, decided),
    fitSample: () => seededSample(dataset, imageShape, req.seed),
  };
}

/** CIFAR arrays as {@link TrainSources}, printing the tutorial's shape lines. */
export async function cifarSources(config: DataRequest, io: CliIo, signal?: AbortSignal): Promise<TrainSources> {
  const data = await loadData(config, io, signal);
  const spec = config.dataset === 'cifar10' ? CIFAR10_SPEC : CIFAR100_SPEC;
  for (const line of describeData(data)) println(io.stdout, line);
  const source = (s: Split): DataSource => ({ images: s.images, labels: s.labels, imageShape: data.imageShape });
  return {
    classNames: data.classNames,
    imageShape: data.imageShape,
    train: source(data.train),
    validation: source(data.validation ?? data.test),
    evaluation: source(data.test),
    evaluationSplit: 'test',
    trainImages: data.train,
    fingerprint: () => fingerprintData(data.source, [...spec.files.train, ...spec.files.test]),
  };
}

/** `train`'s data: a folder of class subfolders (config.imageSize set) or CIFAR. */
export function trainSources(config: DataRequest & { imageSize?: [number, number] | null; skipBadImages?: boolean; seed: number }, io: CliIo, signal?: AbortSignal): Promise<TrainSources> {
  if (config.imageSize && config.dataDir) {
    return openImageFolder({ dataDir: config.dataDir, imageSize: config.imageSize, validationSplit: config.validationSplit, seed: config.seed, skipBadImages: config.skipBadImages ?? false }, io);
  }
  return cifarSources(config, io, signal);
}
