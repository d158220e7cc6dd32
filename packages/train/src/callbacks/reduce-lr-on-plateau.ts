import { usageError, type JsonValue } from '@tfbricks/core';
import type { Callback, EpochLogs, TrainingContext } from '../types';
import { checkMonitor, checkNumber, decodeNumber, encodeNumber, monitored, resolveMode, type MonitorMode } from './monitor';

export interface ReduceLROnPlateauOptions {
  monitor?: string;
  /** New lr = lr × factor (default 0.1, must be < 1). */
  factor?: number;
  /** Epochs without improvement before reducing (default 10). */
  patience?: number;
  mode?: MonitorMode;
  /** Minimum change that counts as an improvement (default 1e-4). */
  minDelta?: number;
  /** Epochs to wait after a reduction before counting again (default 0). */
  cooldown?: number;
  /** Lower bound on the learning rate (default 0). */
  minLr?: number;
  /** Called with a message when the rate is reduced. */
  log?: (line: string) => void;
  stateKey?: string;
}

/** Keras' `ReduceLROnPlateau`; also adds `lr` to the epoch logs. */
export class ReduceLROnPlateau implements Callback {
  readonly name = 'ReduceLROnPlateau';
  readonly stateKey: string;
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  private readonly factor: number;
  private readonly patience: number;
  private readonly minDelta: number;
  private readonly cooldown: number;
  private readonly minLr: number;
  private readonly log?: (line: string) => void;
  wait = 0;
  cooldownCounter = 0;
  best: number;
  private restored = false;

  constructor(options: ReduceLROnPlateauOptions = {}) {
    const who = 'ReduceLROnPlateau';
    this.monitor = checkMonitor(options.monitor ?? 'val_loss', who);
    this.mode = resolveMode(this.monitor, options.mode, who);
    this.factor = checkNumber(options.factor ?? 0.1, 'factor', who, 0);
    if (this.factor >= 1 || this.factor === 0) {
      throw usageError('E_CALLBACK_OPTIONS', `${who}: option "factor" must be in (0, 1), got ${this.factor}`);
    }
    this.patience = checkNumber(options.patience ?? 10, 'patience', who, 0, true);
    this.minDelta = checkNumber(options.minDelta ?? 1e-4, 'minDelta', who, 0);
    this.cooldown = checkNumber(options.cooldown ?? 0, 'cooldown', who, 0, true);
    this.minLr = checkNumber(options.minLr ?? 0, 'minLr', who, 0);
    this.log = options.log;
    this.stateKey = options.stateKey ?? 'ReduceLROnPlateau';
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  private improves(current: number, best: number): boolean {
    return this.mode === 'min' ? current < best - this.minDelta : current > best + this.minDelta;
  }

  onTrainBegin(ctx: TrainingContext): void {
    if (ctx.getLearningRate() === null) {
      throw usageError('E_CALLBACK_OPTIONS', `${this.name}: optimizer ${ctx.optimizer.getClassName()} has no learning rate to reduce`);
    }
    if (this.restored) {
      this.restored = false;
      return;
    }
    this.wait = 0;
    this.cooldownCounter = 0;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  onEpochEnd(epoch: number, logs: EpochLogs, ctx: TrainingContext): void {
    const lr = ctx.getLearningRate()!;
    logs.lr = lr;
    const current = monitored(logs, this.monitor, this.name);
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.wait = 0;
    }
    if (this.improves(current, this.best)) {
      this.best = current;
      this.wait = 0;
    } else if (this.cooldownCounter <= 0) {
      this.wait += 1;
      if (this.wait >= this.patience && lr > this.minLr) {
        const next = Math.max(lr * this.factor, this.minLr);
        ctx.setLearningRate(next);
        this.log?.(`Epoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${next}.`);
        this.cooldownCounter = this.cooldown;
        this.wait = 0;
      }
    }
  }

  getState(): JsonValue {
    return { wait: this.wait, cooldownCounter: this.cooldownCounter, best: encodeNumber(this.best) };
  }

  setState(state: JsonValue): void {
    const s = state as { wait: number; cooldownCounter: number; best: number | string };
    this.wait = s.wait;
    this.cooldownCounter = s.cooldownCounter;
    this.best = decodeNumber(s.best);
    this.restored = true;
  }
}
