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
// Several profiled steps; per kernel the median over them (a shared machine's noise).
const runs = Number(process.env.PROFILE_RUNS ?? 3);
const walls: number[] = [];
const perRun: Array<Map<string, { ms: number; calls: number }>> = [];
for (let r = 0; r < runs; r++) {
  const t = performance.now();
  step();
  walls.push(performance.now() - t);
  const profile = await tf.profile(step);
  const totals = new Map<string, { ms: number; calls: number }>();
  for (const k of profile.kernels) {
    const e = totals.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    e.calls++;
    totals.set(k.name, e);
  }
  perRun.push(totals);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const names = [...perRun[0]!.keys()];
const rows = names.map((name) => ({ name, ms: median(perRun.map((t) => t.get(name)?.ms ?? 0)), calls: perRun[0]!.get(name)!.calls }));
console.log(`${model} on ${backend}, batch ${n}: step ${median(walls).toFixed(1)} ms wall (median of ${runs}: ${walls.map((w) => w.toFixed(0)).join(', ')}); 'unnamed scope' nests other kernels`);
for (const e of rows.sort((a, b) => b.ms - a.ms).slice(0, 15)) console.log(`  ${e.name.padEnd(24)} ${e.ms.toFixed(1).padStart(8)} ms  ${e.calls} calls`);
