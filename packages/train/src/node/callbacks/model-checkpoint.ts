import { usageError, type JsonValue } from '@tfbricks/core';
import { writeCheckpoint } from '../checkpoint-io';
import type { Callback, EpochLogs, TrainingContext } from '../../types';
import { checkMonitor, decodeNumber, encodeNumber, monitored, resolveMode, type MonitorMode } from '../../callbacks/monitor';

export interface ModelCheckpointOptions {
  /** Default `val_loss`. */
  monitor?: string;
  mode?: MonitorMode;
  /** Only save when the monitored value improves (default false). */
  saveBestOnly?: boolean;
  /** Keep only the N most recent checkpoint directories this callback wrote (default: all). */
  keepLast?: number;
  /** Save every N epochs (default 1). */
  period?: number;
  /** Extra JSON metadata stored with every checkpoint. */
  metadata?: Record<string, unknown>;
  log?: (line: string) => void;
  stateKey?: string;
}

const FIELD = /\{(\w+)(?::([^}]*))?\}/g;

/**
 * Fill a Keras-style path template: `{epoch}` (1-based, like Keras), `{epoch:03d}`,
 * `{val_loss:.4f}`, any epoch log key.
 */
export function formatCheckpointPath(template: string, epoch: number, logs: EpochLogs): string {
  return template.replace(FIELD, (_, key: string, spec: string | undefined) => {
    const value = key === 'epoch' ? epoch + 1 : logs[key];
    if (value === undefined) {
      throw usageError('E_CALLBACK_OPTIONS', `ModelCheckpoint: path template field "{${key}}" is not a log key; available: epoch, ${Object.keys(logs).join(', ')}`);
    }
    if (!spec) return String(value);
    let m = /^0?(\d+)d$/.exec(spec);
    if (m) return String(Math.round(value)).padStart(Number(m[1]), spec.startsWith('0') ? '0' : ' ');
    m = /^\.(\d+)f$/.exec(spec);
    if (m) return value.toFixed(Number(m[1]));
    throw usageError('E_CALLBACK_OPTIONS', `ModelCheckpoint: format "${spec}" of field "{${key}}" is not supported; use 03d or .4f style`);
  });
}

/**
 * Keras' `ModelCheckpoint`: saves the model (with optimizer state and metadata, through
 * layers' atomic `saveModel`) at epoch ends, to a path that may contain `{epoch}` and log
 * fields; with `saveBestOnly` only when the monitored value improves; `keepLast` prunes
 * older checkpoint directories. Never writes weights from an epoch whose loss or
 * monitored value is NaN/infinite.
 */
export class ModelCheckpoint implements Callback {
  readonly name = 'ModelCheckpoint';
  readonly stateKey: string;
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  private readonly saveBestOnly: boolean;
  private readonly keepLast: number | undefined;
  private readonly period: number;
  private readonly metadata: Record<string, unknown>;
  private readonly log?: (line: string) => void;
  best: number;
  /** Checkpoint directories written and still kept, oldest first. */
  saved: string[] = [];
  private restored = false;

  constructor(
    readonly filepath: string,
    options: ModelCheckpointOptions = {},
  ) {
    const who = 'ModelCheckpoint';
    if (typeof filepath !== 'string' || filepath === '') throw usageError('E_CALLBACK_OPTIONS', `${who}: filepath must be a non-empty path, got ${JSON.stringify(filepath)}`);
    this.monitor = checkMonitor(options.monitor ?? 'val_loss', who);
    this.mode = resolveMode(this.monitor, options.mode, who);
    this.saveBestOnly = options.saveBestOnly ?? false;
    if (options.keepLast !== undefined && !(Number.isInteger(options.keepLast) && options.keepLast >= 1)) {
      throw usageError('E_CALLBACK_OPTIONS', `${who}: option "keepLast" must be an integer >= 1, got ${JSON.stringify(options.keepLast)}`);
    }
    this.keepLast = options.keepLast;
    this.period = options.period ?? 1;
    if (!Number.isInteger(this.period) || this.period < 1) {
      throw usageError('E_CALLBACK_OPTIONS', `${who}: option "period" must be an integer >= 1, got ${JSON.stringify(options.period)}`);
    }
    this.metadata = options.metadata ?? {};
    this.log = options.log;
    this.stateKey = options.stateKey ?? 'ModelCheckpoint';
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  onTrainBegin(): void {
    if (this.restored) {
      this.restored = false;
      return;
    }
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.saved = [];
  }

  async onEpochEnd(epoch: number, logs: EpochLogs, ctx: TrainingContext): Promise<void> {
    if ((epoch + 1) % this.period !== 0) return;
    const current = this.saveBestOnly ? monitored(logs, this.monitor, this.name) : logs[this.monitor];
    if (!Number.isFinite(logs.loss) || (current !== undefined && Number.isNaN(current))) {
      this.log?.(`Epoch ${epoch + 1}: ModelCheckpoint skipped: loss is ${logs.loss}`);
      return;
    }
    if (this.saveBestOnly) {
      const improved = this.mode === 'min' ? current! < this.best : current! > this.best;
      if (!improved) {
        this.log?.(`Epoch ${epoch + 1}: ${this.monitor} did not improve from ${this.best}`);
        return;
      }
      this.log?.(`Epoch ${epoch + 1}: ${this.monitor} improved from ${this.best} to ${current}`);
      this.best = current!;
    }
    const path = formatCheckpointPath(this.filepath, epoch, logs);
    await writeCheckpoint(path, ctx.model, {
      optimizer: ctx.optimizer,
      metadata: { ...this.metadata, epoch, logs, monitor: this.monitor, best: encodeNumber(this.best), history: ctx.history },
    });
    this.log?.(`Epoch ${epoch + 1}: saved model to ${path}`);
    this.saved = [...this.saved.filter((p) => p !== path), path];
    if (this.keepLast !== undefined && this.saved.length > this.keepLast) {
      const fs = await import('node:fs/promises');
      const drop = this.saved.slice(0, this.saved.length - this.keepLast);
      this.saved = this.saved.slice(this.saved.length - this.keepLast);
      for (const p of drop) {
        await fs.rm(p, { recursive: true, force: true });
        await fs.rm(`${p}.prev`, { recursive: true, force: true });
      }
    }
  }

  getState(): JsonValue {
    return { best: encodeNumber(this.best), saved: this.saved };
  }

  setState(state: JsonValue): void {
    const s = state as { best: number | string; saved: string[] };
    this.best = decodeNumber(s.best);
    this.saved = [...s.saved];
    this.restored = true;
  }
}
