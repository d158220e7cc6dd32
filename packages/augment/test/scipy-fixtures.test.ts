import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ImageDataGenerator, type TransformParams } from '../src';
import { decodeF32, fixture, maxAbsDiff, useBackend } from './helpers';

interface Vector {
  params: Record<string, number | boolean>;
  fill_mode: 'nearest' | 'constant' | 'reflect' | 'wrap';
  cval: number;
  interpolation_order: 0 | 1;
  shape: [number, number, number];
  input: string;
  expected: string;
}

const { vectors } = fixture<{ vectors: Vector[] }>('scipy-fixtures.json');

const params = (p: Vector['params']): TransformParams => ({
  theta: p.theta as number,
  tx: p.tx as number,
  ty: p.ty as number,
  shear: p.shear as number,
  zx: p.zx as number,
  zy: p.zy as number,
  flipHorizontal: p.flip_horizontal as boolean,
  flipVertical: p.flip_vertical as boolean,
  channelShiftIntensity: p.channel_shift_intensity as number | undefined,
});

// Keras' formula evaluated by scipy.ndimage 1.17 (test/fixtures/generate_fixtures.py):
// non-square images, 1-3 channels, every fill mode and order, coordinates far outside.
describe('scipy.ndimage fixtures: every fill mode x order, non-square images', () => {
  for (const backend of ['cpu', 'webgpu'] as const) {
    it(`all ${vectors.length} vectors match to 1e-5 (${backend})`, async () => {
      if (!(await useBackend(backend))) return;
      const failures: string[] = [];
      for (const [i, v] of vectors.entries()) {
        const gen = new ImageDataGenerator({ fillMode: v.fill_mode, cval: v.cval, interpolationOrder: v.interpolation_order });
        const y = tf.tidy(() => gen.applyTransform(tf.tensor3d(decodeF32(v.input), v.shape), params(v.params)));
        const d = maxAbsDiff(await y.data(), decodeF32(v.expected));
        y.dispose();
        if (!(d <= 1e-5)) failures.push(`#${i} ${v.fill_mode}/order ${v.interpolation_order} ${v.shape} ${JSON.stringify(v.params)}: ${d}`);
      }
      expect(failures).toEqual([]);
    });
  }
});
