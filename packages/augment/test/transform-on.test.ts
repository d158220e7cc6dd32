import * as tf from '@tensorflow/tfjs-core';
import { type ActivatedBackend, activatedBackend, isSoftwareGpu, recordActivatedBackend } from '@tfbricks/core';
import { afterAll, describe, expect, it } from 'vitest';
import { DIRECT_KERNEL, ImageDataGenerator, type ImageDataGeneratorOptions, RESAMPLE_KERNEL, cpuTransformPreferred } from '../src';
import { maxAbsDiff, useBackend } from './helpers';

// flow()'s transformOn: where the geometric step runs (JS on the host vs the backend's kernel),
// which `auto` picks on each backend, and that both give the same batches.

const SETTINGS: Record<string, ImageDataGeneratorOptions> = {
  tutorial: { rotationRange: 10, widthShiftRange: 0.2, heightShiftRange: 0.2, horizontalFlip: true },
  everything: {
    rotationRange: 30,
    widthShiftRange: 0.1,
    heightShiftRange: 0.15,
    shearRange: 10,
    zoomRange: 0.2,
    fillMode: 'constant',
    cval: 0.25,
    horizontalFlip: true,
    verticalFlip: true,
    channelShiftRange: 0.1,
    brightnessRange: [0.8, 1.2],
    rescale: 0.5,
  },
  flipsOnly: { horizontalFlip: true, verticalFlip: true },
};

const N = 20;
const SHAPE = [N, 12, 10, 3] as const;
const pixels = Float32Array.from({ length: SHAPE.reduce((a, b) => a * b, 1) }, (_, i) => ((i * 7919) % 1013) / 1013);
const labels = Int32Array.from({ length: N }, (_, i) => i % 4);

function makeData(): { x: tf.Tensor4D; y: tf.Tensor2D } {
  return { x: tf.tensor4d(pixels, [...SHAPE]), y: tf.oneHot(tf.tensor1d(labels, 'int32'), 4) as tf.Tensor2D };
}

