import * as tf from '@tensorflow/tfjs-core';
import { usageError } from '@tfbricks/core';
import { DIRECT_BACKENDS } from './resample-kernels';

export type HostValues = Float32Array | Int32Array | Uint8Array;

/**
 * Rows of a tensor along axis 0 (`tf.gather(t, rows)`), for building batches. Where the
 * tensor's values are on the host, the rows are copied straight out of them into the batch's
 * values, read once: on the cpu backend `dataSync()` is the backend's own array (no copy), on
 * wasm one synchronous copy out of the heap, elsewhere {@link load} downloads them.
 * tfjs-backend-cpu's gather walks every element through index arithmetic and tops out near
 * 1,000 CIFAR images/s; a GPU gather costs a dispatch per batch, and reading its labels back a
 * GPU round trip, where host rows cost neither.
 */
export class RowTaker {
  private host: HostValues | undefined;

  constructor(private readonly tensor: tf.Tensor) {}

  private get copyable(): boolean {
    return this.tensor.dtype !== 'string' && this.tensor.dtype !== 'complex64';
  }

  /** Download the values once (a no-op on the cpu backend, where they are read in place). */
  async load(): Promise<void> {
    if (!this.host && this.copyable && tf.getBackend() !== 'cpu') this.host = (await this.tensor.data()) as HostValues;
  }

  /**
   * The tensor's values in host memory, without a GPU round trip: downloaded by {@link load},
   * or read synchronously where the backend keeps them in CPU memory (cpu: in place; wasm:
   * copied once). Undefined otherwise (call `load()` first).
   */
  hostValues(): HostValues | undefined {
    if (this.tensor.isDisposed) throw usageError('E_AUGMENT_INPUT', 'flow: x or y was disposed while the flow still uses it');
    if (this.host || !this.copyable) return this.host;
    // Read once, then kept (a tensor's values never change; on cpu this is the backend's own array).
    if (DIRECT_BACKENDS.includes(tf.getBackend())) this.host = this.tensor.dataSync() as HostValues;
    return this.host;
  }

  /** The rows, as a new tensor on the active backend (the caller owns it). */
  take(rows: Int32Array): tf.Tensor {
    const t = this.tensor;
    const values = this.hostValues();
    if (!values) return tf.gather(t, tf.tensor1d(rows, 'int32'));
    const rowLength = t.shape.slice(1).reduce((a, b) => a * b, 1);
    const out = new (values.constructor as { new (n: number): HostValues })(rows.length * rowLength);
    for (let i = 0; i < rows.length; i++) {
      const start = rows[i]! * rowLength;
      out.set(values.subarray(start, start + rowLength), i * rowLength);
    }
    return tf.tensor(out, [rows.length, ...t.shape.slice(1)], t.dtype);
  }
}
