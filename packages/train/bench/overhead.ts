// Overhead of @tfbricks/train's fit vs a bare tfjs `model.fit` on the same backend, same
// model, data, batch size and optimizer. Run: pnpm --filter @tfbricks/train bench
// (env: BENCH_BACKEND=cpu|webgpu, BENCH_MODEL=tiny|keras-cifar10-cnn, BENCH_N, BENCH_SIZE, BENCH_EPOCHS, BENCH_ROUNDS).
import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { createBackendRegistry } from '@tfbricks/core';
import { cpuBackend } from '@tfbricks/backend-cpu';
import { webgpuBackend } from '@tfbricks/backend-webgpu';
import { buildModel, createOptimizer, getModelSpec } from '@tfbricks/layers';
import { fit } from '../src/fit';
import { syntheticData } from '../test/helpers';

const backend = process.env.BENCH_BACKEND ?? 'cpu';
const modelName = process.env.BENCH_MODEL ?? 'tiny';
const n = Number(process.env.BENCH_N ?? 256);
const size = Number(process.env.BENCH_SIZE ?? 16);
const epochs = Number(process.env.BENCH_EPOCHS ?? 3);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const batchSize = 32;

const resolved = await createBackendRegistry({ env: {} }).register(cpuBackend()).register(webgpuBackend()).resolve({ backend });
const data = syntheticData(n, { size, classes: 10 });
const spec = getModelSpec(modelName, { inputShape: [size, size, 3], numClasses: 10 });

// Count GPU→CPU reads (data()/dataSync()) made during a run.
let reads = 0;
const proto = tf.Tensor.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
for (const m of ['data', 'dataSync', 'array', 'arraySync']) {
  const orig = proto[m];
  proto[m] = function (this: unknown, ...args: unknown[]) {
    reads++;
    return orig.apply(this, args);
  };
}

/** Seconds per epoch for epochs 2..N (epoch 1 warms up kernels and optimizer slots). */
async function bare(): Promise<{ secs: number; reads: number }> {
  const model = buildModel(spec, { seed: 1 });
  model.compile({ optimizer: createOptimizer('adam', { learningRate: 1e-3 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const xs = tf.tidy(() => tf.div(tf.tensor4d(Float32Array.from(data.images), [n, size, size, 3]), 255));
  const ys = tf.oneHot(tf.tensor1d(Int32Array.from(data.labels), 'int32'), 10);
  const times: number[] = [];
  let t = 0;
  let r0 = 0;
  await model.fit(xs, ys, {
    batchSize,
    epochs,
    shuffle: true,
    verbose: 0,
    callbacks: {
      onEpochBegin: async () => {
        t = performance.now();
        r0 = reads;
      },
      onEpochEnd: async () => void times.push(performance.now() - t),
    },
  });
  const epochReads = reads - r0;
  tf.dispose([xs, ys]);
  model.dispose();
  return { secs: times.slice(1).reduce((a, b) => a + b, 0) / (times.length - 1) / 1000, reads: epochReads };
}

async function trainer(): Promise<{ secs: number; reads: number }> {
  const model = buildModel(spec, { seed: 1 });
  const times: number[] = [];
  let t = 0;
  let r0 = 0;
  await fit({
    model,
    optimizer: createOptimizer('adam', { learningRate: 1e-3 }),
    train: data,
    epochs,
    batchSize,
    seed: 1,
    callbacks: [
      {
        name: 'timer',
        onEpochBegin: () => {
          t = performance.now();
          r0 = reads;
        },
        onEpochEnd: () => void times.push(performance.now() - t),
      },
    ],
  });
  const epochReads = reads - r0;
  model.dispose();
  return { secs: times.slice(1).reduce((a, b) => a + b, 0) / (times.length - 1) / 1000, reads: epochReads };
}

console.log(`backend ${resolved.name} (${resolved.device.description}), model ${modelName}, ${n} images ${size}x${size}x3, batch ${batchSize}, ${epochs} epochs x ${rounds} rounds (first epoch of each run excluded)`);
const ratios: number[] = [];
for (let r = 0; r < rounds; r++) {
  // Alternate the order so drift on a shared machine hits both sides.
  const first = r % 2 === 0 ? await bare() : await trainer();
  const second = r % 2 === 0 ? await trainer() : await bare();
  const [b, f] = r % 2 === 0 ? [first, second] : [second, first];
  ratios.push(f.secs / b.secs);
  console.log(
    `round ${r + 1}: model.fit ${b.secs.toFixed(3)} s/epoch (${b.reads} reads/epoch), @tfbricks/train fit ${f.secs.toFixed(3)} s/epoch (${f.reads} reads/epoch), overhead ${((f.secs / b.secs - 1) * 100).toFixed(1)}%`,
  );
}
ratios.sort((a, b) => a - b);
console.log(`median overhead: ${((ratios[Math.floor(ratios.length / 2)] - 1) * 100).toFixed(1)}%`);
