import '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { isTfbricksError, type Augmentation } from '@tfbricks/core';
import { fit } from './fit';
import { maxAbsDiff, syntheticData, tf, tinyModel, useTrainingBackend, weightsOf } from '../test/helpers';

beforeAll(useTrainingBackend);

describe('fit', () => {
  it('trains a tiny model: loss goes down, history is Keras-shaped, validation each epoch', async () => {
    const train = syntheticData(192);
    const val = syntheticData(64, { seed: 2 });
    const model = tinyModel();
    const result = await fit({ model, optimizer: tf.train.adam(1e-2), train, validation: val, epochs: 4, batchSize: 32, seed: 3 });
    expect(result.stopReason).toBe('completed');
    expect(result.epochsCompleted).toBe(4);
    expect(result.history.epoch).toEqual([0, 1, 2, 3]);
    expect(Object.keys(result.history.history).sort()).toEqual(['acc', 'loss', 'val_acc', 'val_loss']);
    const loss = result.history.history.loss;
    expect(loss[3]).toBeLessThan(loss[0] * 0.8);
    expect(result.history.history.val_acc[3]).toBeGreaterThan(0.5);
    model.dispose();
  });

  it('is deterministic for a seed (shuffle, augmentation, dropout) and differs for another seed', async () => {
    const train = syntheticData(96);
    const flip: Augmentation = {
      name: 'seeded-noise',
      apply: (images, { seed }) => tf.tidy(() => tf.add(images, tf.randomUniform(images.shape, -0.05, 0.05, 'float32', seed))),
    };
    const run = async (seed: number) => {
      const model = tinyModel({ dropout: 0.5 });
      await fit({ model, optimizer: tf.train.adam(1e-2), train, epochs: 2, batchSize: 16, seed, augmentation: flip });
      const w = await weightsOf(model);
      model.dispose();
      return w;
    };
    const a = await run(11);
    const b = await run(11);
    const c = await run(12);
    expect(maxAbsDiff(a, b)).toBe(0);
    expect(maxAbsDiff(a, c)).toBeGreaterThan(1e-4);
  });

  it('leaks no tensors: numTensors is the same at the start of every epoch after the first', async () => {
    const model = tinyModel({ dropout: 0.25 });
    const before = tf.memory().numTensors;
    let counts: readonly number[] = [];
    await fit({
      model,
      train: syntheticData(64),
      validation: syntheticData(32, { seed: 5 }),
      epochs: 4,
      batchSize: 16,
      seed: 1,
      callbacks: [{ name: 'probe', onTrainEnd: (ctx) => void (counts = [...ctx.tensorCounts]) }],
    });
    expect(counts).toHaveLength(4);
    // Epoch 1 creates the optimizer's slot variables (Adam m and v per weight, once).
    expect(new Set(counts.slice(1)).size).toBe(1);
    const optimizerSlots = counts[1] - counts[0];
    expect(optimizerSlots).toBeLessThanOrEqual(2 * model.trainableWeights.length + 4);
    const after = tf.memory().numTensors;
    // The only growth over the whole run is the optimizer's state.
    expect(after - before).toBe(optimizerSlots);
    model.dispose();
  });

  it('honours initialEpoch (Keras numbering) and shuffle: false', async () => {
    const model = tinyModel();
    const seen: number[][] = [];
    const result = await fit({
      model,
      train: syntheticData(32),
      epochs: 3,
      initialEpoch: 1,
      batchSize: 16,
      seed: 1,
      shuffle: false,
      callbacks: [{ name: 'spy', onBatchEnd: (b) => void seen.push([b.globalStep, b.batch, b.size]) }],
    });
    expect(result.history.epoch).toEqual([1, 2]);
    expect(result.epochsCompleted).toBe(3);
    expect(seen).toEqual([[2, 0, 16], [3, 1, 16], [4, 0, 16], [5, 1, 16]]);
    model.dispose();
  });

  it('rejects bad options with usage errors naming the option and value', async () => {
    const model = tinyModel();
    const train = syntheticData(8);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ epochs: 0 }, /"epochs" must be an integer >= 1, got 0/],
      [{ batchSize: 2.5 }, /"batchSize" must be an integer >= 1, got 2.5/],
      [{ seed: 'x' }, /"seed" must be an integer, got "x"/],
      [{ initialEpoch: 3, epochs: 2 }, /"initialEpoch" \(3\) must be below "epochs" \(2\)/],
      [{ loss: 'hinge' }, /"loss" is "hinge"; allowed/],
      [{ train: { images: train.images, labels: new Uint8Array([9, 0, 0, 0, 0, 0, 0, 0]) } }, /label 9 at record 0 is out of range for 4 classes/],
      [{ train: { images: new Uint8Array(10), labels: train.labels } }, /images has 10 bytes but 8 labels/],
      [{ train: { ...train, imageShape: [16, 16, 3] } }, /image shape \[16, 16, 3\] does not match the model input \[8, 8, 3\]/],
    ];
    for (const [override, message] of cases) {
      const err = await fit({ model, train, epochs: 1, seed: 1, ...override } as never).catch((e) => e);
      expect(isTfbricksError(err), String(err)).toBe(true);
      expect(err.message).toMatch(message);
    }
    model.dispose();
  });

  it('a callback setting stopTraining (Keras model.stop_training) ends training, reported as early-stopping', async () => {
    const model = tinyModel();
    const result = await fit({
      model,
      train: syntheticData(64),
      epochs: 3,
      batchSize: 16,
      seed: 1,
      callbacks: [{ name: 'stop-at-epoch-1', onEpochEnd: (e, _l, ctx) => void (ctx.stopTraining = e === 1) }],
    });
    expect(result.stopReason).toBe('early-stopping');
    expect(result.epochsCompleted).toBe(2);
    model.dispose();
  });

  it('stops after the current batch when the signal aborts', async () => {
    const controller = new AbortController();
    const model = tinyModel();
    let batches = 0;
    const result = await fit({
      model,
      train: syntheticData(128),
      epochs: 3,
      batchSize: 16,
      seed: 1,
      signal: controller.signal,
      callbacks: [{ name: 'abort-at-3', onBatchEnd: () => { if (++batches === 3) controller.abort(); } }],
    });
    expect(result.stopReason).toBe('signal');
    expect(batches).toBe(3);
    expect(result.epochsCompleted).toBe(0);
    model.dispose();
  });
});
