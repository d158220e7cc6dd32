import type { BatchEnd, Callback, EpochLogs, TrainingContext } from '../types';

export interface ProgressLoggerOptions {
  /** Where lines go (default: stdout). */
  log?: (line: string) => void;
  /** Also print a line every N batches (default 0: epoch lines only; needs a per-batch read). */
  batchEvery?: number;
  /** Digits after the decimal point (default 4, like Keras). */
  digits?: number;
}

function format(logs: Record<string, number>, digits: number): string {
  return Object.entries(logs)
    .map(([k, v]) => `${k}: ${k === 'lr' ? v.toPrecision(4) : v.toFixed(digits)}`)
    .join(' - ');
}

function seconds(ms: number): string {
  return ms >= 10_000 ? `${Math.round(ms / 1000)}s` : `${(ms / 1000).toFixed(1)}s`;
}

/**
 * Keras-style text progress: `Epoch 3/50`, then `1563/1563 - 41s - 26ms/step - loss: … -
 * acc: … - val_loss: … - val_acc: …`. Optional lines every N batches.
 */
export class ProgressLogger implements Callback {
  readonly name = 'ProgressLogger';
  private readonly log: (line: string) => void;
  private readonly batchEvery: number;
  private readonly digits: number;
  private epochStart = 0;
  private firstStep = 0;

  constructor(options: ProgressLoggerOptions = {}) {
    this.log = options.log ?? ((line) => process.stdout.write(line + '\n'));
    this.batchEvery = options.batchEvery ?? 0;
    this.digits = options.digits ?? 4;
  }

  needsBatchLogs(globalStep: number): boolean {
    return this.batchEvery > 0 && (globalStep + 1) % this.batchEvery === 0;
  }

  onTrainBegin(ctx: TrainingContext): void {
    const p = ctx.params;
    const resume = ctx.epoch > p.initialEpoch || ctx.step > 0 ? ` (resuming at epoch ${ctx.epoch + 1}, batch ${ctx.step})` : '';
    this.log(`Training on ${p.samples} samples, ${p.steps} batches of ${p.batchSize} per epoch${p.hasValidation ? ', validating every epoch' : ''}${resume}`);
  }

  onEpochBegin(epoch: number, ctx: TrainingContext): void {
    this.epochStart = performance.now();
    this.firstStep = ctx.step;
    this.log(`Epoch ${epoch + 1}/${ctx.params.epochs}`);
  }

  onBatchEnd(batch: BatchEnd, ctx: TrainingContext): void {
    if (!batch.logs) return;
    this.log(`${batch.batch + 1}/${ctx.params.steps} - ${format(batch.logs, this.digits)}`);
  }

  onEpochEnd(_epoch: number, logs: EpochLogs, ctx: TrainingContext): void {
    const ms = performance.now() - this.epochStart;
    const steps = ctx.params.steps - this.firstStep;
    this.log(`${ctx.params.steps}/${ctx.params.steps} - ${seconds(ms)} - ${Math.round(ms / Math.max(1, steps))}ms/step - ${format(logs, this.digits)}`);
  }

  onTrainEnd(ctx: TrainingContext): void {
    const why: Record<string, string> = {
      'early-stopping': 'stopped early (no improvement)',
      nan: 'stopped: the loss became NaN/infinite',
      signal: 'interrupted',
    };
    if (ctx.stopReason !== 'completed') this.log(`Training ${why[ctx.stopReason]} at epoch ${ctx.epoch + 1}, batch ${ctx.step}`);
  }
}
