import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { countCall } from './kernel-runtime';
import type { KernelRuntime } from './kernel-runtime';
import type { WasmBackendLike } from './wasm-calls';

/** The binary ops of wasm/elementwise.mjs, by kernel name. */
export const BINARY_OPS = { Multiply: 0, Add: 1, Sub: 2, RealDiv: 3 } as const;
export type BinaryKernel = keyof typeof BINARY_OPS;

/** Below this many outputs tfjs' own kernel is as fast (one call's set-up costs more than the work). */
const MIN_ELEMENTS = 16384;
/** Elements per block a thread takes (a multiple of the channel count for per-channel operands). */
const BLOCK = 8192;

/** How an operand is read: whole (0), as a scalar (1), or one value per channel of the last axis (2); null: not covered. */
function modeOf(shape: number[], outShape: number[]): 0 | 1 | 2 | null {
  const size = tf.util.sizeFromShape(shape);
  if (size === tf.util.sizeFromShape(outShape)) return 0;
  if (size === 1) return 1;
  const channels = outShape[outShape.length - 1]!;
  return size === channels && shape[shape.length - 1] === channels && channels % 4 === 0 ? 2 : null;
}

/**
 * `a op b` for float32 tensors in WebAssembly SIMD where one operand is a per-channel vector (a
 * bias, batch norm's statistics and scale) and the other whole or a scalar: tfjs-backend-wasm's
 * broadcasting path takes 2.5× as long as a same-shape op there. Runs on the calling thread:
 * these ops are memory-bound, and waking a worker for each cost more than it saved (measured
 * on ResNet-20's step). Null where it does not apply (same-shape or scalar-only operands,
 * other broadcasts, dtypes, small tensors): tfjs' kernel then runs.
 */
export function directBinary(runtime: KernelRuntime, backend: WasmBackendLike, op: BinaryKernel, a: TensorInfo, b: TensorInfo): TensorInfo | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  const n = tf.util.sizeFromShape(outShape);
  if (n < MIN_ELEMENTS) return null;
  const am = modeOf(a.shape, outShape);
  const bm = modeOf(b.shape, outShape);
  if (am === null || bm === null || (am !== 2 && bm !== 2)) return null;
  const channels = outShape[outShape.length - 1]!;
  const block = channels * Math.max(1, Math.round(BLOCK / channels));
  const out = backend.makeOutput(outShape, 'float32');
  const ptr = (t: TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
  countCall('binary');
  runtime.exports.binary(BINARY_OPS[op], ptr(a), ptr(b), ptr(out), 0, Math.ceil(n / block), n, am, bm, channels, block);
  return out;
}
