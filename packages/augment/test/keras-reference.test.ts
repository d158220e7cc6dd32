import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ImageDataGenerator } from '../src';
import { decodeF32, kerasParams, maxAbsDiff, readCifarBatch, sharedFile, useBackend, type KerasVector } from './helpers';

interface Reference {
  vectors: KerasVector[];
  fitted: { mean: number[]; std: number[]; zca_epsilon: number; zca_first_two_images_input: string; zca_first_two_images_expected: string };
}

const refPath = sharedFile('reference/keras-image-data-generator.json');
const cifarPath = sharedFile('data/cifar10-mini/cifar-10-batches-bin/test_batch.bin');
const ref: Reference | null = refPath ? (JSON.parse(readFileSync(refPath, 'utf8')) as Reference) : null;


describe.skipIf(!ref)("Keras' original outputs (shared/reference)", () => {
  for (const backend of ['cpu', 'wasm', 'webgpu'] as const) {
    it(`every vector matches to 1e-5, one image at a time and as one batch (${backend})`, async () => {
      if (!(await useBackend(backend))) return;
      const before = tf.memory().numTensors;
      const inputs: tf.Tensor3D[] = [];
      for (const [i, v] of ref!.vectors.entries()) {
        const gen = new ImageDataGenerator({ fillMode: v.fill_mode, cval: v.cval, interpolationOrder: v.interpolation_order });
        const x = tf.tensor3d(decodeF32(v.input), v.shape);
        inputs.push(x);
        const y = gen.applyTransform(x, kerasParams(v.params));
        const diff = maxAbsDiff(await y.data(), decodeF32(v.expected));
        y.dispose();
        expect(diff, `vector ${i} ${JSON.stringify(v.params)} ${v.fill_mode}`).toBeLessThanOrEqual(1e-5);
      }
      // The same vectors in batches (same settings share a batch): one call each.
      const groups = new Map<string, number[]>();
      ref!.vectors.forEach((v, i) => {
        const key = `${v.fill_mode}/${v.cval}/${v.interpolation_order}`;
        groups.set(key, [...(groups.get(key) ?? []), i]);
      });
      for (const idx of groups.values()) {
        const v0 = ref!.vectors[idx[0]];
        const gen = new ImageDataGenerator({ fillMode: v0.fill_mode, cval: v0.cval, interpolationOrder: v0.interpolation_order });
        const batch = tf.stack(idx.map((i) => inputs[i])) as tf.Tensor4D;
        const y = gen.applyTransform(batch, idx.map((i) => kerasParams(ref!.vectors[i].params)));
        const data = await y.data();
        idx.forEach((i, k) => {
          const e = decodeF32(ref!.vectors[i].expected);
          expect(maxAbsDiff(data.subarray(k * e.length, (k + 1) * e.length), e), `batched vector ${i}`).toBeLessThanOrEqual(1e-5);
        });
        tf.dispose([batch, y]);
      }
      tf.dispose(inputs);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it.skipIf(!cifarPath)('fit() gives Keras mean/std (1e-6) on the 1,000 test images', async () => {
    await useBackend('cpu');
    const { images } = readCifarBatch(cifarPath!, 1000);
    const x = tf.tensor4d(images, [1000, 32, 32, 3]);
    const gen = new ImageDataGenerator({ featurewiseCenter: true, featurewiseStdNormalization: true });
    await gen.fit(x);
    x.dispose();
    expect(maxAbsDiff(gen.mean!, ref!.fitted.mean)).toBeLessThanOrEqual(1e-6);
    expect(maxAbsDiff(gen.std!, ref!.fitted.std)).toBeLessThanOrEqual(1e-6);
  });
});
