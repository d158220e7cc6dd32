import * as tfc from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect } from 'vitest';
import { exportOnnx } from '../index';
import { maxAbsDiff, randomArray, runOnnx, toNchw } from './runtime';

/** `n` test images, each its own brightness and contrast (noise alone looks alike to an untrained net). */
export function images(n: number, shape: number[]): Float32Array {
  const PIXELS = shape[0] * shape[1] * shape[2];
  const x = randomArray(n * PIXELS, 5);
  for (let b = 0; b < n; b++) {
    const scale = 0.2 + (1.8 * b) / Math.max(1, n - 1);
    const offset = (b % 3) * 0.3;
    for (let i = b * PIXELS; i < (b + 1) * PIXELS; i++) x[i] = x[i] * scale + offset;
  }
  return x;
}

/** Largest difference relative to the largest magnitude of `want` (at least 1). */
function relDiff(got: Float32Array, want: Float32Array): number {
  let scale = 1;
  for (const v of want) scale = Math.max(scale, Math.abs(v));
  return maxAbsDiff(got, want) / scale;
}

/**
 * The model with a second output: the input of its last layer (logits or pooled features),
 * which differ between images even where the softmax saturates.
 */
function withFeatures(model: tfl.LayersModel): tfl.LayersModel {
  const last = model.layers[model.layers.length - 1];
  if (model.outputs.length !== 1) return model;
  return tfl.model({ inputs: model.inputs, outputs: [model.outputs[0], last.input as tfl.SymbolicTensor], name: `${model.name}_features` });
}

function predictBoth(model: tfl.LayersModel, x: Float32Array, n: number, SHAPE: number[]): [Float32Array, Float32Array] {
  return tfc.tidy(() => {
    const ys = model.predict(tfc.tensor(x, [n, ...SHAPE])) as tfc.Tensor[];
    return [ys[0].dataSync() as Float32Array, ys[1].dataSync() as Float32Array];
  });
}

/**
 * ONNX Runtime against tfjs at batch 7 and 1, NHWC and NCHW: the model's output (softmax)
 * within 1e-4 absolute, its features within 1e-4 relative; the features of different images
 * differ, so the check cannot pass by saturation.
 */
export async function expectParity(base: tfl.LayersModel, label: string, SHAPE: number[]): Promise<void> {
  const model = withFeatures(base);
  const PIXELS = SHAPE[0] * SHAPE[1] * SHAPE[2];
  const x7 = images(7, SHAPE);
  const want = { 7: predictBoth(model, x7, 7, SHAPE), 1: predictBoth(model, x7.slice(0, PIXELS), 1, SHAPE) };
  const width = want[1][1].length;
  expect(relDiff(want[7][1].subarray(0, width), want[7][1].subarray(6 * width)), `${label}: the first and last images give different features`).toBeGreaterThan(1e-3);
  for (const layout of ['NHWC', 'NCHW'] as const) {
    const bytes = exportOnnx(model, { inputLayout: layout });
    for (const n of [7, 1] as const) {
      const x = x7.slice(0, n * PIXELS);
      const got = await runOnnx(bytes, layout === 'NCHW' ? toNchw(x, [n, ...SHAPE]) : x, layout === 'NCHW' ? [n, SHAPE[2], SHAPE[0], SHAPE[1]] : [n, ...SHAPE]);
      const [probs, features] = Object.values(got);
      expect(probs.dims[0], `${label} ${layout} batch ${n}`).toBe(n);
      expect(maxAbsDiff(probs.data, want[n][0]), `${label} ${layout} batch ${n} output`).toBeLessThan(1e-4);
      expect(relDiff(features.data, want[n][1]), `${label} ${layout} batch ${n} features`).toBeLessThan(1e-4);
    }
  }
}

