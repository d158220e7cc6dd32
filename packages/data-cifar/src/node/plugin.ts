import { type BatchOptions, type DatasetPlugin, type RawBatch, TfbricksError } from '@tfbricks/core';
import { type CifarData, loadCifar10, loadCifar100 } from './load';
import { type Cifar100LoadOptions, type CifarLoadOptions, validateLoadOptions } from '../options';
import {
  CIFAR10_CLASS_NAMES,
  CIFAR10_SPEC,
  CIFAR100_COARSE_CLASS_NAMES,
  CIFAR100_SPEC,
  CIFAR100_FINE_CLASS_NAMES,
  IMAGE_CHANNELS,
  IMAGE_HEIGHT,
  IMAGE_WIDTH,
} from '../spec';
import { batchIterable, checkBatchOptions, classCounts, splitIndices } from '../transforms';
import type { CifarSplitData } from '../types';

export type CifarSplit = 'train' | 'validation' | 'test';

export interface CifarDatasetOptions extends CifarLoadOptions {
  /** Carve this fraction of `train` into a `validation` split (deterministic for `validationSeed`). */
  validationSplit?: number;
  /** Seed for choosing the validation records (default 0); see {@link splitIndices}. */
  validationSeed?: number;
  /** At most this many records per split (the first ones), for smoke runs; or per split. */
  limit?: number | Partial<Record<CifarSplit, number>>;
}

export interface Cifar100DatasetOptions extends CifarDatasetOptions {
  labelMode?: 'fine' | 'coarse';
}

/** Per-split class counts, for a CLI's `dataset` command. */
export interface DatasetInfo {
  name: string;
  imageShape: readonly [number, number, number];
  classNames: readonly string[];
  splits: Record<string, { size: number; classCounts: number[] }>;
  source?: CifarData['source'];
}

/** A CIFAR {@link DatasetPlugin} with access to the loaded data and per-class counts. */
export interface CifarDatasetPlugin extends DatasetPlugin {
  /** The loaded data (after `prepare`). */
  data(): CifarData;
  /** Sizes and class counts of every split (after `prepare`). */
  info(): DatasetInfo;
}

interface SplitView {
  base: CifarSplitData;
  /** Position in the split → record in `base`; undefined = identity. */
  map: Uint32Array | undefined;
  size: number;
}

const PLUGIN_KEYS = new Set(['validationSplit', 'validationSeed', 'limit']);

function usage(message: string, hint?: string): TfbricksError {
  return new TfbricksError('E_USAGE', message, { usage: true, hint });
}

function checkPluginOptions(options: CifarDatasetOptions): void {
  if (options.validationSplit !== undefined) {
    const v = options.validationSplit;
    if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw usage(`validationSplit must be a number in [0, 1), got ${JSON.stringify(v)}`);
  }
  if (options.validationSeed !== undefined && !Number.isInteger(options.validationSeed)) {
    throw usage(`validationSeed must be an integer, got ${JSON.stringify(options.validationSeed)}`);
  }
  const limit = options.limit;
  if (limit !== undefined) {
    const entries = typeof limit === 'number' ? [['limit', limit] as const] : Object.entries(limit).map(([k, v]) => [`limit.${k}`, v] as const);
    if (typeof limit === 'object' && limit !== null) {
      for (const k of Object.keys(limit)) {
        if (!['train', 'validation', 'test'].includes(k)) throw usage(`unknown split '${k}' in option limit; allowed: train, validation, test`);
      }
    } else if (typeof limit !== 'number') {
      throw usage(`limit must be a positive integer or { train?, validation?, test? }, got ${JSON.stringify(limit)}`);
    }
    for (const [name, v] of entries) {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw usage(`${name} must be a positive integer, got ${JSON.stringify(v)}`);
    }
  }
}

