import type * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelRuntime } from './kernel-runtime';
import type { WasmBackendLike } from './wasm-calls';

/** Output rows per block so that a register tile runs over at least this many positions. */
const POSITIONS_PER_BLOCK = 32;

/** Whether the direct kernel covers this geometry: NHWC, no dilation, output channels in fours. */
export function directFilterGradCovers(info: tf.backend_util.Conv2DInfo): boolean {
  return info.dataFormat === 'channelsLast' && info.dilationHeight === 1 && info.dilationWidth === 1 && info.outChannels % 4 === 0;
}

/** Images [n0, n1) per thread, as even as the batch allows. */
export function splitBatch(batch: number, threads: number): Array<[number, number]> {
  const parts = Math.max(1, Math.min(threads, batch));
  return Array.from({ length: parts }, (_, t) => [Math.floor((t * batch) / parts), Math.floor(((t + 1) * batch) / parts)]);
}

/**
 * `Conv2DBackpropFilter` by tfbricks' own WebAssembly kernel (wasm/filter-grad.mjs) on the
 * tfjs heap: each thread sums its share of the batch into its own `[KH, KW, Ci, Co]` buffer,
 * the first one into the output, which then gets the others added.
 */
export function directFilterGrad(runtime: KernelRuntime, backend: WasmBackendLike, info: tf.backend_util.Conv2DInfo, x: TensorInfo, dy: TensorInfo): TensorInfo {
  const shape = [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels];
  const split = splitBatch(info.batchSize, runtime.threads());
  const outputs = split.map(() => backend.makeOutput(shape, 'float32'));
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
    runtime.run(
      'filter_grad',
      split.map(([n0, n1], t) => [xPtr, dyPtr, dw[t]!.byteOffset, n0, n1, ...geometry]),
    );
    for (let t = 1; t < dw.length; t++) runtime.exports.add_into(dw[0]!.byteOffset, dw[t]!.byteOffset, dw[0]!.length);
  } finally {
    for (const o of outputs.slice(1)) backend.disposeData(o.dataId);
  }
  return outputs[0]!;
}
