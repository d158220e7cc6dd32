import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { type ImageDecodeOptions, type ImageFileEntry, type ImageFolderReader, NumpyRandomState } from '@tfbricks/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ImageDataGenerator } from '../src';
import { useBackend } from './helpers';

beforeAll(async () => {
  await useBackend('cpu');
});

/**
 * A reader over an in-memory "folder" (augment never decodes; data-images' real reader is
 * exercised with real files in its own tests and by the CLI): every image's pixels equal
 * 10 × class + its number, so each batch shows which files it holds.
 */
function memoryReader(counts: Record<string, number>, bad: string[] = []): ImageFolderReader & { decodes: ImageDecodeOptions[] } {
  const decodes: ImageDecodeOptions[] = [];
  const classNames = Object.keys(counts).sort();
  const files: ImageFileEntry[] = classNames.flatMap((c, k) =>
    Array.from({ length: counts[c] }, (_, i) => ({ path: `/mem/${c}/${i}.png`, relativePath: `${c}/${i}.png`, classIndex: k, size: 1, mtimeMs: 0 })),
  );
  const value = (f: ImageFileEntry) => 10 * f.classIndex + Number(f.relativePath.split('/')[1].split('.')[0]);
  return {
    name: 'memory',
    decodes,
    async list(_dir, options) {
      const names = options.classes ? [...options.classes] : classNames;
      const chosen = files.filter((f) => names.includes(classNames[f.classIndex])).map((f) => ({ ...f, classIndex: names.indexOf(classNames[f.classIndex]) }));
      return { classNames: names, files: chosen, bad: [] };
    },
    async prepare(list, decode) {
      decodes.push(decode);
      return { bad: list.filter((f) => bad.includes(f.relativePath)).map((f) => ({ path: f.path, code: 'truncated' as const, reason: 'truncated image' })), decoded: list.length, cached: 0 };
    },
    async read(list, decode) {
      const [h, w] = decode.size;
      const c = decode.colorMode === 'grayscale' ? 1 : 3;
      const out = new Uint8Array(list.length * h * w * c);
      list.forEach((f, i) => out.fill(value(f), i * h * w * c, (i + 1) * h * w * c));
      return out;
    },
  };
}

async function firstPixels(xs: tf.Tensor4D): Promise<number[]> {
  return Array.from(await tf.tidy(() => tf.reshape(tf.slice(xs, [0, 0, 0, 0], [-1, 1, 1, 1]), [-1])).data());
}

