import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmCalls } from './wasm-calls';

/**
 * The input gradient as a stride-1 convolution of dy — spread out by the stride (zeros
 * between its rows and columns) — with the filter turned 180° and its channel axes swapped:
 * `dx[ih] = Σ_kh dyDilated[ih + pT − kh] · W[kh]`, i.e. a convolution padded `KH − 1 − pT` on
 * top and `inH − L + pT` below (`L` the dilated length). Returns null for geometries where a
 * pad would be negative (padding larger than the filter); those go to tfjs' kernel.
 */
export function planInputGrad(info: tf.backend_util.Conv2DInfo): [number, number, number, number] | null {
  const axis = (size: number, filter: number, out: number, stride: number, before: number) => {
    const dilated = (out - 1) * stride + 1;
    return [filter - 1 - before, size - dilated + before];
  };
  const [top, bottom] = axis(info.inHeight, info.filterHeight, info.outHeight, info.strideHeight, info.padInfo.top);
  const [left, right] = axis(info.inWidth, info.filterWidth, info.outWidth, info.strideWidth, info.padInfo.left);
  const pads: [number, number, number, number] = [top!, bottom!, left!, right!];
  return pads.every((p) => p >= 0) ? pads : null;
}

/** dy with `stride − 1` zeros between neighbouring rows and columns (NHWC). */
function dilate(calls: WasmCalls, dy: TensorInfo, sH: number, sW: number): TensorInfo {
  const [n, oh, ow, c] = dy.shape as [number, number, number, number];
  const dh = (oh - 1) * sH + 1;
  const dw = (ow - 1) * sW + 1;
  const out = calls.alloc([n, dh, dw, c]);
  // Views after the allocation: growing the wasm heap detaches earlier ones.
  const dst = calls.backend.typedArrayFromHeap(out) as Float32Array;
  const src = calls.backend.typedArrayFromHeap(dy) as Float32Array;
  dst.fill(0);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      const srcRow = ((b * oh + y) * ow) * c;
      const dstRow = ((b * dh + y * sH) * dw) * c;
      for (let x = 0; x < ow; x++) dst.set(src.subarray(srcRow + x * c, srcRow + (x + 1) * c), dstRow + x * sW * c);
    }
  }
  return out;
}

/** `Conv2DBackpropInput` (NHWC) as one XNNPACK convolution; `pads` from {@link planInputGrad}. */
export function inputGradByConvolution(
  calls: WasmCalls,
  info: tf.backend_util.Conv2DInfo,
  dy: TensorInfo,
  filter: TensorInfo,
  pads: [number, number, number, number],
): TensorInfo {
  const reversed = calls.run('Reverse', { x: filter }, { dims: [0, 1] } as unknown as tf.NamedAttrMap);
  const flipped = calls.transpose(reversed, [0, 1, 3, 2]); // [KH, KW, Co, Ci]
  const strided = info.strideHeight > 1 || info.strideWidth > 1;
  const source = strided ? dilate(calls, dy, info.strideHeight, info.strideWidth) : dy;
  return calls.conv(source, flipped, pads, [1, 1], true);
}