/** Every batch of one epoch (xs and ys values) and the kernels that built them. */
async function epoch(x: tf.Tensor4D, y: tf.Tensor, settings: ImageDataGeneratorOptions, transformOn: 'auto' | 'cpu' | 'backend') {
  const flow = new ImageDataGenerator(settings).flow(x, y, { batchSize: 8, seed: 11, transformOn });
  await flow.load();
  const path = flow.transformPath();
  const xs: Float32Array[] = [];
  const ys: number[][] = [];
  const kernels = new Set<string>();
  const order = flow.order(0);
  for (let i = 0; i < flow.size; i++) {
    const info = await tf.profile(() => {
      const b = flow.batch(0, i, order);
      return [b.xs, b.ys!];
    });
    for (const k of info.kernelNames) kernels.add(k);
    const [bx, by] = info.result as tf.Tensor[];
    xs.push((await bx.data()) as Float32Array);
    ys.push(Array.from(await by.data()));
    tf.dispose([bx, by]);
  }
  return { path, xs, ys, kernels };
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

let cpuReference: Record<string, Float32Array> | undefined;
async function reference(): Promise<Record<string, Float32Array>> {
  if (cpuReference) return cpuReference;
  await useBackend('cpu');
  const { x, y } = makeData();
  cpuReference = {};
  for (const [name, s] of Object.entries(SETTINGS)) cpuReference[name] = concat((await epoch(x, y, s, 'backend')).xs);
  tf.dispose([x, y]);
  return cpuReference;
}

afterAll(async () => {
  await useBackend('cpu');
});

describe("flow() transformOn: the CPU path and the backend's kernel", () => {
  it('rejects an unknown transformOn, naming it and the allowed values', async () => {
    await useBackend('cpu');
    const { x, y } = makeData();
    expect(() => new ImageDataGenerator().flow(x, y, { transformOn: 'gpu' as never })).toThrow(/transformOn must be one of 'auto', 'backend', 'cpu'; got "gpu"/);
    // The host copy is kept between batches, but never outlives the tensor it was read from.
    const flow = new ImageDataGenerator(SETTINGS.tutorial).flow(x, y, { batchSize: 8 });
    tf.dispose(flow.batch(0, 0) as never);
    tf.dispose([x, y]);
    expect(() => flow.batch(0, 1)).toThrow(/x or y was disposed while the flow still uses it/);
  });

  it('auto: the CPU on cpu/wasm and on a software GPU adapter, the backend on a hardware GPU', () => {
    const hardware: ActivatedBackend = {
      name: 'webgpu',
      tfjsBackend: 'test-hardware-gpu',
      capabilities: { training: true, float32: true, gpu: true },
      device: { description: 'a discrete GPU', software: false },
    };
    recordActivatedBackend(hardware);
    recordActivatedBackend({ ...hardware, tfjsBackend: 'test-software-gpu', device: { description: 'lavapipe', software: true } });
    expect(cpuTransformPreferred('test-hardware-gpu')).toBe(false);
    expect(cpuTransformPreferred('test-software-gpu')).toBe(true);
    expect(isSoftwareGpu(activatedBackend('test-software-gpu'))).toBe(true);
    // Set without the registry: cpu and wasm keep the host path, anything else counts as hardware.
    expect(cpuTransformPreferred('cpu')).toBe(true);
    expect(cpuTransformPreferred('wasm')).toBe(true);
    expect(cpuTransformPreferred('webgl')).toBe(false);
  });

  it('cpu backend: auto takes the CPU path (no resample kernel); bit-identical to the kernel path', async () => {
    const ref = await reference();
    await useBackend('cpu');
    const { x, y } = makeData();
    for (const [name, s] of Object.entries(SETTINGS)) {
      const auto = await epoch(x, y, s, 'auto');
      const kernel = await epoch(x, y, s, 'backend');
      expect(auto.path, name).toBe('cpu');
      expect(kernel.path, name).toBe('backend');
      expect(auto.kernels.has(DIRECT_KERNEL), name).toBe(false);
      expect(kernel.kernels.has(DIRECT_KERNEL), name).toBe(true);
      expect(concat(auto.xs), name).toEqual(ref[name]);
      expect(auto.ys, name).toEqual(kernel.ys);
    }
    tf.dispose([x, y]);
  });

  it('wasm backend: auto takes the CPU path; the backend path runs the one-pass kernel on wasm; both bit-identical to cpu', async ({ skip }) => {
    const ref = await reference();
    if (!(await useBackend('wasm'))) return skip('wasm unavailable');
    const { x, y } = makeData();
    for (const [name, s] of Object.entries(SETTINGS)) {
      const auto = await epoch(x, y, s, 'auto');
      const kernel = await epoch(x, y, s, 'backend');
      expect(auto.path, name).toBe('cpu');
      expect(auto.kernels.has(DIRECT_KERNEL), name).toBe(false);
      expect(kernel.kernels.has(DIRECT_KERNEL), name).toBe(true);
      expect(kernel.kernels.has('GatherV2'), name).toBe(false);
      expect(concat(auto.xs), name).toEqual(ref[name]);
      expect(concat(kernel.xs), name).toEqual(ref[name]);
      expect(auto.ys, name).toEqual(kernel.ys);
    }
    tf.dispose([x, y]);
  });

  it('webgpu on a software adapter: auto takes the CPU path once x is on the host; equal to the GPU kernel path (1e-5)', async ({ skip }) => {
    const ref = await reference();
    if (!(await useBackend('webgpu'))) {
      if (process.env.TFBRICKS_REQUIRE_WEBGPU === '1') throw new Error('webgpu required here but unavailable');
      return skip('webgpu unavailable');
    }
    const software = isSoftwareGpu(activatedBackend('webgpu'));
    const { x, y } = makeData();
    // Before load(), x is only on the GPU: auto keeps the kernel, an explicit 'cpu' says what to do.
    const unloaded = new ImageDataGenerator(SETTINGS.tutorial).flow(x, y, { batchSize: 8, seed: 1 });
    expect(unloaded.transformPath()).toBe('backend');
    const explicit = new ImageDataGenerator(SETTINGS.tutorial).flow(x, y, { batchSize: 8, transformOn: 'cpu' });
    expect(() => explicit.batch(0, 0)).toThrow(/transformOn 'cpu' needs x .* in host memory; on the webgpu backend/);
    for (const [name, s] of Object.entries(SETTINGS)) {
      const auto = await epoch(x, y, s, 'auto');
      const cpu = await epoch(x, y, s, 'cpu');
      const kernel = await epoch(x, y, s, 'backend');
      expect(auto.path, name).toBe(software ? 'cpu' : 'backend');
      expect(cpu.path, name).toBe('cpu');
      expect(kernel.path, name).toBe('backend');
      expect(cpu.kernels.has(RESAMPLE_KERNEL), name).toBe(false);
      expect(kernel.kernels.has(RESAMPLE_KERNEL), name).toBe(true);
      expect(concat(cpu.xs), name).toEqual(ref[name]);
      expect(maxAbsDiff(concat(kernel.xs), concat(cpu.xs)), name).toBeLessThanOrEqual(1e-5);
      expect(cpu.ys, name).toEqual(kernel.ys);
    }
    tf.dispose([x, y]);
  });

  it('prefetch: the same batches with and without it; an abandoned iterator holds no tensors; bad values are refused', async () => {
    await useBackend('cpu');
    const { x, y } = makeData();
    const gen = new ImageDataGenerator(SETTINGS.everything);
    expect(() => gen.flow(x, y, { prefetch: 'yes' as never })).toThrow(/prefetch must be true or false; got "yes"/);
    const epochValues = async (prefetch: boolean) => {
      const it = await gen.flow(x, y, { batchSize: 8, seed: 5, prefetch }).iterator();
      const out: number[][] = [];
      for (let r = await it.next(); !r.done; r = await it.next()) {
        // Let the prefetch run before this batch is consumed, as a consumer waiting for a device does.
        await new Promise((resolve) => setTimeout(resolve, 1));
        out.push(Array.from(await r.value.xs.data()), Array.from(await r.value.ys!.data()));
        tf.dispose([r.value.xs, r.value.ys!]);
      }
      return out;
    };
    const withPrefetch = await epochValues(true);
    expect(withPrefetch).toEqual(await epochValues(false));
    const before = tf.memory().numTensors;
    const it = await gen.flow(x, y, { batchSize: 8, seed: 5 }).iterator();
    const first = (await it.next()).value as { xs: tf.Tensor; ys: tf.Tensor };
    await new Promise((resolve) => setTimeout(resolve, 5)); // the next batch's host half is done by now
    tf.dispose([first.xs, first.ys]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
  });
});
