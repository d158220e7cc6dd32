import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { bytes } from '../test/fixtures';
import { IMAGE_BYTES } from './spec';
import { toCategorical, tensorBatches, toTensors } from './tensors';
import { batches, classCounts, gather, shuffle, split, splitIndices } from './transforms';

function synthetic(n: number) {
  const images = new Uint8Array(bytes(n * IMAGE_BYTES, 42));
  // image i starts with byte i, so records can be identified after shuffling
  for (let i = 0; i < n; i++) images[i * IMAGE_BYTES] = i;
  const labels = new Uint8Array(n).map((_, i) => i % 10);
  return { images, labels };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('shuffle / split / batches', () => {
  const data = synthetic(50);

  it('shuffle is a seeded permutation that keeps image and label together', () => {
    const a = shuffle(data, 1);
    const b = shuffle(data, 1);
    const c = shuffle(data, 2);
    expect(a.labels).toEqual(b.labels);
    expect(Buffer.from(a.images)).toEqual(Buffer.from(b.images));
    expect(Buffer.from(a.images)).not.toEqual(Buffer.from(c.images));
    const ids = Array.from({ length: 50 }, (_, k) => a.images[k * IMAGE_BYTES]);
    expect([...ids].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    ids.forEach((id, k) => expect(a.labels[k]).toBe(id % 10));
    expect(() => shuffle(data, 1.5)).toThrow(/seed must be an integer/);
  });

  it('split by fraction: Keras tail without seed, seeded subset with one; disjoint and complete', () => {
    const tail = split(data, 0.2);
    expect(tail.validation.labels.length).toBe(10);
    expect(tail.validation.images[0]).toBe(40);
    const s1 = splitIndices(50, 0.2, 7);
    const s2 = splitIndices(50, 0.2, 7);
    expect(s1.validation).toEqual(s2.validation);
    expect(s1.validation).not.toEqual(splitIndices(50, 0.2, 8).validation);
    expect(new Set([...s1.train, ...s1.validation]).size).toBe(50);
    expect(() => splitIndices(50, 0, 1)).toThrow(/in \(0, 1\)/);
    expect(() => splitIndices(3, 0.1)).toThrow(/gives 0; both parts need at least one record/);
  });

  it('batches: natural order as views, seeded shuffle, dropRemainder, errors', () => {
    const nat = [...batches(data, { batchSize: 16 })];
    expect(nat.map((b) => b.size)).toEqual([16, 16, 16, 2]);
    expect(nat[1].images.buffer).toBe(data.images.buffer);
    expect(nat[1].images[0]).toBe(16);
    const sh = [...batches(data, { batchSize: 16, shuffle: true, seed: 3, dropRemainder: true })];
    expect(sh.map((b) => b.size)).toEqual([16, 16, 16]);
    const b0 = sh[0];
    for (let k = 0; k < b0.size; k++) expect(b0.images[k * IMAGE_BYTES]).toBe(b0.indices[k]);
    expect(() => [...batches(data, { batchSize: 0 })]).toThrow(/batchSize must be a positive integer, got 0/);
    expect(() => gather(data, [50])).toThrow(/index 50 at position 0 is outside 0\.\.49/);
  });

  it('classCounts counts per class and rejects out-of-range labels', () => {
    expect(classCounts(data.labels, 10)).toEqual(new Array(10).fill(5));
    expect(() => classCounts(data.labels, 5)).toThrow(/label 5 at index 5 is outside 0\.\.4/);
  });
});

describe('tensors', () => {
  const data = synthetic(6);

  it('toTensors scales to [0,1] by default, keeps 0–255 on request, NHWC shape', async () => {
    const before = tf.memory().numTensors;
    const { xs, ys } = toTensors(data);
    expect(xs.shape).toEqual([6, 32, 32, 3]);
    expect(xs.dtype).toBe('float32');
    expect(ys.shape).toEqual([6]);
    expect(ys.dtype).toBe('int32');
    const v = await xs.data();
    expect(v[5]).toBeCloseTo(data.images[5] / 255, 6);
    expect(Math.max(...v)).toBeLessThanOrEqual(1);
    expect(Array.from(await ys.data())).toEqual([0, 1, 2, 3, 4, 5]);
    const raw = toTensors(data, { normalize: false, numClasses: 10 });
    expect((await raw.xs.data())[7]).toBe(data.images[7]);
    expect(raw.ys.shape).toEqual([6, 10]);
    tf.dispose([xs, ys, raw.xs, raw.ys]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('toCategorical matches Keras to_categorical and names a bad label', async () => {
    const t = toCategorical([0, 2, 1], 3);
    expect(await t.array()).toEqual([[1, 0, 0], [0, 0, 1], [0, 1, 0]]);
    t.dispose();
    expect(() => toCategorical([0, 3], 3)).toThrow(/label 3 at index 1 is outside 0\.\.2/);
    expect(() => toCategorical([0], 0)).toThrow(/numClasses must be a positive integer/);
  });

  it('tensorBatches yields per-batch tensors only', async () => {
    const sizes: number[] = [];
    for (const b of tensorBatches(data, { batchSize: 4, numClasses: 10 })) {
      sizes.push(b.xs.shape[0]);
      expect(b.ys.shape).toEqual([b.size, 10]);
      tf.dispose([b.xs, b.ys]);
    }
    expect(sizes).toEqual([4, 2]);
  });
});
