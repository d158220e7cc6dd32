import { describe, expect, it } from 'vitest';
import { webgpuForTests } from './test-support/webgpu';
import '@tensorflow/tfjs-layers';
import * as tfc from '@tensorflow/tfjs-core';
import { buildModel, getModelSpec } from './index';

// The fused Conv2D/Dense+ReLU layers call FusedConv2D/_FusedMatMul and the conv backprop
// kernels directly: check them on WebGPU too. Skips (with the reason) without an adapter;
// TFBRICKS_REQUIRE_WEBGPU=1 makes that a failure.
const { registry, available } = await webgpuForTests();

describe.skipIf(!available)('fused build on webgpu', () => {
  it('fused and unfused give the same outputs and gradients (the seed model at 8x8)', async () => {
    await registry.resolve({ backend: 'webgpu' });
    expect(tfc.getBackend()).toBe('webgpu');
    const spec = getModelSpec('keras-cifar10-deep', { inputShape: [8, 8, 3] });
    const x = tfc.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 4);
    const y = tfc.oneHot(tfc.tensor1d([3, 8], 'int32'), 10);
    const run = async (fuse: boolean) => {
      const model = buildModel(spec, { seed: 11, fuseActivations: fuse });
      const names = new Map(model.trainableWeights.map((w) => [w.name, w.originalName]));
      const vars = model.trainableWeights.map((w) => w.read() as tfc.Variable);
      const { value, grads } = tfc.variableGrads(() => tfc.losses.softmaxCrossEntropy(y, model.apply(x, { training: false }) as tfc.Tensor) as tfc.Scalar, vars);
      const out = new Map<string, Float32Array>();
      for (const [k, g] of Object.entries(grads)) out.set(names.get(k)!, (await g.data()) as Float32Array);
      const loss = (await value.data())[0];
      tfc.dispose([value, ...Object.values(grads)]);
      model.dispose();
      return { loss, grads: out };
    };
    const fused = await run(true);
    const plain = await run(false);
    expect(Math.abs(fused.loss - plain.loss)).toBeLessThan(1e-5);
    expect(fused.grads.size).toBe(34);
    for (const [k, g] of fused.grads) {
      const p = plain.grads.get(k)!;
      let scale = 1e-6;
      let diff = 0;
      for (let i = 0; i < g.length; i++) {
        scale = Math.max(scale, Math.abs(p[i]));
        diff = Math.max(diff, Math.abs(g[i] - p[i]));
      }
      expect(diff / scale, k).toBeLessThan(1e-3);
    }
    tfc.dispose([x, y]);
    // Compiles the seed model's programs on llvmpipe: ~15 s with the 2 shared cores at load 6.
  }, 180_000);
});
