import { TfbricksError, usageError } from '@tfbricks/core';
import { removeStaleSaveTemporaries } from '@tfbricks/layers/node';
import { TRAINING_POSITION_KEY, loadCheckpointInto, writeCheckpoint } from '../checkpoint-io';
import type { BatchEnd, Callback, EpochLogs, TrainingContext, TrainingPosition } from '../types';

export interface BackupAndRestoreOptions {
  /** Also back up every N batches (default `'epoch'`: at epoch ends only). */
  saveFreq?: 'epoch' | number;
  /** Delete the backup when training ends normally (default true, like Keras). */
  deleteOnEnd?: boolean;
  log?: (line: string) => void;
  /**
   * Checkpoint directories, newest first, to resume from when the backup cannot be loaded
   * (damaged, truncated): ModelCheckpoint saves with `savePosition`, which hold the same
   * weights, optimizer state and position as the backup at their epoch. Each use is logged.
   */
  fallback?: () => string[] | Promise<string[]>;
}

const BACKUP = 'latest';
const POSITION_KEY = TRAINING_POSITION_KEY;

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
  private readonly fallback?: () => string[] | Promise<string[]>;
  /** Backups written by this run (for tests and progress). */
  writes = 0;
  /** Where the last resume came from, if any. */
  resumedFrom: TrainingPosition | null = null;
  /** The fallback checkpoint the last resume used because the backup was damaged, if any. */
  fellBackTo: string | null = null;

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
    this.fallback = options.fallback;
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
    this.fellBackTo = null;
    await this.removeTemporaries();
    let loaded: { position: TrainingPosition; loadedFrom: string };
    if (!(await this.exists())) {
      // No backup at all: a new run, unless fallback checkpoints say the run had started.
      if (!this.fallback || (await this.fallback()).length === 0) return undefined;
      loaded = await this.loadFallback(new Error(`${await this.path()} holds no saved model`), ctx);
    } else {
      try {
        loaded = await this.load(await this.path(), ctx);
      } catch (error) {
        loaded = await this.loadFallback(error, ctx);
      }
    }
    const { position, loadedFrom } = loaded;
    // A backup at exactly the last epoch's end is a finished training whose process died before
    // it could wrap up (final save, reports): restore it and let fit run no further epoch.
    if (position.epoch > ctx.params.epochs || (position.epoch === ctx.params.epochs && position.step > 0)) {
      throw new TfbricksError(
        'E_BACKUP_DONE',
        `BackupAndRestore: the backup in ${this.backupDir} is at epoch ${position.epoch}, but this run has only ${ctx.params.epochs} epochs`,
        { usage: true, hint: 'raise epochs to continue training, or delete the backup directory' },
      );
    }
    this.resumedFrom = position;
    if (position.epoch === ctx.params.epochs) this.log?.(`BackupAndRestore: training had finished all ${position.epoch} epochs (${loadedFrom}); finishing the run`);
    else this.log?.(`BackupAndRestore: resuming from epoch ${position.epoch + 1}, batch ${position.step} (${loadedFrom})`);
    return position;
  }

  private async load(dir: string, ctx: TrainingContext): Promise<{ position: TrainingPosition; loadedFrom: string }> {
    const { metadata, loadedFrom } = await loadCheckpointInto(dir, ctx.model, ctx.optimizer);
    const position = metadata[POSITION_KEY] as TrainingPosition | undefined;
    if (!position || typeof position.epoch !== 'number' || typeof position.step !== 'number' || !Array.isArray(position.shuffleState)) {
      throw new TfbricksError('E_BACKUP_INVALID', `BackupAndRestore: "${loadedFrom}" holds no training position`, {
        hint: `it was not written by BackupAndRestore; delete ${this.backupDir} to start over`,
      });
    }
    return { position, loadedFrom };
  }

  /** The backup cannot be loaded: resume from the newest fallback checkpoint that can, and say so. */
  private async loadFallback(error: unknown, ctx: TrainingContext): Promise<{ position: TrainingPosition; loadedFrom: string }> {
    const candidates = this.fallback ? await this.fallback() : [];
    const reason = (error as Error)?.message ?? String(error);
    // A mismatch of the run itself (other model, other optimizer) is not damage: no fallback hides it.
    const code = (error as { code?: string })?.code;
    if (code === 'E_CHECKPOINT_MISMATCH') throw error;
    for (const dir of candidates) {
      try {
        const got = await this.load(dir, ctx);
        this.log?.(`BackupAndRestore: the backup in ${this.backupDir} cannot be used (${reason.split('\n')[0]}); resuming from ${got.loadedFrom} instead (epoch ${got.position.epoch}, the same weights and optimizer state the backup had then)`);
        this.fellBackTo = got.loadedFrom;
        return got;
      } catch {
        // try the next one
      }
    }
    if (candidates.length === 0) throw error;
    throw new TfbricksError('E_BACKUP_INVALID', `BackupAndRestore: the backup in ${this.backupDir} cannot be used (${reason.split('\n')[0]}), and none of ${candidates.length} checkpoint(s) can replace it`, {
      usage: true,
      cause: error,
      hint: `delete ${this.backupDir} to start over from the beginning`,
    });
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
