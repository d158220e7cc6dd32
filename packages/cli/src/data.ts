import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { usageError } from '@tfbricks/core';
import { CIFAR10_SPEC, CIFAR100_SPEC } from '@tfbricks/data-cifar';
import { loadCifar10, loadCifar100 } from '@tfbricks/data-cifar/node';
import type { CliIo } from './io';

/** Raw split: uint8 NHWC images and class indices. */
export interface Split {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

export interface LoadedData {
  train: Split;
  /** Held out from `train` with `--validation-split`, else null (validate on `test`). */
  validation: Split | null;
  test: Split;
  classNames: string[];
  imageShape: [number, number, number];
  /** Where the records came from (folder). */
  source: string;
}

export interface DataRequest {
  dataset: 'cifar10' | 'cifar100';
  labelMode: 'fine' | 'coarse';
  dataDir: string | null;
  limitTrain: number | null;
  limitTest: number | null;
  validationSplit: number;
}

const SPECS = { cifar10: CIFAR10_SPEC, cifar100: CIFAR100_SPEC } as const;

/** `--data-dir` may name the extracted folder or its parent (e.g. `cifar10-mini`). */
export function datasetFolder(dataset: 'cifar10' | 'cifar100', dataDir: string): string {
  const inner = join(dataDir, SPECS[dataset].folder);
  return existsSync(inner) ? inner : dataDir;
}

/** Usage error unless `dataDir` (or its `cifar-10-batches-bin`-style subfolder) holds every data file. */
export function requireDatasetFiles(flag: string, shown: string, dataset: 'cifar10' | 'cifar100', dataDir: string): void {
  const spec = SPECS[dataset];
  const folder = datasetFolder(dataset, dataDir);
  const files = [...spec.files.train, ...spec.files.test];
  const missing = files.filter((f) => !existsSync(join(folder, f)));
  if (missing.length) {
    throw usageError(
      'E_USAGE',
      `invalid value for ${flag}: ${JSON.stringify(shown)} has no ${missing[0]}${missing.length > 1 ? ` (and ${missing.length - 1} more ${dataset} files missing)` : ''} (allowed: the extracted ${spec.folder} folder holding ${files.join(', ')}, or its parent)`,
    );
  }
}

function take(split: { images: Uint8Array; labels: Uint8Array }, start: number, end: number, pixels: number): Split {
  return { images: split.images.subarray(start * pixels, end * pixels), labels: split.labels.subarray(start, end), count: end - start };
}

/**
 * Load the dataset (from `dataDir`, else the cache, downloading once), apply the limits
 * (the first N records) and hold out the last `validationSplit` of the training records
 * like Keras' `validation_split`.
 */
export async function loadData(req: DataRequest, io: CliIo, signal?: AbortSignal): Promise<LoadedData> {
  const common = {
    ...(req.dataDir ? { dataDir: datasetFolder(req.dataset, req.dataDir) } : {}),
    progress: io.stderr.isTTY ? ('bar' as const) : ('lines' as const),
    env: io.env,
    signal,
  };
  const data = req.dataset === 'cifar10' ? await loadCifar10(common) : await loadCifar100({ ...common, labelMode: req.labelMode });
  const [h, w, c] = data.imageShape;
  const pixels = h * w * c;
  const trainCount = Math.min(data.train.labels.length, req.limitTrain ?? Infinity);
  const testCount = Math.min(data.test.labels.length, req.limitTest ?? Infinity);
  const valCount = Math.floor(trainCount * req.validationSplit);
  return {
    train: take(data.train, 0, trainCount - valCount, pixels),
    validation: valCount > 0 ? take(data.train, trainCount - valCount, trainCount, pixels) : null,
    test: take(data.test, 0, testCount, pixels),
    classNames: [...data.classNames],
    imageShape: [h, w, c],
    source: data.source.path,
  };
}

/** The tutorial's printout: `x_train shape: (50000, 32, 32, 3)`, `50000 train samples`, … */
export function describeData(data: LoadedData): string[] {
  const [h, w, c] = data.imageShape;
  const lines = [`x_train shape: (${data.train.count}, ${h}, ${w}, ${c})`, `${data.train.count} train samples`];
  if (data.validation) lines.push(`${data.validation.count} validation samples`);
  lines.push(`${data.test.count} test samples`);
  return lines;
}
