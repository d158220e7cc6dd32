// Training-step time of the same model built fused (Conv2D/Dense + ReLU in one tfjs layer, so
// tfjs runs its fused conv+bias+activation kernel) and unfused (Keras structure as is).
//   node bench/fused.mjs --backend webgpu --model keras-cifar10-deep --batch 8 --steps 4
//   node bench/fused.mjs --backend cpu --model tiny --batch 32 --steps 10
//   add --profile to count the kernels one training step dispatches in each build
// Build first (`npx tsup`); the webgpu run also needs @tfbricks/backend-webgpu built.
import { parseArgs } from 'node:util';

const { values: o } = parseArgs({
  options: {
    backend: { type: 'string', default: 'cpu' },
    model: { type: 'string', default: 'tiny' },
    batch: { type: 'string', default: '32' },
    steps: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    profile: { type: 'boolean', default: false },
  },
});
const tf = await import('@tensorflow/tfjs-core');
await import('@tensorflow/tfjs-layers'); // registers gradients
const layers = await import('../dist/index.js');

let device = 'cpu (pure JS)';
if (o.backend === 'webgpu') {
  const wg = await import('@tfbricks/backend-webgpu');
  const r = await wg.webgpuBackend().init();
  device = r.device?.description ?? 'webgpu';
  await tf.setBackend('webgpu');
} else if (o.backend === 'cpu') {
  await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
} else {
  throw new Error(`--backend must be cpu or webgpu, got ${o.backend}`);
}
await tf.ready();

const batch = Number(o.batch);
const steps = Number(o.steps);
const warmup = Number(o.warmup);
const spec = layers.getModelSpec(o.model);
const [h, w, c] = spec.inputShape;
const xs = tf.randomUniform([batch, h, w, c], 0, 1, 'float32', 1);
const ys = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 2), 10);

function make(fuse) {
  const model = layers.buildModel(spec, { seed: 1, fuseActivations: fuse });
  model.compile({ optimizer: layers.createOptimizer('adam', { learningRate: 1e-3 }), loss: 'categoricalCrossentropy' });
  return model;
}
const models = { fused: make(true), unfused: make(false) };
async function step(model) {
  const t0 = performance.now();
  const loss = await model.trainOnBatch(xs, ys); // returns a number: the step has completed
  if (!Number.isFinite(loss)) throw new Error(`non-finite loss ${loss}`);
  return performance.now() - t0;
}
for (let i = 0; i < warmup; i++) for (const m of Object.values(models)) await step(m);
const times = { fused: [], unfused: [] };
for (let i = 0; i < steps; i++) {
  // Alternate the order so drifts in machine load hit both builds alike.
  const order = i % 2 === 0 ? ['fused', 'unfused'] : ['unfused', 'fused'];
  for (const k of order) times[k].push(await step(models[k]));
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const mf = median(times.fused);
const mu = median(times.unfused);
// On a shared machine other processes only ever add time: the minimum is the least disturbed step.
const minF = Math.min(...times.fused);
const minU = Math.min(...times.unfused);
console.log(`backend ${o.backend} (${device}), model ${o.model}, batch ${batch}, ${steps} timed steps each after ${warmup} warm-up`);
console.log(`fused   median ${mf.toFixed(1)} ms/step  [${times.fused.map((t) => t.toFixed(0)).join(', ')}]`);
console.log(`unfused median ${mu.toFixed(1)} ms/step  [${times.unfused.map((t) => t.toFixed(0)).join(', ')}]`);
console.log(`speed-up unfused/fused: median ${(mu / mf).toFixed(3)}x, min ${(minU / minF).toFixed(3)}x (min fused ${minF.toFixed(1)} ms, unfused ${minU.toFixed(1)} ms)`);
if (o.profile) {
  // Kernels dispatched by one training step: what fusing removes, independent of machine load.
  const counts = {};
  for (const [k, m] of Object.entries(models)) {
    const info = await tf.profile(async () => {
      await m.trainOnBatch(xs, ys);
    });
    const byName = {};
    for (const kern of info.kernels) byName[kern.name] = (byName[kern.name] ?? 0) + 1;
    counts[k] = { total: info.kernels.length, byName };
  }
  const names = [...new Set([...Object.keys(counts.fused.byName), ...Object.keys(counts.unfused.byName)])];
  const diff = names.filter((n) => (counts.fused.byName[n] ?? 0) !== (counts.unfused.byName[n] ?? 0));
  console.log(`kernels per training step: fused ${counts.fused.total}, unfused ${counts.unfused.total}`);
  for (const n of diff) console.log(`  ${n.padEnd(20)} fused ${String(counts.fused.byName[n] ?? 0).padStart(4)}  unfused ${String(counts.unfused.byName[n] ?? 0).padStart(4)}`);
}
process.exit(0);
