import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { directConv } from './direct-conv';
import type { KernelRuntime } from './kernel-runtime';
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

/**
 * The input gradient's filter, `flipped[kh, kw, co, ci] = W[KH−1−kh, KW−1−kw, ci, co]`, in one
 * pass (tfjs-backend-wasm's `Reverse` takes 7.5 ms on a 3×3×128×128 filter, this 0.3 ms).
 */
function flipFilter(calls: WasmCalls, filter: TensorInfo): TensorInfo {
  const [kh, kw, ci, co] = filter.shape as [number, number, number, number];
  const out = calls.alloc([kh, kw, co, ci]);
  const dst = calls.backend.typedArrayFromHeap(out) as Float32Array;
  const src = calls.backend.typedArrayFromHeap(filter) as Float32Array;
  const plane = ci * co;
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      const from = ((kh - 1 - y) * kw + (kw - 1 - x)) * plane;
      const to = (y * kw + x) * plane;
      for (let i = 0; i < ci; i++) {
        for (let o = 0; o < co; o++) dst[to + o * ci + i] = src[from + i * co + o]!;
      }
    }
  }
  return out;
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

/**
 * `Conv2DBackpropInput` (NHWC) as one convolution; `pads` from {@link planInputGrad}. It runs on
 * tfbricks' direct kernel when there is a runtime and the input channels come in fours, else
 * on XNNPACK.
 */
export function inputGradByConvolution(
  calls: WasmCalls,
  info: tf.backend_util.Conv2DInfo,
  dy: TensorInfo,
  filter: TensorInfo,
  pads: [number, number, number, number],
  runtime: KernelRuntime | null = null,
): TensorInfo {
  const flipped = flipFilter(calls, filter); // [KH, KW, Co, Ci]
  const strided = info.strideHeight > 1 || info.strideWidth > 1;
  const source = strided ? dilate(calls, dy, info.strideHeight, info.strideWidth) : dy;
  if (runtime && info.inChannels % 4 === 0) {
    return directConv(runtime, calls.backend, {
      x: source,
      filter: flipped,
      relu: false,
      padTop: pads[0],
      padLeft: pads[2],
      strides: [1, 1],
      outHeight: info.inHeight,
      outWidth: info.inWidth,
    });
  }
  return calls.conv(source, flipped, pads, [1, 1], true);
}
