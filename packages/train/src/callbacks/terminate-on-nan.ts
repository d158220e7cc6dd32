import type { BatchEnd, Callback, TrainingContext } from '../types';

/**
 * Keras' `TerminateOnNaN`: reads every batch's loss (one scalar GPU→CPU read per batch)
 * and stops within that batch when it is NaN or infinite. Training then ends without the
 * epoch-end hooks, so ModelCheckpoint/BackupAndRestore never write the NaN weights; the
 * last good checkpoint stays as it was.
 */
export class TerminateOnNaN implements Callback {
  readonly name = 'TerminateOnNaN';
  /** Global step of the batch whose loss was not finite, or -1. */
  badStep = -1;
  private readonly log?: (line: string) => void;

  constructor(options: { log?: (line: string) => void } = {}) {
    this.log = options.log;
  }

  needsBatchLogs(): boolean {
    return true;
  }

  onTrainBegin(): void {
    this.badStep = -1;
  }

  onBatchEnd(batch: BatchEnd, ctx: TrainingContext): void {
    const loss = batch.logs?.loss;
    if (loss === undefined || Number.isFinite(loss)) return;
    this.badStep = batch.globalStep;
    ctx.stopTraining = true;
    ctx.stopReason = 'nan';
    this.log?.(`Batch ${batch.batch} of epoch ${ctx.epoch + 1}: invalid loss (${loss}), terminating training`);
  }
}
