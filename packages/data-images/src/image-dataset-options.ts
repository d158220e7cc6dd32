import { type ImageColorMode, TF_INTERPOLATIONS, type TfInterpolation, usageError } from '@tfbricks/core';


export type LabelMode = 'int' | 'categorical' | 'binary' | null;

/** Keras 3's `image_dataset_from_directory` arguments, camelCase, with Keras' defaults. */
export interface ImageDatasetOptions {
  /** `'inferred'` (class subfolders), `null` (no labels) or one integer label per file in sorted path order. */
  labels?: 'inferred' | null | readonly number[];
  labelMode?: LabelMode;
  classNames?: readonly string[];
  colorMode?: ImageColorMode;
  batchSize?: number | null;
  /** `[height, width]`, default `[256, 256]`. */
  imageSize?: number | readonly [number, number];
  shuffle?: boolean;
  seed?: number;
  validationSplit?: number;
  subset?: 'training' | 'validation' | 'both';
  interpolation?: TfInterpolation;
  followLinks?: boolean;
  cropToAspectRatio?: boolean;
  padToAspectRatio?: boolean;
  /** Print `Found N files belonging to K classes.` and the subset lines (default true). */
  verbose?: boolean;
  /** Where the Keras lines go (default console.log). */
  print?: (line: string) => void;
  /** Drop bad files (reported through `print`) instead of refusing the folder. */
  skipBadImages?: boolean;
}

export interface ResolvedImageDatasetOptions {
  labels: 'inferred' | null | readonly number[];
  labelMode: LabelMode;
  classNames: readonly string[] | undefined;
  colorMode: ImageColorMode;
  batchSize: number | null;
  imageSize: [number, number];
  shuffle: boolean;
  seed: number;
  validationSplit: number;
  subset: 'training' | 'validation' | 'both' | undefined;
  interpolation: TfInterpolation;
  followLinks: boolean;
  aspect: 'stretch' | 'crop' | 'pad';
}

const bad = (arg: string, value: unknown, allowed: string) =>
  usageError('E_IMAGE_OPTION', `imageDatasetFromDirectory ${arg} must be ${allowed}; got ${JSON.stringify(value)}`);

/** Keras 3's argument checks (same rules, same order), with our error shape. */
export function resolveImageDatasetOptions(o: ImageDatasetOptions): ResolvedImageDatasetOptions {
  const labels = o.labels === undefined ? 'inferred' : o.labels;
  if (labels !== 'inferred' && labels !== null && !(Array.isArray(labels) && labels.every((v) => Number.isInteger(v) && v >= 0))) {
    throw bad('labels', labels, `'inferred', null, or a list of integer labels`);
  }
  let labelMode: LabelMode = o.labelMode === undefined ? 'int' : o.labelMode;
  if (!['int', 'categorical', 'binary', null].includes(labelMode)) throw bad('labelMode', labelMode, `'int', 'categorical', 'binary' or null`);
  if (o.classNames !== undefined && labels !== 'inferred') throw bad('classNames', o.classNames, `unset unless labels is 'inferred'`);
  if (labels === null || labelMode === null) labelMode = null;
  const colorMode = o.colorMode ?? 'rgb';
  if (!['rgb', 'rgba', 'grayscale'].includes(colorMode)) throw bad('colorMode', colorMode, `'rgb', 'rgba' or 'grayscale'`);
  const size = o.imageSize ?? [256, 256];
  const imageSize: [number, number] = typeof size === 'number' ? [size, size] : [size[0], size[1]];
  if (!Array.isArray(typeof size === 'number' ? imageSize : size) || imageSize.some((v) => !Number.isInteger(v) || v < 1 || v > 16384) || (typeof size !== 'number' && size.length !== 2)) {
    throw bad('imageSize', o.imageSize, 'an integer or [height, width] of integers in [1, 16384]');
  }
  const interpolation = (o.interpolation ?? 'bilinear').toLowerCase() as TfInterpolation;
  if (!TF_INTERPOLATIONS.includes(interpolation)) throw bad('interpolation', o.interpolation, `one of ${TF_INTERPOLATIONS.join(', ')}`);
  const batchSize = o.batchSize === undefined ? 32 : o.batchSize;
  if (batchSize !== null && (!Number.isInteger(batchSize) || batchSize < 1)) throw bad('batchSize', batchSize, 'an integer >= 1 or null');
  const validationSplit = o.validationSplit ?? 0;
  const shuffle = o.shuffle ?? true;
  if (typeof validationSplit !== 'number' || (validationSplit && !(validationSplit > 0 && validationSplit < 1))) throw bad('validationSplit', validationSplit, 'a number between 0 and 1');
  if ((validationSplit || o.subset) && !(validationSplit && o.subset)) {
    throw usageError('E_IMAGE_OPTION', 'imageDatasetFromDirectory: if `subset` is set, `validationSplit` must be set, and inversely');
  }
  if (o.subset !== undefined && !['training', 'validation', 'both'].includes(o.subset)) throw bad('subset', o.subset, `'training', 'validation' or 'both'`);
  if (validationSplit && shuffle && o.seed === undefined) {
    throw usageError(
      'E_IMAGE_OPTION',
      'imageDatasetFromDirectory: with `validationSplit` and shuffling, you must provide a `seed`, so that the training and validation subsets do not overlap',
    );
  }
  if (o.seed !== undefined && (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff)) throw bad('seed', o.seed, 'an integer in [0, 2**32 - 1]');
  if (o.cropToAspectRatio && o.padToAspectRatio) throw usageError('E_IMAGE_OPTION', 'imageDatasetFromDirectory: only one of `padToAspectRatio`, `cropToAspectRatio` can be set');
  return {
    labels,
    labelMode,
    classNames: o.classNames,
    colorMode,
    batchSize,
    imageSize,
    shuffle,
    // Keras: `if seed is None: seed = np.random.randint(1e6)`.
    seed: o.seed ?? Math.floor(Math.random() * 1e6),
    validationSplit,
    subset: o.subset,
    interpolation,
    followLinks: o.followLinks === true,
    aspect: o.cropToAspectRatio ? 'crop' : o.padToAspectRatio ? 'pad' : 'stretch',
  };
}
