// flow() end to end against Keras' own ImageDataGenerator.flow (keras_preprocessing), in one run
// with everything interleaved round by round (Keras, then each backend): one epoch of
// flow(x, y, {batchSize: 32}) through the Dataset protocol (iterator(), as model.fitDataset
// consumes it) over BENCH_IMAGES (3,200) CIFAR images, tutorial settings (rotation 10, shifts
// 0.2, h-flip). Two ways to consume each batch:
//   read back: images and labels read to the CPU (as Keras hands out numpy arrays);
//   consumed:  one small op on the backend (sum of images + sum of labels) whose scalar is read,
//              so a batch handed out as an upload pays the upload (data() alone would not).
// Also per backend: the transform alone (apply() on one fixed batch, read back), the consumer
// alone (the 'consumed' step on fresh host batches, no flow()) and, on webgpu, flow() with
// prefetch off and with transformOn 'backend' (the GPU kernel) for comparison with the default.
// Each flow() is loaded once (x and y to the host; timed apart) and warmed up; the epochs timed
// are steady-state ones, as from the second epoch of a training run.
// Run after a build, under the bench lock:
//   flock /tmp/tfbricks-bench.lock node bench/flow.mjs
// env: BENCH_IMAGES, BENCH_ROUNDS=5, BENCH_PYTHON, BENCH_BACKENDS=cpu,wasm,webgpu.
// Keras: Debian's python3-keras-preprocessing + python3-scipy.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { cpuBackend } from '@tfbricks/backend-cpu';
import { wasmBackend } from '@tfbricks/backend-wasm';
import { webgpuBackend } from '@tfbricks/backend-webgpu';
import { createBackendRegistry } from '@tfbricks/core';
import { ImageDataGenerator } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const n = Number(process.env.BENCH_IMAGES ?? 3200);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const python = process.env.BENCH_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const backends = (process.env.BENCH_BACKENDS ?? 'cpu,wasm,webgpu').split(',');
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

const registry = createBackendRegistry({ env: {} }).register(cpuBackend()).register(wasmBackend()).register(webgpuBackend());
const generator = new ImageDataGenerator({ rotationRange: 10, widthShiftRange: 0.2, heightShiftRange: 0.2, horizontalFlip: true });
const devices = {};

async function readBack(b) {
  await b.xs.data();
  await b.ys.data();
}
async function consume(b) {
  const s = tf.tidy(() => tf.add(tf.sum(b.xs), tf.sum(b.ys)));
  await s.data();
  s.dispose();
}

/** One epoch (a new iterator() of `flow`), each batch given to `use`; images/s. */
async function epoch(flow, use) {
  const t = performance.now();
  let seen = 0;
  const it = await flow.iterator();
  for (let r = await it.next(); !r.done; r = await it.next()) {
    await use(r.value);
    seen += r.value.xs.shape[0];
    tf.dispose([r.value.xs, r.value.ys]);
  }
  return seen / ((performance.now() - t) / 1000);
}

async function tfbricks(backend, seed) {
  const resolved = await registry.resolve({ backend });
  devices[backend] = resolved.device.description;
  const x = tf.tensor4d(pixels, [n, 32, 32, 3]);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
  const variants = [['auto', {}]];
  if (backend === 'webgpu') variants.push(['noPrefetch', { prefetch: false }], ['backend', { transformOn: 'backend' }]);
  const out = {};
  for (const [name, options] of variants) {
    const flow = generator.flow(x, y, { batchSize: 32, seed, ...options });
    // The one-time download of x and y (iterator() does it on its first call; a no-op on cpu).
    const t0 = performance.now();
    await flow.load();
    const loadMs = performance.now() - t0;
    // Warm-up (kernels compiled, pipelines cached): 5 batches each way, then whole epochs.
    const warm = await flow.iterator();
    for (let i = 0; i < 5; i++) {
      const b = (await warm.next()).value;
      await (i % 2 ? consume(b) : readBack(b));
      tf.dispose([b.xs, b.ys]);
    }
    const readBackRate = await epoch(flow, readBack);
    const consumedRate = await epoch(flow, consume);
    out[name] = { readBack: readBackRate, consumed: consumedRate, path: flow.transformPath(), loadMs };
  }
  // The transform alone, same number of batches on one fixed batch (apply(), read back).
  const fixed = tf.slice(x, 0, 32);
  const batches = Math.ceil(n / 32);
  const t2 = performance.now();
  for (let i = 0; i < batches; i++) {
    const o = generator.apply(fixed, { seed: 1000 + i });
    await o.data();
    o.dispose();
  }
  out.applyOnly = (batches * 32) / ((performance.now() - t2) / 1000);
  // The consumer alone: the 'consumed' step on a fresh batch made from host values (no flow(),
  // no augmentation) -- what handing a host batch to the backend costs (upload, sum, read).
  const hostX = pixels.subarray(0, 32 * 3072);
  const hostY = new Float32Array(320).fill(0.1);
  const t3 = performance.now();
  for (let i = 0; i < batches; i++) {
    const b = { xs: tf.tensor4d(hostX, [32, 32, 32, 3]), ys: tf.tensor2d(hostY, [32, 10]) };
    await consume(b);
    tf.dispose([b.xs, b.ys]);
  }
  out.consumerOnly = (batches * 32) / ((performance.now() - t3) / 1000);
  tf.dispose([x, y, fixed]);
  return out;
}

