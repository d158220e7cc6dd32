import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './wasm-calls';

type Heap = Float32Array | Int32Array | Uint8Array;

/**
 * `Tile` on the wasm heap by block copies: each axis, innermost first, lays out its source
 * rows once and then repeats the finished block with `copyWithin` (memory speed). tfjs-backend-
 * wasm's kernel visits every output element with index arithmetic: batch norm's gradient
 * (which tiles `[1, 1, 1, C]` statistics to the activation's shape) made it the largest single
 * cost of a ResNet-20 step. Numeric dtypes only (strings go to tfjs' kernel).
 */
export function tile(backend: WasmBackendLike, x: TensorInfo, reps: number[]): TensorInfo {
  const shape = x.shape;
  const outShape = shape.map((s, i) => s * reps[i]!);
  const out = backend.makeOutput(outShape, x.dtype);
  const size = outShape.reduce((a, b) => a * b, 1);
  if (size === 0) return out;
  // Views after the allocation: growing the heap detaches earlier ones.
  const dst = backend.typedArrayFromHeap(out);
  const src = backend.typedArrayFromHeap(x);
  if (shape.length === 0) {
    dst[0] = src[0]!;
    return out;
  }
  const srcStrides = strides(shape);
  const dstStrides = strides(outShape);
  fill(0, 0, 0);
  return out;

  /** Writes axis `dim`'s block of the output starting at `dstOffset` from the source at `srcOffset`. */
  function fill(dim: number, srcOffset: number, dstOffset: number): void {
    const last = dim === shape.length - 1;
    const block = shape[dim]! * dstStrides[dim]!;
    if (last) (dst as Heap).set((src as Heap).subarray(srcOffset, srcOffset + shape[dim]!), dstOffset);
    else for (let i = 0; i < shape[dim]!; i++) fill(dim + 1, srcOffset + i * srcStrides[dim]!, dstOffset + i * dstStrides[dim]!);
    repeat(dst, dstOffset, block, reps[dim]!);
  }
}

/** Row-major strides of `shape`. */
function strides(shape: number[]): number[] {
  const out = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = s;
    s *= shape[i]!;
  }
  return out;
}

/** `heap[offset, offset + block)` repeated `times` times in a row, doubling the copied span. */
function repeat(heap: Heap, offset: number, block: number, times: number): void {
  const total = block * times;
  for (let done = block; done < total; ) {
    const n = Math.min(done, total - done);
    heap.copyWithin(offset + done, offset, offset + n);
    done += n;
  }
}