function makePlugin(
  name: 'cifar10' | 'cifar100',
  classNames: readonly string[],
  options: CifarDatasetOptions,
  load: (loadOptions: CifarLoadOptions & { signal?: AbortSignal }) => Promise<CifarData>,
  validate: (loadOptions: Cifar100LoadOptions) => void,
): CifarDatasetPlugin {
  if (options === null || typeof options !== 'object') throw usage(`${name} dataset options must be an object, got ${JSON.stringify(options)}`);
  checkPluginOptions(options);
  const loadOptions: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) if (!PLUGIN_KEYS.has(k)) loadOptions[k] = v;
  validate(loadOptions);
  const withValidation = (options.validationSplit ?? 0) > 0;
  const splits: readonly CifarSplit[] = withValidation ? ['train', 'validation', 'test'] : ['train', 'test'];
  let loading: Promise<void> | undefined;
  let loaded: CifarData | undefined;
  let views: Map<string, SplitView> | undefined;

  const limitFor = (split: CifarSplit): number | undefined =>
    typeof options.limit === 'number' ? options.limit : options.limit?.[split];

  const build = (data: CifarData): Map<string, SplitView> => {
    const out = new Map<string, SplitView>();
    const add = (split: CifarSplit, base: CifarSplitData, map: Uint32Array | undefined, size: number) => {
      const limit = limitFor(split);
      const n = limit === undefined ? size : Math.min(limit, size);
      out.set(split, { base, map: map ? map.subarray(0, n) : undefined, size: n });
    };
    if (withValidation) {
      const idx = splitIndices(data.train.labels.length, options.validationSplit!, options.validationSeed ?? 0);
      add('train', data.train, idx.train, idx.train.length);
      add('validation', data.train, idx.validation, idx.validation.length);
    } else {
      add('train', data.train, undefined, data.train.labels.length);
    }
    add('test', data.test, undefined, data.test.labels.length);
    return out;
  };

  const view = (split: string): SplitView => {
    if (!views) {
      throw new TfbricksError('E_DATASET_NOT_PREPARED', `${name}: call prepare() before using split '${split}'`, {
        hint: 'await dataset.prepare() first',
      });
    }
    const v = views.get(split);
    if (!v) throw usage(`${name} has no split '${split}'; allowed: ${splits.join(', ')}`, withValidation ? undefined : "a 'validation' split needs option validationSplit");
    return v;
  };

  return {
    name,
    imageShape: [IMAGE_HEIGHT, IMAGE_WIDTH, IMAGE_CHANNELS] as const,
    classNames,
    splits,
    prepare(prepareOptions: { signal?: AbortSignal } = {}) {
      loading ??= load({ ...(loadOptions as CifarLoadOptions), ...(prepareOptions.signal ? { signal: prepareOptions.signal } : {}) }).then(
        (data) => {
          loaded = data;
          views = build(data);
        },
        (error: unknown) => {
          loading = undefined; // a failed prepare may be retried
          throw error;
        },
      );
      return loading;
    },
    size(split: string): number {
      return view(split).size;
    },
    batches(split: string, batchOptions: BatchOptions): Iterable<RawBatch> {
      const v = view(split);
      const checked = checkBatchOptions(batchOptions, split === 'train');
      // With a limit, the first `size` records of the split; a view without a map is identity.
      return batchIterable(v.base, v.map, v.size, checked);
    },
    data(): CifarData {
      if (!loaded) throw new TfbricksError('E_DATASET_NOT_PREPARED', `${name}: call prepare() first`, { hint: 'await dataset.prepare() first' });
      return loaded;
    },
    info(): DatasetInfo {
      const data = this.data();
      const result: DatasetInfo['splits'] = {};
      for (const split of splits) {
        const v = view(split);
        const labels = new Uint8Array(v.size);
        for (let i = 0; i < v.size; i++) labels[i] = v.base.labels[v.map ? v.map[i] : i];
        result[split] = { size: v.size, classCounts: classCounts(labels, classNames.length) };
      }
      return { name, imageShape: [IMAGE_HEIGHT, IMAGE_WIDTH, IMAGE_CHANNELS], classNames, splits: result, source: data.source };
    },
  };
}

/** CIFAR-10 as a {@link DatasetPlugin}: `prepare()` loads (see {@link loadCifar10}). */
export function cifar10Dataset(options: CifarDatasetOptions = {}): CifarDatasetPlugin {
  return makePlugin('cifar10', CIFAR10_CLASS_NAMES, options, loadCifar10, (o) => validateLoadOptions(CIFAR10_SPEC, o, false));
}

/** CIFAR-100 as a {@link DatasetPlugin} (`labelMode` fine by default). */
export function cifar100Dataset(options: Cifar100DatasetOptions = {}): CifarDatasetPlugin {
  const names = options.labelMode === 'coarse' ? CIFAR100_COARSE_CLASS_NAMES : CIFAR100_FINE_CLASS_NAMES;
  return makePlugin('cifar100', names, options, (o) => loadCifar100(o as Cifar100LoadOptions), (o) => validateLoadOptions(CIFAR100_SPEC, o, true));
}

/** Sizes and class counts per split of loaded data (e.g. from {@link loadCifar10}). */
export function datasetInfo(data: CifarData): DatasetInfo {
  return {
    name: data.name,
    imageShape: data.imageShape,
    classNames: data.classNames,
    splits: {
      train: { size: data.train.labels.length, classCounts: classCounts(data.train.labels, data.classNames.length) },
      test: { size: data.test.labels.length, classCounts: classCounts(data.test.labels, data.classNames.length) },
    },
    source: data.source,
  };
}
