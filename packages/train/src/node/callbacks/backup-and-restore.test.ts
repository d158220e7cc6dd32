import '@tensorflow/tfjs-layers';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fit } from '../../fit';
import type { Callback, FitOptions } from '../../types';
import { BackupAndRestore } from './backup-and-restore';
import { EarlyStopping } from '../../callbacks/early-stopping';
import { ReduceLROnPlateau } from '../../callbacks/reduce-lr-on-plateau';
import { buildTiny, createOptimizer, maxAbsDiff, seededNoiseFlip, syntheticData, useCpu, weightsOf } from '../../../test/helpers';

let dir: string;
beforeAll(async () => {
  await useCpu();
  dir = await mkdtemp(join(tmpdir(), 'tfb-backup-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const train = syntheticData(80);
const validation = syntheticData(24, { seed: 9 });

function options(extra: Partial<FitOptions> & { callbacks: Callback[] }, modelSeed = 7): FitOptions {
  return {
    model: buildTiny({ seed: modelSeed, dropout: 0.3 }),
    optimizer: createOptimizer('adam', { learningRate: 0.01 }),
    train,
    validation,
    epochs: 3,
    batchSize: 16,
    seed: 5,
    augmentation: seededNoiseFlip,
    ...extra,
  };
}

describe('BackupAndRestore', () => {
  it('resumes mid-epoch after a signal stop and ends with the same weights, history and LR as an uninterrupted run', async () => {
    const plateau = () => new ReduceLROnPlateau({ monitor: 'loss', patience: 0, factor: 0.5, minDelta: 10 });
    const ref = options({ callbacks: [plateau()] });
    const refResult = await fit(ref);
    const refWeights = await weightsOf(ref.model);

    const backupDir = join(dir, 'signal');
    let stops = 0;
    let result;
    const models = [];
    // Stop at batch 3 of epoch 0, then at batch 2 of epoch 1 (5 batches per epoch), then finish.
    for (const stopAt of [3, 7, -1]) {
      const controller = new AbortController();
      let n = 0;
      const backup = new BackupAndRestore(backupDir, { saveFreq: 2 });
      const run = options(
        {
          signal: controller.signal,
          callbacks: [
            plateau(),
            { name: 'stopper', onBatchEnd: (b) => { n++; if (b.globalStep === stopAt) controller.abort(); } },
            backup,
          ],
        },
        stopAt === 3 ? 7 : 100 + stops, // resumed runs start from another initialisation: the backup must overwrite it
      );
      result = await fit(run);
      models.push(run.model);
      if (stopAt >= 0) {
        expect(result.stopReason).toBe('signal');
        stops++;
      }
    }
    expect(stops).toBe(2);
    expect(result!.stopReason).toBe('completed');
    expect(result!.history).toEqual(refResult.history);
    expect(result!.history.history.lr.length).toBe(3);
    const last = models[models.length - 1];
    expect(maxAbsDiff(await weightsOf(last), refWeights)).toBe(0);
    // Deleted when training completes (Keras semantics).
    expect((await readdir(backupDir)).filter((e) => !e.startsWith('.'))).toEqual([]);
  });

  it('saves EarlyStopping state (incl. best weights) so a resumed run stops and restores like an uninterrupted one', async () => {
    const early = () => new EarlyStopping({ monitor: 'val_acc', patience: 1, restoreBestWeights: true, minDelta: 0.5 });
    const ref = options({ epochs: 6, callbacks: [early()] });
    const refResult = await fit(ref);
    expect(refResult.stopReason).toBe('early-stopping');
    const backupDir = join(dir, 'early');
    const controller = new AbortController();
    const first = options({ epochs: 6, signal: controller.signal, callbacks: [early(), { name: 'stop', onEpochEnd: (e) => { if (e === 0) controller.abort(); } }, new BackupAndRestore(backupDir)] });
    expect((await fit(first)).stopReason).toBe('signal');
    const second = options({ epochs: 6, callbacks: [early(), new BackupAndRestore(backupDir)] }, 55);
    const result = await fit(second);
    expect(result.stopReason).toBe('early-stopping');
    expect(result.history).toEqual(refResult.history);
    expect(maxAbsDiff(await weightsOf(second.model), await weightsOf(ref.model))).toBe(0);
  });

  it('refuses to resume a backup made with another seed, batch size or data', async () => {
    const backupDir = join(dir, 'mismatch');
    const controller = new AbortController();
    const first = options({ signal: controller.signal, callbacks: [{ name: 'stop', onBatchEnd: () => controller.abort() }, new BackupAndRestore(backupDir)] });
    expect((await fit(first)).stopReason).toBe('signal');
    const cases: [Partial<FitOptions>, RegExp][] = [
      [{ seed: 6 }, /backup was made with seed 5 but this run uses seed 6/],
      [{ batchSize: 8 }, /backup was made with batch size 16 but this run has 8/],
      [{ train: syntheticData(40) }, /backup was made with number of training records 80 but this run has 40/],
    ];
    for (const [override, message] of cases) {
      const err = await fit(options({ ...override, callbacks: [new BackupAndRestore(backupDir)] })).catch((e) => e);
      expect(err.message).toMatch(message);
      expect(err.hint).toMatch(/delete the backup directory/);
    }
  });
});
