import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';

/** The slice of tfjs-backend-wasm's `BackendWasm` the tfbricks kernels use. */
export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

export type KernelArgs = { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: NamedAttrMap };
export type KernelImpl = (args: KernelArgs) => TensorInfo | TensorInfo[];

/**
 * Runs one of tfjs-backend-wasm's own kernels (XNNPACK convolution, transpose, …) directly on
 * the backend, the way its composite kernels do, and frees the intermediates it is given.
 */
export class WasmCalls {
  private readonly temps: TensorInfo[] = [];

  constructor(
    readonly backend: WasmBackendLike,
    private readonly lookup: (name: string) => KernelImpl,
  ) {}

  /** Run kernel `name`; the result is freed by {@link dispose} unless `keep` is true. */
  run(name: string, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap, keep = false): TensorInfo {
    const out = this.lookup(name)({ inputs, backend: this.backend, attrs }) as TensorInfo;
    if (!keep) this.temps.push(out);
    return out;
  }

  transpose(x: TensorInfo, perm: number[], keep = false): TensorInfo {
    return this.run('Transpose', { x }, { perm } as unknown as NamedAttrMap, keep);
  }

  /** Explicitly padded, stride-1 NHWC convolution on XNNPACK. */
  conv(x: TensorInfo, filter: TensorInfo, pads: [number, number, number, number], dilations: [number, number], keep = false): TensorInfo {
    const [top, bottom, left, right] = pads;
    const attrs = {
      strides: [1, 1],
      pad: [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations,
      dimRoundingMode: undefined,
    };
    return this.run('Conv2D', { x, filter }, attrs as unknown as NamedAttrMap, keep);
  }

  /** A new float32 tensor owned by this call set (freed by {@link dispose}). */
  alloc(shape: number[]): TensorInfo {
    const out = this.backend.makeOutput(shape, 'float32');
    this.temps.push(out);
    return out;
  }

  dispose(): void {
    for (const t of this.temps.splice(0)) this.backend.disposeData(t.dataId);
  }
}
