import type * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { addSlices, batchSlices } from './batch-slices';
import type { KernelRuntime } from './kernel-runtime';
import type { WasmBackendLike } from './wasm-calls';

/** A register tile of the filter-gradient kernel runs over at least this many positions before its accumulators are stored. */
const POSITIONS_PER_BLOCK = 128;

/** The kernel's output rows per block for a map of `rows × width` positions. */
export function rowsPerBlock(rows: number, width: number): number {
  return Math.min(rows, Math.max(1, Math.ceil(POSITIONS_PER_BLOCK / width)));
}

/** Whether the direct kernel covers this geometry: NHWC, no dilation, output channels in fours. */
export function directFilterGradCovers(info: tf.backend_util.Conv2DInfo): boolean {
  return info.dataFormat === 'channelsLast' && info.dilationHeight === 1 && info.dilationWidth === 1 && info.outChannels % 4 === 0;
}

/**
 * `Conv2DBackpropFilter` by tfbricks' own WebAssembly kernel (wasm/filter-grad.mjs) on the
 * tfjs heap: the threads take the batch's slices (batch-slices.ts) as they go, each slice sums
 * into its own `[KH, KW, Ci, Co]` buffer, and the slices are added in order.
 */
export function directFilterGrad(runtime: KernelRuntime, backend: WasmBackendLike, info: tf.backend_util.Conv2DInfo, x: TensorInfo, dy: TensorInfo): TensorInfo {
  const shape = [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels];
  const size = shape.reduce((a, b) => a * b, 1);
  const { perSlice, slices } = batchSlices(info.batchSize);
  const out = backend.makeOutput(shape, 'float32');
  const partial = backend.makeOutput([slices, ...shape], 'float32');
  try {
    // Heap views after every allocation: growing the heap moves nothing but detaches old views.
    const sums = backend.typedArrayFromHeap(partial) as Float32Array;
    sums.fill(0);
    const rpb = rowsPerBlock(info.outHeight, info.outWidth);
    const args = [
      backend.typedArrayFromHeap(x).byteOffset,
      backend.typedArrayFromHeap(dy).byteOffset,
      sums.byteOffset,
      0,
      0,
      info.inHeight,
      info.inWidth,
      info.inChannels,
      info.outHeight,
      info.outWidth,
      info.outChannels,
      info.filterHeight,
      info.filterWidth,
      info.strideHeight,
      info.strideWidth,
      info.padInfo.top,
      info.padInfo.left,
      rpb,
      perSlice,
      size * 4,
    ];
    // Arguments 3 and 4: each slice's images.
    runtime.runBatch('filter_grad', [args], 3, info.batchSize, perSlice);
    addSlices(runtime, sums.byteOffset, size, slices);
    (backend.typedArrayFromHeap(out) as Float32Array).set(sums.subarray(0, size));
  } finally {
    backend.disposeData(partial.dataId);
  }
  return out;
}
