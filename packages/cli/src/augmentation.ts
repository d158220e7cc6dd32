import * as tf from '@tensorflow/tfjs-core';
import { ImageDataGenerator } from '@tfbricks/augment';
import { type Augmentation, TfbricksError } from '@tfbricks/core';
import type { AugmentSettings } from './augment-options';

/**
 * The real-time augmentation `train` uses: Keras' `ImageDataGenerator` with the given
 * settings, applied by `fit` to every training batch (rescaled to [0, 1] first, as the
 * tutorial divides by 255 before `datagen.flow`). Featurewise statistics and ZCA are
 * fitted on the training images, like `datagen.fit(x_train)`; as in the tutorial's
 * `fit_generator(..., validation_data=(x_test, y_test))`, validation images are not
 * standardised.
 */
export async function createAugmentation(settings: AugmentSettings, data: { trainImages?: { images: Uint8Array; count: number }; imageShape: readonly [number, number, number] }): Promise<Augmentation> {
  const { brightnessRange, ...rest } = settings;
  const generator = new ImageDataGenerator({ ...rest, ...(brightnessRange ? { brightnessRange } : {}) });
  if (settings.featurewiseCenter || settings.featurewiseStdNormalization || settings.zcaWhitening) {
    const train = data.trainImages;
    if (!train) {
      throw new TfbricksError('E_USAGE', 'featurewise statistics and ZCA need the whole training set in memory; they are not available for a folder of class subfolders (streamed from the image cache)', {
        hint: 'drop --featurewise-center, --featurewise-std-normalization and --zca-whitening, or use --samplewise-center',
        usage: true,
      });
    }
    const x = tf.tidy(() => tf.div(tf.tensor4d(Float32Array.from(train.images), [train.count, ...data.imageShape], 'float32'), 255) as tf.Tensor4D);
    try {
      await generator.fit(x);
    } finally {
      x.dispose();
    }
  }
  return generator;
}
