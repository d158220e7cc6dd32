import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { DirectConv } from './direct-conv';
import { countCall, padCopy } from './kernel-runtime';
import type { KernelRuntime } from './kernel-runtime';
import type { WasmBackendLike } from './wasm-calls';

/** Env `TFBRICKS_WASM_WINOGRAD=0` keeps 3×3 stride-1 convolutions and filter gradients on the direct kernels (to compare). */
export const useWinograd = (): boolean => (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.TFBRICKS_WASM_WINOGRAD !== '0';

/**
 * Input channels from which F(2×2, 3×3) beats the direct kernel here (`bench/kernels.ts`, 2
 * threads, with the read-back: 32×32×32→32 6.5 vs 7.5 ms, 16×16×32→64 2.8 vs 3.4, 16×16×80→80
 * 6.4 vs 9.6, 8×8×128→128 4.1 vs 6.1; the seed model's step 347 vs 363 ms with it from 64).
 * Below 16 the products' reduction is too short to pay for the transforms.
 */
const MIN_CHANNELS = 16;

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
 * filter transformed once, the input zero-padded, then image by image (the threads taking
 * images as they go) the 4×4 tiles transformed, 16 products `[tiles, Ci]·[Ci, Co]` on the
 * direct kernel (1×1 convolutions with their own filters) and the 2×2 outputs transformed back,
 * through per-thread buffers of one image's tiles that stay in the core's cache.
 */
export function winogradConv(runtime: KernelRuntime, backend: WasmBackendLike, conv: DirectConv): TensorInfo {
  const [n, , , ci] = conv.x.shape as [number, number, number, number];
  const co = conv.filter.shape[3]!;
  const { outHeight: oh, outWidth: ow } = conv;
  const tH = Math.ceil(oh / 2);
  const tW = Math.ceil(ow / 2);
  const [hp, wp] = [2 * tH + 2, 2 * tW + 2];
  const threads = Math.max(1, Math.min(runtime.threads(), n));
  const temps = [
    backend.makeOutput([n, hp, wp, ci], 'float32'),
    backend.makeOutput([16, ci, co], 'float32'),
    ...Array.from({ length: threads }, () => backend.makeOutput([2, 16, tH * tW, Math.max(ci, co)], 'float32')),
  ];
  const out = backend.makeOutput([n, oh, ow, co], 'float32');
  try {
    // Pointers after every allocation (the heap may have grown; offsets stay).
    const ptr = (t: TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
    const [padded, u, ...scratch] = temps.map(ptr);
    const half = 16 * tH * tW * Math.max(ci, co) * 4;
    countCall('wino_filter');
    runtime.exports.wino_filter(ptr(conv.filter), u!, ci, co);
    padCopy(runtime, ptr(conv.x), padded!, conv.x.shape, hp, wp, conv.padTop, conv.padLeft);
    const bias = conv.bias ? ptr(conv.bias) : 0;
    const args = scratch.map((s) => [padded!, u!, ptr(out), bias, 0, 0, hp, wp, ci, oh, ow, co, tH, tW, conv.relu ? 1 : 0, conv.bias ? 1 : 0, s, s + half]);
    // Arguments 4 and 5: each thread's next image.
    runtime.runBatch('wino_fused', args, 4, n, 1);
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
  return out;
}
