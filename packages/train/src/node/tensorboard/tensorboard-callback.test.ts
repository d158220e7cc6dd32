import '@tensorflow/tfjs-layers';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fit } from '../../fit';
import { TensorBoard } from './tensorboard-callback';
import { decodeEvent, type EventData } from './proto';
import { decodeRecords } from './tfrecord';
import { buildTiny, createOptimizer, seededNoiseFlip, syntheticData, useCpu } from '../../../test/helpers';

let dir: string;
beforeAll(async () => {
  await useCpu();
  dir = await mkdtemp(join(tmpdir(), 'tfb-tb-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function readEvents(runDir: string): Promise<{ name: string; events: EventData[] }> {
  const files = await readdir(runDir);
  expect(files).toHaveLength(1);
  const bytes = await readFile(join(runDir, files[0]));
  return { name: files[0], events: decodeRecords(bytes).map(decodeEvent) };
}

describe('TensorBoard', () => {
  it('writes parseable event files: scalars per epoch and per N batches, histograms, sample images', async () => {
    const logDir = join(dir, 'run1');
    const tb = new TensorBoard(logDir, { updateFreq: 2, histogramFreq: 1, images: 2 });
    const model = buildTiny();
    const result = await fit({
      model,
      optimizer: createOptimizer('adam', { learningRate: 0.01 }),
      train: syntheticData(48),
      validation: syntheticData(16, { seed: 4 }),
      epochs: 2,
      batchSize: 16,
      seed: 3,
      augmentation: seededNoiseFlip,
      callbacks: [tb],
    });

    const train = await readEvents(join(logDir, 'train'));
    expect(train.name).toMatch(new RegExp(`^events\\.out\\.tfevents\\.\\d{10}\\.${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    expect(train.events[0].fileVersion).toBe('brain.Event:2');
    const scalars = (events: EventData[], tag: string) =>
      events.flatMap((e) => (e.summary ?? []).filter((v) => v.tag === tag && 'simpleValue' in v).map((v) => [e.step, (v as { simpleValue: number }).simpleValue]));
    const f32 = (x: number) => Math.fround(x);
    expect(scalars(train.events, 'epoch_loss')).toEqual(result.history.history.loss.map((v, i) => [i, f32(v)]));
    expect(scalars(train.events, 'epoch_accuracy')).toEqual(result.history.history.acc.map((v, i) => [i, f32(v)]));
    expect(scalars(train.events, 'epoch_learning_rate')).toEqual([[0, f32(0.01)], [1, f32(0.01)]]);
    // 3 batches per epoch, 6 in all: batch scalars at global steps 1, 3, 5.
    expect(scalars(train.events, 'batch_loss').map((s) => s[0])).toEqual([1, 3, 5]);
    expect(scalars(train.events, 'batch_accuracy')).toHaveLength(3);

    const histos = train.events.flatMap((e) => (e.summary ?? []).filter((v) => 'histo' in v).map((v) => ({ step: e.step, ...v })));
    const weightNames = model.weights.map((w) => w.originalName);
    expect(histos.map((h) => h.tag)).toEqual([...weightNames, ...weightNames]);
    const kernel = model.weights[0];
    const values = Array.from(await kernel.read().data());
    const h = (histos[histos.length - weightNames.length] as { histo: { min: number; max: number; num: number; sum: number; bucket: number[]; bucketLimit: number[] } }).histo;
    expect(h.num).toBe(values.length);
    expect(h.min).toBeCloseTo(Math.min(...values), 6);
    expect(h.max).toBeCloseTo(Math.max(...values), 6);
    expect(h.sum).toBeCloseTo(values.reduce((a, b) => a + b, 0), 5);
    expect(h.bucket.reduce((a, b) => a + b, 0)).toBe(values.length);
    expect(h.bucketLimit).toHaveLength(30);

    const images = train.events.flatMap((e) => (e.summary ?? []).filter((v) => 'image' in v));
    expect(images.map((i) => i.tag)).toEqual(['train_samples/image/0', 'train_samples/image/1']);
    const img = (images[0] as { image: { height: number; width: number; colorspace: number; encodedImageString: Uint8Array } }).image;
    expect([img.height, img.width, img.colorspace]).toEqual([8, 8, 3]);
    const png = PNG.sync.read(Buffer.from(img.encodedImageString));
    expect([png.width, png.height]).toEqual([8, 8]);
    expect(new Set(png.data).size).toBeGreaterThan(10);

    const validation = await readEvents(join(logDir, 'validation'));
    expect(validation.events[0].fileVersion).toBe('brain.Event:2');
    expect(scalars(validation.events, 'epoch_loss')).toEqual(result.history.history.val_loss.map((v, i) => [i, f32(v)]));
    expect(scalars(validation.events, 'epoch_accuracy')).toEqual(result.history.history.val_acc.map((v, i) => [i, f32(v)]));
  });

  it('rejects bad options', () => {
    expect(() => new TensorBoard('')).toThrow(/logDir must be a non-empty string/);
    expect(() => new TensorBoard('x', { updateFreq: 0 })).toThrow(/"updateFreq" must be 'epoch' or an integer >= 1, got 0/);
    expect(() => new TensorBoard('x', { histogramFreq: -1 })).toThrow(/"histogramFreq" must be an integer >= 0, got -1/);
  });
});
