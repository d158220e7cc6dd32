// Run by webgpu-backend.exit.test.ts in a child `node --import tsx` process: use the plugin the
// way a program does (registry, a few training steps, read results) and then simply return,
// disposing nothing. The process must exit on its own.
import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { createBackendRegistry, describeResolution, errorMessage } from '@tfbricks/core';
import { webgpuBackend } from './webgpu-backend';

const mode = process.argv[2] ?? 'train';
const plugin = webgpuBackend(mode === 'no-adapter' ? { dawnFlags: ['adapter=no-such-adapter-tfbricks'] } : {});
const registry = createBackendRegistry({ env: { TFBRICKS_BACKEND: 'webgpu' } }).register(plugin);

try {
  const resolved = await registry.resolve();
  const x = tf.randomNormal([16, 8], 0, 1, 'float32', 1);
  const y = tf.randomNormal([16, 2], 0, 1, 'float32', 2);
  const w = tf.variable(tf.randomNormal([8, 2], 0, 0.1, 'float32', 3));
  const optimizer = tf.train.adam(0.05);
  let loss = Infinity;
  for (let step = 0; step < 5; step++) {
    const l = optimizer.minimize(() => tf.losses.meanSquaredError(y, tf.matMul(x, w)) as tf.Scalar, true, [w])!;
    loss = (await l.data())[0];
  }
  console.log(JSON.stringify({ ok: true, backend: tf.getBackend(), resolution: describeResolution(resolved), loss }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, backend: tf.getBackend() ?? null, error: errorMessage(error) }));
}
