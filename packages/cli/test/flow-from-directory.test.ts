// The composition the CLI and the studio use: augment's flowFromDirectory reading real files
// through data-images' Node reader (sharp / mozjpeg-wasm, PIL-style resize, the cache).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ImageDataGenerator } from '@tfbricks/augment';
import { cpuBackend } from '@tfbricks/backend-cpu';
import { imageFolderReader } from '@tfbricks/data-images/node';
import { tempDir } from './helpers';

/** A 4x2 PNG whose columns are 0, 60, 120, 180 (grey) plus 10 × class in red. */
function png(k: number): Buffer {
  const img = new PNG({ width: 4, height: 2 });
  for (let y = 0; y < 2; y++) for (let x = 0; x < 4; x++) img.data.set([x * 60 + 10 * k, x * 60, x * 60, 255], (y * 4 + x) * 4);
  return PNG.sync.write(img);
}

describe('ImageDataGenerator.flowFromDirectory with imageFolderReader on real files', () => {
  const root = tempDir();
  const dir = join(root, 'photos');
  beforeAll(async () => {
    await cpuBackend().init();
    await tf.setBackend('cpu');
    for (const [k, cls] of ['ants', 'bees'].entries()) {
      mkdirSync(join(dir, cls), { recursive: true });
      for (let i = 0; i < 6; i++) writeFileSync(join(dir, cls, `${i}.png`), png(k));
    }
  });

  it("Keras' line, PIL nearest resize (the default) of known pixels, one-hot labels, and fitDataset", async () => {
    const lines: string[] = [];
    const reader = imageFolderReader({ cacheDir: join(root, 'cache') });
    const flow = await new ImageDataGenerator({ rescale: 1 / 255 }).flowFromDirectory(dir, { reader, targetSize: [1, 8], batchSize: 4, seed: 3, print: (l) => lines.push(l) });
    expect(lines).toEqual(['Found 12 images belonging to 2 classes.']);
    const { xs, ys } = await flow.batch(0, 0);
    expect(xs.shape).toEqual([4, 1, 8, 3]);
    const labels = Array.from(await tf.argMax(ys!, 1).data());
    const px = (await xs.data()) as Float32Array;
    for (let i = 0; i < 4; i++) {
      // Nearest 4 -> 8 columns: floor((o + 0.5) / 2) = 0,0,1,1,2,2,3,3; height 2 -> 1 takes row 1.
      const green = Array.from({ length: 8 }, (_, o) => Math.round(px[(i * 8 + o) * 3 + 1] * 255));
      expect(green).toEqual([0, 0, 60, 60, 120, 120, 180, 180]);
      expect(Math.round(px[i * 24] * 255)).toBe(10 * labels[i]);
    }
    tf.dispose([xs, ys!]);
    const model = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [1, 8, 3] }), tfl.layers.dense({ units: 2, activation: 'softmax' })] });
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const history = await model.fitDataset(flow as never, { epochs: 2, verbose: 0 });
    expect(history.history.loss).toHaveLength(2);
    model.dispose();
  });

  it("featurewise centre / std from datagen.fit(sample) are applied to the folder's batches, as Keras does", async () => {
    // The Keras recipe: fit on a sample, then flow_from_directory. The sample here is every
    // image of the folder (6 per class), so the statistics are analytic: G and B columns are
    // 0, 60, 120, 180 (mean 90, population variance 4500); R adds 10 x class (0 or 1, half
    // each): mean 95, variance 4500 + 25.
    const reader = imageFolderReader({ cacheDir: join(root, 'cache') });
    const listing = await reader.list(dir, { style: 'keras-preprocessing' });
    const decode = { size: [2, 4] as [number, number], colorMode: 'rgb' as const, family: 'pil' as const, interpolation: 'nearest' as const };
    await reader.prepare(listing.files, decode);
    const sample = tf.tensor4d(Float32Array.from(await reader.read(listing.files, decode)), [listing.files.length, 2, 4, 3]);
    const gen = new ImageDataGenerator({ featurewiseCenter: true, featurewiseStdNormalization: true });
    await gen.fit(sample);
    sample.dispose();
    expect(Array.from(gen.mean!)).toEqual([95, 90, 90]);
    expect(gen.std![0]).toBeCloseTo(Math.sqrt(4525), 3);
    expect(gen.std![1]).toBeCloseTo(Math.sqrt(4500), 3);
    const flow = await gen.flowFromDirectory(dir, { reader, targetSize: [2, 4], batchSize: 12, seed: 1, print: () => {} });
    const { xs, ys } = await flow.batch(0, 0);
    const labels = Array.from(await tf.argMax(ys!, 1).data());
    const px = (await xs.data()) as Float32Array;
    for (let i = 0; i < 12; i++)
      for (let p = 0; p < 8; p++) {
        const col = p % 4;
        expect(px[(i * 8 + p) * 3]).toBeCloseTo((60 * col + 10 * labels[i] - 95) / (Math.sqrt(4525) + 1e-6), 4);
        expect(px[(i * 8 + p) * 3 + 2]).toBeCloseTo((60 * col - 90) / (Math.sqrt(4500) + 1e-6), 4);
      }
    expect(gen.warnings).toEqual([]);
    tf.dispose([xs, ys!]);
  });

  it("featurewise options without fit(): Keras' warning, and the step is left out", async () => {
    const reader = imageFolderReader({ cacheDir: join(root, 'cache') });
    const gen = new ImageDataGenerator({ featurewiseCenter: true });
    const flow = await gen.flowFromDirectory(dir, { reader, targetSize: [2, 4], batchSize: 12, seed: 1, print: () => {} });
    const { xs, ys } = await flow.batch(0, 0);
    const green = Array.from((await xs.data()) as Float32Array).filter((_, i) => i % 3 === 1);
    expect(green.slice(0, 8)).toEqual([0, 60, 120, 180, 0, 60, 120, 180]);
    expect(gen.warnings).toEqual(["This ImageDataGenerator specifies `featurewiseCenter`, but it hasn't been fit on any training data. Fit it first by calling `.fit(x)`."]);
    // Once per generator, however many batches (here: epoch 1).
    tf.dispose([xs, ys!, (await flow.batch(1, 0)).xs]);
    expect(gen.warnings).toHaveLength(1);
  });
});
