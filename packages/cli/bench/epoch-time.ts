/**
 * Time per epoch of the tutorial recipe (keras-cifar10-deep, Adam 1e-4, batch 32,
 * augmentation) per backend, measured on a few batches and extrapolated to CIFAR-10's
 * 50,000 training + 10,000 validation images; and the overhead of the tfbricks trainer
 * (fit + the CLI's callbacks) over a bare tfjs `model.fit` on the same backend.
 *
 *   pnpm --filter @tfbricks/cli bench                       # cpu and webgpu
 *   BENCH_BACKENDS=webgpu BENCH_STEPS=8 pnpm --filter @tfbricks/cli bench
 *
 * Prints a Markdown table. Never run in tests (timings are not asserted anywhere).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { describeResolution } from '@tfbricks/core';
import { buildModel, createOptimizer, getModelSpec } from '@tfbricks/layers';
import { evaluate, fit } from '@tfbricks/train';
import { BackupAndRestore, CSVLogger, ModelCheckpoint, TensorBoard } from '@tfbricks/train/node';
import { TUTORIAL_AUGMENTATION } from '../src/augment-options';
import { createAugmentation } from '../src/augmentation';
import { createCliRegistry } from '../src/backends';
import { loadData } from '../src/data';
import { ProgressReporter } from '../src/progress';

const backends = (process.env.BENCH_BACKENDS ?? 'webgpu,cpu').split(',');
const dataDir = process.env.BENCH_DATA_DIR ?? resolve(import.meta.dirname, '../../../../shared/data/cifar10-mini');
const BATCH = 32;
const TRAIN_IMAGES = 50_000;
const TEST_IMAGES = 10_000;
const sink = { write: () => true, isTTY: false };
const io = { stdout: sink, stderr: sink, env: {}, cwd: process.cwd() };

async function timed<T>(label: string, fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await fn();
  const s = (performance.now() - t) / 1000;
  console.error(`  ${label}: ${s.toFixed(2)} s`);
  return [r, s];
}

function seconds(s: number): string {
  if (s < 120) return `${s.toFixed(1)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

const rows: string[] = [];
for (const name of backends) {
  const registry = createCliRegistry({});
  let resolved;
  try {
    resolved = await registry.resolve({ backend: name });
  } catch (e) {
    rows.push(`| ${name} | not available: ${(e as Error).message.split('\n')[0]} | | | | | |`);
    continue;
  }
  console.error(describeResolution(resolved));
  const steps = Number(process.env.BENCH_STEPS ?? (name === 'cpu' ? 1 : 8));
  const warm = name === 'cpu' ? 1 : 2;
  // The overhead comparison uses the seed model on GPU backends; on the pure-JS cpu backend a
  // seed-model step takes minutes, so it uses the tiny model there (the worst case for overhead:
  // the least compute per step). BENCH_OVERHEAD_MODEL overrides.
  const overheadModel = process.env.BENCH_OVERHEAD_MODEL ?? (name === 'cpu' ? 'tiny' : 'keras-cifar10-deep');
  const overheadSteps = Number(process.env.BENCH_OVERHEAD_STEPS ?? 8);
  const data = await loadData(
    { dataset: 'cifar10', labelMode: 'fine', dataDir, limitTrain: Math.max(steps + warm, Number(process.env.BENCH_OVERHEAD_STEPS ?? 8)) * BATCH, limitTest: steps * BATCH, validationSplit: 0 },
    io,
  );
  const spec = getModelSpec('keras-cifar10-deep');
  const shape = data.imageShape;
  const slice = (n: number) => ({ images: data.train.images.subarray(0, n * BATCH * 3072), labels: data.train.labels.subarray(0, n * BATCH), imageShape: shape });
  const augmentation = await createAugmentation(TUTORIAL_AUGMENTATION, data);

  // 1. The recipe through the trainer with the CLI's callbacks: warm-up, then `steps` batches.
  //    BENCH_SKIP_RECIPE=1 measures only the overhead (2.), e.g. on the very slow cpu backend.
  const skipRecipe = process.env.BENCH_SKIP_RECIPE === '1';
  const model = buildModel(spec, { seed: 1 });
  const optimizer = createOptimizer('adam', { learningRate: 1e-4 });
  const dir = mkdtempSync(join(tmpdir(), 'tfbricks-bench-'));
  const callbacks = () => [
    new ProgressReporter(sink, 'epoch'),
    new CSVLogger(join(dir, 'metrics.csv')),
    new TensorBoard(join(dir, 'tb')),
    new ModelCheckpoint(join(dir, 'ckpt-{epoch:03d}'), { keepLast: 1 }),
    new BackupAndRestore(join(dir, 'backup'), { deleteOnEnd: true }),
  ];
  let perStep = Number.NaN;
  let evalPerImage = Number.NaN;
  if (!skipRecipe) {
    await timed(`warm-up (${warm} steps)`, () => fit({ model, optimizer, train: slice(warm), epochs: 1, batchSize: BATCH, seed: 1, augmentation, metrics: ['accuracy'] }));
    const [, trainSec] = await timed(`recipe, ${steps} steps`, () => fit({ model, optimizer, train: slice(steps), epochs: 1, batchSize: BATCH, seed: 2, augmentation, metrics: ['accuracy'] }));
    const [, evalSec] = await timed(`evaluate ${data.test.count} images`, () => evaluate(model, { ...data.test, imageShape: shape }, { batchSize: BATCH }));
    perStep = trainSec / steps;
    evalPerImage = evalSec / data.test.count;
  }
  const epoch = perStep * Math.ceil(TRAIN_IMAGES / BATCH) + evalPerImage * TEST_IMAGES;

  // 2. Overhead: trainer + callbacks vs bare model.fit, no augmentation, same tensors and batches.
  const oSpec = getModelSpec(overheadModel);
  const trainer = buildModel(oSpec, { seed: 1 });
  const trainerOpt = createOptimizer('adam', { learningRate: 1e-4 });
  const oSteps = overheadSteps;
  await timed('trainer warm-up', () => fit({ model: trainer, optimizer: trainerOpt, train: slice(warm), epochs: 1, batchSize: BATCH, seed: 3, shuffle: false, metrics: ['accuracy'] }));
  const [, trainerSec] = await timed(`trainer + callbacks (${overheadModel}), no augmentation, ${oSteps} steps`, () =>
    fit({ model: trainer, optimizer: trainerOpt, train: slice(oSteps), epochs: 1, batchSize: BATCH, seed: 3, shuffle: false, metrics: ['accuracy'], callbacks: callbacks() }),
  );
  const bare = buildModel(oSpec, { seed: 1 });
  bare.compile({ optimizer: createOptimizer('adam', { learningRate: 1e-4 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const xs = tf.tidy(() => tf.div(tf.tensor4d(Float32Array.from(slice(oSteps).images), [oSteps * BATCH, ...shape], 'float32'), 255));
  const ys = tf.oneHot(tf.tensor1d(Array.from(slice(oSteps).labels), 'int32'), 10);
  await timed('model.fit warm-up', () => bare.fit(xs, ys, { batchSize: BATCH, epochs: 1, shuffle: false, verbose: 0 }));
  const [, bareSec] = await timed(`model.fit (${overheadModel}), ${oSteps} steps`, () => bare.fit(xs, ys, { batchSize: BATCH, epochs: 1, shuffle: false, verbose: 0 }));
  tf.dispose([xs, ys]);
  const overhead = ((trainerSec - bareSec) / bareSec) * 100;
  rows.push(
    `| ${name} | ${resolved.device.description} | ${skipRecipe ? 'not measured' : `${(perStep * 1000).toFixed(0)} ms`} | ${skipRecipe ? '' : `${(evalPerImage * 1000).toFixed(2)} ms`} | ${skipRecipe ? '' : seconds(epoch)} | ${overheadModel}: ${((trainerSec / oSteps) * 1000).toFixed(0)} ms vs ${((bareSec / oSteps) * 1000).toFixed(0)} ms | ${overhead >= 0 ? '+' : ''}${overhead.toFixed(1)}% |`,
  );
  model.dispose();
  trainer.dispose();
  bare.dispose();
  void tfl;
}

console.log(`Measured ${new Date().toISOString()} on ${process.platform} ${process.arch}, Node ${process.versions.node} (shared, noisy machine)`);
console.log('| backend | device | train step (batch 32, augmented) | eval per image | epoch (50k train + 10k val, extrapolated) | trainer+callbacks vs model.fit per step | overhead |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(r);
