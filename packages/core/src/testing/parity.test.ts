import * as tfl from '@tensorflow/tfjs-layers';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { BackendPlugin } from '../backend';
import { TfbricksError } from '../errors';
import { Rng } from '../random';
import {
  type ParityCase,
  affineMatrix,
  caseSeed,
  composedAffineWarp,
  compareParityOutput,
  describeParity,
  normalInput,
  parityCases,
  parityInputs,
  runParityCase,
} from './parity';

const cpu: BackendPlugin = {
  name: 'cpu',
  tfjsBackend: 'cpu',
  priority: 0,
  description: 'cpu',
  capabilities: { training: true, float32: true, gpu: false },
  async init() {
    return { device: { description: 'tfjs cpu' } };
  },
};

/** The cpu implementation under another tfjs name: a second "backend" that must match exactly. */
const cpuCopy: BackendPlugin = {
  ...cpu,
  name: 'cpu-copy',
  tfjsBackend: 'cpu-copy',
  async init() {
    if (!tf.findBackendFactory('cpu-copy')) {
      tf.registerBackend('cpu-copy', () => new MathBackendCPU(), 0);
      for (const k of tf.getKernelsForBackend('cpu')) if (k.kernelName !== 'Transform') tf.registerKernel({ ...k, backendName: 'cpu-copy' });
    }
    return { device: { description: 'cpu kernels under another name (no Transform kernel)' } };
  },
};

const missing: BackendPlugin = {
  ...cpu,
  name: 'missing',
  tfjsBackend: 'missing',
  async init() {
    throw new TfbricksError('E_BACKEND_INIT', 'not here', { hint: 'install it' });
  },
};

describe('parity helpers', () => {
  it('compareParityOutput applies |a−e| ≤ atol + rtol·|e| and reports the first offender', () => {
    const e = { shape: [3], values: new Float32Array([1, 100, -5]) };
    const tol = { atol: 1e-3, rtol: 1e-3 };
    expect(compareParityOutput('y', { shape: [3], values: new Float32Array([1.0009, 100.1, -5.005]) }, e, tol).ok).toBe(true);
    const bad = compareParityOutput('y', { shape: [3], values: new Float32Array([1, 100.2, -5]) }, e, tol);
    expect(bad.ok).toBe(false);
    expect(bad.problem).toContain('element 1');
    expect(bad.worstRatio).toBeGreaterThan(1);
    expect(compareParityOutput('y', { shape: [1, 3], values: e.values }, e, tol).problem).toContain('shape');
    const exact = { atol: 0, rtol: 0 };
    expect(compareParityOutput('y', { shape: [3], values: new Float32Array([1, 100, -5]) }, e, exact).ok).toBe(true);
    expect(compareParityOutput('y', { shape: [1], values: new Float32Array([NaN]) }, { shape: [1], values: new Float32Array([1]) }, tol).ok).toBe(false);
    expect(compareParityOutput('y', { shape: [1], values: new Float32Array([NaN]) }, { shape: [1], values: new Float32Array([NaN]) }, tol).ok).toBe(true);
  });

  it('inputs are seeded: identical for the same seed and case, different otherwise', () => {
    const c = parityCases()[1];
    expect(parityInputs(c, 7)).toEqual(parityInputs(c, 7));
    expect(parityInputs(c, 7).x.values).not.toEqual(parityInputs(c, 8).x.values);
    expect(caseSeed(1, 'a')).not.toBe(caseSeed(1, 'b'));
  });

  it('the case list covers the recipe (names are unique)', () => {
    const names = parityCases().map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const needle of ['conv2d same stride 1', 'conv2d same stride 2', 'conv2d valid stride 1', 'conv2d valid stride 2', 'fused conv2d + bias + relu', 'maxPool 2x2', 'global max pool', 'global average pool', 'dense', 'softmax + categorical cross-entropy', 'Adam', 'dropout', 'mirror', 'gather', 'resizeBilinear', 'tf.image.transform', 'composed affine']) {
      expect(names.some((n) => n.includes(needle)), needle).toBe(true);
    }
  });

  it('the composed affine warp matches tf.image.transform (bilinear, constant 0) on cpu', async () => {
    await tf.setBackend('cpu');
    const rng = new Rng(3);
    const input = normalInput(rng, [1, 9, 11, 3]);
    const [a, b] = tf.tidy(() => {
      const img = tf.tensor4d(input.values, input.shape as [number, number, number, number]);
      const m = affineMatrix(9, 11, 0.4, 1.2, 0.7, -1.1);
      return [composedAffineWarp(img, m), tf.image.transform(img, tf.tensor2d([[...m, 0, 0]]), 'bilinear', 'constant', 0)];
    });
    const got = await a.data();
    const want = await b.data();
    tf.dispose([a, b]);
    expect(compareParityOutput('warp', { shape: [got.length], values: got }, { shape: [want.length], values: want }, { atol: 1e-5, rtol: 1e-5 }).problem).toBeUndefined();
    expect(Array.from(want).some((v) => v === 0)).toBe(true);
  });

  it('canary: tfjs 4.22 cpu tf.image.transform zeroes images after the first in a batch (why that case uses one image)', async () => {
    await tf.setBackend('cpu');
    const out = tf.tidy(() => tf.image.transform(tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2, 1]), tf.tensor2d([[1, 0, 0, 0, 1, 0, 0, 0]]), 'nearest'));
    const values = Array.from(await out.data());
    out.dispose();
    // If this starts failing, tfjs fixed it: batched transforms become usable and the parity case can use a batch again.
    expect(values).toEqual([1, 2, 3, 4, 0, 0, 0, 0]);
  });

  it('runParityCase counts leaked tensors', async () => {
    await tf.setBackend('cpu');
    let leaked: tf.Tensor | undefined;
    const leaky: ParityCase = {
      name: 'leaky',
      group: 'test',
      inputs: (rng: Rng) => ({ x: normalInput(rng, [2]) }),
      run: ({ x }) => {
        tf.tidy(() => {
          leaked = tf.keep(tf.add(x, 1));
        });
        return { y: tf.relu(x) };
      },
    };
    const result = await runParityCase(leaky, parityInputs(leaky, 1));
    expect(result.leakedTensors).toBe(1);
    leaked?.dispose();
    const clean = await runParityCase(parityCases()[0], parityInputs(parityCases()[0], 1));
    expect(clean.leakedTensors).toBe(0);
    expect(Object.keys(clean.outputs)).toEqual(['y', 'dx']);
  });
});

// The full suite against a copy of the cpu backend (must agree exactly); "missing" is skipped
// with its reason, and the copy lacks the Transform kernel, so that case is skipped there.
describeParity({ reference: cpu, backends: [cpuCopy, missing], layers: tfl.layers });

describe('reducedPrecisionTolerance', () => {
  it('loosens non-exact cases for the named backends only', async () => {
    const { reducedPrecisionTolerance } = await import('./parity');
    const f = reducedPrecisionTolerance(['cuda']);
    const c = parityCases()[0];
    expect(f('cuda', c, { atol: 2e-5, rtol: 2e-5 })).toEqual({ atol: 1e-3, rtol: 1e-3 });
    expect(f('cuda', c, { atol: 0, rtol: 0 })).toBeUndefined();
    expect(f('webgpu', c, { atol: 2e-5, rtol: 2e-5 })).toBeUndefined();
  });
});
