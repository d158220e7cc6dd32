import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { cpuBackend } from '@tfbricks/backend-cpu';
import { wasmBackend } from '@tfbricks/backend-wasm';
import { webgpuBackend } from '@tfbricks/backend-webgpu';
import { type BackendPlugin, createBackendRegistry } from '@tfbricks/core';
import type { TransformParams } from '../src';

const here = dirname(fileURLToPath(import.meta.url));
import { repoRoot, sharedDir } from '../../../vitest.shared';

export { repoRoot, sharedDir };

/** The shared folder's file, or null (and a printed reason) when absent. */
export function sharedFile(rel: string): string | null {
  const p = join(sharedDir, rel);
  if (!existsSync(p)) {
    console.info(`[augment] skipping: ${p} is absent (the repo's sibling ../shared folder)`);
    return null;
  }
  return p;
}

export function decodeF32(b64: string): Float32Array {
  const buf = Buffer.from(b64, 'base64');
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(here, 'fixtures', name), 'utf8')) as T;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

let registry: ReturnType<typeof createBackendRegistry> | null = null;
export function backendPlugins(): BackendPlugin[] {
  return [cpuBackend(), webgpuBackend()];
}

/** Activates a backend by name; null (and a printed reason) if it cannot start here. */
export async function useBackend(name: 'cpu' | 'webgpu' | 'wasm'): Promise<boolean> {
  registry ??= createBackendRegistry({ env: {} }).register(cpuBackend()).register(webgpuBackend()).register(wasmBackend());
  const outcome = await registry.init(name);
  if (!outcome.ok) {
    console.info(`[augment] ${name} backend unavailable here: ${outcome.reason}`);
    return false;
  }
  await registry.resolve({ backend: name });
  return tf.getBackend() === name;
}

/** CIFAR-10 binary batch -> NHWC float32 in [0,1]. */
export function readCifarBatch(path: string, count: number): { images: Float32Array; labels: Int32Array } {
  const raw = readFileSync(path);
  const n = Math.min(count, Math.floor(raw.length / 3073));
  const images = new Float32Array(n * 3072);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const base = i * 3073;
    labels[i] = raw[base];
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < 1024; p++) images[i * 3072 + p * 3 + c] = raw[base + 1 + c * 1024 + p] / 255;
    }
  }
  return { images, labels };
}

/** One transform vector as Keras/scipy wrote it (the shared reference and the scipy fixtures). */
export interface KerasVector {
  params: Record<string, number | boolean>;
  fill_mode: 'nearest' | 'constant' | 'reflect' | 'wrap';
  cval: number;
  interpolation_order: 0 | 1;
  shape: [number, number, number];
  input: string;
  expected: string;
}

/** Keras' snake_case transform parameters as ImageDataGenerator's `TransformParams`. */
export function kerasParams(p: KerasVector['params']): TransformParams {
  return {
    theta: p.theta as number | undefined,
    tx: p.tx as number | undefined,
    ty: p.ty as number | undefined,
    shear: p.shear as number | undefined,
    zx: p.zx as number | undefined,
    zy: p.zy as number | undefined,
    flipHorizontal: p.flip_horizontal as boolean | undefined,
    flipVertical: p.flip_vertical as boolean | undefined,
    channelShiftIntensity: p.channel_shift_intensity as number | undefined,
  };
}
