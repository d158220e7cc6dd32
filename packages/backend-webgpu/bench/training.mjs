// WebGPU training benchmark: tfjs' stock kernels vs tfbricks' training kernels, in one run.
//
//   pnpm --filter @tfbricks/backend-webgpu bench [-- options]      (builds, then runs this)
//   node bench/training.mjs [options]                              (after `pnpm build`)
//
// Options:
//   --gpu                 prefer a hardware adapter: Dawn flag backend=vulkan, high-performance,
//                         and the batch-128 full step on (it is also on whenever the adapter
//                         is not a software one)
//   --dawn-flags a,b      extra Dawn toggles, e.g. backend=vulkan,adapter=NVIDIA
//   --kernel-batch N      batch of the per-kernel timings (default 32)
//   --batches 32,128      batches of the full seed-model training step (default 32, plus 128 on
//                         hardware adapters / with --gpu)
//   --warmup N            untimed warm-up steps per configuration (default 1)
//   --steps N             timed training steps per configuration (default 2; stock and ours
//                         alternate step by step so a shared machine's load drift hits both)
//   --iters N             timed calls per kernel and round (default: 2 software, 20 hardware)
//   --rounds N            rounds alternating stock and ours per kernel; the fastest counts (3)
//   --budget S            soft time budget in seconds; once spent, the remaining full-step
//                         configurations are skipped and reported as such (default 600)
//   --no-stock-step       skip the (slow) stock full steps; kernel ratios are still measured
//   --kernels-only        only the per-kernel timings
//   --variant V           tfbricks program family: auto (default), tiled or vec4
//   --json FILE           also write the results as JSON
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

// `pnpm bench -- --gpu` hands the script a literal "--" first: drop it.
const argv = process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--'));
const { values: opts } = parseArgs({
  args: argv,
  options: {
    gpu: { type: 'boolean', default: false },
    'dawn-flags': { type: 'string', default: '' },
    'kernel-batch': { type: 'string', default: '32' },
    batches: { type: 'string' },
    warmup: { type: 'string', default: '1' },
    steps: { type: 'string', default: '2' },
    iters: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    budget: { type: 'string', default: '600' },
    'no-stock-step': { type: 'boolean', default: false },
    'kernels-only': { type: 'boolean', default: false },
    variant: { type: 'string', default: 'auto' },
    json: { type: 'string' },
  },
});

function posInt(name, text) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`bench: --${name} must be a non-negative integer, got "${text}"`);
    process.exit(2);
  }
  return n;
}

const started = performance.now();
const budgetMs = posInt('budget', opts.budget) * 1000;
const elapsed = () => performance.now() - started;

const dawnFlags = opts['dawn-flags'] ? opts['dawn-flags'].split(',').filter(Boolean) : [];
if (opts.gpu && !dawnFlags.some((f) => f.startsWith('backend='))) dawnFlags.push('backend=vulkan');

const tf = await import('@tensorflow/tfjs-core');
const tfl = await import('@tensorflow/tfjs-layers');
const wg = await import('../dist/index.js');
const { seedModel } = await import('./seed-model.mjs');

const plugin = wg.webgpuBackend({ dawnFlags, powerPreference: 'high-performance', trainingKernels: true });
const { device } = await plugin.init();
if (!(await tf.setBackend('webgpu'))) throw new Error('tf.setBackend("webgpu") failed');
await tf.ready();

const software = device.software === true;
if (opts.gpu && software) console.warn('WARNING: --gpu was given but the selected adapter is a software one; try --dawn-flags adapter=<name>');
wg.setTrainingKernelVariant(opts.variant);
const kernelBatch = posInt('kernel-batch', opts['kernel-batch']);
const batches = opts['kernels-only'] ? [] : (opts.batches ?? (opts.gpu || !software ? '32,128' : '32')).split(',').map((b) => posInt('batches', b));
const warmup = posInt('warmup', opts.warmup);
const steps = Math.max(1, posInt('steps', opts.steps));
const iters = Math.max(1, posInt('iters', opts.iters ?? (software ? '2' : '20')));
const rounds = Math.max(1, posInt('rounds', opts.rounds));

