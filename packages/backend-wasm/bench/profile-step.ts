// Per-kernel time of one fit-style training step on a backend (tf.profile; wall-clock per kernel
// on wasm and cpu). Run: npx tsx bench/profile-step.ts [model=tiny] [backend=wasm] [batch=32]
// (wasm threads: TFBRICKS_WASM_THREADS, default the cores)
import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { cpuBackend } from '@tfbricks/backend-cpu';
import { createBackendRegistry } from '@tfbricks/core';
import { buildModel, createOptimizer, getModelSpec } from '@tfbricks/layers';
import { wasmBackend } from '../src/wasm-backend';

const [model = 'tiny', backend = 'wasm', batch = '32'] = process.argv.slice(2).filter((a) => a !== '--');
await createBackendRegistry({ env: {} }).register(cpuBackend()).register(wasmBackend()).resolve({ backend });
const m = buildModel(getModelSpec(model), { seed: 1 });
const optimizer = createOptimizer('adam', { learningRate: 1e-4 });
const n = Number(batch);
const xs = tf.randomUniform([n, 32, 32, 3]);
const ys = tf.oneHot(tf.tensor1d(Array.from({ length: n }, (_, i) => i % 10), 'int32'), 10);
const step = () =>
  tf.tidy(() => {
    optimizer.minimize(() => tf.mean(tf.losses.softmaxCrossEntropy(ys, m.apply(xs, { training: true }) as tf.Tensor)) as tf.Scalar);
  });
for (let i = 0; i < 2; i++) step();
const t = performance.now();
step();
const wall = performance.now() - t;
const profile = await tf.profile(step);
const totals = new Map<string, { ms: number; calls: number }>();
for (const k of profile.kernels) {
  const e = totals.get(k.name) ?? { ms: 0, calls: 0 };
  e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
  e.calls++;
  totals.set(k.name, e);
}
const sum = [...totals.values()].reduce((a, b) => a + b.ms, 0);
console.log(`${model} on ${backend}, batch ${n}: step ${wall.toFixed(1)} ms wall; kernels ${sum.toFixed(1)} ms in ${profile.kernels.length} calls`);
for (const [name, e] of [...totals].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) console.log(`  ${name.padEnd(24)} ${e.ms.toFixed(1).padStart(8)} ms  ${e.calls} calls`);
