// Page side of src/browser.test.ts: bundled by esbuild (platform browser) and run in headless
// Chromium. Resolves the tfbricks webgpu backend through a registry, runs a conv2d + matMul
// forward/gradient on webgpu and on cpu, and one training step of a tiny tfjs-layers model.
// Results go back to the test through page.evaluate(() => window.tfbricksBrowserTest()).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ADAM_UPDATE_KERNEL, createBackendRegistry } from '@tfbricks/core';
import { cpuBackend } from '@tfbricks/backend-cpu';
import { TRAINING_KERNEL_NAMES, trainingKernelsActive, webgpuBackend } from '@tfbricks/backend-webgpu';
import { type Computed, exposeBrowserTest, lcgValues as values, setBrowserStage } from '@tfbricks/test-browser';
import { recordingPrograms } from '../src/test-support/record-programs';

export interface BrowserReport {
  userAgent: string;
  secureContext: boolean;
  hasNavigatorGpu: boolean;
  device: Record<string, unknown>;
  resolvedName: string;
  backendAfterResolve: string;
  trainingKernelsActive: boolean;
  trainingKernelNames: string[];
  /** conv2d forward, matMul forward, then dLoss/dx, dLoss/dfilter, dLoss/da, dLoss/db. */
  webgpu: Computed;
  cpu: Computed;
  /** shaderKeys of every webgpu program the conv2d gradient dispatched. */
  convGradPrograms: string[];
  training: {
    backendBefore: string;
    backendAfter: string;
    lossBefore: number;
    lossAfter: number;
    weightsChanged: boolean;
    programs: string[];
  };
  /** One run of core's TfbricksAdamUpdate on webgpu: its programs and the worst error against Keras' formula. */
  adamKernel: { programs: string[]; worstError: number };
  timingsMs: Record<string, number>;
}

const X_SHAPE: [number, number, number, number] = [2, 8, 8, 4];
const F_SHAPE: [number, number, number, number] = [3, 3, 4, 8];
const A_SHAPE: [number, number] = [16, 24];
const B_SHAPE: [number, number] = [24, 12];

/** Forward and gradients of a conv2d and a matMul on the current tf backend. */
async function compute(): Promise<Computed> {
  const x = tf.tensor4d(values(2 * 8 * 8 * 4, 1), X_SHAPE);
  const f = tf.tensor4d(values(3 * 3 * 4 * 8, 2), F_SHAPE);
  const a = tf.tensor2d(values(16 * 24, 3), A_SHAPE);
  const b = tf.tensor2d(values(24 * 12, 4), B_SHAPE);
  // Weighted sums make every output element's gradient different (not all ones).
  const wConv = tf.tensor4d(values(2 * 8 * 8 * 8, 5), [2, 8, 8, 8]);
  const wMat = tf.tensor2d(values(16 * 12, 6), [16, 12]);
  const convLoss = (xi: tf.Tensor, fi: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xi as tf.Tensor4D, fi as tf.Tensor4D, 1, 'same'), wConv));
  const matLoss = (ai: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(tf.matMul(ai as tf.Tensor2D, bi as tf.Tensor2D), wMat));
  const named: [string, tf.Tensor][] = [
    ['conv2d', tf.conv2d(x, f, 1, 'same')],
    ['matMul', tf.matMul(a, b)],
  ];
  const [dx, df] = tf.grads(convLoss)([x, f]);
  const [da, db] = tf.grads(matLoss)([a, b]);
  named.push(['conv2d dx', dx!], ['conv2d dfilter', df!], ['matMul da', da!], ['matMul db', db!]);
  const outputs: Computed['outputs'] = [];
  for (const [name, t] of named) outputs.push({ name, shape: t.shape, values: Array.from(await t.data()) });
  tf.dispose([x, f, a, b, wConv, wMat, ...named.map(([, t]) => t)]);
  return { outputs };
}

async function convGradient(): Promise<void> {
  const x = tf.tensor4d(values(2 * 8 * 8 * 4, 7), X_SHAPE);
  const f = tf.tensor4d(values(3 * 3 * 4 * 8, 8), F_SHAPE);
  const grads = tf.grads((xi: tf.Tensor, fi: tf.Tensor) => tf.sum(tf.square(tf.conv2d(xi as tf.Tensor4D, fi as tf.Tensor4D, 1, 'same'))))([x, f]);
  for (const g of grads) await g.data();
  tf.dispose([x, f, ...grads]);
}