describe('ImageDataGenerator.flowFromDirectory (keras_preprocessing DirectoryIterator)', () => {
  it("prints Keras' line, asks the reader for PIL nearest at targetSize, batches every file once per epoch", async () => {
    const reader = memoryReader({ cat: 3, dog: 4 });
    const lines: string[] = [];
    const flow = await new ImageDataGenerator().flowFromDirectory('/mem', { reader, targetSize: [4, 5], batchSize: 3, seed: 11, print: (l) => lines.push(l) });
    expect(lines).toEqual(['Found 7 images belonging to 2 classes.']);
    expect(reader.decodes[0]).toEqual({ size: [4, 5], colorMode: 'rgb', family: 'pil', interpolation: 'nearest' });
    expect(flow.classIndices).toEqual({ cat: 0, dog: 1 });
    expect(flow.filenames).toEqual(['cat/0.png', 'cat/1.png', 'cat/2.png', 'dog/0.png', 'dog/1.png', 'dog/2.png', 'dog/3.png']);
    expect(flow.size).toBe(3);
    const seen: number[] = [];
    for await (const { xs, ys } of flow) {
      expect(xs.shape.slice(1)).toEqual([4, 5, 3]);
      const px = await firstPixels(xs);
      const labels = Array.from(await tf.argMax(ys!, 1).data());
      expect(labels).toEqual(px.map((v) => Math.floor(v / 10)));
      seen.push(...px);
      tf.dispose([xs, ys!]);
    }
    expect(seen.sort((a, b) => a - b)).toEqual([0, 1, 2, 10, 11, 12, 13]);
  });

  it('shuffles like Keras: np.random.seed(seed + batches seen); np.random.permutation(n) at each epoch', async () => {
    const flow = await new ImageDataGenerator().flowFromDirectory('/mem', { reader: memoryReader({ a: 5, b: 5 }), targetSize: [1, 1], batchSize: 4, seed: 42, classMode: 'sparse', print: () => {} });
    for (const epoch of [0, 1]) {
      const expected = new NumpyRandomState(42 + epoch * flow.size).permutation(10).map((r) => (r < 5 ? r : 10 + r - 5));
      const got: number[] = [];
      for (let i = 0; i < flow.size; i++) {
        const { xs, ys } = await flow.batch(epoch, i);
        got.push(...(await firstPixels(xs)));
        expect(ys!.dtype).toBe('float32');
        tf.dispose([xs, ys!]);
      }
      expect(got).toEqual(expected);
    }
  });

  it("validationSplit + subset: the FIRST int(split * n) files of each class are validation (keras_preprocessing)", async () => {
    const gen = new ImageDataGenerator({ validationSplit: 0.25 });
    const reader = memoryReader({ a: 4, b: 8 });
    const val = await gen.flowFromDirectory('/mem', { reader, subset: 'validation', print: () => {} });
    const train = await gen.flowFromDirectory('/mem', { reader, subset: 'training', print: () => {} });
    expect(val.filenames).toEqual(['a/0.png', 'b/0.png', 'b/1.png']);
    expect(train.filenames).toEqual(['a/1.png', 'a/2.png', 'a/3.png', 'b/2.png', 'b/3.png', 'b/4.png', 'b/5.png', 'b/6.png', 'b/7.png']);
    await expect(new ImageDataGenerator().flowFromDirectory('/mem', { reader, subset: 'training' })).rejects.toThrow(/validationSplit > 0/);
  });

  it("classMode: binary / sparse are float class indices, input repeats xs, null has no ys; augmentation and rescale apply", async () => {
    const reader = memoryReader({ a: 2, b: 2 });
    const gen = new ImageDataGenerator({ rescale: 0.5, horizontalFlip: true });
    const input = await gen.flowFromDirectory('/mem', { reader, targetSize: [2, 2], classMode: 'input', shuffle: false, print: () => {} });
    const b = await input.batch(0, 0);
    expect(await firstPixels(b.xs)).toEqual([0, 0.5, 5, 5.5]);
    expect(Array.from(await b.ys!.data())).toEqual(Array.from(await b.xs.data()));
    const none = await gen.flowFromDirectory('/mem', { reader, classMode: null, targetSize: [2, 2], print: () => {} });
    expect((await none.batch(0, 0)).ys).toBeUndefined();
    const binary = await gen.flowFromDirectory('/mem', { reader, classMode: 'binary', targetSize: [2, 2], shuffle: false, print: () => {} });
    expect(Array.from(await (await binary.batch(0, 0)).ys!.data())).toEqual([0, 0, 1, 1]);
  });

  it('bad files: refused all at once, or skipped and counted; bad options name the value', async () => {
    const reader = memoryReader({ a: 3 }, ['a/1.png']);
    await expect(new ImageDataGenerator().flowFromDirectory('/mem', { reader, print: () => {} })).rejects.toThrow(/1 bad image file in \/mem:\n {2}\/mem\/a\/1\.png: truncated image/);
    const flow = await new ImageDataGenerator().flowFromDirectory('/mem', { reader, skipBadImages: true, print: () => {} });
    expect(flow.length).toBe(2);
    expect(flow.skipped).toHaveLength(1);
    await expect(new ImageDataGenerator().flowFromDirectory('/mem', { reader, interpolation: 'cubic' as never })).rejects.toThrow(/nearest, bilinear, bicubic, lanczos, box, hamming; got "cubic"/);
    await expect(new ImageDataGenerator().flowFromDirectory('/mem', {} as never)).rejects.toThrow(/needs options.reader/);
  });

  it('model.fitDataset trains on it', async () => {
    const flow = await new ImageDataGenerator({ rescale: 1 / 255 }).flowFromDirectory('/mem', { reader: memoryReader({ a: 4, b: 4 }), targetSize: [4, 4], batchSize: 4, seed: 1, print: () => {} });
    const model = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [4, 4, 3] }), tfl.layers.dense({ units: 2, activation: 'softmax' })] });
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const history = await model.fitDataset(flow as never, { epochs: 2, verbose: 0 });
    expect(history.history.loss).toHaveLength(2);
    model.dispose();
  });
});
