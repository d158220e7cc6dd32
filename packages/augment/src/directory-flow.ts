import * as tf from '@tensorflow/tfjs-core';
import {
  type BadImageFile,
  type ImageColorMode,
  type ImageDecodeOptions,
  type ImageFileEntry,
  type ImageFolderReader,
  PIL_INTERPOLATIONS,
  type PilInterpolation,
  badImagesError,
  channelsOf,
  kerasPreprocessingSubset,
  usageError,
} from '@tfbricks/core';
import type { FlowBatch, FlowSource } from './flow';
import { NumpyLikeOrder } from './numpy-order';

export type DirectoryClassMode = 'categorical' | 'binary' | 'sparse' | 'input' | null;

/** Keras' `flow_from_directory` arguments, camelCase, with Keras' defaults, plus the reader. */
export interface FlowFromDirectoryOptions {
  /**
   * Lists the folder and decodes its images (`imageFolderReader()` from
   * `@tfbricks/data-images`). The one difference from Keras: augment has no decoder of its own.
   */
  reader: ImageFolderReader;
  /** `[height, width]`, default `[256, 256]`. */
  targetSize?: readonly [number, number];
  colorMode?: ImageColorMode;
  classes?: readonly string[];
  classMode?: DirectoryClassMode;
  batchSize?: number;
  shuffle?: boolean;
  seed?: number;
  /** PIL filter (default `nearest`, as `load_img`). */
  interpolation?: PilInterpolation;
  subset?: 'training' | 'validation';
  followLinks?: boolean;
  /** Leave bad files out (and say how many) instead of refusing the folder. */
  skipBadImages?: boolean;
  /** Where `Found N images belonging to K classes.` goes (default console.log). */
  print?: (line: string) => void;
}

/** What the iterator needs from the generator: flow()'s source. */
export type DirectorySource = FlowSource;

/**
 * keras_preprocessing's `DirectoryIterator`: Keras' listing, per-class split, batches
 * `{ xs, ys }` of augmented, standardized float32 images (xs) and labels by `classMode`,
 * a tfjs `Dataset`-like object `model.fitDataset` accepts. Images come from the reader's
 * cache batch by batch, so memory holds one batch.
 */
export class DirectoryFlow {
  readonly classIndices: Record<string, number>;
  /** Class index of every image (Keras' `classes`). */
  readonly classes: Int32Array;
  /** `<class>/<file>` of every image (Keras' `filenames`). */
  readonly filenames: readonly string[];
  readonly filepaths: readonly string[];
  /** Images per epoch (Keras' `samples`). */
  readonly length: number;
  /** Batches per epoch. */
  readonly size: number;
  readonly batchSize: number;
  /** Files left out with `skipBadImages`. */
  readonly skipped: readonly BadImageFile[];
  private epoch = 0;
  private readonly order: NumpyLikeOrder;

  constructor(
    private readonly source: DirectorySource,
    private readonly reader: ImageFolderReader,
    private readonly files: readonly ImageFileEntry[],
    classNames: readonly string[],
    private readonly decode: ImageDecodeOptions,
    private readonly classMode: DirectoryClassMode,
    options: { batchSize: number; shuffle: boolean; seed: number; skipped: readonly BadImageFile[] },
  ) {
    this.classIndices = Object.fromEntries(classNames.map((c, i) => [c, i]));
    this.classes = Int32Array.from(files, (f) => f.classIndex);
    this.filenames = files.map((f) => f.relativePath);
    this.filepaths = files.map((f) => f.path);
    this.length = files.length;
    this.batchSize = options.batchSize;
    this.size = Math.ceil(this.length / this.batchSize);
    this.skipped = options.skipped;
    this.order = new NumpyLikeOrder(this.length, options.shuffle, options.seed);
  }

