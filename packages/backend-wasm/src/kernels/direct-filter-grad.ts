import type * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelRuntime } from './kernel-runtime';
import type { WasmBackendLike } from './wasm-calls';

/** Output rows per block so that a register tile runs over at least this many positions. */
const POSITIONS_PER_BLOCK = 128;

/** Whether the direct kernel covers this geometry: NHWC, no dilation, output channels in fours. */
export function directFilterGradCovers(info: tf.backend_util.Conv2DInfo): boolean {
  return info.dataFormat === 'channelsLast' && info.dilationHeight === 1 && info.dilationWidth === 1 && info.outChannels % 4 === 0;
}

/**
 * `Conv2DBackpropFilter` by tfbricks' own WebAssembly kernel (wasm/filter-grad.mjs) on the
 * tfjs heap: each thread sums the images it takes into its own `[KH, KW, Ci, Co]` buffer, the
 * calling one into the output, which then gets the others added.
 */
export function directFilterGrad(runtime: KernelRuntime, backend: WasmBackendLike, info: tf.backend_util.Conv2DInfo, x: TensorInfo, dy: TensorInfo): TensorInfo {
  const shape = [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels];
  const threads = Math.max(1, Math.min(runtime.threads(), info.batchSize));
  const outputs = Array.from({ length: threads }, () => backend.makeOutput(shape, 'float32'));
  try {
    // Heap views after every allocation: growing the heap moves nothing but detaches old views.
    const dw = outputs.map((o) => backend.typedArrayFromHeap(o) as Float32Array);
    for (const view of dw) view.fill(0);
    const xPtr = backend.typedArrayFromHeap(x).byteOffset;
    const dyPtr = backend.typedArrayFromHeap(dy).byteOffset;
    const rpb = Math.min(info.outHeight, Math.max(1, Math.ceil(POSITIONS_PER_BLOCK / info.outWidth)));
    const geometry = [
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
    ];
    // Arguments 3 and 4: each chunk's images.
    runtime.runBatch(
      'filter_grad',
      dw.map((view) => [xPtr, dyPtr, view.byteOffset, 0, 0, ...geometry]),
      3,
      info.batchSize,
    );
    for (let t = 1; t < dw.length; t++) runtime.exports.add_into(dw[0]!.byteOffset, dw[t]!.byteOffset, dw[0]!.length);
  } finally {
    for (const o of outputs.slice(1)) backend.disposeData(o.dataId);
  }
  return outputs[0]!;
}
