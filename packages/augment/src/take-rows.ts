import * as tf from '@tensorflow/tfjs-core';

type HostValues = Float32Array | Int32Array | Uint8Array;

/**
 * Rows of a tensor along axis 0 (`tf.gather(t, rows)`), for building batches. Where the
 * tensor's values are on the host, the rows are copied straight out of them into the batch's
 * values: on the cpu backend `dataSync()` is the backend's own array (no copy), elsewhere
 * {@link load} downloads them once. tfjs-backend-cpu's gather walks every element through
 * index arithmetic and tops out near 1,000 CIFAR images/s; a GPU gather costs a dispatch per
 * batch, and reading its labels back a GPU round trip, where host rows cost neither.
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

  /** The rows, as a new tensor on the active backend (the caller owns it). */
  take(rows: Int32Array): tf.Tensor {
    const t = this.tensor;
    const values = this.host ?? (this.copyable && tf.getBackend() === 'cpu' ? (t.dataSync() as HostValues) : undefined);
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
