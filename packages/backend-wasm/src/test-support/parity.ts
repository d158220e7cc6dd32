// Test support for the wasm kernel suites: run the same computation on cpu and wasm and
// compare at a tolerance, with a leak check.
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { lcgValues as values } from '@tfbricks/test-browser';
import { cpuBackend } from '@tfbricks/backend-cpu';
import { createBackendRegistry } from '@tfbricks/core';
import { wasmBackend } from '../wasm-backend';

export const TOL = { atol: 2e-5, rtol: 2e-5 };

/** Initialise cpu and wasm (tfbricks' kernels on) in this process. */
export async function initCpuAndWasm(): Promise<void> {
  const registry = createBackendRegistry({ env: {} }).register(cpuBackend()).register(wasmBackend());
  for (const name of ['cpu', 'wasm']) {
    const outcome = await registry.init(name);
    if (!outcome.ok) throw new Error(`${name} unusable: ${outcome.reason}`);
  }
}

export const input = (shape: number[], seed: number) => tf.tensor(values(shape.reduce((a, b) => a * b, 1), seed), shape);

/** Run `f` on a backend; returns each output's values, and checks nothing leaked. */
export async function on(backend: string, f: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const outs = tf.tidy(f);
  const data = await Promise.all(outs.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(outs);
  expect(tf.memory().numTensors, `tensors leaked on ${backend}`).toBe(before);
  return data;
}

export async function expectParity(f: () => tf.Tensor[], tol = TOL): Promise<void> {
  const expected = await on('cpu', f);
  const actual = await on('wasm', f);
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, k) => {
    const e = expected[k]!;
    expect(a.length, `output ${k} size`).toBe(e.length);
    let worst = 0;
    let at = -1;
    for (let i = 0; i < e.length; i++) {
      const diff = Math.abs(a[i]! - e[i]!);
      const ratio = diff === 0 ? 0 : diff / (tol.atol + tol.rtol * Math.abs(e[i]!));
      if (!(ratio <= worst)) {
        worst = ratio;
        at = i;
      }
    }
    expect(worst, `output ${k}: element ${at} got ${a[at]}, expected ${e[at]}`).toBeLessThanOrEqual(1);
  });
}

export type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
export const explicit = (t: number, b: number, l: number, r: number): Pad => [
  [0, 0],
  [t, b],
  [l, r],
  [0, 0],
];

export function convGrads(xShape: number[], wShape: number[], strides: number | [number, number], pad: Pad): () => tf.Tensor[] {
  return () => {
    const x = input(xShape, 1);
    const w = input(wShape, 2);
    const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, strides, pad as 'same');
    const dy = input(y.shape, 3);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad as 'same'))([x, w], dy);
    return [y, dx!, dw!];
  };
}
