import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { DirectConv } from './direct-conv';

type ConvAttrs = Pick<tf.Conv2DAttrs, 'strides' | 'pad' | 'dataFormat' | 'dilations' | 'dimRoundingMode'>;

const isOne = (d: number | [number, number] | undefined) => d === undefined || (Array.isArray(d) ? d.every((v) => v === 1) : d === 1);

/**
 * The direct kernel's convolution for a `Conv2D`/`FusedConv2D` call, or null where it does not
 * apply (NCHW, dilation, output channels not in fours, non-float32, an activation other than
 * relu, prelu weights, a bias that is not one value per output channel).
 */
export function planForwardConv(
  x: TensorInfo,
  filter: TensorInfo,
  attrs: ConvAttrs,
  fused?: { bias?: TensorInfo; activation?: string; preluActivationWeights?: TensorInfo },
): DirectConv | null {
  if (x.dtype !== 'float32' || filter.dtype !== 'float32' || (attrs.dataFormat ?? 'NHWC') !== 'NHWC' || !isOne(attrs.dilations)) return null;
  const activation = fused?.activation ?? 'linear';
  if ((activation !== 'linear' && activation !== 'relu') || fused?.preluActivationWeights) return null;
  const co = filter.shape[3]!;
  if (co % 4 !== 0) return null;
  const bias = fused?.bias;
  if (bias && (bias.dtype !== 'float32' || tf.util.sizeFromShape(bias.shape) !== co || bias.shape[bias.shape.length - 1] !== co)) return null;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  if (info.outHeight <= 0 || info.outWidth <= 0) return null;
  return {
    x,
    filter,
    ...(bias ? { bias } : {}),
    relu: activation === 'relu',
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
    strides: [info.strideHeight, info.strideWidth],
    outHeight: info.outHeight,
    outWidth: info.outWidth,
  };
}
