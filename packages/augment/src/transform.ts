import * as tf from '@tensorflow/tfjs-core';
import { usageError } from '@tfbricks/core';
import { applyBrightness, applyChannelShift, applySamplingPlan } from './batched-ops';
import type { FillMode, InterpolationOrder } from './fill-mode';
import { type TransformParams, kerasAffineMap } from './keras-matrix';
import { DIRECT_KERNEL, directKernelAvailable } from './resample-kernels';
import { type ImageGeometry, planSampling } from './sampling';

export interface ResampleSettings {
  fillMode: FillMode;
  cval: number;
  interpolationOrder: InterpolationOrder;
}

/** Rank-3 HWC or rank-4 NHWC float input, checked; returns the batch view. */
export function asBatch(input: string, x: tf.Tensor): tf.Tensor4D {
  if (!(x instanceof tf.Tensor)) {
    throw usageError('E_AUGMENT_INPUT', `${input} must be a tf.Tensor (HWC image or NHWC batch); got ${typeof x}`);
  }
  if (x.isDisposed) throw usageError('E_AUGMENT_INPUT', `${input} is a disposed tensor`);
  if (x.rank !== 3 && x.rank !== 4) {
    throw usageError('E_AUGMENT_INPUT', `${input} must have rank 3 (HWC) or 4 (NHWC); got shape [${x.shape.join(', ')}]`);
  }
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw usageError('E_AUGMENT_INPUT', `${input} must be float32 (or int32); got dtype ${x.dtype}`);
  }
  const f = x.dtype === 'float32' ? x : tf.cast(x, 'float32');
  return (f.rank === 3 ? tf.expandDims(f, 0) : f) as tf.Tensor4D;
}

/**
 * Keras' `apply_transform` for a whole batch in a handful of tensor ops:
 * affine (+ flips, folded into the same gather) -> channel shift -> brightness.
 * (Flips commute with the per-image channel shift, so Keras' order is preserved.)
 */
export function transformBatch(x: tf.Tensor4D, params: readonly TransformParams[], settings: ResampleSettings): tf.Tensor4D {
  const [b, h, w] = x.shape;
  if (params.length !== b) {
    throw usageError('E_AUGMENT_INPUT', `transform parameters: need one per image (${b}); got ${params.length}`);
  }
  return tf.tidy(() => {
    const geometries: ImageGeometry[] = params.map((p) => ({
      map: kerasAffineMap(p, h, w),
      flipHorizontal: Boolean(p.flipHorizontal),
      flipVertical: Boolean(p.flipVertical),
    }));
    let y: tf.Tensor4D = x;
    if (geometries.some((g) => g.map !== null || g.flipHorizontal || g.flipVertical)) {
      const order = geometries.some((g) => g.map !== null) ? settings.interpolationOrder : 0;
      if (directKernelAvailable()) {
        const attrs = { geometries, order, mode: settings.fillMode, cval: settings.cval };
        y = tf.engine().runKernel(DIRECT_KERNEL, { x }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
      } else {
        y = applySamplingPlan(x, planSampling(geometries, h, w, order, settings.fillMode), settings.cval);
      }
    }
    const shifts = params.map((p) => (p.channelShiftIntensity === undefined ? null : p.channelShiftIntensity));
    if (shifts.some((s) => s !== null)) y = applyChannelShift(y, shifts);
    const factors = params.map((p) => (p.brightness === undefined ? null : p.brightness));
    if (factors.some((f) => f !== null)) y = applyBrightness(y, factors);
    return y === x ? tf.clone(x) : y;
  });
}
