/**
 * The `tfbricks train` step on webgpu (seed model keras-cifar10-deep, batch 32, `createOptimizer
 * ('adam', 1e-4)` = KerasAdam, the tutorial's augmentation, through `@tfbricks/train` `fit`)
 * against the same step on stock tfjs-backend-webgpu, and the parts of it, in one process with
 * the configurations interleaved round by round:
 *
 *   ours           tfbricks kernels + TfbricksAdamUpdate, augmentation on  (what `tfbricks train` runs)
 *   stock          stock tfjs-backend-webgpu kernels, KerasAdam's op-by-op update, augmentation on
 *   ours-opsAdam   tfbricks conv kernels, KerasAdam op by op (TfbricksAdamUpdate unregistered)
 *   ours-noAug     tfbricks kernels + TfbricksAdamUpdate, no augmentation
 *   trainOnBatch   tfjs-layers `model.trainOnBatch` with `tf.train.adam`, tfbricks kernels (the
 *                  configuration of backend-webgpu's own benchmark)
 *
 * Then one profiled step of `ours` and `ours-opsAdam` (BENCH_PROFILE=…; tf.profile, GPU
 * timestamp queries where the adapter has them): kernels, GPU programs, GPU time, wall time.
 *
 *   pnpm --filter @tfbricks/cli exec node --import tsx/esm bench/train-step.ts
 *   BENCH_ROUNDS=2 BENCH_STEPS=2 BENCH_CONFIGS=ours,stock ...
 *
 * Prints Markdown. Never run in tests.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { ADAM_UPDATE_KERNEL, describeResolution } from '@tfbricks/core';
import { registerTrainingKernels, useStockKernels } from '@tfbricks/backend-webgpu';
import { buildModel, createOptimizer, getModelSpec } from '@tfbricks/layers';
import { fit } from '@tfbricks/train';
import { resolve } from 'node:path';
import { TUTORIAL_AUGMENTATION } from '../src/augment-options';
import { createAugmentation } from '../src/augmentation';
import { createCliRegistry } from '../src/backends';
import { loadData } from '../src/data';

const BATCH = 32;
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const steps = Number(process.env.BENCH_STEPS ?? 2);
const dataDir = process.env.BENCH_DATA_DIR ?? resolve(import.meta.dirname, '../../../../shared/data/cifar10-mini');
const sink = { write: () => true, isTTY: false };
const io = { stdout: sink, stderr: sink, env: {}, cwd: process.cwd() };

type Kernels = 'ours' | 'stock' | 'ours-opsAdam';
interface Config {
  name: string;
  kernels: Kernels;
  augment: boolean;
  trainOnBatch?: boolean;
}
const ALL: Config[] = [
  { name: 'ours', kernels: 'ours', augment: true },
  { name: 'stock', kernels: 'stock', augment: true },
  { name: 'ours-opsAdam', kernels: 'ours-opsAdam', augment: true },
  { name: 'ours-noAug', kernels: 'ours', augment: false },
  { name: 'trainOnBatch', kernels: 'ours', augment: false, trainOnBatch: true },
];
const wanted = process.env.BENCH_CONFIGS?.split(',');
const configs = wanted ? ALL.filter((c) => wanted.includes(c.name)) : ALL;

function useKernels(k: Kernels): void {
  useStockKernels();
  if (k === 'stock') return;
  registerTrainingKernels();
  if (k === 'ours-opsAdam') tf.unregisterKernel(ADAM_UPDATE_KERNEL, 'webgpu');
}

const registry = createCliRegistry({});
const resolved = await registry.resolve({ backend: 'webgpu' });
console.error(describeResolution(resolved));
const data = await loadData(
  { dataset: 'cifar10', labelMode: 'fine', dataDir, limitTrain: (steps + 1) * BATCH, limitTest: BATCH, validationSplit: 0 },
  io,
);
const shape = data.imageShape;
const train = { images: data.train.images.subarray(0, steps * BATCH * 3072), labels: data.train.labels.subarray(0, steps * BATCH), imageShape: shape };
const warmTrain = { images: data.train.images.subarray(0, BATCH * 3072), labels: data.train.labels.subarray(0, BATCH), imageShape: shape };
const augmentation = await createAugmentation(TUTORIAL_AUGMENTATION, data);
const spec = getModelSpec('keras-cifar10-deep');

interface Runner {
  config: Config;
  step(source: typeof train, seed: number): Promise<void>;
  ms: number[];
}

function runner(config: Config): Runner {
  const model = buildModel(spec, { seed: 1 });
  if (config.trainOnBatch) {
    model.compile({ optimizer: tf.train.adam(1e-4), loss: 'categoricalCrossentropy' });
    return {
      config,
      ms: [],
      async step(source) {
        const n = source.labels.length;
        const xs = tf.tidy(() => tf.div(tf.tensor4d(Float32Array.from(source.images), [n, ...shape]), 255));
        const ys = tf.oneHot(tf.tensor1d(Int32Array.from(source.labels), 'int32'), 10);
        for (let i = 0; i < n; i += BATCH) {
          const [bx, by] = [tf.slice(xs, i, BATCH), tf.slice(ys, i, BATCH)];
          await model.trainOnBatch(bx, by);
          tf.dispose([bx, by]);
        }
        tf.dispose([xs, ys]);
      },
    };
  }
  const optimizer = createOptimizer('adam', { learningRate: 1e-4 });
  return {
    config,
    ms: [],
    async step(source, seed) {
      await fit({ model, optimizer, train: source, epochs: 1, batchSize: BATCH, seed, augmentation: config.augment ? augmentation : undefined, metrics: ['accuracy'] });
    },
  };
}

const runners = configs.map(runner);
for (const r of runners) {
  useKernels(r.config.kernels);
  const t = performance.now();
  await r.step(warmTrain, 100);
  console.error(`  warm-up ${r.config.name}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
for (let round = 0; round < rounds; round++) {
  for (const r of runners) {
    useKernels(r.config.kernels);
    const t = performance.now();
    await r.step(train, round + 1);
    r.ms.push((performance.now() - t) / steps);
    console.error(`  round ${round + 1} ${r.config.name}: ${r.ms.at(-1)!.toFixed(0)} ms/step`);
  }
}

/** One profiled step: kernels run, GPU programs dispatched, GPU time (timestamp queries), wall. */
async function profiled(r: Runner): Promise<string> {
  useKernels(r.config.kernels);
  const backend = tf.backend() as unknown as { runWebGPUProgram: (...a: unknown[]) => unknown; supportTimestampQuery?: boolean };
  const run = backend.runWebGPUProgram;
  let dispatches = 0;
  backend.runWebGPUProgram = function (this: unknown, ...args: unknown[]) {
    dispatches++;
    return run.apply(this, args);
  };
  const t = performance.now();
  const one = { images: warmTrain.images, labels: warmTrain.labels, imageShape: shape };
  const info = await tf.profile(() => r.step(one, 7));
  const wall = performance.now() - t;
  backend.runWebGPUProgram = run;
  let gpu = 0;
  let adam = 0;
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    gpu += ms;
    if (k.name === ADAM_UPDATE_KERNEL) adam += ms;
  }
  return `| ${r.config.name} | ${info.kernels.length} | ${dispatches} | ${backend.supportTimestampQuery ? `${gpu.toFixed(0)} ms` : 'n/a'} | ${adam ? `${adam.toFixed(0)} ms` : ''} | ${wall.toFixed(0)} ms |`;
}
const profileRows: string[] = [];
const profileConfigs = (process.env.BENCH_PROFILE ?? 'ours,ours-opsAdam').split(',');
for (const r of runners.filter((x) => profileConfigs.includes(x.config.name))) {
  profileRows.push(await profiled(r));
  console.error(`  profiled ${profileRows.at(-1)}`);
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const base = runners.find((r) => r.config.name === 'stock');
console.log(`Measured ${new Date().toISOString()}, ${resolved.device.description}, Node ${process.versions.node}; ${rounds} rounds × ${steps} steps per configuration, interleaved; shared machine`);
console.log('');
console.log('| configuration | ms / step (each round) | median | images/s | stock / this |');
console.log('| --- | --- | ---: | ---: | ---: |');
for (const r of runners) {
  const m = median(r.ms);
  console.log(`| ${r.config.name} | ${r.ms.map((x) => x.toFixed(0)).join(', ')} | ${m.toFixed(0)} | ${((BATCH * 1000) / m).toFixed(1)} | ${base ? (median(base.ms) / m).toFixed(2) : ''}× |`);
}
console.log('');
console.log('| one profiled step | kernels | GPU programs | GPU time | of it TfbricksAdamUpdate | wall (profiled) |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const row of profileRows) console.log(row);
void tfl;
process.exit(0);
