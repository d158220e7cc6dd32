// images/s of ImageDataGenerator for the seed tutorial's settings (rotation 10, shifts 0.2,
// horizontal flip, batch 32, 32x32x3) on the cpu, wasm and webgpu backends (on wasm also with
// the composed gather path, setResampleKernelsEnabled(false): what wasm ran before its kernel).
// Run: pnpm bench  (builds dist/ first). Optional: BENCH_BATCHES=200.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { cpuBackend } from '@tfbricks/backend-cpu';
import { wasmBackend } from '@tfbricks/backend-wasm';
import { webgpuBackend } from '@tfbricks/backend-webgpu';
import { createBackendRegistry } from '@tfbricks/core';
import { ImageDataGenerator, randomCropWithPadding, setResampleKernelsEnabled } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const batches = Number(process.env.BENCH_BATCHES ?? 150);
const batchSize = 32;

function images(n) {
  const file = resolve(here, '../../../../shared/data/cifar10-mini/cifar-10-batches-bin/test_batch.bin');
  const out = new Float32Array(n * 3072);
  if (existsSync(file)) {
    const raw = readFileSync(file);
    for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) out[i * 3072 + p * 3 + c] = raw[(i % 1000) * 3073 + 1 + c * 1024 + p] / 255;
    return { data: out, source: 'CIFAR-10 test_batch.bin' };
  }
  for (let i = 0; i < out.length; i++) out[i] = Math.random();
  return { data: out, source: 'random pixels (../shared absent)' };
}

async function measure(name, aug, x) {
  // warm-up
  for (let i = 0; i < 5; i++) {
    const y = aug.apply(x, { seed: i });
    await y.data();
    y.dispose();
  }
  // 1) every batch read back to the CPU before the next one starts.
  let t0 = performance.now();
  for (let i = 0; i < batches; i++) {
    const y = aug.apply(x, { seed: 1000 + i });
    await y.data();
    y.dispose();
  }
  const readBack = (performance.now() - t0) / 1000;
  // 2) pipelined: outputs stay on the device (as when a model trains on them); we wait
  //    for the last batch of every group of 10, which implies the earlier ones finished.
  t0 = performance.now();
  for (let i = 0; i < batches; i += 10) {
    const ys = [];
    for (let k = i; k < Math.min(batches, i + 10); k++) ys.push(aug.apply(x, { seed: 5000 + k }));
    await ys[ys.length - 1].data();
    tf.dispose(ys);
  }
  const pipelined = (performance.now() - t0) / 1000;
  return { name, readBack: (batches * batchSize) / readBack, pipelined: (batches * batchSize) / pipelined };
}

const registry = createBackendRegistry({ env: {} }).register(cpuBackend()).register(wasmBackend()).register(webgpuBackend());
const { data, source } = images(batchSize);
const rows = [];
for (const backend of ['cpu', 'wasm', 'webgpu']) {
  const outcome = await registry.init(backend);
  if (!outcome.ok) {
    rows.push(`| ${backend} | unavailable: ${outcome.reason} | | |`);
    continue;
  }
  await registry.resolve({ backend });
  const x = tf.tensor4d(data, [batchSize, 32, 32, 3]);
  const tutorial = new ImageDataGenerator({ rotationRange: 10, widthShiftRange: 0.2, heightShiftRange: 0.2, horizontalFlip: true });
  for (const [label, aug] of [
    ['ImageDataGenerator (rotation 10, shifts 0.2, h-flip)', tutorial],
    ['randomCropWithPadding(4)', randomCropWithPadding({ padding: 4 })],
  ]) {
    const r = await measure(label, aug, x);
    rows.push(`| ${backend} | ${label} | ${Math.round(r.readBack)} | ${Math.round(r.pipelined)} |`);
  }
  if (backend === 'wasm') {
    setResampleKernelsEnabled(false);
    const r = await measure('composed', tutorial, x);
    setResampleKernelsEnabled(true);
    rows.push(`| wasm | ImageDataGenerator, composed gather path (before the wasm kernel) | ${Math.round(r.readBack)} | ${Math.round(r.pipelined)} |`);
  }
  x.dispose();
}
console.log(`images: ${source}; batch ${batchSize}; ${batches} timed batches per row; Node ${process.version}`);
console.log('| backend | transform | images/s, each batch read back | images/s, pipelined |');
console.log('|---|---|---:|---:|');
for (const r of rows) console.log(r);
