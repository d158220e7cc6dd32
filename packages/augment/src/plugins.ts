import * as tf from '@tensorflow/tfjs-core';
import { type AugmentOptions, type Augmentation, Rng, usageError } from '@tfbricks/core';
import { applySamplingPlan } from './batched-ops';
import type { FillMode, InterpolationOrder } from './fill-mode';
import { ImageDataGenerator, type ImageDataGeneratorOptions } from './image-data-generator';
import type { ShiftRange } from './ranges';
import type { SamplingPlan } from './sampling';
import { asBatch } from './transform';

/** Resampling settings shared by the geometric plugins (Keras' names and defaults). */
export interface ResampleOptions {
  /** Default 'nearest'. */
  fillMode?: FillMode;
  /** Default 0. */
  cval?: number;
  /** Default 1 (bilinear). */
  interpolationOrder?: InterpolationOrder;
}

function checkSeed(name: string, options: AugmentOptions): number {
  if (!options || !Number.isInteger(options.seed)) {
    throw usageError('E_AUGMENT_OPTION', `${name}: apply options.seed must be an integer; got ${JSON.stringify(options?.seed)}`);
  }
  return options.seed;
}

/** One Keras transform as a plugin: a generator with only that option set (Keras' draws and maths). */
function single(name: string, options: ImageDataGeneratorOptions): Augmentation {
  const generator = new ImageDataGenerator(options);
  return {
    name,
    apply(images: tf.Tensor4D, o: AugmentOptions): tf.Tensor4D {
      return generator.apply(images, { seed: checkSeed(name, o) });
    },
  };
}

/** Each flip with probability 0.5 (Keras' `horizontal_flip` / `vertical_flip`). */
export function randomFlip(options: { horizontal?: boolean; vertical?: boolean } = {}): Augmentation {
  return single('random-flip', { horizontalFlip: options.horizontal ?? true, verticalFlip: options.vertical ?? false });
}

/** Keras' `height_shift_range` / `width_shift_range` (fraction if < 1, else pixels; integer ranges draw integers). */
export function randomTranslation(options: { heightShiftRange?: ShiftRange; widthShiftRange?: ShiftRange } & ResampleOptions): Augmentation {
  return single('random-translation', { ...options });
}

/** Keras' `rotation_range`, degrees. */
export function randomRotation(options: { rotationRange: number } & ResampleOptions): Augmentation {
  return single('random-rotation', { ...options });
}

/** Keras' `zoom_range` (z -> [1-z, 1+z], independent per axis). */
export function randomZoom(options: { zoomRange: number | readonly [number, number] } & ResampleOptions): Augmentation {
  return single('random-zoom', { ...options });
}

/** Keras' `shear_range`, degrees. */
export function randomShear(options: { shearRange: number } & ResampleOptions): Augmentation {
  return single('random-shear', { ...options });
}

/** Keras' `channel_shift_range`: `clip(x + u, min(x), max(x))`, u uniform in (-r, r), per image. */
export function randomChannelShift(options: { channelShiftRange: number }): Augmentation {
  return single('random-channel-shift', { channelShiftRange: options.channelShiftRange });
}

/**
 * Keras' `brightness_range` with `mode: 'keras'` (default): through PIL, so the output is
 * on the 0..255 scale (Keras' behaviour). `mode: 'multiply'` just multiplies by the
 * factor and keeps the input's scale.
 */
export function randomBrightness(options: { brightnessRange: readonly [number, number]; mode?: 'keras' | 'multiply' }): Augmentation {
  const mode = options.mode ?? 'keras';
  if (mode === 'keras') return single('random-brightness', { brightnessRange: options.brightnessRange });
  if (mode !== 'multiply') {
    throw usageError('E_AUGMENT_OPTION', `randomBrightness mode must be 'keras' or 'multiply'; got ${JSON.stringify(mode)}`);
  }
  // Validate the range the same way Keras does.
  const [lo, hi] = new ImageDataGenerator({ brightnessRange: options.brightnessRange }).brightnessRange!;
  return {
    name: 'random-brightness-multiply',
    apply(images: tf.Tensor4D, o: AugmentOptions): tf.Tensor4D {
      const rng = new Rng(checkSeed('random-brightness-multiply', o));
      return tf.tidy(() => {
        const x = asBatch('random-brightness-multiply images', images);
        const f = Float32Array.from({ length: x.shape[0] }, () => rng.uniform(lo, hi));
        return tf.mul(x, tf.tensor4d(f, [x.shape[0], 1, 1, 1]));
      });
    },
  };
}

export type CropPaddingMode = 'constant' | 'edge' | 'reflect' | 'symmetric';