async function trainingStep(): Promise<BrowserReport['training']> {
  const backendBefore = tf.getBackend();
  // An RGB first layer (3 → 4 channels: outside the vec4 programs; in the browser the plugin
  // keeps such cases on tfjs' stock kernels, since SwiftShader never finishes compiling the tiled
  // ones) followed by a 4 → 4 layer that takes tfbricks' vec4 programs.
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  const xs = tf.tensor4d(values(8 * 8 * 8 * 3, 9), [8, 8, 8, 3]);
  const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
  // Copies of the weights' values: the variables themselves are updated in place.
  const beforeValues = await Promise.all(model.getWeights().map((w) => w.data()));
  const evaluate = async () => {
    const loss = model.evaluate(xs, ys, { batchSize: 8 }) as tf.Scalar;
    const value = (await loss.data())[0]!;
    loss.dispose();
    return value;
  };
  const lossBefore = await evaluate();
  const { programs } = await recordingPrograms(async () => {
    await model.trainOnBatch(xs, ys);
  });
  const lossAfter = await evaluate();
  const afterValues = await Promise.all(model.getWeights().map((w) => w.data()));
  const weightsChanged = afterValues.some((v, i) => v.some((e, j) => e !== beforeValues[i]![j]));
  tf.dispose([xs, ys]);
  model.dispose();
  return { backendBefore, backendAfter: tf.getBackend(), lossBefore, lossAfter, weightsChanged, programs: [...new Set(programs)] };
}

/** Keras' Adam update through the named kernel the plugin registers, checked against the formula in float64. */
async function adamKernel(): Promise<BrowserReport['adamKernel']> {
  const n = 96;
  const [x, g, m] = [values(n, 11), values(n, 12), values(n, 13)];
  const v = values(n, 14).map((e) => e * e);
  const attrs = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, lrT: 0.01 };
  const { result, programs } = await recordingPrograms(async () => {
    const outs = tf.engine().runKernel(
      ADAM_UPDATE_KERNEL,
      { variable: tf.tensor1d(x), gradient: tf.tensor1d(g), m: tf.tensor1d(m), v: tf.tensor1d(v) },
      attrs as unknown as tf.NamedAttrMap,
    ) as tf.Tensor[];
    const data = await Promise.all(outs.map((o) => o.data()));
    tf.dispose(outs);
    return data;
  });
  let worstError = 0;
  for (let i = 0; i < n; i++) {
    const m1 = m[i]! * attrs.beta1 + g[i]! * (1 - attrs.beta1);
    const v1 = v[i]! * attrs.beta2 + g[i]! ** 2 * (1 - attrs.beta2);
    const x1 = x[i]! - (m1 / (Math.sqrt(v1) + attrs.epsilon)) * attrs.lrT;
    [m1, v1, x1].forEach((want, k) => (worstError = Math.max(worstError, Math.abs(result[k]![i]! - want))));
  }
  return { programs: [...new Set(programs)], worstError };
}

async function run(): Promise<BrowserReport> {
  const timingsMs: Record<string, number> = {};
  let t = performance.now();
  setBrowserStage('resolve webgpu');
  const lap = (name: string, next = 'done') => {
    const now = performance.now();
    timingsMs[name] = Math.round(now - t);
    t = now;
    setBrowserStage(next);
  };
  const hasNavigatorGpu = 'gpu' in navigator && !!(navigator as { gpu?: unknown }).gpu;
  const registry = createBackendRegistry({ env: {} }).register(webgpuBackend()).register(cpuBackend());
  const resolved = await registry.resolve({ backend: 'webgpu' });
  const backendAfterResolve = tf.getBackend();
  const active = trainingKernelsActive();
  lap('resolve webgpu', 'webgpu conv2d/matMul forward+grad');
  const webgpu = await compute();
  lap('webgpu conv2d/matMul forward+grad', 'webgpu conv2d gradient (recorded)');
  const { programs: convGradPrograms } = await recordingPrograms(convGradient);
  lap('webgpu conv2d gradient (recorded)', 'cpu conv2d/matMul forward+grad');
  await registry.resolve({ backend: 'cpu' });
  const cpu = await compute();
  lap('cpu conv2d/matMul forward+grad', 'webgpu training step');
  await registry.resolve({ backend: 'webgpu' });
  const training = await trainingStep();
  lap('webgpu training step', 'webgpu Adam kernel');
  const adam = await adamKernel();
  lap('webgpu Adam kernel');
  return {
    userAgent: navigator.userAgent,
    secureContext: globalThis.isSecureContext,
    hasNavigatorGpu,
    device: { ...resolved.device },
    resolvedName: resolved.name,
    backendAfterResolve,
    trainingKernelsActive: active,
    trainingKernelNames: [...TRAINING_KERNEL_NAMES],
    webgpu,
    cpu,
    convGradPrograms: [...new Set(convGradPrograms)],
    training,
    adamKernel: adam,
    timingsMs,
  };
}

exposeBrowserTest(run);
