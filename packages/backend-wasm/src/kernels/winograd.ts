import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { DirectConv } from './direct-conv';
import { countCall } from './kernel-runtime';
import type { KernelRuntime } from './kernel-runtime';
import type { WasmBackendLike } from './wasm-calls';

/**
 * Input channels from which F(2×2, 3×3) beats the direct kernel here (`bench/kernels.ts`,
 * 2 threads: 16×16×80→80 7.3–8.1 vs 9.6–9.7 ms, 8×8×128→128 5.6–5.8 vs 6.1 ms; 32 channels
 * even, the products' reduction too short to pay for the transforms' memory passes).
 */
const MIN_CHANNELS = 64;

/**
 * Whether Winograd's F(2×2, 3×3) serves this convolution: a 3×3 filter, stride 1, output
 * channels in fours and at least {@link MIN_CHANNELS} input channels. It needs 2.25× fewer
 * multiplications than the direct kernel, for three memory passes (input transform, products,
 * output transform).
 */
export function winogradCovers(conv: DirectConv): boolean {
  const [kh, kw, ci, co] = conv.filter.shape as [number, number, number, number];
  return kh === 3 && kw === 3 && conv.strides[0] === 1 && conv.strides[1] === 1 && ci % 4 === 0 && ci >= MIN_CHANNELS && co % 4 === 0;
}

/**
 * `act(bias + conv(x, filter))` by F(2×2, 3×3) on the kernel runtime (wasm/winograd.mjs): the
 * padded input's 4×4 tiles transformed, 16 products of `[tiles, Ci]·[Ci, Co]` on the direct
 * kernel (as 1×1 convolutions, one filter each), the 2×2 outputs transformed back.
 */
export function winogradConv(runtime: KernelRuntime, backend: WasmBackendLike, conv: DirectConv): TensorInfo {
  const [n, h, w, ci] = conv.x.shape as [number, number, number, number];
  const co = conv.filter.shape[3]!;
  const { outHeight: oh, outWidth: ow } = conv;
  const tH = Math.ceil(oh / 2);
  const tW = Math.ceil(ow / 2);
  const tiles = n * tH * tW;
  const [hp, wp] = [2 * tH + 2, 2 * tW + 2];
  const temps = [
    backend.makeOutput([n, hp, wp, ci], 'float32'),
    backend.makeOutput([16, tiles, ci], 'float32'),
    backend.makeOutput([16, ci, co], 'float32'),
    backend.makeOutput([16, tiles, co], 'float32'),
  ];
  const out = backend.makeOutput([n, oh, ow, co], 'float32');
  try {
    // Views and pointers after every allocation (the heap may have grown).
    const [padded, v, u, m] = temps.map((t) => backend.typedArrayFromHeap(t) as Float32Array);
    const ptr = (t: TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
    countCall('wino_filter');
    runtime.exports.wino_filter(ptr(conv.filter), u!.byteOffset, ci, co);
    const bias = conv.bias ? ptr(conv.bias) : 0;
    runtime.runBatch('pad_copy', [[ptr(conv.x), padded!.byteOffset, 0, 0, h, w, ci, hp, wp, conv.padTop, conv.padLeft]], 2, n);
    runtime.runBatch('wino_in', [[padded!.byteOffset, v!.byteOffset, 0, 0, hp, wp, ci, tH, tW, tiles]], 2, n);
    // The 16 products: "images" ξ of 1 × tiles pixels, each with its own 1×1 filter U_ξ.
    runtime.runBatch('conv_forward', [[v!.byteOffset, u!.byteOffset, 0, m!.byteOffset, 0, 0, 1, tiles, ci, 1, tiles, co, 1, 1, 1, 1, 0, 0, ci * co * 4]], 4, 16, 1);
    runtime.runBatch('wino_out', [[m!.byteOffset, ptr(out), bias, 0, 0, oh, ow, co, tH, tW, tiles, conv.relu ? 1 : 0, conv.bias ? 1 : 0]], 3, n);
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
  return out;
}
