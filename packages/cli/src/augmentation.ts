import * as tf from '@tensorflow/tfjs-core';
import { ImageDataGenerator } from '@tfbricks/augment';
import { type Augmentation, TfbricksError } from '@tfbricks/core';
import type { AugmentSettings } from './augment-options';
import { FIT_SAMPLE_MAX_BYTES, FIT_SAMPLE_MAX_IMAGES, type FitSample } from './image-folder-data';

/** ZCA in folder mode: at most this many values per image (32×32 RGB; the fit is d×d). */
export const FOLDER_ZCA_MAX_VALUES = 3072;

type AugmentationData = {
  trainImages?: { images: Uint8Array; count: number };
  fitSample?: () => FitSample;
  imageShape: readonly [number, number, number];
};

/** The images featurewise statistics are fitted on: all of CIFAR's, or a folder's seeded sample (printed). */
function fitImages(settings: AugmentSettings, data: AugmentationData, print: (line: string) => void): { images: Uint8Array; count: number } {
  if (data.trainImages) return data.trainImages;
  if (!data.fitSample) throw new TfbricksError('E_USAGE', 'featurewise statistics and ZCA need training images to fit on; this data source has none', { usage: true });
  const d = data.imageShape[0] * data.imageShape[1] * data.imageShape[2];
  if (settings.zcaWhitening && d > FOLDER_ZCA_MAX_VALUES) {
    throw new TfbricksError('E_USAGE', `--zca-whitening needs images of at most ${FOLDER_ZCA_MAX_VALUES} values (e.g. --image-size 32x32 in RGB); --image-size ${data.imageShape[0]}x${data.imageShape[1]} gives ${d}, and its ${d}x${d} ZCA matrix would not fit in memory`, {
      hint: 'use a smaller --image-size with --zca-whitening, or --featurewise-center / --featurewise-std-normalization without it',
      usage: true,
    });
  }
  const sample = data.fitSample();
  print(`featurewise statistics: fitted on a seeded sample of ${sample.count} of the ${sample.total} training images (at most ${FIT_SAMPLE_MAX_IMAGES} images and ${FIT_SAMPLE_MAX_BYTES / 2 ** 20} MiB of pixels)`);
  return sample;
}

/**
 * The real-time augmentation `train` uses: Keras' `ImageDataGenerator` with the given
 * settings, applied by `fit` to every training batch (rescaled to [0, 1] first, as the
 * tutorial divides by 255 before `datagen.flow`). Featurewise statistics and ZCA are
 * fitted like `datagen.fit(x_train)`: on all of CIFAR's training images, or, for a folder
 * (streamed, never all in memory), on a bounded seeded sample of its training subset —
 * Keras' own recipe for `flow_from_directory`. As in the tutorial's `fit_generator(...,
 * validation_data=(x_test, y_test))`, validation images are not standardised.
 */
export async function createAugmentation(settings: AugmentSettings, data: AugmentationData, print: (line: string) => void = () => {}): Promise<Augmentation> {
  const { brightnessRange, ...rest } = settings;
  const generator = new ImageDataGenerator({ ...rest, ...(brightnessRange ? { brightnessRange } : {}) });
  if (settings.featurewiseCenter || settings.featurewiseStdNormalization || settings.zcaWhitening) {
    const train = fitImages(settings, data, print);
    const x = tf.tidy(() => tf.div(tf.tensor4d(Float32Array.from(train.images), [train.count, ...data.imageShape], 'float32'), 255) as tf.Tensor4D);
    try {
      await generator.fit(x);
    } finally {
      x.dispose();
    }
  }
  return generator;
}
