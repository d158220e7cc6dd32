import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmCalls } from './wasm-calls';

/**
 * Where the filter gradient's one convolution reads, for a layer with this geometry:
 * `dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·sH − pT + kh, ow·sW − pL + kw, ci] · dy[n,oh,ow,co]`
 * is a stride-1 convolution of x seen as `[Ci, H, W, N]` (channels = the batch) with dy seen as
 * a `[OH, OW, N, Co]` filter dilated by the stride, padded `pT` on top and so much below that
 * exactly `KH` output rows come out. When that bottom pad is negative, the last rows of x are
 * never read and are cropped instead.
 */
export interface FilterGradPlan {
  pads: [number, number, number, number];
  /** Rows and columns of x the convolution reads (x is cropped when smaller than H, W). */
  cropHeight: number;
  cropWidth: number;
}

export function planFilterGrad(info: tf.backend_util.Conv2DInfo): FilterGradPlan {
  const axis = (size: number, filter: number, out: number, stride: number, before: number) => {
    const after = filter + (out - 1) * stride - size - before;
    return after >= 0 ? { after, crop: size } : { after: 0, crop: size + after };
  };
  const { top, left } = info.padInfo;
  const h = axis(info.inHeight, info.filterHeight, info.outHeight, info.strideHeight, top);
  const w = axis(info.inWidth, info.filterWidth, info.outWidth, info.strideWidth, left);
  return { pads: [top, h.after, left, w.after], cropHeight: h.crop, cropWidth: w.crop };
}

/** `Conv2DBackpropFilter` as one XNNPACK convolution between two transposes (see {@link planFilterGrad}). */
export function filterGradByConvolution(calls: WasmCalls, info: tf.backend_util.Conv2DInfo, x: TensorInfo, dy: TensorInfo): TensorInfo {
  const nchw = info.dataFormat === 'channelsFirst';
  const plan = planFilterGrad(info);
  // [Ci, H, W, N] and [OH, OW, N, Co] from NHWC (or NCHW) inputs.
  let xt = calls.transpose(x, nchw ? [1, 2, 3, 0] : [3, 1, 2, 0]);
  if (plan.cropHeight < info.inHeight || plan.cropWidth < info.inWidth) {
    const attrs = { begin: [0, 0, 0, 0], size: [info.inChannels, plan.cropHeight, plan.cropWidth, info.batchSize] };
    xt = calls.run('Slice', { x: xt }, attrs as unknown as tf.NamedAttrMap);
  }
  const dyt = calls.transpose(dy, nchw ? [2, 3, 0, 1] : [1, 2, 0, 3]);
  const grad = calls.conv(xt, dyt, plan.pads, [info.strideHeight, info.strideWidth]); // [Ci, KH, KW, Co]
  return calls.transpose(grad, [1, 2, 0, 3], true);
}
