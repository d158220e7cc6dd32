import type { KernelRuntime } from './kernel-runtime';

/**
 * The batch is cut into this many slices (fewer for small batches), each summed into its own
 * buffer whichever thread takes it: enough to share out over 8 threads, few enough to add up.
 * Added in order, the slices give the same bits for any thread count and timing (a resumed
 * run reproduces an uninterrupted one exactly).
 */
const SLICES = 8;

/** How a batch of `batch` images is sliced: images per slice, and slices. */
export function batchSlices(batch: number): { perSlice: number; slices: number } {
  const perSlice = Math.ceil(batch / SLICES);
  return { perSlice, slices: Math.ceil(batch / perSlice) };
}

/** Sum `slices` buffers of `size` floats, consecutive from byte `base`, into the first, in order. */
export function addSlices(runtime: KernelRuntime, base: number, size: number, slices: number): void {
  for (let s = 1; s < slices; s++) runtime.exports.add_into(base, base + s * size * 4, size);
}
