import { TfbricksError, usageError } from '@tfbricks/core';
import { removeStaleSaveTemporaries } from '@tfbricks/layers/node';
import { loadCheckpointInto, writeCheckpoint } from '../checkpoint-io';
import type { BatchEnd, Callback, EpochLogs, TrainingContext, TrainingPosition } from '../../types';

export interface BackupAndRestoreOptions {
  /** Also back up every N batches (default `'epoch'`: at epoch ends only). */
  saveFreq?: 'epoch' | number;
  /** Delete the backup when training ends normally (default true, like Keras). */
  deleteOnEnd?: boolean;
  log?: (line: string) => void;
}

const BACKUP = 'latest';
const POSITION_KEY = 'tfbricksTrainingPosition';

/**
 * Keras' `BackupAndRestore`: keeps an up-to-date backup of the run in `backupDir`
 * (weights, optimizer state, epoch, step, shuffle state, history, learning rate and the
 * other callbacks' state) and, when a run starts and a backup exists, resumes from it,
 * so an interrupted run (crash, SIGKILL, Ctrl-C) continues exactly where the backup was
 * taken and ends with the same weights as an uninterrupted run with the same seed.
 *
 * Writes go through layers' atomic `saveModel`, so a kill during a write leaves the
 * previous backup loadable. A stop by `signal` writes a backup at the current batch; a
 * NaN stop writes nothing (the last good backup stays). The backup is deleted when
 * training completes (or stops early).
 */
export class BackupAndRestore implements Callback {
  readonly name = 'BackupAndRestore';
  private readonly saveFreq: 'epoch' | number;
  private readonly deleteOnEnd: boolean;
  private readonly log?: (line: string) => void;
  /** Backups written by this run (for tests and progress). */
  writes = 0;
  /** Where the last resume came from, if any. */
  resumedFrom: TrainingPosition | null = null;

  constructor(
    readonly backupDir: string,
    options: BackupAndRestoreOptions = {},
  ) {
    if (typeof backupDir !== 'string' || backupDir === '') {
      throw usageError('E_CALLBACK_OPTIONS', `BackupAndRestore: backupDir must be a non-empty path, got ${JSON.stringify(backupDir)}`);
    }
    const f = options.saveFreq ?? 'epoch';
    if (f !== 'epoch' && !(typeof f === 'number' && Number.isInteger(f) && f >= 1)) {
      throw usageError('E_CALLBACK_OPTIONS', `BackupAndRestore: option "saveFreq" must be 'epoch' or an integer >= 1, got ${JSON.stringify(f)}`);
    }
    this.saveFreq = f;
    this.deleteOnEnd = options.deleteOnEnd ?? true;
    this.log = options.log;
  }

  private async path(): Promise<string> {
    const { join } = await import('node:path');
    return join(this.backupDir, BACKUP);
  }

  /** Whether a backup to resume from exists in `backupDir`. */
  async exists(): Promise<boolean> {
    const fs = await import('node:fs/promises');
    const { join } = await import('node:path');
    const dir = await this.path();
    for (const d of [dir, `${dir}.prev`]) {
      try {
        await fs.access(join(d, 'model.json'));
        return true;
      } catch {
        // not there
      }
    }
    return false;
  }

  async restore(ctx: TrainingContext): Promise<TrainingPosition | undefined> {
    this.resumedFrom = null;
    await this.removeTemporaries();
    if (!(await this.exists())) return undefined;
    const { metadata, loadedFrom } = await loadCheckpointInto(await this.path(), ctx.model, ctx.optimizer);
    const position = metadata[POSITION_KEY] as TrainingPosition | undefined;
    if (!position || typeof position.epoch !== 'number' || typeof position.step !== 'number' || !Array.isArray(position.shuffleState)) {
      throw new TfbricksError('E_BACKUP_INVALID', `BackupAndRestore: "${loadedFrom}" holds no training position`, {
        hint: `it was not written by BackupAndRestore; delete ${this.backupDir} to start over`,
      });
    }
    if (position.epoch >= ctx.params.epochs && position.step === 0) {
      throw new TfbricksError(
        'E_BACKUP_DONE',
        `BackupAndRestore: the backup in ${this.backupDir} is at epoch ${position.epoch}, but this run has only ${ctx.params.epochs} epochs`,
        { usage: true, hint: 'raise epochs to continue training, or delete the backup directory' },
      );
    }
    this.resumedFrom = position;
    this.log?.(`BackupAndRestore: resuming from epoch ${position.epoch + 1}, batch ${position.step} (${loadedFrom})`);
    return position;
  }

  /** Temporaries of a backup write whose process was killed (layers' saveModel writes `.latest.tmp-*` first). */
  private async removeTemporaries(): Promise<void> {
    await removeStaleSaveTemporaries(await this.path());
  }

  private async write(ctx: TrainingContext): Promise<void> {
    const position = await ctx.capturePosition();
    await writeCheckpoint(await this.path(), ctx.model, { optimizer: ctx.optimizer, metadata: { [POSITION_KEY]: position } });
    this.writes++;
  }

  async onBatchEnd(batch: BatchEnd, ctx: TrainingContext): Promise<void> {
    if (this.saveFreq === 'epoch' || ctx.stopTraining) return;
    // The last batch of an epoch is backed up at the epoch end instead.
    if ((batch.globalStep + 1) % this.saveFreq === 0 && batch.batch + 1 < ctx.params.steps) await this.write(ctx);
  }

  async onEpochEnd(epoch: number, logs: EpochLogs, ctx: TrainingContext): Promise<void> {
    if (!Number.isFinite(logs.loss)) {
      this.log?.(`BackupAndRestore: epoch ${epoch + 1} loss is ${logs.loss}; keeping the previous backup`);
      return;
    }
    await this.write(ctx);
  }

  async onTrainEnd(ctx: TrainingContext): Promise<void> {
    if (ctx.stopReason === 'signal') {
      await this.write(ctx);
      this.log?.(`BackupAndRestore: saved the run at epoch ${ctx.epoch + 1}, batch ${ctx.step}; run again to resume`);
      return;
    }
    if (ctx.stopReason === 'nan') return;
    if (this.deleteOnEnd) {
      const fs = await import('node:fs/promises');
      const dir = await this.path();
      await fs.rm(dir, { recursive: true, force: true });
      await fs.rm(`${dir}.prev`, { recursive: true, force: true });
    }
  }
}
