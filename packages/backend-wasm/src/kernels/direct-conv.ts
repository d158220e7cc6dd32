import type { TensorInfo } from '@tensorflow/tfjs-core';
import { padCopy } from './kernel-runtime';
import type { KernelRuntime } from './kernel-runtime';
import { useWinograd, winogradConv, winogradCovers } from './winograd';
import type { WasmBackendLike } from './wasm-calls';

/** One NHWC convolution for the direct kernel (wasm/conv-forward.mjs): no dilation, explicit pads. */
export interface DirectConv {
  x: TensorInfo;
  /** `[KH, KW, Ci, Co]`, Co a multiple of 4. */
  filter: TensorInfo;
  bias?: TensorInfo;
  relu: boolean;
  /** Rows on top and columns on the left of x (zeros); the bottom and right follow from the output size. */
  padTop: number;
  padLeft: number;
  strides: [number, number];
  outHeight: number;
  outWidth: number;
}

/**
 * `act(bias + conv(x, filter))` with tfbricks' WebAssembly kernels (3×3 stride 1: Winograd's
 * F(2×2, 3×3), see winograd.ts; else the direct kernel): x is copied once into a
 * zero-padded buffer, then the threads compute the batch, a few images at a time.
 */
export function directConv(runtime: KernelRuntime, backend: WasmBackendLike, conv: DirectConv): TensorInfo {
  if (winogradCovers(conv) && useWinograd()) return winogradConv(runtime, backend, conv);
  const [n, , , ci] = conv.x.shape as [number, number, number, number];
  const [kh, kw, , co] = conv.filter.shape as [number, number, number, number];
  const [sH, sW] = conv.strides;
  const hp = (conv.outHeight - 1) * sH + kh;
  const wp = (conv.outWidth - 1) * sW + kw;
  const padded = backend.makeOutput([n, hp, wp, ci], 'float32');
  const out = backend.makeOutput([n, conv.outHeight, conv.outWidth, co], 'float32');
  try {
    // Pointers after both allocations (the heap may have grown; offsets stay).
    const xp = backend.typedArrayFromHeap(padded).byteOffset;
    const x = backend.typedArrayFromHeap(conv.x).byteOffset;
    const y = backend.typedArrayFromHeap(out).byteOffset;
    const filter = backend.typedArrayFromHeap(conv.filter).byteOffset;
    const bias = conv.bias ? backend.typedArrayFromHeap(conv.bias).byteOffset : 0;
    padCopy(runtime, x, xp, conv.x.shape, hp, wp, conv.padTop, conv.padLeft);
    // Arguments 4 and 5: each chunk's images.
    const geometry = [hp, wp, ci, conv.outHeight, conv.outWidth, co, kh, kw, sH, sW, conv.relu ? 1 : 0, conv.bias ? 1 : 0, 0];
    runtime.runBatch('conv_forward', [[xp, filter, bias, y, 0, 0, ...geometry]], 4, n);
  } finally {
    backend.disposeData(padded.dataId);
  }
  return out;
}
