import type { Tensor4D } from '@tensorflow/tfjs-core';

/** Options for one call of {@link Augmentation.apply}. */
export interface AugmentOptions {
  /** Seed for this call: the same seed and input give the same output on every backend. */
  seed: number;
}

/**
 * A batched, seeded random image transform that runs as tensor ops on the active tfjs
 * backend. Input and output are float32 NHWC batches of the same shape. `apply` must
 * not leak tensors and must not dispose its input.
 */
export interface Augmentation {
  readonly name: string;
  apply(images: Tensor4D, options: AugmentOptions): Tensor4D;
}
