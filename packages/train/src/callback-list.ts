import type { JsonValue } from '@tfbricks/core';
import type { BatchEnd, Callback, EpochLogs, TrainingContext, TrainingPosition } from './types';

/**
 * The run's callbacks and the order of their hooks (Keras' `CallbackList`). Callbacks that
 * save the run (those with `restore`, i.e. BackupAndRestore) run after the others in every
 * hook, so they capture learning-rate changes and callback state of the same step — except in
 * `onTrainEnd`, where they run first: they save state that other callbacks release there.
 */
export class CallbackList {
  private readonly list: Callback[];

  constructor(callbacks: readonly Callback[]) {
    this.list = [...callbacks].sort((a, b) => Number(!!a.restore) - Number(!!b.restore));
  }

  /** The first position a restoring callback returns (each of them restores its own part). */
  async restore(ctx: TrainingContext): Promise<TrainingPosition | undefined> {
    let resumed: TrainingPosition | undefined;
    for (const cb of this.list) {
      if (!cb.restore) continue;
      const position = await cb.restore(ctx);
      if (position && !resumed) resumed = position;
    }
    return resumed;
  }

  /** `getState()` of every stateful callback, by `stateKey`. */
  async states(): Promise<Record<string, JsonValue>> {
    const states: Record<string, JsonValue> = {};
    for (const cb of this.list) if (cb.stateKey !== undefined && cb.getState) states[cb.stateKey] = await cb.getState();
    return states;
  }

  setStates(states: Record<string, JsonValue>): void {
    for (const cb of this.list) {
      if (cb.stateKey !== undefined && cb.setState && states[cb.stateKey] !== undefined) cb.setState(states[cb.stateKey]!);
    }
  }

  needsBatchLogs(globalStep: number): boolean {
    return this.list.some((cb) => cb.needsBatchLogs?.(globalStep) === true);
  }

  needsBatchInputs(globalStep: number): boolean {
    return this.list.some((cb) => cb.needsBatchInputs?.(globalStep) === true);
  }

  async onTrainBegin(ctx: TrainingContext): Promise<void> {
    for (const cb of this.list) await cb.onTrainBegin?.(ctx);
  }

  async onEpochBegin(epoch: number, ctx: TrainingContext): Promise<void> {
    for (const cb of this.list) await cb.onEpochBegin?.(epoch, ctx);
  }

  async onBatchEnd(batch: BatchEnd, ctx: TrainingContext): Promise<void> {
    for (const cb of this.list) await cb.onBatchEnd?.(batch, ctx);
  }

  async onEpochEnd(epoch: number, logs: EpochLogs, ctx: TrainingContext): Promise<void> {
    for (const cb of this.list) await cb.onEpochEnd?.(epoch, logs, ctx);
  }

  async onTrainEnd(ctx: TrainingContext): Promise<void> {
    for (const cb of [...this.list.filter((c) => c.restore), ...this.list.filter((c) => !c.restore)]) await cb.onTrainEnd?.(ctx);
  }
}
