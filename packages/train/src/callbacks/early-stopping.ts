import * as tf from '@tensorflow/tfjs-core';
import type { JsonValue } from '@tfbricks/core';
import type { Callback, EpochLogs, TrainingContext } from '../types';
import { checkMonitor, checkNumber, decodeNumber, encodeNumber, monitored, resolveMode, type MonitorMode } from './monitor';
import { decodeFloat32, encodeFloat32 } from './weights-codec';

export interface EarlyStoppingOptions {
  /** Default `val_loss`. */
  monitor?: string;
  /** Minimum change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Epochs without improvement before stopping (default 0). */
  patience?: number;
  mode?: MonitorMode;
  /** Stop unless the monitored value beats this within `patience` epochs. */
  baseline?: number;
  /** Put back the best epoch's weights when stopping (default false). */
  restoreBestWeights?: boolean;
  /** Epochs to wait before starting to monitor (default 0). */
  startFromEpoch?: number;
  stateKey?: string;
}

/** Keras' `EarlyStopping`: stop when the monitored metric stops improving. */
export class EarlyStopping implements Callback {
  readonly name = 'EarlyStopping';
  readonly stateKey: string;
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  private readonly minDelta: number;
  private readonly patience: number;
  private readonly baseline: number | undefined;
  private readonly restoreBestWeights: boolean;
  private readonly startFromEpoch: number;
  wait = 0;
  best = Infinity;
  bestEpoch = -1;
  stoppedEpoch = -1;
  private bestWeights: tf.Tensor[] | null = null;

  constructor(options: EarlyStoppingOptions = {}) {
    const who = 'EarlyStopping';
    this.monitor = checkMonitor(options.monitor ?? 'val_loss', who);
    this.mode = resolveMode(this.monitor, options.mode, who);
    this.minDelta = Math.abs(checkNumber(options.minDelta ?? 0, 'minDelta', who, 0));
    this.patience = checkNumber(options.patience ?? 0, 'patience', who, 0, true);
    this.baseline = options.baseline === undefined ? undefined : checkNumber(options.baseline, 'baseline', who, -Infinity);
    this.restoreBestWeights = options.restoreBestWeights ?? false;
    this.startFromEpoch = checkNumber(options.startFromEpoch ?? 0, 'startFromEpoch', who, 0, true);
    this.stateKey = options.stateKey ?? 'EarlyStopping';
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  private improves(current: number, reference: number): boolean {
    return this.mode === 'min' ? current + this.minDelta < reference : current - this.minDelta > reference;
  }

  private keepWeights(ctx: TrainingContext): void {
    if (this.bestWeights) tf.dispose(this.bestWeights);
    this.bestWeights = ctx.model.getWeights().map((w) => tf.keep(w.clone()));
  }

  private restored = false;

  onTrainBegin(): void {
    // A state restored by BackupAndRestore (setState, called before this) is kept; a fresh run starts clean.
    if (this.restored) {
      this.restored = false;
      return;
    }
    this.wait = 0;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.bestEpoch = -1;
    this.stoppedEpoch = -1;
    if (this.bestWeights) tf.dispose(this.bestWeights);
    this.bestWeights = null;
    this.pendingWeights = null;
  }

  onEpochEnd(epoch: number, logs: EpochLogs, ctx: TrainingContext): void {
    const current = monitored(logs, this.monitor, this.name);
    if (epoch < this.startFromEpoch || Number.isNaN(current)) return;
    if (this.restoreBestWeights && !this.bestWeights) this.keepWeights(ctx);
    this.wait += 1;
    if (this.improves(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.keepWeights(ctx);
      if (this.baseline === undefined || this.improves(current, this.baseline)) {
        this.wait = 0;
        return;
      }
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      ctx.stopTraining = true;
      ctx.stopReason = 'early-stopping';
      if (this.restoreBestWeights && this.bestWeights) ctx.model.setWeights(this.bestWeights);
    }
  }

  onTrainEnd(): void {
    if (this.bestWeights) tf.dispose(this.bestWeights);
    this.bestWeights = null;
  }

  async getState(): Promise<JsonValue> {
    const weights = this.bestWeights ? await Promise.all(this.bestWeights.map(async (w) => encodeFloat32((await w.data()) as Float32Array))) : null;
    return {
      wait: this.wait,
      best: encodeNumber(this.best),
      bestEpoch: this.bestEpoch,
      stoppedEpoch: this.stoppedEpoch,
      bestWeights: weights,
    };
  }

  setState(state: JsonValue): void {
    const s = state as { wait: number; best: number | string; bestEpoch: number; stoppedEpoch: number; bestWeights: string[] | null };
    this.wait = s.wait;
    this.best = decodeNumber(s.best);
    this.bestEpoch = s.bestEpoch;
    this.stoppedEpoch = s.stoppedEpoch;
    if (this.bestWeights) tf.dispose(this.bestWeights);
    this.bestWeights = null;
    this.pendingWeights = s.bestWeights ?? null;
    this.restored = true;
  }

  /** Weights from a restored state, materialised at the first use (the model is known then). */
  private pendingWeights: string[] | null = null;

  onEpochBegin(_epoch: number, ctx: TrainingContext): void {
    if (!this.pendingWeights) return;
    const shapes = ctx.model.getWeights().map((w) => w.shape);
    this.bestWeights = this.pendingWeights.map((b64, i) => tf.keep(tf.tensor(decodeFloat32(b64), shapes[i])));
    this.pendingWeights = null;
  }
}
