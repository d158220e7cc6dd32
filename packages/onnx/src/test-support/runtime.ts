import '@tensorflow/tfjs-backend-cpu';
import * as tfc from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';

/** Run an exported model once on ONNX Runtime (CPU provider): every output by name. */
export async function runOnnx(bytes: Uint8Array, input: Float32Array, dims: number[]): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
  try {
    const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', input, dims) };
    const result = await session.run(feeds);
    const out: Record<string, { data: Float32Array; dims: readonly number[] }> = {};
    for (const name of session.outputNames) out[name] = { data: result[name].data as Float32Array, dims: result[name].dims };
    return out;
  } finally {
    await session.release();
  }
}

/** The model's output on the tfjs cpu backend (inference mode). */
export function tfPredict(model: tfl.LayersModel, input: Float32Array, shape: number[]): Float32Array {
  return tfc.tidy(() => {
    const y = model.predict(tfc.tensor(input, shape)) as tfc.Tensor;
    return y.dataSync() as Float32Array;
  });
}

/** NHWC -> NCHW copy of a batch. */
export function toNchw(x: Float32Array, [n, h, w, c]: number[]): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) for (let k = 0; k < c; k++) out[((b * c + k) * h + i) * w + j] = x[((b * h + i) * w + j) * c + k];
  return out;
}

/** Deterministic pseudo-random values in [lo, hi). */
export function randomArray(n: number, seed: number, lo = 0, hi = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = lo + (hi - lo) * (s / 4294967296);
  }
  return out;
}

/** Largest absolute difference. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
