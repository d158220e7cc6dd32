import type { BatchEnd, Callback, EpochLogs, TrainingContext } from '@tfbricks/train';
import type { CliStream } from './io';

export type ProgressMode = 'bar' | 'epoch' | 'none';

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}:${String(s % 60).padStart(2, '0')}`;
  return `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

function formatLogs(logs: Record<string, number>): string {
  return Object.entries(logs)
    .filter(([key]) => key !== 'lr')
    .map(([key, value]) => `${key}: ${Number.isFinite(value) ? value.toFixed(4) : String(value)}`)
    .join(' - ');
}

/**
 * Keras-like progress: on a terminal, a bar per epoch redrawn in place
 * (`312/1563 [=====>....] - ETA: 1:02 - 850 img/s - loss: … - acc: …`); otherwise one
 * line per epoch. Batch losses are read from the device at most ~4 times a second, so
 * the bar costs almost nothing; the bar's loss/acc are the running means of the batches
 * read so far this epoch (Keras averages every batch), the epoch line has the exact values.
 */
export class ProgressReporter implements Callback {
  readonly name = 'ProgressReporter';
  private epochStart = 0;
  private lastDraw = 0;
  private images = 0;
  private steps = 0;
  private epochs = 0;
  private lastLogs: Record<string, number> | undefined;
  /** Size-weighted sums of the sampled batch logs of this epoch (Keras shows running means). */
  private sums: Record<string, number> = {};
  private sampled = 0;
  private wantLogs = true;

  constructor(
    private readonly out: CliStream,
    private readonly mode: ProgressMode,
    private readonly now: () => number = () => performance.now(),
  ) {}

  needsBatchLogs(): boolean {
    if (this.mode !== 'bar') return false;
    return this.wantLogs;
  }

  onTrainBegin(ctx: TrainingContext): void {
    this.steps = ctx.params.steps;
    this.epochs = ctx.params.epochs;
    if (this.mode === 'none') return;
    const resumed =
      ctx.epoch > 0 || ctx.step > 0 ? ` (resuming at epoch ${ctx.epoch + 1}${ctx.step > 0 ? `, batch ${ctx.step + 1}` : ''})` : '';
    this.out.write(
      `Train on ${ctx.params.samples} samples, ${ctx.params.steps} steps of ${ctx.params.batchSize} per epoch${ctx.params.hasValidation ? ', validate every epoch' : ''}${resumed}\n`,
    );
  }

  onEpochBegin(epoch: number, ctx: TrainingContext): void {
    this.epochStart = this.now();
    this.lastDraw = 0;
    this.images = 0;
    this.lastLogs = undefined;
    this.sums = {};
    this.sampled = 0;
    this.wantLogs = true;
    if (this.mode === 'bar') this.out.write(`Epoch ${epoch + 1}/${this.epochs}\n`);
    void ctx;
  }

  onBatchEnd(batch: BatchEnd, ctx: TrainingContext): void {
    this.images += batch.size;
    if (batch.logs) {
      for (const [k, v] of Object.entries(batch.logs)) this.sums[k] = (this.sums[k] ?? 0) + v * batch.size;
      this.sampled += batch.size;
      this.lastLogs = Object.fromEntries(Object.entries(this.sums).map(([k, v]) => [k, v / this.sampled]));
    }
    if (this.mode !== 'bar') return;
    const t = this.now();
    const done = ctx.step;
    this.wantLogs = t - this.lastDraw >= 250;
    if (t - this.lastDraw < 100 && done < this.steps) return;
    this.lastDraw = t;
    const elapsed = (t - this.epochStart) / 1000;
    const rate = elapsed > 0 ? this.images / elapsed : 0;
    const eta = done > 0 ? (elapsed / done) * (this.steps - done) : Number.NaN;
    const width = 30;
    const filled = Math.min(width, Math.floor((done / this.steps) * width));
    const bar = done >= this.steps ? '='.repeat(width) : `${'='.repeat(Math.max(0, filled - 1))}>${'.'.repeat(width - Math.max(filled, 1))}`;
    const logs = this.lastLogs ? ` - ${formatLogs(this.lastLogs)}` : '';
    const columns = this.out.columns ?? 120;
    const line = `${String(done).padStart(String(this.steps).length)}/${this.steps} [${bar}] - ETA: ${formatDuration(eta)} - ${Math.round(rate)} img/s${logs}`;
    this.out.write(`\r${line.slice(0, columns - 1)}\x1b[K`);
  }

  onEpochEnd(epoch: number, logs: EpochLogs, ctx: TrainingContext): void {
    if (this.mode === 'none') return;
    const elapsed = (this.now() - this.epochStart) / 1000;
    const steps = Math.max(1, ctx.params.steps);
    const rate = elapsed > 0 ? this.images / elapsed : 0;
    const stats = `${formatDuration(elapsed)} ${Math.round((elapsed * 1000) / steps)}ms/step - ${formatLogs(logs)} - ${Math.round(rate)} img/s`;
    if (this.mode === 'bar') {
      this.out.write(`\r${this.steps}/${this.steps} [${'='.repeat(30)}] - ${stats}\x1b[K\n`);
    } else {
      this.out.write(`Epoch ${epoch + 1}/${this.epochs} - ${this.steps}/${this.steps} - ${stats}\n`);
    }
  }
}
