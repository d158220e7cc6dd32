import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './wasm-calls';

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
  // Sums in double precision, in tfjs-backend-cpu's order, so overlapping windows agree exactly.
  const sums = new Float64Array(dx.length);
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth, strideHeight, strideWidth } = info;
  const fh = info.effectiveFilterHeight;
  const fw = info.effectiveFilterWidth;
  const { top, left } = info.padInfo;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const r0 = oh * strideHeight - top;
      const rMin = Math.max(0, r0);
      const rMax = Math.min(inHeight, r0 + fh);
      for (let ow = 0; ow < outWidth; ow++) {
        const c0 = ow * strideWidth - left;
        const cMin = Math.max(0, c0);
        const cMax = Math.min(inWidth, c0 + fw);
        const dyBase = ((b * outHeight + oh) * outWidth + ow) * c;
        for (let d = 0; d < c; d++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let r = rMin; r < rMax; r++) {
            let i = ((b * inHeight + r) * inWidth + cMin) * c + d;
            for (let col = cMin; col < cMax; col++, i += c) {
              const v = xs[i]!;
              if (v > best) {
                best = v;
                at = i;
              }
            }
          }
          if (at >= 0) sums[at] = sums[at]! + dys[dyBase + d]!;
        }
      }
    }
  }
  dx.set(sums);
  return out;
}
