import { usageError } from '@tfbricks/core';
import type { Callback, EpochLogs, TrainingContext } from '../types';

/** `(epoch, currentLr) → newLr`, called at the start of every epoch (0-based epoch). */
export type Schedule = (epoch: number, lr: number) => number;

/** Keras' `LearningRateScheduler`; also adds `lr` to the epoch logs. */
export class LearningRateScheduler implements Callback {
  readonly name = 'LearningRateScheduler';
  private readonly log?: (line: string) => void;

  constructor(
    private readonly schedule: Schedule,
    options: { log?: (line: string) => void } = {},
  ) {
    if (typeof schedule !== 'function') {
      throw usageError('E_CALLBACK_OPTIONS', `LearningRateScheduler: schedule must be a function (epoch, lr) => lr, got ${typeof schedule}`);
    }
    this.log = options.log;
  }

  onEpochBegin(epoch: number, ctx: TrainingContext): void {
    const lr = ctx.getLearningRate();
    if (lr === null) {
      throw usageError('E_CALLBACK_OPTIONS', `LearningRateScheduler: optimizer ${ctx.optimizer.getClassName()} has no learning rate to schedule`);
    }
    const next = this.schedule(epoch, lr);
    if (typeof next !== 'number' || !Number.isFinite(next) || next < 0) {
      throw usageError('E_CALLBACK_SCHEDULE', `LearningRateScheduler: schedule(${epoch}, ${lr}) returned ${JSON.stringify(next)}; it must return a finite number >= 0`);
    }
    if (next !== lr) {
      ctx.setLearningRate(next);
      this.log?.(`Epoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${next}.`);
    }
  }

  onEpochEnd(_epoch: number, logs: EpochLogs, ctx: TrainingContext): void {
    logs.lr = ctx.getLearningRate()!;
  }
}

/** Keras-style step decay: `lr0 × drop^floor(epoch / every)`. */
export function stepDecay(initialLr: number, drop: number, every: number): Schedule {
  if (!(initialLr > 0) || !(drop > 0 && drop <= 1) || !(Number.isInteger(every) && every >= 1)) {
    throw usageError('E_CALLBACK_OPTIONS', `stepDecay(${initialLr}, ${drop}, ${every}): needs initialLr > 0, drop in (0, 1], every an integer >= 1`);
  }
  return (epoch) => initialLr * drop ** Math.floor(epoch / every);
}
