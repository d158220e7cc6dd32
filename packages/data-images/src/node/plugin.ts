import type { BadImageFile, BatchOptions, DatasetPlugin, ImageColorMode, ImageDecodeOptions, ImageFileEntry, RawBatch } from '@tfbricks/core';
import { TF_INTERPOLATIONS, type TfInterpolation, TfbricksError, badImagesError, channelsOf, usageError } from '@tfbricks/core';
import { keras3Shuffle, keras3Subset } from '../keras-split';
import { NumpyRandomState } from '@tfbricks/core';

import { listImageFolder } from './list-folder';
import { type NodeImageReaderOptions, imageFolderReader } from './reader';

export interface ImageFolderDatasetOptions extends NodeImageReaderOptions {
  /** `[height, width]` (default `[256, 256]`, Keras' default). */
  imageSize?: readonly [number, number];
  colorMode?: ImageColorMode;
  interpolation?: TfInterpolation;
  classNames?: readonly string[];
  /** Keras 3's split: the last `int(split × n)` files after the seeded shuffle form `validation`. */
  validationSplit?: number;
  /** Shuffle seed for the split (Keras 3's `seed`); default 0 here, so a plugin is reproducible. */
  seed?: number;
  followLinks?: boolean;
  aspect?: 'stretch' | 'crop' | 'pad';
  /** Leave bad files out (counted in `report`) instead of failing `prepare()`. */
  skipBadImages?: boolean;
  /** Receives Keras' lines (`Found N files belonging to K classes.`, `Using M files for training.`). */
  print?: (line: string) => void;
}

/** What `prepare()` found: the numbers `tfbricks dataset` prints. */
export interface ImageFolderReport {
  directory: string;
  classNames: string[];
  /** Listed files per class (bad ones included). */
  counts: number[];
  /** Every bad file and folder, with the reason. */
  bad: BadImageFile[];
  /** Image files per split, after leaving out bad ones. */
  splits: Record<string, number>;
  decoded: number;
  cached: number;
}

/**
 * A folder of class subfolders as a core {@link DatasetPlugin}: `prepare()` lists it (Keras
 * 3's order), splits it (Keras 3's seeded split), decodes every image once into the on-disk
 * cache and refuses bad files (all listed); `batches()` then streams uint8 batches from
 * the cache, so `fit({ train: { dataset, split: 'train' } })` never holds the whole set.
 */
