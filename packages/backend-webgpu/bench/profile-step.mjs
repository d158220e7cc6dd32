// Per-kernel profile of one seed-model training step (GPU timestamp queries when the adapter
// has them), after `pnpm build`: node bench/profile-step.mjs [--batch 32] [--stock] [--detail]
import { parseArgs } from 'node:util';
const { values: opts } = parseArgs({ options: { batch: { type: 'string', default: '32' }, stock: { type: 'boolean', default: false }, 'dawn-flags': { type: 'string', default: '' }, detail: { type: 'boolean', default: false } } });
const tf = await import('@tensorflow/tfjs-core');
const tfl = await import('@tensorflow/tfjs-layers');
const wg = await import('../dist/index.js');
const { seedModel } = await import('./seed-model.mjs');
const { device } = await wg.webgpuBackend({ dawnFlags: opts['dawn-flags'].split(',').filter(Boolean) }).init();
await tf.setBackend('webgpu');
console.log(`adapter: ${device.description}; timestamp-query: ${tf.backend().supportTimestampQuery}`);
if (opts.stock) wg.useStockKernels();
const batch = Number(opts.batch);
const model = seedModel(tf, tfl);
const xs = tf.randomUniform([batch, 32, 32, 3]);
const ys = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32'), 10);
await model.trainOnBatch(xs, ys);
// Count GPU dispatches (programs) too: fused programs such as the Adam update are not kernels.
const backend = tf.backend();
const run = backend.runWebGPUProgram;
let dispatches = 0;
backend.runWebGPUProgram = function (...args) { dispatches++; return run.apply(this, args); };
const t0 = performance.now();
const info = await tf.profile(async () => { await model.trainOnBatch(xs, ys); });
const wall = performance.now() - t0;
backend.runWebGPUProgram = run;
const byName = new Map();
for (const k of info.kernels) {
  const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
  const e = byName.get(k.name) ?? { ms: 0, n: 0 };
  e.ms += ms; e.n += 1; byName.set(k.name, e);
}
const total = [...byName.values()].reduce((a, e) => a + e.ms, 0);
console.log(`${opts.stock ? 'stock' : 'ours'} batch ${batch}: wall ${wall.toFixed(0)} ms (profiled), GPU kernel time ${total.toFixed(0)} ms, ${info.kernels.length} kernels, ${dispatches} GPU programs dispatched`);
for (const [name, e] of [...byName].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) {
  console.log(`${name.padEnd(28)} ${e.ms.toFixed(1).padStart(9)} ms ${(100 * e.ms / total).toFixed(1).padStart(5)}%  x${e.n}`);
}
if (opts.detail) {
  console.log('\nconvolution kernels, one line per call:');
  for (const k of info.kernels) {
    if (!/Conv2D/.test(k.name)) continue;
    console.log(`${k.name.padEnd(22)} ${String(k.kernelTimeMs.toFixed?.(1) ?? k.kernelTimeMs).padStart(8)} ms  in ${k.inputShapes.map((s) => `[${s}]`).join(' ')} -> ${k.outputShapes.map((s) => `[${s}]`).join(' ')}`);
  }
}
process.exit(0);
