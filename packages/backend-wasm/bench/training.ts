// Training-step speed, one interleaved run: PyTorch CPU (Debian's python3-torch, bench/torch_step.py)
// against tfbricks' `fit` on wasm, webgpu (Dawn; lavapipe here) and stock cpu, for the seed
// model, ResNet-20 and the tiny model (batch 32, 32x32x3, Keras Adam 1e-4).
//
//   pnpm --filter @tfbricks/backend-wasm bench
//   pnpm --filter @tfbricks/backend-wasm bench -- --models seed,tiny --backends torch,wasm --steps 3 --rounds 2
//
// Options: --models (seed,resnet20,tiny) --backends (torch,torch1,wasm,webgpu,cpu; torch1 is
// PyTorch on one thread) --steps N (timed steps, default 3) --warmup N (default 1)
// --rounds N (default 2; each round runs every pair, in rotated order) --cpu-steps N (stock cpu
// is ~10^2-10^3x slower: its timed steps, default 1, no warm-up, first round only)
// --cpu-models (models stock cpu runs, default resnet20,tiny: its seed-model step takes
// 10+ minutes on 2 shared cores; add seed to measure it) --threads N (PyTorch threads and wasm's
// XNNPACK threads, default: the machine's cores, at most 8) --wasm-threads N (wasm's alone)
// --python PATH (default /usr/bin/python3).
import '@tensorflow/tfjs-layers';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { cpuBackend } from '@tfbricks/backend-cpu';
import { webgpuBackend } from '@tfbricks/backend-webgpu';
import { createBackendRegistry } from '@tfbricks/core';
import { buildModel, createOptimizer, getModelSpec } from '@tfbricks/layers';
import { fit } from '@tfbricks/train';
import { wasmBackend } from '../src/wasm-backend';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2).filter((a) => a !== '--');
const opt = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const models = opt('models', 'seed,resnet20,tiny').split(',');
const backends = opt('backends', 'torch,wasm,webgpu,cpu').split(',');
const steps = Number(opt('steps', '3'));
const warmup = Number(opt('warmup', '1'));
const rounds = Number(opt('rounds', '2'));
const cpuSteps = Number(opt('cpu-steps', '1'));
const cpuModels = opt('cpu-models', 'resnet20,tiny').split(',');
const threads = Number(opt('threads', String(Math.min(8, os.availableParallelism()))));
const wasmThreads = Number(opt('wasm-threads', String(threads)));
const python = opt('python', '/usr/bin/python3');
const zooName: Record<string, string> = { seed: 'keras-cifar10-deep', resnet20: 'resnet20', tiny: 'tiny' };
const BATCH = 32;

const registry = createBackendRegistry({ env: {} }).register(cpuBackend()).register(wasmBackend({ threads: wasmThreads })).register(webgpuBackend());

function torchStep(model: string, torchThreads: number): number {
  const out = execFileSync(python, [path.join(here, 'torch_step.py'), model, String(steps), String(warmup), String(torchThreads)], { encoding: 'utf8' });
  return (JSON.parse(out.trim().split('\n').pop()!) as { msPerStep: number }).msPerStep;
}

/** ms per step of `fit` (one epoch of warmup + timed steps); webgpu is drained before each timestamp. */
async function tfStep(backend: string, model: string): Promise<number> {
  await registry.resolve({ backend });
  const isCpu = backend === 'cpu';
  const timed = isCpu ? cpuSteps : steps;
  const warm = isCpu ? 0 : warmup;
  const n = (warm + timed) * BATCH;
  const images = new Uint8Array(n * 32 * 32 * 3);
  for (let i = 0; i < images.length; i++) images[i] = (i * 2654435761) >>> 24;
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 10);
  const m = buildModel(getModelSpec(zooName[model]!), { seed: 1 });
  const probe = m.trainableWeights[m.trainableWeights.length - 1]!;
  const marks: number[] = [];
  const mark = async () => {
    await probe.read().data();
    marks.push(performance.now());
  };
  if (warm === 0) marks.push(performance.now());
  await fit({
    model: m,
    optimizer: createOptimizer('adam', { learningRate: 1e-4 }),
    train: { images, labels },
    epochs: 1,
    batchSize: BATCH,
    seed: 1,
    shuffle: false,
    callbacks: [
      {
        name: 'bench-timer',
        onBatchEnd: async (b) => {
          if (b.batch === warm - 1 || b.batch === warm + timed - 1) await mark();
        },
      },
    ],
  });
  m.dispose();
  return (marks[1]! - marks[0]!) / timed;
}

async function measure(backend: string, model: string): Promise<number> {
  if (backend === 'torch') return torchStep(model, threads);
  if (backend === 'torch1') return torchStep(model, 1);
  return tfStep(backend, model);
}

for (const name of ['wasm', 'webgpu', 'cpu']) {
  if (!backends.includes(name)) continue;
  const o = await registry.init(name);
  console.log(`# ${name}: ${o.ok ? o.device.description : `unavailable (${o.reason})`}`);
}
console.log(`# ${os.cpus().length} cores (${os.cpus()[0]?.model}), load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; PyTorch ${threads} thread(s) (torch1: 1), wasm ${wasmThreads}`);
console.log(`# batch ${BATCH}, ${warmup} warm-up + ${steps} timed steps per measurement (stock cpu: ${cpuSteps}, no warm-up, round 1 only), ${rounds} rounds`);

const results = new Map<string, number[]>();
for (let r = 0; r < rounds; r++) {
  for (const model of models) {
    const order = backends.map((_, i) => backends[(i + r) % backends.length]!);
    for (const backend of order) {
      if (backend === 'cpu' && (r > 0 || !cpuModels.includes(model))) continue;
      const available = backend.startsWith('torch') || (await registry.init(backend)).ok;
      if (!available) continue;
      const ms = await measure(backend, model);
      const key = `${model}|${backend}`;
      results.set(key, [...(results.get(key) ?? []), ms]);
      console.log(`round ${r + 1} ${model} ${backend}: ${ms.toFixed(0)} ms/step, ${((BATCH * 1000) / ms).toFixed(2)} images/s (load ${os.loadavg()[0]!.toFixed(1)})`);
    }
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log('\n| model | backend | ms/step (median) | images/s | vs PyTorch | measurements |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const model of models) {
  const torch = results.get(`${model}|torch`);
  for (const backend of backends) {
    const xs = results.get(`${model}|${backend}`);
    if (!xs) continue;
    const ms = median(xs);
    const vs = torch ? `${(median(torch) / ms).toFixed(2)}×` : '—';
    console.log(`| ${model} | ${backend} | ${ms.toFixed(0)} | ${((BATCH * 1000) / ms).toFixed(2)} | ${vs} | ${xs.map((x) => x.toFixed(0)).join(', ')} |`);
  }
}
const tinyCpu = results.get('tiny|cpu');
const tinyWasm = results.get('tiny|wasm');
if (tinyCpu && tinyWasm) console.log(`\ntiny: wasm is ${(median(tinyCpu) / median(tinyWasm)).toFixed(0)}× faster than stock cpu`);
process.exit(0);
