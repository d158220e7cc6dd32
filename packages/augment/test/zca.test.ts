import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ImageDataGenerator, symmetricEigen } from '../src';
import { decodeF32, fixture, maxAbsDiff, readCifarBatch, sharedFile, useBackend } from './helpers';

interface ZcaCase { n: number; shape: [number, number, number]; epsilon: number; input: string; mean: number[]; expected_first_two: string }

describe('symmetricEigen', () => {
  it('diagonalises random symmetric matrices: A v = l v, V orthonormal, trace kept', () => {
    let s = 12345;
    const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) - 0.5;
    for (const n of [1, 2, 7, 40]) {
      const a = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rnd();
      const { values, vectors } = symmetricEigen(a, n);
      let worst = 0;
      for (let k = 0; k < n; k++) {
        for (let i = 0; i < n; i++) {
          let av = 0;
          for (let j = 0; j < n; j++) av += a[i * n + j] * vectors[k * n + j];
          worst = Math.max(worst, Math.abs(av - values[k] * vectors[k * n + i]));
        }
        for (let l = 0; l < n; l++) {
          let dot = 0;
          for (let i = 0; i < n; i++) dot += vectors[k * n + i] * vectors[l * n + i];
          worst = Math.max(worst, Math.abs(dot - (k === l ? 1 : 0)));
        }
      }
      expect(worst).toBeLessThan(1e-12);
      let trace = 0;
      for (let i = 0; i < n; i++) trace += a[i * n + i];
      expect(values.reduce((p, v) => p + v, 0)).toBeCloseTo(trace, 10);
    }
  });

  it('handles a rank-deficient PSD matrix (zero eigenvalues)', () => {
    const u = [1, 2, 3, 4];
    const a = Float64Array.from({ length: 16 }, (_, k) => u[Math.floor(k / 4)] * u[k % 4]);
    const values = Array.from(symmetricEigen(a, 4).values).sort((p, q) => p - q);
    expect(values[3]).toBeCloseTo(30, 12);
    for (const v of values.slice(0, 3)) expect(Math.abs(v)).toBeLessThan(1e-12);
  });
});

describe('fit() + standardize() with ZCA', () => {
  const { cases } = fixture<{ cases: ZcaCase[] }>('zca-fixtures.json');
  for (const c of cases) {
    it(`matches numpy/scipy float64 to 1e-5: n=${c.n}, image ${c.shape.join('x')} (${c.n * 1 < c.shape.reduce((p, v) => p * v, 1) ? 'n < d: Gram route' : 'n >= d'}), eps ${c.epsilon}`, async () => {
      await useBackend('cpu');
      const x = tf.tensor4d(decodeF32(c.input), [c.n, ...c.shape]);
      const gen = new ImageDataGenerator({ zcaWhitening: true, zcaEpsilon: c.epsilon });
      expect(gen.featurewiseCenter).toBe(true); // Keras' override
      await gen.fit(x);
      expect(maxAbsDiff(gen.mean!, c.mean)).toBeLessThan(1e-6);
      const first = tf.slice(x, [0, 0, 0, 0], [2, ...c.shape]);
      const y = gen.standardize(first);
      expect(maxAbsDiff(await y.data(), decodeF32(c.expected_first_two))).toBeLessThan(1e-5 * (c.epsilon < 1e-4 ? 30 : 1));
      tf.dispose([x, first, y]);
      gen.dispose();
    });
  }

  const refPath = sharedFile('reference/keras-image-data-generator.json');
  const cifarPath = sharedFile('data/cifar10-mini/cifar-10-batches-bin/test_batch.bin');
  it.skipIf(!refPath || !cifarPath)("CIFAR (1,000 images, 3072x3072): close to Keras' reference, see README for why not 1e-5", async () => {
    await useBackend('cpu');
    const ref = JSON.parse(readFileSync(refPath!, 'utf8')) as { fitted: { zca_first_two_images_input: string; zca_first_two_images_expected: string } };
    const { images } = readCifarBatch(cifarPath!, 1000);
    const x = tf.tensor4d(images, [1000, 32, 32, 3]);
    const gen = new ImageDataGenerator({ zcaWhitening: true });
    await gen.fit(x);
    x.dispose();
    const inp = tf.tensor4d(decodeF32(ref.fitted.zca_first_two_images_input), [2, 32, 32, 3]);
    const y = gen.standardize(inp);
    const got = await y.data();
    const exp = decodeF32(ref.fitted.zca_first_two_images_expected);
    const diffs = Array.from(got, (g, i) => Math.abs(g - exp[i])).sort((a, b) => a - b);
    const median = diffs[diffs.length >> 1];
    console.info(`[augment] CIFAR ZCA vs Keras reference: max ${diffs[diffs.length - 1].toExponential(2)}, median ${median.toExponential(2)}`);
    expect(diffs[diffs.length - 1]).toBeLessThan(0.02);
    expect(median).toBeLessThan(4e-3);
    tf.dispose([inp, y]);
    gen.dispose();
  }, 300_000);
});
