import type * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelRuntime } from './kernel-runtime';
import type { WasmBackendLike } from './wasm-calls';

/** Output rows per block so that a register tile runs over at least this many positions. */
const POSITIONS_PER_BLOCK = 128;
/**
 * The batch is cut into this many slices (fewer for small batches), each summed into its own
 * buffer whichever thread takes it: enough to share out over 8 threads, few enough to add up.
 */
const SLICES = 8;

/** Whether the direct kernel covers this geometry: NHWC, no dilation, output channels in fours. */
export function directFilterGradCovers(info: tf.backend_util.Conv2DInfo): boolean {
  return info.dataFormat === 'channelsLast' && info.dilationHeight === 1 && info.dilationWidth === 1 && info.outChannels % 4 === 0;
}

/**
 * `Conv2DBackpropFilter` by tfbricks' own WebAssembly kernel (wasm/filter-grad.mjs) on the
 * tfjs heap: the batch is cut into 8 slices of a few images, the threads take slices as they
 * go, each slice sums into its own `[KH, KW, Ci, Co]` buffer, and the slices are added in
 * order. The result is the same bits whatever the threads and their timing (a resumed run
 * reproduces an uninterrupted one exactly).
 */
export function directFilterGrad(runtime: KernelRuntime, backend: WasmBackendLike, info: tf.backend_util.Conv2DInfo, x: TensorInfo, dy: TensorInfo): TensorInfo {
  const shape = [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels];
  const size = shape.reduce((a, b) => a * b, 1);
  const perSlice = Math.ceil(info.batchSize / SLICES);
  const slices = Math.ceil(info.batchSize / perSlice);
  const out = backend.makeOutput(shape, 'float32');
  const partial = backend.makeOutput([slices, ...shape], 'float32');
  try {
    // Heap views after every allocation: growing the heap moves nothing but detaches old views.
    const sums = backend.typedArrayFromHeap(partial) as Float32Array;
    sums.fill(0);
    const rpb = Math.min(info.outHeight, Math.max(1, Math.ceil(POSITIONS_PER_BLOCK / info.outWidth)));
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
    const dw = backend.typedArrayFromHeap(out) as Float32Array;
    dw.set(sums.subarray(0, size));
    for (let s = 1; s < slices; s++) runtime.exports.add_into(dw.byteOffset, sums.byteOffset + s * size * 4, size);
  } finally {
    backend.disposeData(partial.dataId);
  }
  return out;
}
