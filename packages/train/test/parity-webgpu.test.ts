// The same tiny run on cpu and on webgpu (lavapipe in CI) ends within the parity
// tolerance after one epoch: |a − e| ≤ 1e-3 + 1e-3·|e| on weights and loss.
import '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { createBackendRegistry, isTfbricksError } from '@tfbricks/core';
import { cpuBackend } from '@tfbricks/backend-cpu';
import { webgpuBackend } from '@tfbricks/backend-webgpu';
import { fit } from '../src/fit';
import { evaluate } from '../src/evaluate';
import { buildTiny, createOptimizer, seededNoiseFlip, syntheticData, tf, weightsOf } from './helpers';

const required = process.env.TFBRICKS_REQUIRE_WEBGPU === '1';

async function runOn(backend: 'cpu' | 'webgpu') {
  const registry = createBackendRegistry({ env: {} }).register(cpuBackend()).register(webgpuBackend());
  await registry.resolve({ backend });
  expect(tf.getBackend()).toBe(backend);
  const model = buildTiny({ seed: 3, dropout: 0.25 });
  const result = await fit({
    model,
    optimizer: createOptimizer('adam', { learningRate: 0.01 }),
    train: syntheticData(64),
    validation: syntheticData(16, { seed: 8 }),
    epochs: 1,
    batchSize: 16,
    seed: 4,
    augmentation: seededNoiseFlip,
  });
  const weights = await weightsOf(model);
  const evaluation = await evaluate(model, syntheticData(16, { seed: 8 }), { batchSize: 8 });
  model.dispose();
  return { result, weights, evaluation };
}

function withinTolerance(actual: number, expected: number): boolean {
  return Math.abs(actual - expected) <= 1e-3 + 1e-3 * Math.abs(expected);
}

describe('cpu ↔ webgpu parity of one training epoch', () => {
  it('weights, loss and validation metrics agree within 1e-3 + 1e-3·|e|', async (ctx) => {
    let gpu;
    try {
      gpu = await runOn('webgpu');
    } catch (error) {
      if (!required && isTfbricksError(error) && error.code.startsWith('E_BACKEND')) {
        console.log(`skipping webgpu parity: ${error.message}`);
        ctx.skip();
        return;
      }
      throw error;
    }
    const cpu = await runOn('cpu');
    let worst = 0;
    let bad = 0;
    cpu.weights.forEach((w, i) =>
      w.forEach((e, j) => {
        const a = gpu.weights[i][j];
        worst = Math.max(worst, Math.abs(a - e));
        if (!withinTolerance(a, e)) bad++;
      }),
    );
    console.log(`webgpu vs cpu after 1 epoch: max |Δw| = ${worst.toExponential(2)}, loss ${gpu.result.history.history.loss[0]} vs ${cpu.result.history.history.loss[0]}`);
    expect(bad).toBe(0);
    for (const key of ['loss', 'val_loss', 'acc', 'val_acc']) {
      expect(withinTolerance(gpu.result.history.history[key][0], cpu.result.history.history[key][0]), key).toBe(true);
    }
    expect(withinTolerance(gpu.evaluation.loss, cpu.evaluation.loss)).toBe(true);
    expect(gpu.evaluation.confusionMatrix).toEqual(cpu.evaluation.confusionMatrix);
  }, 240_000);
});
