import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageFolderDataset } from '../image-batches';
import { imageDatasetFromDirectory } from './image-dataset';
import { pixels, tempDir, writeImage } from './test-folders';

const ref = JSON.parse(readFileSync(new URL('../../test/fixtures/keras3-split-reference.json', import.meta.url), 'utf8')) as {
  listing: string[];
  cases: { seed: number; split: number; training: string[]; validation: string[] }[];
};
const CLASSES = ['cat', 'dog', 'fox'];

describe('imageDatasetFromDirectory (Keras 3) on a generated folder', () => {
  const root = tempDir();
  const data = join(root, 'pets');
  beforeAll(async () => {
    await tf.setBackend('cpu');
    // Every image is solid: red channel = 10 × class + 1, green = its number within the class.
    for (const rel of ref.listing) {
      const [cls, name] = rel.split('/');
      const k = CLASSES.indexOf(cls);
      const n = Number(name.slice(-6, -4));
      await writeImage(join(data, rel), pixels(6, 5, 3, (_x, _y, c) => [10 * k + 1, n, 99][c]), 6, 5, 3);
    }
  });

  it('prints what Keras prints and puts the same files in each subset for a seed', async () => {
    for (const c of ref.cases.filter((x) => x.seed === 1337 || x.split === 0.2)) {
      const lines: string[] = [];
      const [train, val] = (await imageDatasetFromDirectory(data, {
        validationSplit: c.split,
        subset: 'both',
        seed: c.seed,
        imageSize: [4, 4],
        cacheDir: join(root, 'cache'),
        print: (l) => lines.push(l),
      })) as [ImageFolderDataset, ImageFolderDataset];
      expect(lines).toEqual([`Found 21 files belonging to 3 classes.`, `Using ${c.training.length} files for training.`, `Using ${c.validation.length} files for validation.`]);
      expect(train.filePaths.map((p) => relative(data, p))).toEqual(c.training);
      expect(val.filePaths.map((p) => relative(data, p))).toEqual(c.validation);
      expect(train.classNames).toEqual(CLASSES);
    }
  });

  it('batches: float32 images resized, int / categorical / binary labels matching each file', async () => {
    const ds = (await imageDatasetFromDirectory(data, { imageSize: [4, 4], batchSize: 8, seed: 5, labelMode: 'categorical', cacheDir: join(root, 'cache'), verbose: false })) as ImageFolderDataset;
    expect(ds.size).toBe(3);
    let seen = 0;
    for await (const { xs, ys } of ds) {
      expect(xs.dtype).toBe('float32');
      expect(xs.shape.slice(1)).toEqual([4, 4, 3]);
      const red = (await tf.slice(xs, [0, 0, 0, 0], [-1, 1, 1, 1]).data()) as Float32Array;
      const labels = (await tf.argMax(ys!, 1).data()) as Int32Array;
      expect(Array.from(red)).toEqual(Array.from(labels, (k) => 10 * k + 1));
      seen += xs.shape[0];
      tf.dispose([xs, ys!]);
    }
    expect(seen).toBe(21);
    const binary = imageDatasetFromDirectory(data, { labelMode: 'binary', verbose: false, cacheDir: join(root, 'cache') });
    await expect(binary).rejects.toThrow(/exactly 2 classNames/);
    const two = (await imageDatasetFromDirectory(data, { classNames: ['fox', 'cat'], labelMode: 'binary', shuffle: false, imageSize: [4, 4], batchSize: 32, verbose: false, cacheDir: join(root, 'cache') })) as ImageFolderDataset;
    const it = await two.iterator();
    const first = (await it.next()).value!;
    expect(first.ys!.shape).toEqual([16, 1]);
    expect(Array.from(await first.ys!.data()).slice(0, 10)).toEqual([...Array(9).fill(0), 1]);
  });

  it("Keras' argument rules: a seed is required with a split and shuffling; subset needs a split", async () => {
    await expect(imageDatasetFromDirectory(data, { validationSplit: 0.2, subset: 'training' })).rejects.toThrow(/must provide a `seed`/);
    await expect(imageDatasetFromDirectory(data, { subset: 'training' })).rejects.toThrow(/`validationSplit` must be set/);
    await expect(imageDatasetFromDirectory(data, { interpolation: 'cubic' as never })).rejects.toThrow(/one of bilinear, nearest/);
  });
});
