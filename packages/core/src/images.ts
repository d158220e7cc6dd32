import { TfbricksError } from './errors';

/**
 * The contract between image folders and the code that trains on them (types only).
 * `@tfbricks/data-images` implements it (`imageFolderReader()`); `@tfbricks/augment`'s
 * `flowFromDirectory` consumes it, so augment never depends on a decoder.
 */

/** Channels of a decoded image: 3, 4 or 1 (PIL's `RGB`, `RGBA`, `L`). */
export type ImageColorMode = 'rgb' | 'rgba' | 'grayscale';

/**
 * Whose resampling a decode follows: `pil` (PIL's `Image.resize`, what keras_preprocessing's
 * `load_img` uses) or `tf` (`tf.image.resize`, what Keras 3's `image_dataset_from_directory` uses).
 */
export type ResizeFamily = 'pil' | 'tf';

/** Which Keras lists the folder: its extensions and rules differ. */
export type FolderListingStyle = 'keras-preprocessing' | 'keras3';

/** One image file found in a folder. */
export interface ImageFileEntry {
  /** Absolute path. */
  path: string;
  /** Keras' `filenames` entry: `<class>/<path below the class folder>`. */
  relativePath: string;
  /** Index into the listing's `classNames` (0 without labels). */
  classIndex: number;
  /** Bytes on disk and modification time: with the path and the decode options, the cache key. */
  size: number;
  mtimeMs: number;
}

/** A file that cannot be used, and why (`code` is stable, `reason` is for people). */
export interface BadImageFile {
  path: string;
  code: 'unreadable' | 'not-an-image' | 'truncated' | 'too-large' | 'unsupported' | 'symlink-loop' | 'no-permission';
  reason: string;
}

export interface ImageFolderListing {
  /** Class names in label order (sorted subfolder names, or the ones asked for). */
  classNames: string[];
  /** Every listed image file, in Keras' order (class by class; inside a class, sorted walk order). */
  files: ImageFileEntry[];
  /** Folders and links the walk could not enter (no permission, symlink loops). */
  bad: BadImageFile[];
}

export interface ListFolderOptions {
  style: FolderListingStyle;
  /** Class subfolders to use, in this order (default: every subfolder, sorted). */
  classes?: readonly string[];
  /** `false`: no labels; every image below the folder, one class-less list (Keras' `labels=None`). */
  inferLabels?: boolean;
  /** Walk into linked folders (loops are detected and reported, never followed twice). */
  followLinks?: boolean;
}

export interface ImageDecodeOptions {
  /** `[height, width]` of the output. */
  size: readonly [number, number];
  colorMode: ImageColorMode;
  family: ResizeFamily;
  /** A method name of the family (`nearest`, `bilinear`, …). */
  interpolation: string;
  /** `tf` family only: Keras 3's `crop_to_aspect_ratio` / `pad_to_aspect_ratio`. */
  aspect?: 'stretch' | 'crop' | 'pad';
}

export interface PrepareResult {
  /** Files that decoded badly, with the reason. */
  bad: BadImageFile[];
  /** How many images were decoded now (0 when everything came from the cache). */
  decoded: number;
  /** How many were already in the cache. */
  cached: number;
}

/**
 * Lists folders of class subfolders and turns image files into uint8 HWC pixels of a
 * given size. `prepare` decodes every file once (into a cache where there is one) and
 * reports bad files; `read` then returns pixels without holding the whole set in memory.
 */
export interface ImageFolderReader {
  readonly name: string;
  list(directory: string, options: ListFolderOptions): Promise<ImageFolderListing>;
  prepare(files: readonly ImageFileEntry[], options: ImageDecodeOptions, onProgress?: (done: number, total: number) => void): Promise<PrepareResult>;
  /** `files.length × height × width × channels` bytes, in the order given. Throws for a bad file. */
  read(files: readonly ImageFileEntry[], options: ImageDecodeOptions): Promise<Uint8Array>;
}

/** Channels of a colour mode. */
export function channelsOf(colorMode: ImageColorMode): 1 | 3 | 4 {
  return colorMode === 'grayscale' ? 1 : colorMode === 'rgba' ? 4 : 3;
}

/** PIL's resampling filters, as keras_preprocessing's `interpolation` names them. */
export const PIL_INTERPOLATIONS = ['nearest', 'bilinear', 'bicubic', 'lanczos', 'box', 'hamming'] as const;
export type PilInterpolation = (typeof PIL_INTERPOLATIONS)[number];

/** `tf.image.resize` methods, as Keras 3 names them. */
export const TF_INTERPOLATIONS = ['bilinear', 'nearest', 'bicubic', 'area', 'lanczos3', 'lanczos5', 'gaussian', 'mitchellcubic'] as const;
export type TfInterpolation = (typeof TF_INTERPOLATIONS)[number];

/**
 * keras_preprocessing's per-class split (`_list_valid_filenames_in_directory`): the FIRST
 * `int(split × n)` files of each class (in listing order) are validation, the rest training.
 */
export function kerasPreprocessingSubset<T extends { classIndex: number }>(items: readonly T[], validationSplit: number, subset: 'training' | 'validation'): T[] {
  const byClass = new Map<number, T[]>();
  for (const item of items) {
    let list = byClass.get(item.classIndex);
    if (!list) byClass.set(item.classIndex, (list = []));
    list.push(item);
  }
  const out: T[] = [];
  for (const list of byClass.values()) {
    const cut = Math.trunc(validationSplit * list.length);
    out.push(...(subset === 'validation' ? list.slice(0, cut) : list.slice(cut)));
  }
  return out;
}

/** The error for bad image files: one line per file with its reason (not a usage error: the data is bad, not a flag). */
export function badImagesError(bad: readonly BadImageFile[], where: string, hint: string): TfbricksError {
  const lines = bad.map((b) => `  ${b.path}: ${b.reason}`);
  return new TfbricksError('E_IMAGE_BAD', `${bad.length} bad image file${bad.length === 1 ? '' : 's'} in ${where}:\n${lines.join('\n')}`, {
    hint,
    details: { bad },
  });
}