export interface RandomCropOptions {
  /** Pixels added on every side before cropping (default 4, as in the CIFAR recipes). */
  padding?: number;
  /** Output [height, width]; default the input's size. */
  size?: readonly [number, number];
  /** torchvision's padding modes (default 'constant'). */
  paddingMode?: CropPaddingMode;
  /** Value for 'constant' padding (default 0). */
  fill?: number;
}

function padIndex(q: number, n: number, mode: CropPaddingMode): number {
  if (q >= 0 && q < n) return q;
  switch (mode) {
    case 'constant':
      return -1;
    case 'edge':
      return q < 0 ? 0 : n - 1;
    case 'reflect': {
      if (n === 1) return 0;
      const period = 2 * (n - 1);
      let m = ((q % period) + period) % period;
      if (m >= n) m = period - m;
      return m;
    }
    case 'symmetric': {
      const period = 2 * n;
      let m = ((q % period) + period) % period;
      if (m >= n) m = period - 1 - m;
      return m;
    }
  }
}

/**
 * torchvision's `RandomCrop(size, padding)`: pad every side by `padding`, then crop a
 * window at a uniformly drawn integer offset, per image; one gather for the batch.
 */
export function randomCropWithPadding(options: RandomCropOptions = {}): Augmentation {
  const padding = options.padding ?? 4;
  if (!Number.isInteger(padding) || padding < 0) {
    throw usageError('E_AUGMENT_OPTION', `randomCropWithPadding padding must be an integer >= 0; got ${JSON.stringify(options.padding)}`);
  }
  const mode = options.paddingMode ?? 'constant';
  if (!['constant', 'edge', 'reflect', 'symmetric'].includes(mode)) {
    throw usageError('E_AUGMENT_OPTION', `randomCropWithPadding paddingMode must be constant, edge, reflect or symmetric; got ${JSON.stringify(mode)}`);
  }
  const fill = options.fill ?? 0;
  if (typeof fill !== 'number' || !Number.isFinite(fill)) {
    throw usageError('E_AUGMENT_OPTION', `randomCropWithPadding fill must be a finite number; got ${JSON.stringify(options.fill)}`);
  }
  if (options.size !== undefined && !(Array.isArray(options.size) && options.size.length === 2 && options.size.every((v) => Number.isInteger(v) && v > 0))) {
    throw usageError('E_AUGMENT_OPTION', `randomCropWithPadding size must be [height, width] of positive integers; got ${JSON.stringify(options.size)}`);
  }
  return {
    name: 'random-crop-with-padding',
    apply(images: tf.Tensor4D, o: AugmentOptions): tf.Tensor4D {
      const rng = new Rng(checkSeed('random-crop-with-padding', o));
      return tf.tidy(() => {
        const x = asBatch('random-crop-with-padding images', images);
        const [b, h, w, c] = x.shape;
        const [th, tw] = options.size ?? [h, w];
        if (th > h + 2 * padding || tw > w + 2 * padding) {
          throw usageError('E_AUGMENT_INPUT', `random-crop-with-padding: crop ${th}x${tw} is larger than the padded image ${h + 2 * padding}x${w + 2 * padding}`);
        }
        const n = b * h * w;
        const indices = new Int32Array(b * th * tw);
        let usesCval = false;
        for (let img = 0; img < b; img++) {
          const top = rng.int(0, h + 2 * padding - th + 1);
          const left = rng.int(0, w + 2 * padding - tw + 1);
          for (let i = 0; i < th; i++) {
            const r = padIndex(top + i - padding, h, mode);
            for (let j = 0; j < tw; j++) {
              const cc = padIndex(left + j - padding, w, mode);
              const out = (img * th + i) * tw + j;
              if (r < 0 || cc < 0) {
                indices[out] = -1;
                usesCval = true;
              } else indices[out] = img * h * w + r * w + cc;
            }
          }
        }
        const plan: SamplingPlan = { taps: 1, indices, weights: null, usesCval };
        return applySamplingPlan(x, plan, fill, [b, th, tw, c]);
      });
    },
  };
}

/** Applies augmentations in order, each with its own seed derived from the call's seed. */
export function compose(...augmentations: Augmentation[]): Augmentation {
  augmentations.forEach((a, i) => {
    if (!a || typeof a.apply !== 'function') {
      throw usageError('E_AUGMENT_OPTION', `compose argument ${i} must be an Augmentation (with apply()); got ${JSON.stringify(a)}`);
    }
  });
  return {
    name: `compose(${augmentations.map((a) => a.name).join(', ')})`,
    apply(images: tf.Tensor4D, o: AugmentOptions): tf.Tensor4D {
      const rng = new Rng(checkSeed('compose', o));
      const seeds = augmentations.map(() => rng.nextUint32() | 0);
      return tf.tidy(() => augmentations.reduce<tf.Tensor4D>((x, a, i) => a.apply(x, { seed: seeds[i] }), tf.clone(images)));
    },
  };
}