const rows = [];
let kerasInfo = '';
for (let round = 1; round <= rounds; round++) {
  const load = loadavg()[0];
  const k = keras();
  if (k.error) throw new Error(`Keras (${python}) failed: ${k.error}; install python3-keras-preprocessing and python3-scipy`);
  kerasInfo = `keras_preprocessing ${k.keras_preprocessing}, numpy ${k.numpy}`;
  const row = { round, load, keras: k.imagesPerSecond };
  for (const backend of backends) row[backend] = await tfbricks(backend, round);
  row.loadAfter = loadavg()[0];
  rows.push(row);
  console.error(`round ${round}: ${JSON.stringify(row)}`);
}

const f = (v) => Math.round(v).toLocaleString('en-US');
const x = (v, k) => `${(v / k).toFixed(2)}×`;
console.log(
  `flow() end to end, ${n} CIFAR images, batch 32, rotation 10, shifts 0.2, h-flip; Keras: ${kerasInfo} (${python}); Node ${process.version}; ${new Date().toISOString()}`,
);
for (const b of backends) {
  const ms = rows.map((r) => r[b].auto.loadMs.toFixed(0)).join(', ');
  console.log(`- ${b}: ${devices[b]}; flow() auto took the ${rows[0][b].auto.path} path; one-time load() of x and y: ${ms} ms`);
}
console.log('\nimages/s; × = flow() / Keras flow in the same round; load = 1-min load average before/after the round');
console.log(`| round | load | Keras flow | ${backends.map((b) => `${b} read back | × | ${b} consumed | × | ${b} transform alone | ${b} consumer alone`).join(' | ')} |`);
console.log(`| ---: | ---: | ---: | ${backends.map(() => '---: | ---: | ---: | ---: | ---: | ---:').join(' | ')} |`);
for (const r of rows) {
  const cells = backends.map((b) => `${f(r[b].auto.readBack)} | ${x(r[b].auto.readBack, r.keras)} | ${f(r[b].auto.consumed)} | ${x(r[b].auto.consumed, r.keras)} | ${f(r[b].applyOnly)} | ${f(r[b].consumerOnly)}`);
  console.log(`| ${r.round} | ${r.load.toFixed(1)}/${r.loadAfter.toFixed(1)} | ${f(r.keras)} | ${cells.join(' | ')} |`);
}
if (backends.includes('webgpu')) {
  console.log("\nwebgpu in the same rounds: auto with prefetch off, and transformOn 'backend' (the GPU resample kernel):");
  console.log('| round | no prefetch: read back | × Keras | no prefetch: consumed | × Keras | backend kernel: read back | × Keras | backend kernel: consumed | × Keras |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    const cells = [r.webgpu.noPrefetch, r.webgpu.backend].map((g) => `${f(g.readBack)} | ${x(g.readBack, r.keras)} | ${f(g.consumed)} | ${x(g.consumed, r.keras)}`);
    console.log(`| ${r.round} | ${cells.join(' | ')} |`);
  }
}
process.exit(0);
