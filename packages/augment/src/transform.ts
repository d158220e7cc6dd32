import * as tf from '@tensorflow/tfjs-core';
import { usageError } from '@tfbricks/core';
import { applyBrightness, applyChannelShift, applySamplingPlan } from './batched-ops';
import type { FillMode, InterpolationOrder } from './fill-mode';
import { type TransformParams, kerasAffineMap } from './keras-matrix';
import { DIRECT_KERNEL, directKernelAvailable } from './resample-kernels';
import { resampleDirect } from './direct-resample';
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

function geometriesOf(params: readonly TransformParams[], h: number, w: number): ImageGeometry[] {
  return params.map((p) => ({
    map: kerasAffineMap(p, h, w),
    flipHorizontal: Boolean(p.flipHorizontal),
    flipVertical: Boolean(p.flipVertical),
  }));
}

const moves = (g: ImageGeometry): boolean => g.map !== null || g.flipHorizontal || g.flipVertical;
/** Nearest-neighbour when only flips move pixels (exact), else the configured order. */
const orderFor = (geometries: readonly ImageGeometry[], settings: ResampleSettings): InterpolationOrder =>
  geometries.some((g) => g.map !== null) ? settings.interpolationOrder : 0;

/** Keras' channel shift, then brightness, per image (after the geometric step). */
function applyColour(y: tf.Tensor4D, params: readonly TransformParams[]): tf.Tensor4D {
  const shifts = params.map((p) => (p.channelShiftIntensity === undefined ? null : p.channelShiftIntensity));
  if (shifts.some((s) => s !== null)) y = applyChannelShift(y, shifts);
  const factors = params.map((p) => (p.brightness === undefined ? null : p.brightness));
  if (factors.some((f) => f !== null)) y = applyBrightness(y, factors);
  return y;
}

function checkCount(params: readonly TransformParams[], b: number): void {
  if (params.length !== b) {
    throw usageError('E_AUGMENT_INPUT', `transform parameters: need one per image (${b}); got ${params.length}`);
  }
}

/**
 * Keras' `apply_transform` for a whole batch in a handful of tensor ops:
 * affine (+ flips, folded into the same gather) -> channel shift -> brightness.
 * (Flips commute with the per-image channel shift, so Keras' order is preserved.)
 */
export function transformBatch(x: tf.Tensor4D, params: readonly TransformParams[], settings: ResampleSettings): tf.Tensor4D {
  const [b, h, w] = x.shape;
  checkCount(params, b);
  return tf.tidy(() => {
    const geometries = geometriesOf(params, h, w);
    let y: tf.Tensor4D = x;
    if (geometries.some(moves)) {
      const order = orderFor(geometries, settings);
      if (directKernelAvailable()) {
        const attrs = { geometries, order, mode: settings.fillMode, cval: settings.cval };
        y = tf.engine().runKernel(DIRECT_KERNEL, { x }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
      } else {
        y = applySamplingPlan(x, planSampling(geometries, h, w, order, settings.fillMode), settings.cval);
      }
    }
    y = applyColour(y, params);
    return y === x ? tf.clone(x) : y;
  });
}

/** NHWC float32 images in host memory (e.g. `flow()`'s source, read once). */
export interface HostImages {
  values: Float32Array;
  shape: readonly [number, number, number, number];
}

/** The host half of a batch cut from host images: the resampled values, no tensor yet. */
export interface ResampledRows {
  values: Float32Array;
  shape: [number, number, number, number];
  params: readonly TransformParams[];
}

/**
 * The geometric step of the batch `rows` of `source`, in JS on the host straight from
 * `source` (no row copy, no plan, no GPU dispatch, no tensor): pure computation, so it can run
 * ahead of the consumer (see `flow()`'s prefetch). {@link finishRows} makes the batch tensor;
 * together they are `transformBatch(gather(source, rows), params)` (the same numbers as on cpu).
 */
export function resampleRows(source: HostImages, rows: Int32Array, params: readonly TransformParams[], settings: ResampleSettings): ResampledRows {
  const [n, h, w, c] = source.shape;
  checkCount(params, rows.length);
  for (const r of rows) {
    if (!(r >= 0 && r < n)) throw usageError('E_AUGMENT_INPUT', `resampleRows: row ${r} is outside the source's ${n} images`);
  }
  const geometries = geometriesOf(params, h, w);
  const size = h * w * c;
  let values: Float32Array;
  if (geometries.some(moves)) {
    values = resampleDirect(source.values, geometries, h, w, c, orderFor(geometries, settings), settings.fillMode, settings.cval, rows);
  } else {
    values = new Float32Array(rows.length * size);
    for (let i = 0; i < rows.length; i++) values.set(source.values.subarray(rows[i]! * size, (rows[i]! + 1) * size), i * size);
  }
  return { values, shape: [rows.length, h, w, c], params };
}

/** The device half: the batch as a tensor on the active backend (an upload off cpu), then channel shift and brightness. */
export function finishRows(r: ResampledRows): tf.Tensor4D {
  return tf.tidy(() => applyColour(tf.tensor4d(r.values, r.shape), r.params));
}
