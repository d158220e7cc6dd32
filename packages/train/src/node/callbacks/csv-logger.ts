import { usageError } from '@tfbricks/core';
import type { Callback, EpochLogs, TrainingContext } from '../../types';

export interface CSVLoggerOptions {
  /** Column separator (default `,`). */
  separator?: string;
  /** Append to an existing file instead of overwriting it (default false). */
  append?: boolean;
}

/**
 * Keras' `CSVLogger`: one row per epoch, `epoch` then the log keys in sorted order, the
 * file appended (and flushed) after every epoch. When a run resumes (BackupAndRestore), it
 * keeps the rows of the epochs before the resume point and drops any later ones, so the
 * file has every epoch exactly once.
 */
export class CSVLogger implements Callback {
  readonly name = 'CSVLogger';
  private readonly separator: string;
  private readonly append: boolean;
  private keys: string[] | null = null;

  constructor(
    readonly path: string,
    options: CSVLoggerOptions = {},
  ) {
    if (typeof path !== 'string' || path === '') throw usageError('E_CALLBACK_OPTIONS', `CSVLogger: path must be a non-empty string, got ${JSON.stringify(path)}`);
    this.separator = options.separator ?? ',';
    if (this.separator.length === 0 || /[\n\r"]/.test(this.separator)) {
      throw usageError('E_CALLBACK_OPTIONS', `CSVLogger: separator ${JSON.stringify(this.separator)} is not allowed (one or more characters, no quotes or newlines)`);
    }
    this.append = options.append ?? false;
  }

  async onTrainBegin(ctx: TrainingContext): Promise<void> {
    const fs = await import('node:fs/promises');
    const { dirname } = await import('node:path');
    await fs.mkdir(dirname(this.path), { recursive: true });
    this.keys = null;
    const resumed = ctx.epoch > ctx.params.initialEpoch || ctx.step > 0;
    let existing: string | null = null;
    try {
      existing = await fs.readFile(this.path, 'utf8');
    } catch {
      existing = null;
    }
    if (!(this.append || resumed) || existing === null || existing.trim() === '') {
      await fs.writeFile(this.path, '');
      return;
    }
    const lines = existing.split('\n').filter((l) => l !== '');
    const header = lines[0].split(this.separator);
    this.keys = header.slice(1);
    if (resumed) {
      // Keep the rows of epochs already done; a crash may have left a row for a later one.
      const kept = [lines[0], ...lines.slice(1).filter((l) => Number(l.split(this.separator)[0]) < ctx.epoch)];
      await fs.writeFile(this.path, kept.join('\n') + '\n');
    }
  }

  async onEpochEnd(epoch: number, logs: EpochLogs): Promise<void> {
    const fs = await import('node:fs/promises');
    let out = '';
    if (!this.keys) {
      this.keys = Object.keys(logs).sort();
      out += ['epoch', ...this.keys].join(this.separator) + '\n';
    }
    const row = [String(epoch), ...this.keys.map((k) => (logs[k] === undefined ? '' : String(logs[k])))];
    out += row.join(this.separator) + '\n';
    await fs.appendFile(this.path, out);
  }
}
