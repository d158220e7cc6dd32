import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelRuntime } from './kernel-runtime';
import type { WasmBackendLike } from './wasm-calls';

/** Whether the WebAssembly kernel (wasm/pooling-sums.mjs) covers it: windows that never overlap, channels in fours. */
export function directMaxPoolGradCovers(info: tf.backend_util.Conv2DInfo): boolean {
  const overlapping = info.strideHeight < info.effectiveFilterHeight || info.strideWidth < info.effectiveFilterWidth;
  return !overlapping && info.inChannels % 4 === 0 && info.dataFormat === 'channelsLast';
}

/** {@link maxPoolGrad} in WebAssembly SIMD, the batch shared out over the runtime's threads. */
export function directMaxPoolGrad(runtime: KernelRuntime, backend: WasmBackendLike, info: tf.backend_util.Conv2DInfo, dy: TensorInfo, x: TensorInfo): TensorInfo {
  const out = backend.makeOutput(x.shape, 'float32');
  const ptr = (t: TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
  const geometry = [
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.effectiveFilterHeight,
    info.effectiveFilterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  ];
  const [xp, dyp, dxp] = [ptr(x), ptr(dy), ptr(out)];
  // Arguments 3 and 4: each chunk's images.
  runtime.runBatch('max_pool_grad', [[xp, dyp, dxp, 0, 0, ...geometry]], 3, info.batchSize);
  return out;
}

/**
 * `MaxPoolGrad` (NHWC) on the wasm heap: each window's dy goes to the first maximum of its
 * window (strictly greater, scanning rows then columns), as tfjs-backend-cpu decides it.
 * tfjs-backend-wasm's own kernel routes some gradients to the wrong pixel (the parity suite's
 * 8×8×5 valid and 7×7×3 same cases).
 */
export function maxPoolGrad(backend: WasmBackendLike, info: tf.backend_util.Conv2DInfo, dy: TensorInfo, x: TensorInfo): TensorInfo {
  const out = backend.makeOutput(x.shape, 'float32');
  // Views after the allocation: growing the heap detaches earlier ones.
  const dx = backend.typedArrayFromHeap(out) as Float32Array;
  const xs = backend.typedArrayFromHeap(x) as Float32Array;
  const dys = backend.typedArrayFromHeap(dy) as Float32Array;
  const { strideHeight, strideWidth } = info;
  // Windows that never overlap give each pixel at most one term: written straight into dx.
  // Overlapping ones sum in double precision, in tfjs-backend-cpu's order, so they agree exactly.
  const overlapping = strideHeight < info.effectiveFilterHeight || strideWidth < info.effectiveFilterWidth;
  const sums = overlapping ? new Float64Array(dx.length) : undefined;
  dx.fill(0);
  const best = new Float32Array(info.inChannels);
  const at = new Int32Array(info.inChannels);
  const windows = info.batchSize * info.outHeight * info.outWidth;
  for (let wi = 0; wi < windows; wi++) {
    findMaxima(info, xs, wi, best, at);
    const dyBase = wi * info.inChannels;
    for (let d = 0; d < info.inChannels; d++) {
      const i = at[d]!;
      if (i < 0) continue;
      if (sums) sums[i] = sums[i]! + dys[dyBase + d]!;
      else dx[i] = dys[dyBase + d]!;
    }
  }
  if (sums) dx.set(sums);
  return out;
}

/**
 * For window `wi` (batch, output row, output column in NHWC order), the flat index of each
 * channel's first maximum (strictly greater, rows then columns) into `at` (-1: none, e.g. all
 * NaN). Channels are the inner loop, so the window's pixels are read contiguously.
 */
function findMaxima(info: tf.backend_util.Conv2DInfo, xs: Float32Array, wi: number, best: Float32Array, at: Int32Array): void {
  const { inHeight, inWidth, inChannels: c, outHeight, outWidth } = info;
  const ow = wi % outWidth;
  const oh = Math.floor(wi / outWidth) % outHeight;
  const b = Math.floor(wi / (outWidth * outHeight));
  const r0 = oh * info.strideHeight - info.padInfo.top;
  const c0 = ow * info.strideWidth - info.padInfo.left;
  const rMax = Math.min(inHeight, r0 + info.effectiveFilterHeight);
  const cMax = Math.min(inWidth, c0 + info.effectiveFilterWidth);
  best.fill(Number.NEGATIVE_INFINITY);
  at.fill(-1);
  for (let r = Math.max(0, r0); r < rMax; r++) {
    for (let col = Math.max(0, c0); col < cMax; col++) {
      const base = ((b * inHeight + r) * inWidth + col) * c;
      for (let d = 0; d < c; d++) {
        const v = xs[base + d]!;
        if (v > best[d]!) {
          best[d] = v;
          at[d] = base + d;
        }
      }
    }
  }
}
