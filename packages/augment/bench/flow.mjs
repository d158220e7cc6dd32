// flow() end to end against Keras' own ImageDataGenerator.flow (keras_preprocessing), in one run
// with the two interleaved round by round: one epoch of flow(x, y, {batchSize: 32}) over
// BENCH_IMAGES (3,200) CIFAR images, tutorial settings (rotation 10, shifts 0.2, h-flip), every
// batch (images and labels) read back to the CPU as Keras hands out numpy arrays.
// Run after a build: node bench/flow.mjs   (env: BENCH_IMAGES, BENCH_ROUNDS=3, BENCH_PYTHON,
// BENCH_BACKENDS=cpu,webgpu). Keras: Debian's python3-keras-preprocessing + python3-scipy.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { cpuBackend } from '@tfbricks/backend-cpu';
import { webgpuBackend } from '@tfbricks/backend-webgpu';
import { createBackendRegistry } from '@tfbricks/core';
import { ImageDataGenerator } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const n = Number(process.env.BENCH_IMAGES ?? 3200);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const python = process.env.BENCH_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const backends = (process.env.BENCH_BACKENDS ?? 'cpu,webgpu').split(',');
const file = resolve(here, '../../../../shared/data/cifar10-mini/cifar-10-batches-bin/test_batch.bin');
if (!existsSync(file)) throw new Error(`${file} not found: the benchmark needs ../shared/data/cifar10-mini`);

const raw = readFileSync(file);
const records = raw.length / 3073;
const pixels = new Float32Array(n * 3072);
const labels = new Int32Array(n);
for (let i = 0; i < n; i++) {
  const r = (i % records) * 3073;
  labels[i] = raw[r];
  for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) pixels[i * 3072 + p * 3 + c] = raw[r + 1 + c * 1024 + p] / 255;
}

function keras() {
  const out = spawnSync(python, [join(here, 'keras_flow.py'), String(n)], { encoding: 'utf8' });
  if (out.status !== 0) return { error: (out.stderr || out.error?.message || '').trim().split('\n').at(-1) };
  return JSON.parse(out.stdout.trim().split('\n').at(-1));
}

const registry = createBackendRegistry({ env: {} }).register(cpuBackend()).register(webgpuBackend());
const generator = new ImageDataGenerator({ rotationRange: 10, widthShiftRange: 0.2, heightShiftRange: 0.2, horizontalFlip: true });

/** One epoch of flow() on `backend`, every batch read back; images/s. */
async function tfbricks(backend, seed) {
  await registry.resolve({ backend });
  const x = tf.tensor4d(pixels, [n, 32, 32, 3]);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
  const flow = generator.flow(x, y, { batchSize: 32, seed });
  for (let i = 0; i < 5; i++) {
    const batch = flow.batch(0, i);
    await batch.xs.data();
    tf.dispose([batch.xs, batch.ys]);
  }
  // The tfjs Dataset protocol (what model.fitDataset and a `for await` consumer use).
  const t = performance.now();
  let seen = 0;
  const it = await flow.iterator();
  for (let r = await it.next(); !r.done; r = await it.next()) {
    const b = r.value;
    await b.xs.data();
    await b.ys.data();
    seen += b.xs.shape[0];
    tf.dispose([b.xs, b.ys]);
  }
  const s = (performance.now() - t) / 1000;
  // The transform alone, same number of batches on one fixed batch: what flow() adds is the rest.
  const fixed = tf.slice(x, 0, 32);
  const t2 = performance.now();
  for (let i = 0; i < flow.size; i++) {
    const out = generator.apply(fixed, { seed: 1000 + i });
    await out.data();
    out.dispose();
  }
  const applyOnly = (flow.size * 32) / ((performance.now() - t2) / 1000);
  tf.dispose([x, y, fixed]);
  return { flow: seen / s, applyOnly };
}

const rows = [];
let kerasInfo = '';
for (let round = 1; round <= rounds; round++) {
  const k = keras();
  if (k.error) throw new Error(`Keras (${python}) failed: ${k.error}; install python3-keras-preprocessing and python3-scipy`);
  kerasInfo = `keras_preprocessing ${k.keras_preprocessing}, numpy ${k.numpy}`;
  const row = { round, keras: k.imagesPerSecond };
  for (const backend of backends) {
    const r = await tfbricks(backend, round);
    row[backend] = r.flow;
    row[`${backend} transform alone`] = r.applyOnly;
  }
  rows.push(row);
  console.error(`round ${round}: ${JSON.stringify(row)}`);
}
console.log(`flow() end to end, ${n} CIFAR images, batch 32, rotation 10, shifts 0.2, h-flip, every batch read back; Keras: ${kerasInfo} (${python}); Node ${process.version}; ${new Date().toISOString()}`);
console.log(`| round | Keras flow | ${backends.map((b) => `tfbricks flow() ${b} | × Keras | ${b}: transform alone`).join(' | ')} |`);
console.log(`| ---: | ---: | ${backends.map(() => '---: | ---: | ---:').join(' | ')} |`);
for (const r of rows) console.log(`| ${r.round} | ${Math.round(r.keras)} | ${backends.map((b) => `${Math.round(r[b])} | ${(r[b] / r.keras).toFixed(2)}× | ${Math.round(r[`${b} transform alone`])}`).join(' | ')} |`);
process.exit(0);
