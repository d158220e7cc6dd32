// Per-kernel wall time on wasm for one conv layer of the seed model's shapes (batch 32): forward,
// both gradients (tfbricks' kernels), and a plain matmul of the same FLOPs, with GFLOP/s.
//   npx tsx bench/kernels.ts [threads=cores] [reps=5]
import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { createBackendRegistry } from '@tfbricks/core';
import { wasmBackend } from '../src/wasm-backend';

const [threadsArg, repsArg = '5'] = process.argv.slice(2).filter((a) => a !== '--');
const reps = Number(repsArg);
const plugin = wasmBackend(threadsArg ? { threads: Number(threadsArg) } : {});
const resolved = await createBackendRegistry({ env: {} }).register(plugin).resolve({ backend: 'wasm' });
console.log(`# ${resolved.device.description}`);

async function time(name: string, flops: number, f: () => tf.Tensor): Promise<void> {
  const warm = f();
  await warm.data();
  warm.dispose();
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    const y = f();
    await y.data();
    ms.push(performance.now() - t);
    y.dispose();
  }
  const best = Math.min(...ms);
  console.log(`${name.padEnd(44)} ${best.toFixed(1).padStart(7)} ms  ${(flops / best / 1e6).toFixed(1).padStart(6)} GFLOP/s`);
}

const layers: Array<[number, number, number, number]> = [
  [32, 32, 32, 32],
  [16, 16, 32, 64],
  [16, 16, 80, 80],
  [8, 8, 128, 128],
];
const N = 32;
for (const [h, w, ci, co] of layers) {
  const x = tf.randomUniform([N, h, w, ci], -1, 1) as tf.Tensor4D;
  const f = tf.randomUniform([3, 3, ci, co], -0.1, 0.1) as tf.Tensor4D;
  const dy = tf.randomUniform([N, h, w, co], -1, 1) as tf.Tensor4D;
  const flops = 2 * N * h * w * 9 * ci * co;
  const tag = `${h}x${w}x${ci}->${co}`;
  await time(`${tag} conv2d`, flops, () => tf.conv2d(x, f, 1, 'same'));
  await time(`${tag} backprop filter`, flops, () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, ci, co] }) as tf.Tensor);
  await time(`${tag} backprop input`, flops, () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: f }, { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: [N, h, w, ci] }) as tf.Tensor);
  const a = tf.randomUniform([N * h * w, 9 * ci]);
  const b = tf.randomUniform([9 * ci, co], -0.1, 0.1);
  await time(`${tag} matmul ${N * h * w}x${9 * ci}x${co}`, flops, () => tf.matMul(a, b));
  tf.dispose([x, f, dy, a, b]);
}
const x = tf.randomUniform([N, 32, 32, 32], -1, 1) as tf.Tensor4D;
const big = tf.randomUniform([3, 3, 32, 32], 0, 1) as tf.Tensor4D;
await time('32x32x32->32 conv2d, filter in [0,1)', 2 * N * 32 * 32 * 9 * 32 * 32, () => tf.conv2d(x, big, 1, 'same'));
for (const [h, c] of [
  [32, 48],
  [16, 80],
] as const) {
  const xin = tf.randomUniform([N, h, h, c], -1, 1) as tf.Tensor4D;
  const pooled = tf.maxPool(xin, 2, 2, 'valid');
  const dyPool = tf.randomUniform(pooled.shape, -1, 1);
  await time(`maxPoolGrad ${h}x${h}x${c}`, 0, () => tf.engine().runKernel('MaxPoolGrad', { dy: dyPool, input: xin, output: pooled }, { filterSize: 2, strides: 2, pad: 'valid' }) as tf.Tensor);
  await time(`transpose ${h}x${h}x${c} [3,1,2,0]`, 0, () => tf.transpose(xin, [3, 1, 2, 0]));
  await time(`transpose ${h}x${h}x${c} [1,2,0,3]`, 0, () => tf.transpose(xin, [1, 2, 0, 3]));
  tf.dispose([xin, pooled, dyPool]);
}
