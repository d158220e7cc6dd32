import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { countCall } from './kernel-runtime';
import type { KernelRuntime } from './kernel-runtime';
import type { WasmBackendLike } from './wasm-calls';

/**
 * How many leading axes `axis` reduces when it is exactly `[0, …, k−1]` with `k` short of the
 * rank (a bias gradient: the sum of dy over batch, rows and columns); otherwise null.
 */
export function leadingAxes(shape: number[], axis: number | number[]): number | null {
  const axes = [...new Set(tf.util.parseAxisParam(axis, shape))].sort((a, b) => a - b);
  if (axes.length === 0 || axes.length >= shape.length) return null;
  return axes.every((a, i) => a === i) ? axes.length : null;
}

/**
 * `Sum` (or `Mean`) over the `k` leading axes of a float32 tensor as column sums, accumulated in doubles in
 * row order as tfjs-backend-cpu does, in WebAssembly with a kernel runtime (wasm/pooling-sums.mjs),
 * else in JavaScript. tfjs-backend-wasm transposes the reduced axes to the end first (7 ms for a
 * 32×32×32×48 dy).
 */
export function leadingSum(backend: WasmBackendLike, x: TensorInfo, k: number, keepDims: boolean, runtime: KernelRuntime | null = null, mean = false): TensorInfo {
  const inner = x.shape.slice(k);
  const width = tf.util.sizeFromShape(inner);
  const rows = tf.util.sizeFromShape(x.shape.slice(0, k));
  const outShape = keepDims ? [...x.shape.slice(0, k).map(() => 1), ...inner] : inner;
  const out = backend.makeOutput(outShape, 'float32');
  // Mean: each value divided by the count, rounded to float32, then summed (tfjs-backend-cpu's order).
  const divisor = mean ? rows : 1;
  // The same sums in WebAssembly SIMD (doubles, row order) where the row is whole vectors.
  if (runtime && width % 4 === 0 && width > 0) {
    const acc = backend.makeOutput([2 * width], 'float32');
    const ptr = (t: TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
    countCall('leading_sum');
    runtime.exports.leading_sum(ptr(x), ptr(out), ptr(acc), rows, width, divisor);
    backend.disposeData(acc.dataId);
    return out;
  }
  const src = backend.typedArrayFromHeap(x) as Float32Array;
  const acc = new Float64Array(width);
  for (let r = 0; r < rows; r++) {
    const base = r * width;
    for (let c = 0; c < width; c++) acc[c]! += Math.fround(src[base + c]! / divisor);
  }
  (backend.typedArrayFromHeap(out) as Float32Array).set(acc);
  return out;
}
