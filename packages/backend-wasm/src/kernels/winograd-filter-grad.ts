import type * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { addSlices, batchSlices } from './batch-slices';
import { rowsPerBlock } from './direct-filter-grad';
import { countCall, padCopy } from './kernel-runtime';
import type { KernelRuntime } from './kernel-runtime';
import type { WasmBackendLike } from './wasm-calls';

/**
 * Input channels from which F(3×3, 2×2) beats the direct filter gradient here (`bench/kernels.ts`,
 * 2 threads: 16×16×80→80 8.0 vs 9.3 ms, 8×8×128→128 5.8 vs 7.2; with 32 channels it lost,
 * 7.1 vs 6.0: the two input transforms cost more than the products save).
 */
const MIN_CHANNELS = 64;
/** Tiles per group the products run over: a few images of small maps at once, so each product has enough positions. */
const TILES_PER_GROUP = 256;

/** Whether F(3×3, 2×2) serves this filter gradient: NHWC, 3×3, stride 1, no dilation, channels in fours, ≥ 64 input channels. */
export function winogradFilterGradCovers(info: tf.backend_util.Conv2DInfo): boolean {
  return (
    info.dataFormat === 'channelsLast' &&
    info.filterHeight === 3 &&
    info.filterWidth === 3 &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    info.inChannels % 4 === 0 &&
    info.inChannels >= MIN_CHANNELS &&
    info.outChannels % 4 === 0
  );
}

/**
 * `Conv2DBackpropFilter` by Winograd's F(3×3, 2×2) (wasm/winograd.mjs): each 2×2 tile of dy
 * and the 4×4 patch of x it sees give their 3×3 contribution as Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A, so
 * the 16 sums M_ξ = Σ_tiles V_ξᵀ W_ξ (on the direct filter-gradient kernel) make dW = Aᵀ M A:
 * 2.25× fewer multiplications. x is zero-padded as the forward pass pads it, dy to even sizes.
 */
export function winogradFilterGrad(runtime: KernelRuntime, backend: WasmBackendLike, info: tf.backend_util.Conv2DInfo, x: TensorInfo, dy: TensorInfo): TensorInfo {
  const { batchSize: n, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const tH = Math.ceil(oh / 2);
  const tW = Math.ceil(ow / 2);
  const [hp, wp, hq, wq] = [2 * tH + 2, 2 * tW + 2, 2 * tH, 2 * tW];
  const { perSlice, slices } = batchSlices(n);
  const group = Math.max(1, Math.min(perSlice, Math.floor(TILES_PER_GROUP / (tH * tW))));
  const threads = Math.max(1, Math.min(runtime.threads(), slices));
  const plane = ci * co;
  const temps = [
    backend.makeOutput([n, hp, wp, ci], 'float32'),
    backend.makeOutput([n, hq, wq, co], 'float32'),
    backend.makeOutput([slices, 16, plane], 'float32'),
    ...Array.from({ length: threads }, () => backend.makeOutput([16, group * tH * tW, ci + co], 'float32')),
  ];
  const out = backend.makeOutput([3, 3, ci, co], 'float32');
  try {
    // Views and pointers after every allocation (the heap may have grown; offsets stay).
    const ptr = (t: TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
    const [xp, dyq, m, ...scratch] = temps.map(ptr);
    const sums = backend.typedArrayFromHeap(temps[2]!) as Float32Array;
    sums.fill(0);
    padCopy(runtime, ptr(x), xp!, x.shape, hp, wp, info.padInfo.top, info.padInfo.left);
    padCopy(runtime, ptr(dy), dyq!, dy.shape, hq, wq, 0, 0);
    const rpb = rowsPerBlock(group * tH, tW);
    const vBytes = 16 * group * tH * tW * ci * 4;
    const args = scratch.map((s) => [xp!, dyq!, m!, 0, 0, hp, wp, ci, hq, wq, co, tH, tW, rpb, s, s + vBytes, perSlice, 16 * plane * 4, group]);
    // Arguments 3 and 4: each slice's images.
    runtime.runBatch('wgrad_fused', args, 3, n, perSlice);
    addSlices(runtime, m!, 16 * plane, slices);
    countCall('wgrad_out');
    runtime.exports.wgrad_out(m!, ptr(out), ci, co);
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
  return out;
}
