// One side of images-per-second.ts: the page's training (the worker's fit call, the tutorial's
// augmentation, the same timing: training batches of the last epoch, the clock stopped once
// the device has finished the last one) in Node on webgpu (Dawn), with the kernel set the
// page gets on the same adapter (webgpuBackend's default). Prints one JSON line.
//   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json node --import tsx/esm bench/node-fit.ts
import '@tensorflow/tfjs-layers';
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { ImageDataGenerator } from '@tfbricks/augment';
import { webgpuBackend } from '@tfbricks/backend-webgpu';
import { createBackendRegistry } from '@tfbricks/core';
import { loadCifar10 } from '@tfbricks/data-cifar/node';
import { buildModel, createOptimizer, getModelSpec } from '@tfbricks/layers';
import { type Callback, fit } from '@tfbricks/train';

const { values: a } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    model: { type: 'string', default: 'tiny' },
    'limit-train': { type: 'string', default: '256' },
    'limit-test': { type: 'string', default: '128' },
    batch: { type: 'string', default: '32' },
    epochs: { type: 'string', default: '2' },
    'no-sync': { type: 'boolean', default: false },
  },
});
const SYNC = !a['no-sync'];
const resolved = await createBackendRegistry({ env: {} }).register(webgpuBackend()).resolve({ backend: 'webgpu' });
const data = await loadCifar10({ dataDir: join(a['data-dir']!) });
const n = Number(a['limit-train']);
const t = Number(a['limit-test']);
const model = buildModel(getModelSpec(a.model!, { numClasses: 10, inputShape: [32, 32, 3] }), { seed: 42 });
let start = 0;
let seconds = 0;
let images = 0;
let steps = 0;
const timer: Callback = {
  name: 'timer',
  onTrainBegin: (ctx) => {
    steps = ctx.params.steps;
  },
  // The last batch of each epoch is read back, so the clock stops when the device is done
  // (without it, it stops when the last batch is queued, the GPU still busy).
  needsBatchLogs: (globalStep) => SYNC && (globalStep + 1) % steps === 0,
  onEpochBegin: () => {
    start = performance.now();
    images = 0;
  },
  onBatchEnd: (b, ctx) => {
    images += b.size;
    if (b.batch + 1 === ctx.params.steps) seconds = (performance.now() - start) / 1000;
  },
};
await fit({
  model,
  optimizer: createOptimizer('adam', { learningRate: 0.01 }),
  loss: 'categoricalCrossentropy',
  metrics: ['accuracy'],
  train: { images: data.train.images.subarray(0, n * 3072), labels: data.train.labels.subarray(0, n), imageShape: [32, 32, 3] },
  validation: { images: data.test.images.subarray(0, t * 3072), labels: data.test.labels.subarray(0, t), imageShape: [32, 32, 3] },
  epochs: Number(a.epochs),
  batchSize: Number(a.batch),
  seed: 42,
  augmentation: new ImageDataGenerator({ rotationRange: 10, widthShiftRange: 0.2, heightShiftRange: 0.2, horizontalFlip: true, fillMode: 'nearest' }),
  callbacks: [timer],
});
console.log(JSON.stringify({ imagesPerSecond: images / seconds, adapter: String(resolved.device.description) }));
process.exit(0);
