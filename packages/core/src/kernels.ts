/**
 * Named tfjs kernels that tfbricks packages call and backends may provide.
 *
 * A caller runs such a kernel through `tf.engine().runKernel(name, inputs, attrs)` only when
 * the active backend registered it (`tf.getKernel(name, tf.getBackend())`), and computes the
 * same result with ordinary ops otherwise. A backend registers its implementation in `init()`
 * and unregisters it when it restores tfjs' stock kernels. Nothing here touches tfjs.
 */

/**
 * One Adam update of one float32 variable with Keras' epsilon placement (Keras 2
 * `optimizers.Adam`, tf.keras 2.x), elementwise:
 *
 *     m' = β1·m + (1 − β1)·g
 *     v' = β2·v + (1 − β2)·g²
 *     x' = x − lrT · m' / (sqrt(v') + ε)
 *
 * where the caller folds the bias corrections into `lrT = lr·sqrt(1 − β2ᵗ)/(1 − β1ᵗ)`.
 * Inputs: {@link AdamUpdateInputs}; attributes: {@link AdamUpdateAttrs}; outputs, in this
 * order: `[m', v', x']`, each of the variable's shape. The caller assigns them.
 */
export const ADAM_UPDATE_KERNEL = 'TfbricksAdamUpdate';

/** Input names of {@link ADAM_UPDATE_KERNEL} (all float32, all of one shape). */
export const ADAM_UPDATE_INPUTS = ['variable', 'gradient', 'm', 'v'] as const;
export type AdamUpdateInputName = (typeof ADAM_UPDATE_INPUTS)[number];
export type AdamUpdateInputs<T> = Record<AdamUpdateInputName, T>;

/** Attributes of {@link ADAM_UPDATE_KERNEL}. */
export interface AdamUpdateAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Step size with both bias corrections folded in (see {@link ADAM_UPDATE_KERNEL}). */
  lrT: number;
}
