// A small end-to-end run on real CIFAR-10 records from ../shared/data/cifar10-mini: the tiny
// zoo model, 160 training images, validation on 64 test images, with checkpoints, CSV and
// TensorBoard — what `tfbricks train` composes, at library level.
import '@tensorflow/tfjs-layers';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModel, createOptimizer, getModelSpec } from '@tfbricks/layers';
import { loadModel } from '@tfbricks/layers/node';
import { fit } from '../src/fit';
import { evaluate } from '../src/evaluate';
import { CSVLogger } from '../src/node/callbacks/csv-logger';
import { ModelCheckpoint } from '../src/node/callbacks/model-checkpoint';
import { TensorBoard } from '../src/node/tensorboard/tensorboard-callback';
import { cifarMiniDir, useCpu } from './helpers';

/** The first `count` records of a CIFAR-10 binary batch (label byte + 3072 CHW bytes) as NHWC. */
function readCifarBin(path: string, count: number): { images: Uint8Array; labels: Uint8Array } {
  const buf = readFileSync(path);
  const images = new Uint8Array(count * 3072);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const rec = i * 3073;
    labels[i] = buf[rec];
    for (let p = 0; p < 1024; p++) for (let c = 0; c < 3; c++) images[i * 3072 + p * 3 + c] = buf[rec + 1 + c * 1024 + p];
  }
  return { images, labels };
}

const bin = join(cifarMiniDir, 'cifar-10-batches-bin');
const present = existsSync(join(bin, 'data_batch_1.bin'));
if (!present) console.log(`skipping cifar10-mini run: ${bin} not found (expected the repo's sibling ../shared)`);

describe.skipIf(!present)('cifar10-mini end to end (cpu)', () => {
  it('trains the tiny zoo model for 2 epochs with validation, checkpoints, CSV and TensorBoard', async () => {
    await useCpu();
    const dir = await mkdtemp(join(tmpdir(), 'tfb-cifar-'));
    try {
      const train = readCifarBin(join(bin, 'data_batch_1.bin'), 160);
      const test = readCifarBin(join(bin, 'test_batch.bin'), 64);
      const model = buildModel(getModelSpec('tiny', { inputShape: [32, 32, 3], numClasses: 10 }), { seed: 1 });
      const result = await fit({
        model,
        optimizer: createOptimizer('adam', { learningRate: 3e-3 }),
        train,
        validation: test,
        epochs: 2,
        batchSize: 32,
        seed: 1,
        callbacks: [
          new ModelCheckpoint(join(dir, 'best'), { monitor: 'val_acc', saveBestOnly: true }),
          new CSVLogger(join(dir, 'log.csv')),
          new TensorBoard(join(dir, 'tb'), { images: 0 }),
        ],
      });
      expect(result.stopReason).toBe('completed');
      const h = result.history.history;
      for (const k of ['loss', 'acc', 'val_loss', 'val_acc']) expect(h[k].every(Number.isFinite), k).toBe(true);
      // Near chance after 2 small epochs, but the loss must move below ln(10) ≈ 2.30.
      expect(Math.min(...h.loss)).toBeLessThan(2.31);
      const evaluation = await evaluate(model, test, { batchSize: 64 });
      expect(evaluation.loss).toBeCloseTo(h.val_loss[1], 5);
      expect(evaluation.accuracy).toBeCloseTo(h.val_acc[1], 10);
      expect(evaluation.confusionMatrix.flat().reduce((a, b) => a + b, 0)).toBe(64);
      const best = await loadModel(join(dir, 'best'));
      expect(best.metadata.monitor).toBe('val_acc');
      best.model.dispose();
      expect((await readFile(join(dir, 'log.csv'), 'utf8')).trim().split('\n')).toHaveLength(3);
      expect(await readdir(join(dir, 'tb'))).toEqual(['train', 'validation']);
      model.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
