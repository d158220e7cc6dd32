import * as tf from '@tensorflow/tfjs-core';
import { RESAMPLE_KERNEL, resampleKernelAvailable } from './resample-kernels';
import type { SamplingPlan } from './sampling';

/**
 * Applies a {@link SamplingPlan} to a whole NHWC batch in one call: our resampling kernel
 * on cpu/webgpu, else one `gather` (plus a weighted sum for bilinear) -- ops every tfjs
 * backend registers. Both give the same numbers. Call inside `tf.tidy`.
 */
export function applySamplingPlan(x: tf.Tensor4D, plan: SamplingPlan, cval: number, outShape?: [number, number, number, number]): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const shape = outShape ?? x.shape;
  const n = b * h * w;
  const p = plan.indices.length / plan.taps;
  const src = tf.reshape(x, [n, c]) as tf.Tensor2D;
  if (resampleKernelAvailable(p * c)) {
    const weights = plan.weights ?? new Float32Array(p).fill(1);
    const out = tf.engine().runKernel(RESAMPLE_KERNEL, { x: src, indices: tf.tensor1d(plan.indices, 'int32'), weights: tf.tensor1d(weights) }, {
      taps: plan.taps,
      cval,
    } as unknown as tf.NamedAttrMap) as tf.Tensor;
    return tf.reshape(out, shape);
  }
  return composedSample(src, plan, cval, shape);
}

/** The composed fallback (exported for the equivalence test). */
export function composedSample(src: tf.Tensor2D, plan: SamplingPlan, cval: number, shape: [number, number, number, number]): tf.Tensor4D {
  const [n, c] = src.shape;
  const p = plan.indices.length / plan.taps;
  let table = src;
  let indices = plan.indices;
  if (plan.usesCval) {
    table = tf.concat([src, tf.fill([1, c], cval, 'float32') as tf.Tensor2D], 0);
    indices = indices.map((i) => (i < 0 ? n : i));
  }
  const gathered = tf.gather(table, tf.tensor1d(indices, 'int32'));
  if (plan.taps === 1) return tf.reshape(gathered, shape);
  const weighted = tf.mul(tf.reshape(gathered, [p, plan.taps, c]), tf.tensor3d(plan.weights!, [p, plan.taps, 1]));
  return tf.reshape(tf.sum(weighted, 1), shape);
}

/**
 * Keras' `apply_channel_shift` per image: `clip(x + intensity, min(x), max(x))` with the
 * min/max over the whole image. `intensities[i]` null leaves image i untouched.
 */
export function applyChannelShift(x: tf.Tensor4D, intensities: readonly (number | null)[]): tf.Tensor4D {
  const b = x.shape[0];
  const shift = tf.tensor4d(intensities.map((v) => v ?? 0), [b, 1, 1, 1]);
  const lo = tf.min(x, [1, 2, 3], true);
  const hi = tf.max(x, [1, 2, 3], true);
  return tf.minimum(tf.maximum(tf.add(x, shift), lo), hi);
}

/**
 * Keras' `apply_brightness_shift` per image, which goes through PIL: `array_to_img`
 * (shift up if negative, divide by the max, times 255, truncate to uint8), then
 * `ImageEnhance.Brightness(f)` (truncate(f * v) clipped to [0, 255]), then back to
 * float32. The output is therefore on the 0..255 scale whatever the input scale was,
 * exactly as in Keras. `factors[i]` null leaves image i untouched.
 */
export function applyBrightness(x: tf.Tensor4D, factors: readonly (number | null)[]): tf.Tensor4D {
  const b = x.shape[0];
  const shift = tf.relu(tf.neg(tf.min(x, [1, 2, 3], true)));
  const shifted = tf.add(x, shift);
  const top = tf.max(shifted, [1, 2, 3], true);
  const safeTop = tf.where(tf.equal(top, 0), tf.onesLike(top), top);
  const bytes = tf.floor(tf.mul(tf.div(shifted, safeTop), 255));
  const factor = tf.tensor4d(factors.map((v) => v ?? 1), [b, 1, 1, 1]);
  const bright = tf.clipByValue(tf.floor(tf.mul(bytes, factor)), 0, 255);
  if (factors.every((v) => v !== null && v !== undefined)) return bright as tf.Tensor4D;
  const mask = tf.tensor4d(factors.map((v) => (v === null || v === undefined ? 0 : 1)), [b, 1, 1, 1], 'bool');
  return tf.where(tf.broadcastTo(mask, x.shape), bright, x) as tf.Tensor4D;
}
