// Child process of node-threads.test.ts, shaped like a CLI: start wasm with the thread count in
// argv[2] ('default' = the plugin's default), run a convolution and its gradients, print one JSON
// line and fall off the end. The test fails if the process does not exit on its own.
import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { trainingKernelsActive } from './kernels';
import { kernelRuntime } from './kernels/kernel-runtime';
import { wasmBackend } from './wasm-backend';

const arg = process.argv[2] ?? 'default';
const plugin = wasmBackend(arg === 'default' ? {} : { threads: Number(arg) });
const { device } = await plugin.init();
await tf.setBackend('wasm');
const x = tf.tensor4d(Float32Array.from({ length: 4 * 12 * 12 * 8 }, (_, i) => Math.sin(i)), [4, 12, 12, 8]);
const w = tf.tensor4d(Float32Array.from({ length: 3 * 3 * 8 * 16 }, (_, i) => Math.cos(i) * 0.1), [3, 3, 8, 16]);
const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'))));
// Stock tfjs-backend-wasm has no Conv2DBackpropFilter: only the forward pass then.
const stock = process.env.TFBRICKS_WASM_STOCK_KERNELS === '1';
const [dx, dw] = stock ? [tf.tensor1d([]), tf.tensor1d([])] : grads([x, w]);
const y = tf.conv2d(x, w, 1, 'same');
console.log(
  JSON.stringify({
    description: device.description,
    deviceThreads: device.threads,
    threads: getThreadsCount(),
    kernelThreads: trainingKernelsActive() ? (kernelRuntime(tf.backend())?.threads() ?? 0) : 0,
    y: Array.from(await y.data()),
    dx: Array.from(await dx!.data()),
    dw: Array.from(await dw!.data()),
  }),
);
