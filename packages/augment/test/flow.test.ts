import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { ImageDataGenerator } from '../src';
import { RowTaker } from '../src/take-rows';
import { useBackend } from './helpers';

beforeAll(async () => {
  await useBackend('cpu');
});

/** 10 images whose pixels all equal their index; labels = index. */
function data(n = 10): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const x = tf.tidy(() => tf.mul(tf.ones([n, 4, 4, 1]), tf.reshape(tf.range(0, n), [n, 1, 1, 1]))) as tf.Tensor4D;
  return { x, y: tf.range(0, n, 1, 'int32') as tf.Tensor1D };
}

async function epochLabels(it: Iterable<{ xs: tf.Tensor4D; ys?: tf.Tensor }>): Promise<number[][]> {
  const out: number[][] = [];
  for (const b of it) {
    const labels = Array.from(await b.ys!.data());
    const firstPixels = Array.from(await tf.tidy(() => tf.reshape(tf.slice(b.xs, [0, 0, 0, 0], [-1, 1, 1, 1]), [-1])).data());
    expect(firstPixels).toEqual(labels); // images and labels stay paired
    out.push(labels);
    tf.dispose([b.xs, b.ys!]);
  }
  return out;
}

describe('flow()', () => {
  it('batches of batchSize (last one smaller), every sample once per epoch, reshuffled every epoch, reproducible by seed', async () => {
    const { x, y } = data();
    const gen = new ImageDataGenerator({ horizontalFlip: true });
    const flow = gen.flow(x, y, { batchSize: 4, seed: 3 });
    expect(flow.size).toBe(3);
    const e0 = await epochLabels(flow);
    const e1 = await epochLabels(flow);
    expect(e0.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(e0.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(e1.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(e0.flat()).not.toEqual(e1.flat());
    const again = gen.flow(x, y, { batchSize: 4, seed: 3 });
    expect(await epochLabels(again)).toEqual(e0);
    const ordered = gen.flow(x, y, { batchSize: 4, shuffle: false });
    expect((await epochLabels(ordered)).flat()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    tf.dispose([x, y]);
  });

  it("subset: Keras' split (validation = the first floor(n * split) samples)", async () => {
    const { x, y } = data();
    const gen = new ImageDataGenerator({ validationSplit: 0.3 });
    const val = gen.flow(x, y, { subset: 'validation', shuffle: false, batchSize: 32 });
    const train = gen.flow(x, y, { subset: 'training', shuffle: false, batchSize: 32 });
    expect((await epochLabels(val)).flat()).toEqual([0, 1, 2]);
    expect((await epochLabels(train)).flat()).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(() => new ImageDataGenerator().flow(x, y, { subset: 'validation' })).toThrow(/validationSplit > 0/);
    tf.dispose([x, y]);
  });

  it('is a Dataset for tfjs-layers fitDataset (one epoch per iterator(), no tensor leaks)', async () => {
    const n = 24;
    const x = tf.randomUniform([n, 6, 6, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const y = tf.oneHot(tf.tensor1d(Array.from({ length: n }, (_, i) => i % 2), 'int32'), 2);
    const model = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [6, 6, 3] }), tfl.layers.dense({ units: 2, activation: 'softmax' })] });
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const gen = new ImageDataGenerator({ rotationRange: 10, widthShiftRange: 0.2, heightShiftRange: 0.2, horizontalFlip: true });
    const flow = gen.flow(x, y, { batchSize: 8, seed: 1 });
    const before = tf.memory().numTensors;
    const history = await model.fitDataset(flow as never, { epochs: 2, verbose: 0 });
    expect(history.history.loss.length).toBe(2);
    for (const l of history.history.loss) expect(Number.isFinite(l as number)).toBe(true);
    // Only the optimizer's state may have appeared (SGD has none).
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    tf.dispose([x, y]);
  });

  it('builds batches by copying rows on cpu: the same values, shapes and dtypes as tf.gather', async () => {
    const x = tf.randomUniform([7, 3, 2, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
    const labels = tf.tensor1d([6, 5, 4, 3, 2, 1, 0], 'int32');
    const oneHot = tf.oneHot(labels, 7);
    const rows = Int32Array.from([6, 0, 3, 3, 1]);
    for (const t of [x, labels, oneHot] as tf.Tensor[]) {
      const got = new RowTaker(t).take(rows);
      const want = tf.gather(t, tf.tensor1d(rows, 'int32'));
      expect(got.shape).toEqual(want.shape);
      expect(got.dtype).toBe(want.dtype);
      expect(Array.from(await got.data())).toEqual(Array.from(await want.data()));
      tf.dispose([got, want]);
    }
    // The source is untouched (the copy never aliases its buffer).
    const before = Array.from(await x.data());
    const batch = new RowTaker(x).take(Int32Array.from([0]));
    (batch.dataSync() as Float32Array).fill(-1);
    expect(Array.from(await x.data())).toEqual(before);
    tf.dispose([x, labels, oneHot, batch]);
  });

  it('on webgpu, iterator() cuts batches from host copies: same batches as the gather path, labels read without a GPU round trip', async ({ skip }) => {
    if (!(await useBackend('webgpu'))) {
      if (process.env.TFBRICKS_REQUIRE_WEBGPU === '1') throw new Error('webgpu required here but unavailable');
      return skip('webgpu unavailable');
    }
    try {
      const { x, y } = data(10);
      const gen = new ImageDataGenerator({ horizontalFlip: true });
      const gathered = await epochLabels(gen.flow(x, y, { batchSize: 4, seed: 8 })); // sync: gathers on the device
      const flow = gen.flow(x, y, { batchSize: 4, seed: 8 });
      const it = await flow.iterator();
      const viaHost: number[][] = [];
      for (let r = await it.next(); !r.done; r = await it.next()) {
        // Labels cut from the host copy still hold their values on the CPU: nothing to download.
        expect((tf.backend() as unknown as { tensorMap: { get(id: object): { values: unknown } } }).tensorMap.get(r.value.ys!.dataId).values).not.toBeNull();
        viaHost.push(...(await epochLabels([r.value])));
      }
      expect(viaHost).toEqual(gathered);
      tf.dispose([x, y]);
    } finally {
      await useBackend('cpu');
    }
  });
});
