import * as tf from '@tensorflow/tfjs-core';
import { type AugmentOptions, type Augmentation, Rng, TfbricksError, usageError } from '@tfbricks/core';
import { type FillMode, type InterpolationOrder, checkFillMode, checkOrder } from './fill-mode';
import { FlowDataset, type FlowOptions } from './flow';
import { type DirectoryFlow, type FlowFromDirectoryOptions, flowFromDirectory } from './directory-flow';
import type { TransformParams } from './keras-matrix';
import { type ParsedShift, type ShiftRange, drawShift, parseNonNegative, parsePair, parseShiftRange, parseZoomRange } from './ranges';
import { type HostImages, type ResampledRows, asBatch, finishRows, resampleRows, transformBatch } from './transform';
import { zcaPrincipalComponents } from './zca';

/** Keras' `ImageDataGenerator` arguments, camelCase, with Keras' defaults. */
export interface ImageDataGeneratorOptions {
  featurewiseCenter?: boolean;
  samplewiseCenter?: boolean;
  featurewiseStdNormalization?: boolean;
  samplewiseStdNormalization?: boolean;
  zcaWhitening?: boolean;
  /** Default 1e-6. */
  zcaEpsilon?: number;
  /** Degrees; theta is uniform in (-r, r). */
  rotationRange?: number;
  widthShiftRange?: ShiftRange;
  heightShiftRange?: ShiftRange;
  brightnessRange?: readonly [number, number];
  /** Degrees. */
  shearRange?: number;
  /** z -> [1 - z, 1 + z], or [lower, upper]. */
  zoomRange?: number | readonly [number, number];
  channelShiftRange?: number;
  /** Default 'nearest'. */
  fillMode?: FillMode;
  /** Default 0. */
  cval?: number;
  horizontalFlip?: boolean;
  verticalFlip?: boolean;
  /** Multiplies the data (Keras: `None`/0 = off). */
  rescale?: number;
  /**
   * Applied first in {@link ImageDataGenerator.standardize}, as in Keras, but once per
   * NHWC batch (rank 4 in, same shape out) instead of once per image.
   */
  preprocessingFunction?: (batch: tf.Tensor4D) => tf.Tensor4D;
  /** Fraction in [0, 1) held out for `flow(..., { subset: 'validation' })`. */
  validationSplit?: number;
  /** scipy spline order: 0 or 1 (default 1). */
  interpolationOrder?: InterpolationOrder;
}

export interface FitOptions {
  augment?: boolean;
  rounds?: number;
  seed?: number;
}

/** Seed or generator for the random draws. */
export type SeedLike = number | Rng;

const checkBool = (input: string, v: unknown): boolean => {
  if (v === undefined) return false;
  if (typeof v === 'boolean') return v;
  throw usageError('E_AUGMENT_OPTION', `${input} must be true or false; got ${JSON.stringify(v)}`);
};

/**
 * Keras' ImageDataGenerator on tfjs tensors: every method takes one HWC image or an NHWC
 * batch and works on the whole batch with a few tensor ops on the active backend.
 *
 * It is also a core `Augmentation`: `apply(batch, { seed })` = `standardize(randomTransform(batch, seed))`,
 * which is exactly what Keras' `flow()` does to each image.
 */
export class ImageDataGenerator implements Augmentation {
  readonly name = 'image-data-generator';
  readonly featurewiseCenter: boolean;
  readonly samplewiseCenter: boolean;
  readonly featurewiseStdNormalization: boolean;
  readonly samplewiseStdNormalization: boolean;
  readonly zcaWhitening: boolean;
  readonly zcaEpsilon: number;
  readonly rotationRange: number;
  readonly shearRange: number;
  readonly zoomRange: readonly [number, number];
  readonly channelShiftRange: number;
  readonly brightnessRange: readonly [number, number] | null;
  readonly fillMode: FillMode;
  readonly cval: number;
  readonly horizontalFlip: boolean;
  readonly verticalFlip: boolean;
  readonly rescale: number;
  readonly preprocessingFunction: ((batch: tf.Tensor4D) => tf.Tensor4D) | null;
  readonly validationSplit: number;
  readonly interpolationOrder: InterpolationOrder;
  /** Per-channel mean from {@link fit} (Keras' `mean`), or null. */
  mean: Float32Array | null = null;
  /** Per-channel std from {@link fit} (Keras' `std`), or null. */
  std: Float32Array | null = null;
  /** ZCA matrix from {@link fit} (Keras' `principal_components`, d x d float32), or null. */
  principalComponents: tf.Tensor2D | null = null;
  /** Warnings Keras would print (overridden settings; featurewise options used before `fit()`), in order. */
  readonly warnings: string[] = [];
  private readonly widthShift: ParsedShift;
  private readonly heightShift: ParsedShift;
  private readonly rng: Rng;