export function imageFolderDataset(
  directory: string,
  options: ImageFolderDatasetOptions = {},
): DatasetPlugin & { readonly report: ImageFolderReport | undefined; readonly files: readonly ImageFileEntry[] } {
  const size = options.imageSize ?? [256, 256];
  if (size.length !== 2 || size.some((v) => !Number.isInteger(v) || v < 1 || v > 16384)) {
    throw usageError('E_IMAGE_OPTION', `imageFolderDataset imageSize must be [height, width] of integers in [1, 16384]; got ${JSON.stringify(size)}`);
  }
  const interpolation = options.interpolation ?? 'bilinear';
  if (!TF_INTERPOLATIONS.includes(interpolation)) throw usageError('E_IMAGE_OPTION', `imageFolderDataset interpolation must be one of ${TF_INTERPOLATIONS.join(', ')}; got ${JSON.stringify(interpolation)}`);
  const split = options.validationSplit ?? 0;
  if (!(split >= 0 && split < 1)) throw usageError('E_IMAGE_OPTION', `imageFolderDataset validationSplit must be in [0, 1); got ${JSON.stringify(split)}`);
  const colorMode = options.colorMode ?? 'rgb';
  const decode: ImageDecodeOptions = { size: [size[0], size[1]], colorMode, family: 'tf', interpolation, aspect: options.aspect ?? 'stretch' };
  const reader = imageFolderReader(options);
  const print = options.print ?? (() => {});
  const parts = new Map<string, ImageFileEntry[]>();
  // Listed now (synchronously, nothing decoded), so the plugin's metadata is known before prepare().
  const listing = listImageFolder(directory, { style: 'keras3', classes: options.classNames, followLinks: options.followLinks });
  const classNames = listing.classNames;
  let report: ImageFolderReport | undefined;
  let preparing: Promise<void> | undefined;

  const plugin = {
    name: 'image-folder',
    imageShape: [size[0], size[1], channelsOf(colorMode)] as const,
    get classNames() {
      return classNames;
    },
    splits: split > 0 ? ['train', 'validation'] : ['train'],
    get report() {
      return report;
    },
    /** Every image file listed (Keras 3's order, before the split; bad ones included), with its size and mtime. */
    get files(): readonly ImageFileEntry[] {
      return listing.files;
    },
    prepare() {
      preparing ??= prepareOnce();
      return preparing;
    },
    size(name: string) {
      return files(name).length;
    },
    batches(name: string, batch: BatchOptions): Iterable<RawBatch> {
      const list = files(name);
      if (!batch || !Number.isInteger(batch.batchSize) || batch.batchSize < 1) {
        throw usageError('E_IMAGE_OPTION', `batches batchSize must be an integer >= 1; got ${JSON.stringify(batch?.batchSize)}`);
      }
      if (batch.seed !== undefined && !Number.isInteger(batch.seed)) throw usageError('E_IMAGE_OPTION', `batches seed must be an integer; got ${JSON.stringify(batch.seed)}`);
      // Re-iterable: every pass starts the same seeded order again.
      return { [Symbol.iterator]: () => streamBatches(list, batch) };
    },
  };
  /** Uint8 batches read from the cache, in a numpy permutation seeded by `seed` (or file order). */
  function* streamBatches(list: ImageFileEntry[], batch: BatchOptions): Generator<RawBatch> {
    const order = batch.shuffle === false ? list.map((_, i) => i) : new NumpyRandomState((batch.seed ?? 0) >>> 0).permutation(list.length);
    for (let at = 0; at < order.length; at += batch.batchSize) {
      const rows = order.slice(at, at + batch.batchSize);
      if (batch.dropRemainder && rows.length < batch.batchSize) return;
      const chosen = rows.map((r) => list[r]);
      yield { images: reader.readCached(chosen, decode), labels: Uint8Array.from(chosen, (f: ImageFileEntry) => f.classIndex), indices: Uint32Array.from(rows), size: rows.length };
    }
  }
  async function prepareOnce(): Promise<void> {
    if (classNames.length > 256) throw usageError('E_IMAGE_CLASSES', `${directory} has ${classNames.length} class folders; at most 256 are supported`);
    print(`Found ${listing.files.length} files belonging to ${classNames.length} classes.`);
    const counts = classNames.map(() => 0);
    for (const f of listing.files) counts[f.classIndex]++;
    const shuffled = keras3Shuffle(listing.files, options.seed ?? 0);
    const chosen: Record<string, ImageFileEntry[]> = split > 0 ? { train: keras3Subset(shuffled, split, 'training'), validation: keras3Subset(shuffled, split, 'validation') } : { train: listing.files };
    if (split > 0) {
      print(`Using ${chosen.train.length} files for training.`);
      print(`Using ${chosen.validation.length} files for validation.`);
    }
    const prepared = await reader.prepare(listing.files, decode);
    const bad = [...listing.bad, ...prepared.bad];
    if (bad.length && !options.skipBadImages) throw badImagesError(bad, directory, 'fix or remove these files, or skip them (--skip-bad-images)');
    const badPaths = new Set(prepared.bad.map((b) => b.path));
    for (const [name, files] of Object.entries(chosen)) parts.set(name, files.filter((f) => !badPaths.has(f.path)));
    for (const [name, files] of parts) {
      if (!files.length) throw usageError('E_IMAGE_EMPTY', `no usable images for ${name} in ${directory}`, 'put images in class subfolders (and use a validation split that leaves some for both)');
    }
    if (bad.length) print(`Skipped ${bad.length} bad image file${bad.length === 1 ? '' : 's'}.`);
    report = { directory, classNames, counts, bad, splits: Object.fromEntries([...parts].map(([k, v]) => [k, v.length])), decoded: prepared.decoded, cached: prepared.cached };
  }
  const files = (name: string): ImageFileEntry[] => {
    const list = parts.get(name);
    if (!list) throw new TfbricksError('E_IMAGE_SPLIT', `image folder dataset has no split ${JSON.stringify(name)} (splits: ${plugin.splits.join(', ')}; call prepare() first)`);
    return list;
  };
  return plugin;
}