const results = { adapter: device, tfjs: tf.version_core, node: process.version, date: new Date().toISOString(), kernels: [], steps: [] };

console.log(`adapter: ${device.description}`);
console.log(`vendor=${device.vendor || "?"} architecture=${device.architecture || "?"} device=${device.adapter || "?"} driver=${device.driver || "?"} software=${software}`);
console.log(`tfjs-core ${tf.version_core}, node ${process.version}, dawn flags [${dawnFlags.join(', ')}]`);
console.log(`per-kernel: batch ${kernelBatch}, best of ${rounds} rounds of ${iters} timed calls; full step: batches ${batches.join(',')}, ${warmup} warm-up + ${steps} timed`);

function useOurs(ours) {
  if (ours) wg.registerTrainingKernels();
  else wg.useStockKernels();
}

/** Mean ms per call of `fn` (returns a tensor), waiting for the GPU by reading one element. */
async function timeKernel(fn, n, warm = true) {
  const sync = async (t) => {
    const one = tf.slice(tf.reshape(t, [-1]), 0, 1);
    await one.data();
    tf.dispose([one, t]);
  };
  if (warm) await sync(fn()); // compile + warm up
  const t0 = performance.now();
  let last;
  for (let i = 0; i < n; i++) {
    if (last) last.dispose();
    last = fn();
  }
  await sync(last);
  return (performance.now() - t0) / n;
}

function random(shape, seed) {
  return tf.randomUniform(shape, -1, 1, 'float32', seed);
}

// The seed model's conv shapes (3x3, same, stride 1): [H, W, Cin, Cout].
const convShapes = [
  [32, 32, 32, 32],
  [16, 16, 80, 80],
  [8, 8, 128, 128],
];

const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const ratio = (a, b) => (a / b).toFixed(2) + 'x';

console.log('\n== per kernel (ms per call; ratio = stock / ours) ==');
console.log('shape (NHWC, 3x3 same)      | fwd stock | fwd ours | fwd ratio | dW stock | dW ours | dW ratio | dX stock | dX stock-MM | dX ours | dX ratio');
for (const [h, w, cin, cout] of convShapes) {
  const x = random([kernelBatch, h, w, cin], 1);
  const filter = random([3, 3, cin, cout], 2);
  const dy = random([kernelBatch, h, w, cout], 3);
  const bias = random([cout], 6);
  const forward = () => tf.fused.conv2d({ x, filter, bias, strides: 1, pad: 'same' });
  const filterGrad = () =>
    tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, cin, cout] });
  const inputGrad = () => tf.conv2dTranspose(dy, filter, [kernelBatch, h, w, cin], 1, 'same');
  const row = { shape: [kernelBatch, h, w, cin, cout] };
  const naive = tf.env().getBool('WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE');
  const configs = {
    forwardStockMs: [false, forward],
    forwardOursMs: [true, forward],
    filterStockMs: [false, filterGrad],
    filterOursMs: [true, filterGrad],
    inputStockMs: [false, inputGrad],
    inputStockMmMs: ['mm', inputGrad],
    inputOursMs: [true, inputGrad],
  };
  // Rounds alternate stock and ours; the fastest round of each counts (load spikes on a
  // shared machine only ever add time).
  for (let round = 0; round < rounds; round++) {
    for (const [key, [mode, fn]] of Object.entries(configs)) {
      useOurs(mode === true);
      if (mode === 'mm') tf.env().set('WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE', false);
      const ms = await timeKernel(fn, iters, round === 0);
      tf.env().set('WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE', naive);
      row[key] = Math.min(row[key] ?? Infinity, ms);
    }
  }
  useOurs(true);
  row.filterRatio = row.filterStockMs / row.filterOursMs;
  row.inputRatio = row.inputStockMs / row.inputOursMs;
  row.forwardRatio = row.forwardStockMs / row.forwardOursMs;
  results.kernels.push(row);
  tf.dispose([x, filter, dy, bias]);
  const name = `${kernelBatch}x${h}x${w}x${cin}->${cout}`.padEnd(27);
  console.log(
    `${name} | ${fmt(row.forwardStockMs).padStart(9)} | ${fmt(row.forwardOursMs).padStart(8)} | ${ratio(row.forwardStockMs, row.forwardOursMs).padStart(9)} | ${fmt(row.filterStockMs).padStart(8)} | ${fmt(row.filterOursMs).padStart(7)} | ${ratio(row.filterStockMs, row.filterOursMs).padStart(8)} | ${fmt(row.inputStockMs).padStart(8)} | ${fmt(row.inputStockMmMs).padStart(11)} | ${fmt(row.inputOursMs).padStart(7)} | ${ratio(row.inputStockMs, row.inputOursMs).padStart(8)}`,
  );
}

