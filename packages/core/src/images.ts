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