  constructor(options: ImageDataGeneratorOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw usageError('E_AUGMENT_OPTION', `ImageDataGenerator options must be an object; got ${JSON.stringify(options)}`);
    }
    const o = options;
    this.featurewiseCenter = checkBool('featurewiseCenter', o.featurewiseCenter);
    this.samplewiseCenter = checkBool('samplewiseCenter', o.samplewiseCenter);
    this.featurewiseStdNormalization = checkBool('featurewiseStdNormalization', o.featurewiseStdNormalization);
    this.samplewiseStdNormalization = checkBool('samplewiseStdNormalization', o.samplewiseStdNormalization);
    this.zcaWhitening = checkBool('zcaWhitening', o.zcaWhitening);
    this.zcaEpsilon = parseNonNegative('zcaEpsilon', o.zcaEpsilon, 1e-6);
    this.rotationRange = parseNonNegative('rotationRange', o.rotationRange);
    this.widthShift = parseShiftRange('widthShiftRange', o.widthShiftRange);
    this.heightShift = parseShiftRange('heightShiftRange', o.heightShiftRange);
    this.brightnessRange = parsePair('brightnessRange', o.brightnessRange);
    this.shearRange = parseNonNegative('shearRange', o.shearRange);
    this.zoomRange = parseZoomRange('zoomRange', o.zoomRange);
    this.channelShiftRange = parseNonNegative('channelShiftRange', o.channelShiftRange);
    this.fillMode = checkFillMode('fillMode', o.fillMode ?? 'nearest');
    if (o.cval !== undefined && (typeof o.cval !== 'number' || !Number.isFinite(o.cval))) {
      throw usageError('E_AUGMENT_OPTION', `cval must be a finite number; got ${JSON.stringify(o.cval)}`);
    }
    this.cval = o.cval ?? 0;
    this.horizontalFlip = checkBool('horizontalFlip', o.horizontalFlip);
    this.verticalFlip = checkBool('verticalFlip', o.verticalFlip);
    if (o.rescale !== undefined && (typeof o.rescale !== 'number' || !Number.isFinite(o.rescale))) {
      throw usageError('E_AUGMENT_OPTION', `rescale must be a finite number; got ${JSON.stringify(o.rescale)}`);
    }
    this.rescale = o.rescale ?? 0;
    if (o.preprocessingFunction !== undefined && typeof o.preprocessingFunction !== 'function') {
      throw usageError('E_AUGMENT_OPTION', `preprocessingFunction must be a function; got ${typeof o.preprocessingFunction}`);
    }
    this.preprocessingFunction = o.preprocessingFunction ?? null;
    const split = o.validationSplit ?? 0;
    if (typeof split !== 'number' || !(split >= 0 && split < 1)) {
      throw usageError('E_AUGMENT_OPTION', `validationSplit must be a number in [0, 1); got ${JSON.stringify(o.validationSplit)}`);
    }
    this.validationSplit = split;
    this.interpolationOrder = checkOrder('interpolationOrder', o.interpolationOrder ?? 1);
    // Keras' overrides (keras_preprocessing 1.1), with its warnings.
    let fc = this.featurewiseCenter;
    let fs = this.featurewiseStdNormalization;
    let sc = this.samplewiseCenter;
    if (this.zcaWhitening) {
      if (!fc) {
        fc = true;
        this.warnings.push('This ImageDataGenerator specifies `zcaWhitening`, which overrides setting of `featurewiseCenter`.');
      }
      if (fs) {
        fs = false;
        this.warnings.push('This ImageDataGenerator specifies `zcaWhitening` which overrides setting of `featurewiseStdNormalization`.');
      }
    }
    if (fs && !fc) {
      fc = true;
      this.warnings.push('This ImageDataGenerator specifies `featurewiseStdNormalization`, which overrides setting of `featurewiseCenter`.');
    }
    if (this.samplewiseStdNormalization && !sc) {
      sc = true;
      this.warnings.push('This ImageDataGenerator specifies `samplewiseStdNormalization`, which overrides setting of `samplewiseCenter`.');
    }
    this.featurewiseCenter = fc;
    this.featurewiseStdNormalization = fs;
    this.samplewiseCenter = sc;
    this.rng = new Rng(Math.floor(Math.random() * 0x7fffffff));
  }

  private rngFor(seed: SeedLike | undefined, input: string): Rng {
    if (seed === undefined) return this.rng;
    if (seed instanceof Rng) return seed;
    if (typeof seed !== 'number' || !Number.isInteger(seed)) {
      throw usageError('E_AUGMENT_OPTION', `${input} must be an integer or an Rng; got ${JSON.stringify(seed)}`);
    }
    return new Rng(seed);
  }

  /**
   * Keras' `get_random_transform`. `shape` is HWC (returns one parameter set) or NHWC
   * (returns one per image, drawn in order from one stream). Keras' draw order; the
   * numbers come from core's `Rng`, not numpy's Mersenne Twister.
   */
  getRandomTransform(shape: readonly number[], seed?: SeedLike): TransformParams;
  getRandomTransform(shape: readonly number[], seed?: SeedLike): TransformParams | TransformParams[];
  getRandomTransform(shape: readonly number[], seed?: SeedLike): TransformParams | TransformParams[] {
    if (!Array.isArray(shape) || (shape.length !== 3 && shape.length !== 4) || shape.some((v) => !Number.isInteger(v) || v < 0)) {
      throw usageError('E_AUGMENT_INPUT', `getRandomTransform shape must be [h, w, c] or [n, h, w, c]; got ${JSON.stringify(shape)}`);
    }
    const rng = this.rngFor(seed, 'getRandomTransform seed');
    if (shape.length === 3) return this.draw(rng, shape[0], shape[1]);
    return Array.from({ length: shape[0] }, () => this.draw(rng, shape[1], shape[2]));
  }

  private draw(rng: Rng, h: number, w: number): TransformParams {
    const theta = this.rotationRange ? rng.uniform(-this.rotationRange, this.rotationRange) : 0;
    const tx = drawShift(rng, this.heightShift, h);
    const ty = drawShift(rng, this.widthShift, w);
    const shear = this.shearRange ? rng.uniform(-this.shearRange, this.shearRange) : 0;
    let zx = 1;
    let zy = 1;
    if (!(this.zoomRange[0] === 1 && this.zoomRange[1] === 1)) {
      zx = rng.uniform(this.zoomRange[0], this.zoomRange[1]);
      zy = rng.uniform(this.zoomRange[0], this.zoomRange[1]);
    }
    const flipHorizontal = rng.next() < 0.5 && this.horizontalFlip;
    const flipVertical = rng.next() < 0.5 && this.verticalFlip;
    const channelShiftIntensity = this.channelShiftRange !== 0 ? rng.uniform(-this.channelShiftRange, this.channelShiftRange) : null;
    const brightness = this.brightnessRange ? rng.uniform(this.brightnessRange[0], this.brightnessRange[1]) : null;
    return { theta, tx, ty, shear, zx, zy, flipHorizontal, flipVertical, channelShiftIntensity, brightness };
  }

  /**
   * Keras' `apply_transform`: affine -> channel shift -> horizontal flip -> vertical flip
   * -> brightness. For a batch, `params` is one set per image or one set for all.
   */
  applyTransform<T extends tf.Tensor3D | tf.Tensor4D>(x: T, params: TransformParams | readonly TransformParams[]): T {
    return tf.tidy(() => {
      const batch = asBatch('applyTransform x', x);
      const list = Array.isArray(params) ? params : Array.from({ length: batch.shape[0] }, () => params as TransformParams);
      if (x.rank === 3 && list.length !== 1) {
        throw usageError('E_AUGMENT_INPUT', `applyTransform: one image needs one parameter set; got ${list.length}`);
      }
      const y = transformBatch(batch, list, this);
      return (x.rank === 3 ? tf.squeeze(y, [0]) : y) as T;
    });
  }

  /** Keras' `random_transform`, for one image or a whole batch (independent draws per image). */
  randomTransform<T extends tf.Tensor3D | tf.Tensor4D>(x: T, seed?: SeedLike): T {
    const params = this.getRandomTransform(x.shape, seed);
    return this.applyTransform(x, params);
  }

  /**
   * Keras' `standardize`, per image (as `flow()` applies it): preprocessingFunction,
   * rescale, samplewise center, samplewise std, featurewise center, featurewise std, ZCA.
   * Returns a new tensor (the input is neither changed nor disposed).
   */
  standardize<T extends tf.Tensor3D | tf.Tensor4D>(x: T): T {
    this.warnIfUnfitted();
    return tf.tidy(() => {
      let y = asBatch('standardize x', x);
      if (this.preprocessingFunction) {
        const out = this.preprocessingFunction(y);
        if (!(out instanceof tf.Tensor) || out.shape.join() !== y.shape.join()) {
          throw usageError(
            'E_AUGMENT_PREPROCESSING',
            `preprocessingFunction must return a tensor of the input's shape [${y.shape.join(', ')}]; got ${out instanceof tf.Tensor ? `[${out.shape.join(', ')}]` : typeof out}`,
          );
        }
        y = tf.cast(out, 'float32') as tf.Tensor4D;
      }
      if (this.rescale) y = tf.mul(y, this.rescale);
      if (this.samplewiseCenter) y = tf.sub(y, tf.mean(y, [1, 2, 3], true));
      if (this.samplewiseStdNormalization) {
        const sd = tf.sqrt(tf.mean(tf.square(tf.sub(y, tf.mean(y, [1, 2, 3], true))), [1, 2, 3], true));
        y = tf.div(y, tf.add(sd, 1e-6));
      }
      const c = y.shape[3];
      if (this.featurewiseCenter && this.mean) y = tf.sub(y, tf.reshape(tf.tensor1d(this.mean), [1, 1, 1, c]));
      if (this.featurewiseStdNormalization && this.std) {
        y = tf.div(y, tf.reshape(tf.add(tf.tensor1d(this.std), 1e-6), [1, 1, 1, c]));
      }
      if (this.zcaWhitening && this.principalComponents) {
        const d = y.shape[1] * y.shape[2] * y.shape[3];
        if (this.principalComponents.shape[0] !== d) {
          throw usageError(
            'E_AUGMENT_INPUT',
            `standardize x has ${d} values per image but the ZCA matrix was fitted on ${this.principalComponents.shape[0]}`,
            'fit() on images of the same shape as the ones you standardize',
          );
        }
        y = tf.reshape(tf.matMul(tf.reshape(y, [y.shape[0], d]), this.principalComponents), y.shape);
      }
      const out = x.rank === 3 ? tf.squeeze(y, [0]) : y === x ? tf.clone(y) : y;
      return out as T;
    });
  }

  /**
   * Keras' `fit`: per-channel mean, std (after centring) and ZCA principal components on
   * `x` (NHWC), optionally on `rounds` randomly augmented copies. Statistics are computed
   * in float64 on the CPU (reads the data once; async so it works on GPU backends).
   */
  async fit(x: tf.Tensor4D, options: FitOptions = {}): Promise<void> {
    if (!(x instanceof tf.Tensor) || x.rank !== 4) {
      throw usageError('E_AUGMENT_INPUT', `fit x must be a rank-4 NHWC tensor; got ${x instanceof tf.Tensor ? `shape [${x.shape.join(', ')}]` : typeof x}`);
    }
    const rounds = options.rounds ?? 1;
    if (!Number.isInteger(rounds) || rounds < 1) {
      throw usageError('E_AUGMENT_OPTION', `fit rounds must be an integer >= 1; got ${JSON.stringify(options.rounds)}`);
    }
    const [n0, h, w, c] = x.shape;
    const d = h * w * c;
    if (this.zcaWhitening && d > 16384) {
      throw new TfbricksError('E_AUGMENT_ZCA_SIZE', `fit: ZCA on ${d} values per image needs a ${d}x${d} matrix; at most 16384 values per image are supported`, {
        hint: 'ZCA is meant for small images (CIFAR: 3072 values); resize first',
        usage: true,
      });
    }
    let data: Float32Array;
    if (options.augment) {
      const rng = this.rngFor(options.seed, 'fit seed');
      const parts: Float32Array[] = [];
      for (let r = 0; r < rounds; r++) {
        const t = this.randomTransform(x, rng);
        parts.push((await t.data()) as Float32Array);
        t.dispose();
      }
      data = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
      let off = 0;
      for (const p of parts) {
        data.set(p, off);
        off += p.length;
      }
    } else {
      data = (await x.data()) as Float32Array;
    }
    const n = options.augment ? n0 * rounds : n0;
    const count = n * h * w;
    let mean: Float32Array | null = null;
    let std: Float32Array | null = null;
    if (this.featurewiseCenter) {
      const acc = new Float64Array(c);
      for (let i = 0; i < data.length; i++) acc[i % c] += data[i];
      mean = Float32Array.from(acc, (v) => v / count);
    }
    if (this.featurewiseStdNormalization) {
      // std of the centred data (population std, as numpy's default).
      const m = mean ?? new Float32Array(c);
      const mu = new Float64Array(c);
      for (let i = 0; i < data.length; i++) mu[i % c] += data[i] - m[i % c];
      for (let k = 0; k < c; k++) mu[k] /= count;
      const v = new Float64Array(c);
      for (let i = 0; i < data.length; i++) v[i % c] += (data[i] - m[i % c] - mu[i % c]) ** 2;
      std = Float32Array.from(v, (s) => Math.sqrt(s / count));
    }
    this.mean = mean;
    this.std = std;
    if (this.zcaWhitening) {
      const work = new Float64Array(data.length);
      for (let i = 0; i < data.length; i++) {
        let v = data[i];
        if (mean) v -= mean[i % c];
        if (std) v /= std[i % c] + 1e-6;
        work[i] = v;
      }
      const pc = zcaPrincipalComponents(work, n, d, this.zcaEpsilon);
      this.principalComponents?.dispose();
      this.principalComponents = tf.tensor2d(Float32Array.from(pc), [d, d]);
    }
  }

  /**
   * Keras' `flow`: batches `{ xs, ys }` of augmented, standardized images, reshuffled
   * every epoch; a tfjs `Dataset`-like object usable by `model.fitDataset`.
   * The iterator reads `x`/`y` but never disposes them.
   */
  flow(x: tf.Tensor4D, y?: tf.Tensor, options: FlowOptions = {}): FlowDataset {
    return new FlowDataset(this, x, y, options);
  }

  /**
   * Keras' `flow_from_directory` (keras_preprocessing's DirectoryIterator): a folder of
   * class subfolders, listed and split as Keras does, decoded by `options.reader`
   * (`imageFolderReader()` from `@tfbricks/data-images/node`), resized as PIL does;
   * prints `Found N images belonging to K classes.` Async because it lists and checks the folder.
   */
  flowFromDirectory(directory: string, options: FlowFromDirectoryOptions): Promise<DirectoryFlow> {
    return flowFromDirectory(this, directory, options);
  }

  /**
   * keras_preprocessing's `standardize` when a featurewise option is set but `fit()` was
   * never called: it warns ("... hasn't been fit on any training data. Fit it first by
   * calling `.fit(numpy_data)`.") and leaves that step out. Python shows each warning once
   * per call site; here each is added to {@link warnings} and printed (console.warn) once
   * per generator.
   */
  private warnIfUnfitted(): void {
    const missing: [boolean, string][] = [
      [this.featurewiseCenter && !this.mean, '`featurewiseCenter`'],
      [this.featurewiseStdNormalization && !this.std, '`featurewiseStdNormalization`'],
      [this.zcaWhitening && !this.principalComponents, '`zcaWhitening`'],
    ];
    for (const [unfitted, option] of missing) {
      if (!unfitted) continue;
      const message = `This ImageDataGenerator specifies ${option}, but it hasn't been fit on any training data. Fit it first by calling \`.fit(x)\`.`;
      if (this.warnings.includes(message)) continue;
      this.warnings.push(message);
      console.warn(`warning: ${message}`);
    }
  }

  /** core `Augmentation`: `standardize(randomTransform(images, seed))`. */
  apply(images: tf.Tensor4D, options: AugmentOptions): tf.Tensor4D {
    if (!options || !Number.isInteger(options.seed)) {
      throw usageError('E_AUGMENT_OPTION', `apply options.seed must be an integer; got ${JSON.stringify(options?.seed)}`);
    }
    this.warnIfUnfitted();
    return tf.tidy(() => {
      const t = this.randomTransform(images, options.seed);
      return this.standardizes() ? this.standardize(t) : t;
    });
  }

  /**
   * {@link apply} of the batch `rows` of `source` (NHWC float32 values in host memory), with
   * the geometric step computed in JS on the CPU straight from `source`; the same draws and
   * numbers as `apply(gather(source, rows), options)`. The batch is a tensor on the active
   * backend. This is `flow()`'s path where the CPU outruns the backend (`transformOn`).
   * `finishRows(resampleRows(...))`: the host half can run ahead of the device half.
   */
  applyToRows(source: HostImages, rows: Int32Array, options: AugmentOptions): tf.Tensor4D {
    return this.finishRows(this.resampleRows(source, rows, options));
  }

  /** The host half of {@link applyToRows}: the random draws and the resampled values (pure JS, no tensor). */
  resampleRows(source: HostImages, rows: Int32Array, options: AugmentOptions): ResampledRows {
    if (!options || !Number.isInteger(options.seed)) {
      throw usageError('E_AUGMENT_OPTION', `applyToRows options.seed must be an integer; got ${JSON.stringify(options?.seed)}`);
    }
    const [, h, w, c] = source.shape;
    if (!(source.values instanceof Float32Array) || source.values.length !== source.shape.reduce((a, b) => a * b, 1)) {
      throw usageError('E_AUGMENT_INPUT', `applyToRows source must hold float32 values for shape [${source.shape.join(', ')}]; got ${source.values?.length} values`);
    }
    const params = this.getRandomTransform([rows.length, h, w, c], options.seed) as unknown as TransformParams[];
    return resampleRows(source, rows, params, this);
  }

  /** The device half of {@link applyToRows}: the batch tensor, channel shift, brightness, standardize. */
  finishRows(resampled: ResampledRows): tf.Tensor4D {
    return tf.tidy(() => {
      const t = finishRows(resampled);
      return this.standardizes() ? this.standardize(t) : t;
    });
  }

  /** This generator as a core `Augmentation` (it already is one; for symmetry with plugins). */
  asAugmentation(): Augmentation {
    return this;
  }

  /** Whether {@link standardize} changes anything with the current settings and fitted statistics. */
  standardizes(): boolean {
    return Boolean(
      this.preprocessingFunction ||
        this.rescale ||
        this.samplewiseCenter ||
        this.samplewiseStdNormalization ||
        (this.featurewiseCenter && this.mean) ||
        (this.featurewiseStdNormalization && this.std) ||
        (this.zcaWhitening && this.principalComponents),
    );
  }

  /** Frees the ZCA matrix, if any. */
  dispose(): void {
    this.principalComponents?.dispose();
    this.principalComponents = null;
  }
}
