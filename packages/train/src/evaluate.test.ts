import '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DatasetPlugin, RawBatch } from '@tfbricks/core';
import { Rng } from '@tfbricks/core';
import { evaluate, predict } from './evaluate';
import { fit } from './fit';
import { buildTiny, createOptimizer, syntheticData, tf, tfl, useTrainingBackend } from '../test/helpers';

beforeAll(useTrainingBackend);

/** A DatasetPlugin over in-memory arrays (what data-cifar's plugin looks like to fit). */
function memoryDataset(splits: Record<string, { images: Uint8Array; labels: Uint8Array }>): DatasetPlugin & { prepared: number } {
  const pixels = 8 * 8 * 3;
  const ds = {
    name: 'memory',
    imageShape: [8, 8, 3] as const,
    classNames: ['a', 'b', 'c', 'd'],
    splits: Object.keys(splits),
    prepared: 0,
    async prepare() {
      ds.prepared++;
    },
    size: (split: string) => splits[split].labels.length,
    *batches(split: string, o: { batchSize: number; shuffle?: boolean; seed?: number }): Iterable<RawBatch> {
      const { images, labels } = splits[split];
      const n = labels.length;
      const order = o.shuffle ? new Rng(o.seed ?? 0).permutation(n) : Uint32Array.from({ length: n }, (_, i) => i);
      for (let s = 0; s < n; s += o.batchSize) {
        const idx = order.subarray(s, Math.min(n, s + o.batchSize));
        const bi = new Uint8Array(idx.length * pixels);
        idx.forEach((r, i) => bi.set(images.subarray(r * pixels, (r + 1) * pixels), i * pixels));
        yield { images: bi, labels: Uint8Array.from(idx, (r) => labels[r]), indices: idx, size: idx.length };
      }
    },
  };
  return ds;
}

describe('evaluate and predict', () => {
  it('evaluate matches a direct computation: loss, accuracy, per-class accuracy, confusion matrix', async () => {
    const model = buildTiny({ seed: 5 });
    await fit({ model, optimizer: createOptimizer('adam', { learningRate: 0.02 }), train: syntheticData(96), epochs: 2, batchSize: 16, seed: 1 });
    const test = syntheticData(40, { seed: 6 });
    const before = tf.memory().numTensors;
    const r = await evaluate(model, test, { batchSize: 16 });
    expect(tf.memory().numTensors).toBe(before);

    const { probabilities } = await predict(model, test.images, { batchSize: 7 });
    const direct = tf.tidy(() => {
      const xs = tf.div(tf.tensor4d(Float32Array.from(test.images), [40, 8, 8, 3]), 255);
      return model.predict(xs) as tf.Tensor2D;
    });
    const p = (await direct.data()) as Float32Array;
    direct.dispose();
    expect(Math.max(...p.map((v, i) => Math.abs(v - probabilities[i])))).toBeLessThan(1e-6);

    let loss = 0;
    let correct = 0;
    const confusion = Array.from({ length: 4 }, () => new Array(4).fill(0));
    for (let i = 0; i < 40; i++) {
      const row = Array.from(p.subarray(i * 4, i * 4 + 4));
      const clipped = Math.min(Math.max(row[test.labels[i]] / row.reduce((a, b) => a + b, 0), 1e-7), 1 - 1e-7);
      loss -= Math.log(clipped);
      const pred = row.indexOf(Math.max(...row));
      confusion[test.labels[i]][pred]++;
      if (pred === test.labels[i]) correct++;
    }
    expect(r.count).toBe(40);
    expect(r.loss).toBeCloseTo(loss / 40, 5);
    expect(r.accuracy).toBe(correct / 40);
    expect(r.confusionMatrix).toEqual(confusion);
    expect(r.perClassAccuracy).toEqual(confusion.map((row, t) => row[t] / 10));
    model.dispose();
  });

  it('includes regularisation in the loss, like Keras', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.flatten({ inputShape: [8, 8, 3] }),
        tfl.layers.dense({ units: 4, activation: 'softmax', kernelRegularizer: tfl.regularizers.l2({ l2: 0.5 }), kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
      ],
    });
    const test = syntheticData(8);
    const r = await evaluate(model, test);
    const kernel = (await model.layers[1].getWeights()[0].data()) as Float32Array;
    const l2 = 0.5 * kernel.reduce((a, v) => a + v * v, 0);
    const plain = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [8, 8, 3] }), tfl.layers.dense({ units: 4, activation: 'softmax' })] });
    plain.setWeights(model.getWeights());
    const r0 = await evaluate(plain, test);
    expect(r.loss - r0.loss).toBeCloseTo(l2, 4);
    model.dispose();
    plain.dispose();
  });

  it('trains and evaluates from a DatasetPlugin split (prepared once, shuffled by seed)', async () => {
    const ds = memoryDataset({ train: syntheticData(48), test: syntheticData(16, { seed: 2 }) });
    const run = async () => {
      const model = buildTiny({ seed: 9 });
      const result = await fit({ model, train: { dataset: ds, split: 'train' }, validation: { dataset: ds, split: 'test' }, epochs: 2, batchSize: 16, seed: 3 });
      model.dispose();
      return result;
    };
    const a = await run();
    const b = await run();
    expect(a.history).toEqual(b.history);
    expect(a.history.history.val_loss).toHaveLength(2);
    expect(ds.prepared).toBeGreaterThan(0);
    const err = await fit({ model: buildTiny(), train: { dataset: ds, split: 'validation' }, epochs: 1, seed: 1 }).catch((e) => e);
    expect(err.message).toMatch(/"train.split" is "validation"; dataset "memory" has splits: train, test/);
  });

  it('predict rejects input of the wrong size', async () => {
    const model = buildTiny();
    await expect(predict(model, new Uint8Array(100))).rejects.toThrow(/multiple of 8×8×3 = 192, got 100 bytes/);
    model.dispose();
  });
});