  /** Batch `index` of epoch `epoch` (Keras seeds numpy with `seed + batches seen` at each epoch start). */
  async batch(epoch: number, index: number): Promise<FlowBatch> {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw usageError('E_AUGMENT_INPUT', `flowFromDirectory batch index must be an integer in [0, ${this.size}); got ${index}`);
    }
    const order = this.order.epoch(epoch, epoch * this.size);
    const rows = order.slice(index * this.batchSize, Math.min(this.length, (index + 1) * this.batchSize));
    const [h, w] = this.decode.size;
    const pixels = await this.reader.read(rows.map((r) => this.files[r]), this.decode);
    const n = rows.length;
    const k = Object.keys(this.classIndices).length;
    return tf.tidy(() => {
      const raw = tf.tensor4d(Float32Array.from(pixels), [n, h, w, channelsOf(this.decode.colorMode)], 'float32');
      const xs = this.source.apply(raw, { seed: (this.order.seed + epoch * 7919 + index) | 0 });
      const labels = rows.map((r) => this.classes[r]);
      switch (this.classMode) {
        case null:
          return { xs };
        case 'input':
          return { xs, ys: tf.clone(xs) };
        case 'sparse':
        case 'binary':
          return { xs, ys: tf.tensor1d(labels, 'float32') };
        default:
          return { xs, ys: tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), k), 'float32') };
      }
    });
  }

  /** tfjs Dataset protocol: a fresh, reshuffled epoch per call. */
  async iterator(): Promise<{ next(): Promise<IteratorResult<FlowBatch>> }> {
    const epoch = this.epoch++;
    let index = 0;
    return {
      next: async () => (index >= this.size ? { done: true, value: undefined } : { done: false, value: await this.batch(epoch, index++) }),
    };
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<FlowBatch> {
    const it = await this.iterator();
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
}

const CLASS_MODES: readonly DirectoryClassMode[] = ['categorical', 'binary', 'sparse', 'input', null];

/** Validate the options, list and prepare the folder, print Keras' line: the body of `flowFromDirectory`. */
export async function flowFromDirectory(source: DirectorySource, directory: string, options: FlowFromDirectoryOptions): Promise<DirectoryFlow> {
  const o = options;
  if (!o || typeof o.reader?.list !== 'function') {
    throw usageError('E_AUGMENT_OPTION', 'flowFromDirectory needs options.reader, an ImageFolderReader', "pass { reader: imageFolderReader() } from '@tfbricks/data-images/node'");
  }
  const targetSize = o.targetSize ?? [256, 256];
  if (!Array.isArray(targetSize) || targetSize.length !== 2 || targetSize.some((v) => !Number.isInteger(v) || v < 1 || v > 16384)) {
    throw usageError('E_AUGMENT_OPTION', `flowFromDirectory targetSize must be [height, width] of integers in [1, 16384]; got ${JSON.stringify(o.targetSize)}`);
  }
  const colorMode = o.colorMode ?? 'rgb';
  if (!['rgb', 'rgba', 'grayscale'].includes(colorMode)) throw usageError('E_AUGMENT_OPTION', `flowFromDirectory colorMode must be 'rgb', 'rgba' or 'grayscale'; got ${JSON.stringify(colorMode)}`);
  const classMode = o.classMode === undefined ? 'categorical' : o.classMode;
  if (!CLASS_MODES.includes(classMode)) throw usageError('E_AUGMENT_OPTION', `flowFromDirectory classMode must be one of categorical, binary, sparse, input or null; got ${JSON.stringify(classMode)}`);
  const interpolation = o.interpolation ?? 'nearest';
  if (!PIL_INTERPOLATIONS.includes(interpolation)) {
    throw usageError('E_AUGMENT_OPTION', `flowFromDirectory interpolation must be one of ${PIL_INTERPOLATIONS.join(', ')}; got ${JSON.stringify(interpolation)}`);
  }
  const batchSize = o.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw usageError('E_AUGMENT_OPTION', `flowFromDirectory batchSize must be an integer >= 1; got ${JSON.stringify(o.batchSize)}`);
  if (o.seed !== undefined && (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff)) throw usageError('E_AUGMENT_OPTION', `flowFromDirectory seed must be an integer in [0, 2**32 - 1]; got ${JSON.stringify(o.seed)}`);
  if (o.subset !== undefined) {
    if (o.subset !== 'training' && o.subset !== 'validation') throw usageError('E_AUGMENT_OPTION', `flowFromDirectory subset must be 'training' or 'validation'; got ${JSON.stringify(o.subset)}`);
    if (!source.validationSplit) throw usageError('E_AUGMENT_OPTION', `flowFromDirectory subset '${o.subset}' needs the generator's validationSplit > 0; it is 0`);
  }
  const listing = await o.reader.list(directory, { style: 'keras-preprocessing', classes: o.classes, followLinks: o.followLinks });
  const files = o.subset ? kerasPreprocessingSubset(listing.files, source.validationSplit, o.subset) : listing.files;
  (o.print ?? ((l: string) => console.log(l)))(`Found ${files.length} images belonging to ${listing.classNames.length} classes.`);
  const decode: ImageDecodeOptions = { size: [targetSize[0], targetSize[1]], colorMode, family: 'pil', interpolation };
  const prepared = await o.reader.prepare(files, decode);
  const bad = [...listing.bad, ...prepared.bad];
  if (bad.length && !o.skipBadImages) {
    throw badImagesError(bad, directory, 'fix or remove these files, or pass skipBadImages: true to leave them out');
  }
  const badPaths = new Set(prepared.bad.map((b) => b.path));
  const kept = files.filter((f) => !badPaths.has(f.path));
  if (!kept.length) throw usageError('E_IMAGE_EMPTY', `flowFromDirectory found no usable images in ${directory}`, 'put images in class subfolders');
  const seed = o.seed ?? Math.floor(Math.random() * 0x7fffffff);
  return new DirectoryFlow(source, o.reader, kept, listing.classNames, decode, classMode, { batchSize, shuffle: o.shuffle ?? true, seed, skipped: bad });
}
