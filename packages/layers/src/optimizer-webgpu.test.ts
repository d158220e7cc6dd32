import { describe, expect, it } from 'vitest';
import { webgpuForTests } from './test-support/webgpu';
import '@tensorflow/tfjs-backend-cpu';
import * as tfc from '@tensorflow/tfjs-core';
import { ADAM_UPDATE_KERNEL, Rng } from '@tfbricks/core';
import { registerTrainingKernels, useStockKernels } from '@tfbricks/backend-webgpu';
import { KerasAdam } from './optimizer';

// KerasAdam runs core's TfbricksAdamUpdate kernel where the backend registers it (webgpu
// after init) and its op-by-op update elsewhere; both must give the cpu numbers. Skips (with
// the reason) without an adapter; TFBRICKS_REQUIRE_WEBGPU=1 makes that a failure.
const { registry, available } = await webgpuForTests();

const shapes = [[3, 3, 4, 8], [8], [5, 7], []] as const;
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function values(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
}

/** Three KerasAdam steps (decay on, both gradient forms) on the active backend; returns the variables and the kernels that ran. */
async function threeSteps(): Promise<{ weights: Float32Array[]; state: Float32Array[]; kernels: string[] }> {
  const vars = shapes.map((s, i) => tfc.tidy(() => tfc.variable(tfc.tensor(values(size(s), 30 + i), [...s]), true, `keras_adam_v${i}_${tfc.getBackend()}`)));
  const opt = new KerasAdam(0.01, 0.9, 0.999, 1e-7, 0.01);
  const profile = await tfc.profile(() => {
    for (let step = 0; step < 3; step++) {
      const grads = shapes.map((s, i) => tfc.tensor(values(size(s), 40 + 10 * step + i), [...s]));
      if (step === 1) opt.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: grads[i]! })));
      else opt.applyGradients(Object.fromEntries(vars.map((v, i) => [v.name, grads[i]!])));
      tfc.dispose(grads);
    }
  });
  const weights = await Promise.all(vars.map((v) => v.data() as Promise<Float32Array>));
  const [iterations, ...slots] = await opt.getWeights();
  const state = await Promise.all(slots.map((w) => w.tensor.data() as Promise<Float32Array>));
  tfc.dispose([iterations!.tensor, ...vars]);
  opt.dispose();
  return { weights, state, kernels: profile.kernels.map((k) => k.name) };
}

function expectClose(actual: Float32Array[], expected: Float32Array[], what: string): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    for (let k = 0; k < a.length; k++) expect(Math.abs(a[k]! - expected[i]![k]!), `${what} ${i}[${k}]`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(expected[i]![k]!)));
  });
}

describe.skipIf(!available)('KerasAdam on webgpu', () => {
  it('runs TfbricksAdamUpdate once per variable and step, matches cpu, keeps its state layout and leaks nothing', async () => {
    await tfc.setBackend('cpu');
    expect(tfc.getKernel(ADAM_UPDATE_KERNEL, 'cpu')).toBeUndefined();
    const cpu = await threeSteps();
    expect(cpu.kernels).not.toContain(ADAM_UPDATE_KERNEL);

    await registry.resolve({ backend: 'webgpu' });
    expect(tfc.getKernel(ADAM_UPDATE_KERNEL, 'webgpu')).toBeDefined();
    await threeSteps(); // warm-up: compiles the programs, so the leak check sees steady state
    const tensors = tfc.memory().numTensors;
    const gpu = await threeSteps();
    expect(tfc.memory().numTensors).toBe(tensors);
    expect(gpu.kernels.filter((k) => k === ADAM_UPDATE_KERNEL).length).toBe(shapes.length * 3);
    expect(gpu.kernels).not.toContain('Sqrt');
    expectClose(gpu.weights, cpu.weights, 'kernel weights');
    expectClose(gpu.state, cpu.state, 'kernel m/v');

    // Restoring the stock kernels removes it: KerasAdam falls back to its ops, same numbers.
    useStockKernels();
    try {
      expect(tfc.getKernel(ADAM_UPDATE_KERNEL, 'webgpu')).toBeUndefined();
      const ops = await threeSteps();
      expect(ops.kernels).not.toContain(ADAM_UPDATE_KERNEL);
      expect(ops.kernels).toContain('Sqrt');
      expectClose(ops.weights, cpu.weights, 'op-by-op weights');
    } finally {
      registerTrainingKernels();
    }
    expect(tfc.getKernel(ADAM_UPDATE_KERNEL, 'webgpu')).toBeDefined();
  });

  it('tf.train.adam is tfjs\' own: nothing of tfbricks runs in it', async () => {
    await registry.resolve({ backend: 'webgpu' });
    const v = tfc.variable(tfc.ones([4]), true, 'plain_adam_v');
    const opt = tfc.train.adam(0.1);
    const profile = await tfc.profile(() => opt.applyGradients({ [v.name]: tfc.ones([4]) } as never));
    expect(profile.kernelNames).not.toContain(ADAM_UPDATE_KERNEL);
    tfc.dispose(v);
    opt.dispose();
  });
});
