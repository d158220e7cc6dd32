import * as tf from '@tensorflow/tfjs-core';
import { ImageDataGenerator } from '@tfbricks/augment';
import type { Augmentation } from '@tfbricks/core';
import type { AugmentSettings } from './augment-options';

/**
 * The real-time augmentation `train` uses: Keras' `ImageDataGenerator` with the given
 * settings, applied by `fit` to every training batch (rescaled to [0, 1] first, as the
 * tutorial divides by 255 before `datagen.flow`). Featurewise statistics and ZCA are
 * fitted on the training images, like `datagen.fit(x_train)`; as in the tutorial's
 * `fit_generator(..., validation_data=(x_test, y_test))`, validation images are not
 * standardised.
 */
export async function createAugmentation(settings: AugmentSettings, data: { train: { images: Uint8Array; count: number }; imageShape: readonly [number, number, number] }): Promise<Augmentation> {
  const { brightnessRange, ...rest } = settings;
  const generator = new ImageDataGenerator({ ...rest, ...(brightnessRange ? { brightnessRange } : {}) });
  if (settings.featurewiseCenter || settings.featurewiseStdNormalization || settings.zcaWhitening) {
    const x = tf.tidy(() => tf.div(tf.tensor4d(Float32Array.from(data.train.images), [data.train.count, ...data.imageShape], 'float32'), 255) as tf.Tensor4D);
    try {
      await generator.fit(x);
    } finally {
      x.dispose();
    }
  }
  return generator;
}
