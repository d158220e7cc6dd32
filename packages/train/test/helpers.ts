import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createBackendRegistry, Rng } from '@tfbricks/core';
import { cpuBackend } from '@tfbricks/backend-cpu';
import { wasmBackend } from '@tfbricks/backend-wasm';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { repoRoot, sharedDir } from '../../../vitest.shared';

export { repoRoot, sharedDir };
export const cifarMiniDir = join(sharedDir, 'data/cifar10-mini');
export const hasCifarMini = existsSync(join(cifarMiniDir, 'cifar-10-batches-bin'));

export async function useCpu(): Promise<void> {
  await createBackendRegistry({ env: {} }).register(cpuBackend()).resolve({ backend: 'cpu' });
}

/** The backend tests that train run on: wasm (XNNPACK), ~100× faster than cpu at the same results. */
export async function useTrainingBackend(): Promise<void> {
  await createBackendRegistry({ env: {} }).register(wasmBackend()).resolve({ backend: 'wasm' });
}

/** A tiny CNN with seeded initialisers (and optional dropout). */
export function tinyModel(options: { seed?: number; dropout?: number; size?: number; classes?: number; l2?: number } = {}): tfl.LayersModel {
  const seed = options.seed ?? 7;
  const size = options.size ?? 8;
  const classes = options.classes ?? 4;
  const model = tfl.sequential();
  model.add(
    tfl.layers.conv2d({
      inputShape: [size, size, 3],
      filters: 4,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: tfl.initializers.glorotUniform({ seed }),
      kernelRegularizer: options.l2 ? tfl.regularizers.l2({ l2: options.l2 }) : undefined,
    }),
  );
  model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tfl.layers.flatten());
  if (options.dropout) model.add(tfl.layers.dropout({ rate: options.dropout }));
  model.add(tfl.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }));
  return model;
}

/**
 * Learnable synthetic images: class k has a brighter k-th quadrant/channel pattern plus
 * seeded noise, so a tiny model's loss goes down within a few epochs.
 */
export function syntheticData(count: number, options: { size?: number; classes?: number; seed?: number } = {}) {
  const size = options.size ?? 8;
  const classes = options.classes ?? 4;
  const rng = new Rng(options.seed ?? 1);
  const images = new Uint8Array(count * size * size * 3);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % classes;
    labels[i] = label;
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        for (let c = 0; c < 3; c++) {
          const quadrant = (y < size / 2 ? 0 : 2) + (x < size / 2 ? 0 : 1);
          const signal = quadrant === label % 4 ? 150 : 30;
          const v = signal + (c === label % 3 ? 40 : 0) + rng.int(0, 60);
          images[((i * size + y) * size + x) * 3 + c] = Math.min(255, v);
        }
  }
  return { images, labels, imageShape: [size, size, 3] as [number, number, number] };
}

export async function weightsOf(model: tfl.LayersModel): Promise<Float32Array[]> {
  return Promise.all(model.getWeights().map(async (w) => (await w.data()) as Float32Array));
}

export function maxAbsDiff(a: Float32Array[], b: Float32Array[]): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) for (let j = 0; j < a[i].length; j++) m = Math.max(m, Math.abs(a[i][j] - b[i][j]));
  return m;
}

export { tf, tfl };

import { buildModel, createOptimizer, parseModelSpec } from '@tfbricks/layers';
import type { ModelSpec } from '@tfbricks/core';

/** A tiny spec (conv, pool, dropout, dense) that layers can build, save and load. */
export function tinySpec(options: { size?: number; classes?: number; dropout?: number } = {}): ModelSpec {
  const size = options.size ?? 8;
  const layers: ModelSpec['layers'] = [
    { className: 'Conv2D', config: { filters: 4, kernelSize: [3, 3], padding: 'same' } },
    { className: 'Activation', config: { activation: 'relu' } },
    { className: 'MaxPooling2D', config: { poolSize: [2, 2] } },
    { className: 'Flatten', config: {} },
  ];
  if (options.dropout) layers.push({ className: 'Dropout', config: { rate: options.dropout } });
  layers.push({ className: 'Dense', config: { units: options.classes ?? 4 } }, { className: 'Activation', config: { activation: 'softmax' } });
  return parseModelSpec({ className: 'Sequential', name: 'tiny_test', inputShape: [size, size, 3], layers });
}

export function buildTiny(options: { seed?: number; dropout?: number; size?: number; classes?: number } = {}) {
  return buildModel(tinySpec(options), { seed: options.seed ?? 7 });
}

export { createOptimizer };

import type { Augmentation } from '@tfbricks/core';

/** A seeded augmentation (noise + random horizontal flip per batch) built from tf ops. */
export const seededNoiseFlip: Augmentation = {
  name: 'test-noise-flip',
  apply: (images, { seed }) =>
    tf.tidy(() => {
      const noisy = tf.add(images, tf.randomUniform(images.shape, -0.05, 0.05, 'float32', seed));
      return seed % 2 === 0 ? (tf.reverse(noisy, 2) as tf.Tensor4D) : (noisy as tf.Tensor4D);
    }),
};