console.log('\n== full training step of the seed model (Adam, categorical cross-entropy) ==');
const model = seedModel(tf, tfl);
console.log(`seed model: ${model.countParams()} params`);
for (const batch of batches) {
  const xs = tf.randomUniform([batch, 32, 32, 3], 0, 1, 'float32', 4);
  const ys = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 5), 10);
  const row = { batch };
  // Stock and ours alternate step by step, so that a shared machine's changing load hits
  // both alike; warm-up steps (compilation) are not timed.
  const configs = [];
  for (const ours of [false, true]) {
    const key = ours ? 'ours' : 'stock';
    if (!ours && opts['no-stock-step']) row[`${key}Skipped`] = '--no-stock-step';
    else configs.push({ ours, key, times: [] });
  }
  let before = tf.memory().numTensors;
  for (let i = 0; i < warmup + steps; i++) {
    // Adam creates its moment variables on the first step: count from the first timed one.
    if (i === warmup) before = tf.memory().numTensors;
    for (const c of configs) {
      if (elapsed() > budgetMs) {
        row[`${c.key}Skipped`] ??= 'time budget spent';
        continue;
      }
      useOurs(c.ours);
      const t0 = performance.now();
      await model.trainOnBatch(xs, ys);
      if (i >= warmup) c.times.push(performance.now() - t0);
    }
  }
  for (const c of configs) {
    if (c.times.length === 0) {
      row[`${c.key}Skipped`] ??= 'time budget spent';
      continue;
    }
    const ms = c.times.reduce((a, t) => a + t, 0) / c.times.length;
    row[`${c.key}StepMs`] = ms;
    row[`${c.key}Steps`] = c.times.length;
    row[`${c.key}ImagesPerSec`] = (batch * 1000) / ms;
  }
  row.tensorsLeaked = tf.memory().numTensors - before;
  if (row.stockStepMs && row.oursStepMs) row.stepRatio = row.stockStepMs / row.oursStepMs;
  results.steps.push(row);
  tf.dispose([xs, ys]);
  const cell = (key) =>
    row[`${key}StepMs`] ? `${fmt(row[`${key}StepMs`])} ms/step, ${row[`${key}ImagesPerSec`].toFixed(1)} images/s` : `skipped (${row[`${key}Skipped`]})`;
  console.log(`batch ${String(batch).padStart(4)} | stock: ${cell('stock')} | ours: ${cell('ours')}${row.stepRatio ? ` | ratio ${ratio(row.stockStepMs, row.oursStepMs)}` : ''} | tensors leaked ${row.tensorsLeaked}`);
}
wg.registerTrainingKernels();

console.log('\n== summary (ratios measured in this run) ==');
for (const k of results.kernels) {
  console.log(
    `${k.shape.join('x')}: filter gradient ${k.filterRatio.toFixed(2)}x, input gradient ${k.inputRatio.toFixed(2)}x, forward (fused conv+bias) ${k.forwardRatio.toFixed(2)}x`,
  );
}
for (const s of results.steps) {
  console.log(`batch ${s.batch}: ${s.stepRatio ? `training step ${s.stepRatio.toFixed(2)}x, ` : ''}ours ${s.oursImagesPerSec ? s.oursImagesPerSec.toFixed(1) + ' images/s' : 'skipped'}`);
}
console.log(`total ${(elapsed() / 1000).toFixed(0)} s`);
if (opts.json) writeFileSync(opts.json, JSON.stringify(results, null, 2));
process.exit(0);
