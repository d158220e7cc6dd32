// Page side of src/browser.test.ts: bundled by esbuild (platform browser) and run in headless
// Chromium, once on a plain page (single-threaded) and once cross-origin isolated (COOP/COEP:
// tfjs-backend-wasm's threaded build). Resolves wasm through a registry, compares conv2d
// forward and gradients with cpu, and runs two fit-style training steps of a small CNN.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { createBackendRegistry, describeResolution } from '@tfbricks/core';
import { cpuBackend } from '@tfbricks/backend-cpu';
import { directKernelCalls, stockFallbackCount, trainingKernelsActive, wasmBackend } from '@tfbricks/backend-wasm';
import { type Computed, exposeBrowserTest, lcgValues as values } from '@tfbricks/test-browser';

export interface BrowserReport {
  userAgent: string;
  crossOriginIsolated: boolean;
  resolution: string;
  device: Record<string, unknown>;
  backendAfterResolve: string;
  threads: number;
  cores: number;
  trainingKernelsActive: boolean;
  stockFallbacks: number;
  /** Calls tfbricks' WebAssembly kernels served (per kernel function) by the end of the wasm part. */
  directCalls: Record<string, number>;
  wasm: Computed;
  cpu: Computed;
  training: { lossBefore: number; lossAfter: number; backend: string; stepMs: number; leaked: number };
}

/** conv2d (same, stride 1 and valid, stride 2) forward and both gradients on the current backend. */
async function compute(): Promise<Computed> {
  const x = tf.tensor4d(values(2 * 9 * 9 * 3, 1), [2, 9, 9, 3]);
  const f = tf.tensor4d(values(3 * 3 * 3 * 8, 2), [3, 3, 3, 8]);
  const named: [string, tf.Tensor][] = [];
  for (const [stride, pad] of [
    [1, 'same'],
    [2, 'valid'],
  ] as const) {
    const conv = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad);
    const y = conv(x, f);
    const dy = tf.tensor(values(y.size, 3), y.shape);
    const [dx, df] = tf.grads(conv)([x, f], dy);
    named.push([`conv2d ${pad} ${stride}`, y], [`dx ${pad} ${stride}`, dx!], [`dfilter ${pad} ${stride}`, df!]);
    dy.dispose();
  }
  // 64 input channels: the forward pass and the filter gradient by Winograd.
  {
    const x64 = tf.tensor4d(values(1 * 6 * 6 * 64, 4), [1, 6, 6, 64]);
    const f64 = tf.tensor4d(values(3 * 3 * 64 * 8, 5), [3, 3, 64, 8]);
    const conv = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same');
    const y = conv(x64, f64);
    const dy = tf.tensor(values(y.size, 6), y.shape);
    const [dx, df] = tf.grads(conv)([x64, f64], dy);
    named.push(['conv2d same 1 (64 channels)', y], ['dx same 1 (64 channels)', dx!], ['dfilter same 1 (64 channels)', df!]);
    tf.dispose([x64, f64, dy]);
  }
  const outputs: Computed['outputs'] = [];
  for (const [name, t] of named) outputs.push({ name, shape: t.shape, values: Array.from(await t.data()) });
  tf.dispose([x, f, ...named.map(([, t]) => t)]);
  return { outputs };
}

async function train(): Promise<BrowserReport['training']> {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [16, 16, 3], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
      tfl.layers.globalAveragePooling2d({}),
      tfl.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-2), loss: 'categoricalCrossentropy' });
  const xs = tf.tensor4d(values(16 * 16 * 16 * 3, 7), [16, 16, 16, 3]);
  const ys = tf.oneHot(tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 4), 'int32'), 4);
  const lossBefore = (await model.trainOnBatch(xs, ys)) as number;
  // After the first step, which creates Adam's slot variables.
  const before = tf.memory().numTensors;
  const t = performance.now();
  const lossAfter = (await model.trainOnBatch(xs, ys)) as number;
  const stepMs = performance.now() - t;
  const leaked = tf.memory().numTensors - before;
  tf.dispose([xs, ys]);
  model.dispose();
  return { lossBefore, lossAfter, backend: tf.getBackend(), stepMs, leaked };
}

async function run(): Promise<BrowserReport> {
  const registry = createBackendRegistry({ env: {} }).register(cpuBackend()).register(wasmBackend({ wasmPaths: '/wasm/' }));
  const resolved = await registry.resolve({ backend: 'wasm' });
  const backendAfterResolve = tf.getBackend();
  const threads = getThreadsCount();
  const wasm = await compute();
  const training = await train();
  const directCalls = directKernelCalls();
  const cpuInit = await registry.init('cpu');
  if (!cpuInit.ok) throw new Error(`cpu backend unusable: ${cpuInit.reason}`);
  await tf.setBackend('cpu');
  const cpu = await compute();
  return {
    userAgent: navigator.userAgent,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    resolution: describeResolution(resolved),
    device: resolved.device,
    backendAfterResolve,
    threads,
    cores: navigator.hardwareConcurrency,
    trainingKernelsActive: trainingKernelsActive(),
    stockFallbacks: stockFallbackCount(),
    directCalls,
    wasm,
    cpu,
    training,
  };
}

exposeBrowserTest(run);
