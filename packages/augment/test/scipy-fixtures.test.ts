import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ImageDataGenerator } from '../src';
import { decodeF32, fixture, kerasParams, maxAbsDiff, useBackend, type KerasVector } from './helpers';

const { vectors } = fixture<{ vectors: KerasVector[] }>('scipy-fixtures.json');

// Keras' formula evaluated by scipy.ndimage 1.17 (test/fixtures/generate_fixtures.py):
// non-square images, 1-3 channels, every fill mode and order, coordinates far outside.
describe('scipy.ndimage fixtures: every fill mode x order, non-square images', () => {
  for (const backend of ['cpu', 'wasm', 'webgpu'] as const) {
    it(`all ${vectors.length} vectors match to 1e-5 (${backend})`, async () => {
      if (!(await useBackend(backend))) return;
      const failures: string[] = [];
      for (const [i, v] of vectors.entries()) {
        const gen = new ImageDataGenerator({ fillMode: v.fill_mode, cval: v.cval, interpolationOrder: v.interpolation_order });
        const y = tf.tidy(() => gen.applyTransform(tf.tensor3d(decodeF32(v.input), v.shape), kerasParams(v.params)));
        const d = maxAbsDiff(await y.data(), decodeF32(v.expected));
        y.dispose();
        if (!(d <= 1e-5)) failures.push(`#${i} ${v.fill_mode}/order ${v.interpolation_order} ${v.shape} ${JSON.stringify(v.params)}: ${d}`);
      }
      expect(failures).toEqual([]);
    });
  }
});
