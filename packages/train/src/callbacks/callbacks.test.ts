import '@tensorflow/tfjs-layers';
import { createHash } from 'node:crypto';
import { appendFile, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTfbricksError, type Augmentation } from '@tfbricks/core';
import { loadModel } from '@tfbricks/layers/node';
import { fit } from '../fit';
import type { FitOptions } from '../types';
import { BackupAndRestore } from '../node/callbacks/backup-and-restore';
import { CSVLogger } from '../node/callbacks/csv-logger';
import { EarlyStopping } from './early-stopping';
import { LearningRateScheduler, stepDecay } from './learning-rate-scheduler';
import { ModelCheckpoint, formatCheckpointPath } from '../node/callbacks/model-checkpoint';
import { ProgressLogger } from './progress-logger';
import { ReduceLROnPlateau } from './reduce-lr-on-plateau';
import { TerminateOnNaN } from './terminate-on-nan';
import { buildTiny, createOptimizer, maxAbsDiff, syntheticData, tf, useCpu, weightsOf } from '../../test/helpers';

let dir: string;
beforeAll(async () => {
  await useCpu();
  dir = await mkdtemp(join(tmpdir(), 'tfb-cb-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const train = syntheticData(48);
const validation = syntheticData(16, { seed: 4 });
const base = (extra: Partial<FitOptions>): FitOptions => ({
  model: buildTiny(),
  optimizer: createOptimizer('adam', { learningRate: 0.01 }),
  train,
  validation,
  epochs: 3,
  batchSize: 16,
  seed: 2,
  ...extra,
});

async function snapshot(path: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await readdir(path)) out[f] = createHash('sha256').update(await readFile(join(path, f))).digest('hex');
  return out;
}

describe('ModelCheckpoint', () => {
  it('formats Keras-style path templates', () => {
    expect(formatCheckpointPath('ck/e{epoch:03d}-{val_loss:.2f}', 4, { val_loss: 0.12345 })).toBe('ck/e005-0.12');
    expect(formatCheckpointPath('ck/{epoch}', 0, {})).toBe('ck/1');
    expect(() => formatCheckpointPath('ck/{val_acc}', 0, { loss: 1 })).toThrow(/field "\{val_acc\}" is not a log key; available: epoch, loss/);
  });

  it('saves every epoch with keepLast pruning; checkpoints load with weights and optimizer state', async () => {
    const root = join(dir, 'keep');
    const opts = base({ epochs: 4, callbacks: [new ModelCheckpoint(join(root, 'epoch-{epoch:02d}'), { keepLast: 2 })] });
    await fit(opts);
    expect((await readdir(root)).sort()).toEqual(['epoch-03', 'epoch-04']);
    const loaded = await loadModel(join(root, 'epoch-04'));
    expect(maxAbsDiff(await weightsOf(loaded.model), await weightsOf(opts.model))).toBe(0);
    expect(loaded.optimizer?.getClassName()).toBe(opts.optimizer!.getClassName());
    expect(loaded.metadata.epoch).toBe(3);
    loaded.model.dispose();
  });

  it('with saveBestOnly writes only when the monitored value improves', async () => {
    const path = join(dir, 'best');
    const saves: string[] = [];
    const cb = new ModelCheckpoint(path, { monitor: 'val_loss', saveBestOnly: true, log: (l) => saves.push(l) });
    // A learning rate this high makes val_loss jump around: some epochs do not improve.
    const result = await fit(base({ epochs: 5, optimizer: createOptimizer('adam', { learningRate: 0.3 }), callbacks: [cb] }));
    const v = result.history.history.val_loss;
    let best = Infinity;
    const improved = v.map((x) => (x < best ? ((best = x), true) : false));
    expect(improved).toContain(false);
    expect(saves.filter((l) => l.includes('saved model')).length).toBe(improved.filter(Boolean).length);
    const loaded = await loadModel(path);
    expect(loaded.metadata.epoch).toBe(improved.lastIndexOf(true));
    loaded.model.dispose();
  });
});

describe('TerminateOnNaN', () => {
  it('stops within the batch whose loss is NaN and leaves the last good checkpoint and backup untouched', async () => {
    let calls = 0;
    const poison: Augmentation = {
      name: 'poison-at-7',
      apply: (images) => tf.tidy(() => (++calls === 7 ? tf.mul(images, Number.NaN) : tf.clone(images))) as tf.Tensor4D,
    };
    const ckpt = join(dir, 'nan-ckpt');
    const backupDir = join(dir, 'nan-backup');
    const seen: number[] = [];
    let snapshotAfterEpoch: Record<string, string> = {};
    let backupBefore: Record<string, string> = {};
    const result = await fit(
      base({
        epochs: 4,
        augmentation: poison,
        callbacks: [
          new TerminateOnNaN(),
          new ModelCheckpoint(ckpt),
          { name: 'spy', onBatchEnd: (b) => void seen.push(b.globalStep) },
          { name: 'snap', onEpochEnd: async () => void (snapshotAfterEpoch = await snapshot(ckpt)) },
          {
            name: 'backup-snap',
            onEpochBegin: async (e) => {
              if (e === 2) backupBefore = await snapshot(join(backupDir, 'latest'));
            },
          },
          new BackupAndRestore(backupDir, { saveFreq: 1 }),
        ],
      }),
    );
    expect(result.stopReason).toBe('nan');
    // 3 batches per epoch: the 7th batch (global step 6) is the first of epoch 2.
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(result.epochsCompleted).toBe(2);
    expect(result.history.epoch).toEqual([0, 1]);
    expect(await snapshot(ckpt)).toEqual(snapshotAfterEpoch);
    const good = await loadModel(ckpt);
    expect(good.metadata.epoch).toBe(1);
    good.model.dispose();
    // The epoch-1 end backup is the last one; the NaN step never reaches the backup.
    expect(await snapshot(join(backupDir, 'latest'))).toEqual(backupBefore);
  });
});

describe('EarlyStopping', () => {
  it('stops after `patience` epochs without improvement and restores the best weights', async () => {
    const perEpoch: Float32Array[][] = [];
    const cb = new EarlyStopping({ monitor: 'val_loss', patience: 1, minDelta: 100, restoreBestWeights: true });
    const opts = base({ epochs: 10, callbacks: [{ name: 'keep', onEpochEnd: async (_e, _l, ctx) => void perEpoch.push(await weightsOf(ctx.model)) }, cb] });
    const result = await fit(opts);
    // minDelta 100: nothing after epoch 0 counts as an improvement → stop at epoch 1.
    expect(result.stopReason).toBe('early-stopping');
    expect(result.history.epoch).toEqual([0, 1]);
    expect(cb.stoppedEpoch).toBe(1);
    expect(cb.bestEpoch).toBe(0);
    expect(maxAbsDiff(await weightsOf(opts.model), perEpoch[0])).toBe(0);
    expect(maxAbsDiff(perEpoch[1], perEpoch[0])).toBeGreaterThan(0);
  });

  it('names the available keys when the monitored metric is missing', async () => {
    const err = await fit(base({ validation: undefined, epochs: 1, callbacks: [new EarlyStopping()] })).catch((e) => e);
    expect(isTfbricksError(err)).toBe(true);
    expect(err.message).toMatch(/monitored metric "val_loss" is not in the epoch logs; available: loss, acc/);
    expect(err.hint).toMatch(/pass a validation source/);
  });

  it('rejects bad options', () => {
    expect(() => new EarlyStopping({ patience: -1 })).toThrow(/"patience" must be an integer >= 0, got -1/);
    expect(() => new EarlyStopping({ mode: 'up' as never })).toThrow(/"mode" is "up"; allowed: auto, min, max/);
  });
});

describe('learning-rate callbacks', () => {
  it('LearningRateScheduler sets the rate every epoch and logs it', async () => {
    const opts = base({ epochs: 3, callbacks: [new LearningRateScheduler(stepDecay(0.02, 0.5, 1))] });
    const result = await fit(opts);
    expect(result.history.history.lr).toEqual([0.02, 0.01, 0.005]);
    expect((opts.optimizer as unknown as { learningRate: number }).learningRate).toBe(0.005);
    const bad = await fit(base({ epochs: 1, callbacks: [new LearningRateScheduler(() => Number.NaN)] })).catch((e) => e);
    expect(bad.message).toMatch(/schedule\(0, 0.01\) returned null; it must return a finite number >= 0/);
  });

  it('ReduceLROnPlateau multiplies the rate by factor after patience epochs without improvement, with cooldown', async () => {
    const lines: string[] = [];
    const cb = new ReduceLROnPlateau({ monitor: 'val_loss', factor: 0.5, patience: 1, minDelta: 100, cooldown: 2, log: (l) => lines.push(l) });
    const result = await fit(base({ epochs: 6, callbacks: [cb] }));
    // Keras' rule: epoch 0 improves on Infinity; 1: wait 1 → reduce (cooldown 2); 2: cooldown 2→1;
    // 3: cooldown 1→0, then wait 1 → reduce; 4: cooldown; 5: reduce. `lr` is logged before the reduction.
    expect(result.history.history.lr).toEqual([0.01, 0.01, 0.005, 0.005, 0.0025, 0.0025]);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/Epoch 2: ReduceLROnPlateau reducing learning rate to 0.005/);
  });
});

describe('CSVLogger and ProgressLogger', () => {
  it('CSVLogger writes a Keras-style header and one row per epoch; append keeps old rows', async () => {
    const path = join(dir, 'csv', 'log.csv');
    const result = await fit(base({ epochs: 2, callbacks: [new CSVLogger(path)] }));
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('epoch,acc,loss,val_acc,val_loss');
    expect(lines).toHaveLength(3);
    const row = lines[2].split(',').map(Number);
    expect(row).toEqual([1, result.history.history.acc[1], result.history.history.loss[1], result.history.history.val_acc[1], result.history.history.val_loss[1]]);
    await fit(base({ epochs: 1, callbacks: [new CSVLogger(path, { append: true })] }));
    expect((await readFile(path, 'utf8')).trim().split('\n')).toHaveLength(4);
    await fit(base({ epochs: 1, callbacks: [new CSVLogger(path)] }));
    expect((await readFile(path, 'utf8')).trim().split('\n')).toHaveLength(2);
  });

  it('CSVLogger drops rows past the resume point so every epoch appears once', async () => {
    const path = join(dir, 'csv', 'resume.csv');
    const backupDir = join(dir, 'csv-backup');
    const controller = new AbortController();
    await fit(base({ epochs: 3, signal: controller.signal, callbacks: [new CSVLogger(path), { name: 'stop', onEpochEnd: (e) => { if (e === 1) controller.abort(); } }, new BackupAndRestore(backupDir)] }));
    expect((await readFile(path, 'utf8')).trim().split('\n')).toHaveLength(3);
    // As if a crash came after the CSV row of epoch 2 was written but before its backup.
    await appendFile(path, '2,9,9,9,9\n');
    const result = await fit(base({ epochs: 3, callbacks: [new CSVLogger(path), new BackupAndRestore(backupDir)] }));
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    expect(lines.map((l) => l.split(',')[0])).toEqual(['epoch', '0', '1', '2']);
    expect(Number(lines[3].split(',')[2])).toBe(result.history.history.loss[2]);
  });

  it('ProgressLogger prints Keras-like epoch lines and batch lines every N', async () => {
    const lines: string[] = [];
    await fit(base({ epochs: 2, callbacks: [new ProgressLogger({ log: (l) => lines.push(l), batchEvery: 2 })] }));
    expect(lines[0]).toBe('Training on 48 samples, 3 batches of 16 per epoch, validating every epoch');
    expect(lines[1]).toBe('Epoch 1/2');
    expect(lines[2]).toMatch(/^2\/3 - loss: \d+\.\d{4} - acc: \d\.\d{4}$/);
    expect(lines[3]).toMatch(/^3\/3 - [\d.]+s - \d+ms\/step - loss: \d+\.\d{4} - acc: \d\.\d{4} - val_loss: \d+\.\d{4} - val_acc: \d\.\d{4}$/);
    expect(lines.filter((l) => l.startsWith('Epoch '))).toEqual(['Epoch 1/2', 'Epoch 2/2']);
  });
});
