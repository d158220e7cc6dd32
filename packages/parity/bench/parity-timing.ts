// `pnpm --filter @tfbricks/parity bench`: time every parity case on each available backend
// (median of N runs after one warm-up, inputs identical), and print the ratio to cpu. Timings
// include reading the results back (`await data()`), as a training step does.
import * as tfl from '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { cpuBackend } from '@tfbricks/backend-cpu';
import { cudaBackend } from '@tfbricks/backend-cuda';
import { webgpuBackend } from '@tfbricks/backend-webgpu';
import { createBackendRegistry } from '@tfbricks/core';
import { parityCases, parityInputs, runParityCase } from '@tfbricks/core/testing';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const registry = createBackendRegistry({ env: {} }).register(cpuBackend()).register(webgpuBackend()).register(cudaBackend());
const available: { name: string; tfjs: string; device: string }[] = [];
for (const p of registry.list().reverse()) {
  const outcome = await registry.init(p.name);
  if (outcome.ok) available.push({ name: p.name, tfjs: p.tfjsBackend, device: outcome.device.description });
  else console.log(`skipped ${p.name}: ${outcome.reason}`);
}
for (const b of available) console.log(`backend ${b.name}: ${b.device}`);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows: string[] = [];
rows.push(`| case | ${available.map((b) => `${b.name} ms`).join(' | ')} | ${available.slice(1).map((b) => `${b.name}/cpu`).join(' | ')} |`);
rows.push(`| --- | ${available.map(() => '---:').join(' | ')} | ${available.slice(1).map(() => '---:').join(' | ')} |`);
for (const c of parityCases()) {
  const inputs = parityInputs(c, 1234);
  const times: number[] = [];
  for (const b of available) {
    await tf.setBackend(b.tfjs);
    if ((c.optionalKernels ?? []).some((k) => !tf.getKernel(k, b.tfjs))) {
      times.push(NaN);
      continue;
    }
    await runParityCase(c, inputs, tfl.layers);
    const samples: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await runParityCase(c, inputs, tfl.layers);
      samples.push(performance.now() - t0);
    }
    times.push(median(samples));
  }
  const ratios = times.slice(1).map((t) => (Number.isNaN(t) ? 'n/a' : (t / times[0]).toFixed(2)));
  rows.push(`| ${c.name} | ${times.map((t) => (Number.isNaN(t) ? 'n/a' : t.toFixed(2))).join(' | ')} | ${ratios.join(' | ')} |`);
}
console.log(`\nmedian of ${RUNS} runs per case (after one warm-up), identical inputs:\n`);
console.log(rows.join('\n'));
