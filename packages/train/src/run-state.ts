import * as tf from '@tensorflow/tfjs-core';
import { Rng, TfbricksError, type RngState } from '@tfbricks/core';
import type { CallbackList } from './callback-list';
import type { FitSettings } from './fit-options';
import { getLearningRate, setLearningRate } from './learning-rate';
import { SeedPurpose, deriveSeed } from './seeds';
import type { StepResult } from './step';
import type { EpochLogs, History, StopReason, TrainingContext, TrainingParams, TrainingPosition } from './types';

function emptyHistory(): History {
  return { epoch: [], history: {} };
}

export function cloneHistory(h: History): History {
  return { epoch: [...h.epoch], history: Object.fromEntries(Object.entries(h.history).map(([k, v]) => [k, [...v]])) };
}

/**
 * Where a run stands — epoch, batch, history, shuffle state, the on-device loss/metric sums of
 * the epoch in progress — and the two ways a run's position crosses a process boundary:
 * {@link capturePosition} (what BackupAndRestore saves) and {@link resume} (what it restored).
 */
export class RunState {
  epoch: number;
  step = 0;
  history = emptyHistory();
  shuffleState: RngState;
  /** Records seen in the epoch in progress. */
  count = 0;
  /** Logs of the epoch whose end hooks are running (the epoch counts as done for captures). */
  endingLogs: EpochLogs | null = null;
  readonly tensorCounts: number[] = [];
  private sums: Record<string, tf.Scalar> = {};
  private readonly sumKeys: string[];

  constructor(
    private readonly settings: FitSettings,
    private readonly params: TrainingParams,
    private readonly callbacks: CallbackList,
  ) {
    this.epoch = settings.initialEpoch;
    this.shuffleState = this.freshShuffleState(this.epoch);
    this.sumKeys = ['loss', ...settings.metrics];
  }

  get globalStep(): number {
    return this.epoch * this.params.steps + this.step;
  }

  freshShuffleState(epoch: number): RngState {
    return new Rng(deriveSeed(this.settings.seed, SeedPurpose.shuffle, epoch)).state();
  }

  /** The live view callbacks receive. */
  context(): TrainingContext {
    const state = this;
    const { model, optimizer } = this.settings;
    return {
      model,
      optimizer,
      params: this.params,
      get epoch() {
        return state.epoch;
      },
      get step() {
        return state.step;
      },
      get globalStep() {
        return state.globalStep;
      },
      get history() {
        return state.history;
      },
      stopTraining: false,
      stopReason: 'completed' as StopReason,
      getLearningRate: () => getLearningRate(optimizer),
      setLearningRate: (lr: number) => setLearningRate(optimizer, lr),
      capturePosition: () => this.capturePosition(),
      tensorCounts: this.tensorCounts,
    };
  }

  /** The position to save for an exact resume at this point (reads the on-device sums). */
  async capturePosition(): Promise<TrainingPosition> {
    const { seed, batchSize, optimizer } = this.settings;
    const { steps, samples } = this.params;
    const common = { seed, batchSize, samples, learningRate: getLearningRate(optimizer), callbacks: await this.callbacks.states() };
    if (this.endingLogs) {
      const history = cloneHistory(this.history);
      history.epoch.push(this.epoch);
      for (const [k, v] of Object.entries(this.endingLogs)) (history.history[k] ??= []).push(v);
      const next = this.epoch + 1;
      return { ...common, epoch: next, step: 0, globalStep: next * steps, shuffleState: this.freshShuffleState(next), partial: { sums: {}, count: 0 }, history };
    }
    const partialSums: Record<string, number> = {};
    if (this.step > 0) for (const k of this.sumKeys) partialSums[k] = this.sums[k] ? (await this.sums[k].data())[0]! : 0;
    return {
      ...common,
      epoch: this.epoch,
      step: this.step,
      globalStep: this.globalStep,
      shuffleState: this.step > 0 ? this.shuffleState : this.freshShuffleState(this.epoch),
      partial: { sums: partialSums, count: this.step > 0 ? this.count : 0 },
      history: cloneHistory(this.history),
    };
  }

  /** Continue from a restored position; refuses one made with another seed, batch size or data. */
  resume(position: TrainingPosition | undefined): void {
    if (position) {
      this.checkResumable(position);
      this.epoch = position.epoch;
      this.step = position.step;
      this.history = cloneHistory(position.history);
      this.shuffleState = position.shuffleState;
      this.count = position.partial.count;
      const { optimizer } = this.settings;
      if (position.learningRate !== null && getLearningRate(optimizer) !== null) setLearningRate(optimizer, position.learningRate);
      this.callbacks.setStates(position.callbacks);
    }
    this.resetSums(position?.partial.sums ?? {});
  }

  private checkResumable(position: TrainingPosition): void {
    const { seed, batchSize } = this.settings;
    if (position.seed !== seed) {
      throw new TfbricksError('E_RESUME_SEED', `the backup was made with seed ${position.seed} but this run uses seed ${seed}`, {
        usage: true,
        hint: 'resume with the same seed, or delete the backup directory to start over',
      });
    }
    for (const [what, saved, now] of [
      ['batch size', position.batchSize, batchSize],
      ['number of training records', position.samples, this.params.samples],
    ] as const) {
      if (saved !== undefined && saved !== now) {
        throw new TfbricksError('E_RESUME_MISMATCH', `the backup was made with ${what} ${saved} but this run has ${now}`, {
          usage: true,
          hint: 'resume with the same data and batch size, or delete the backup directory to start over',
        });
      }
    }
    if (position.step >= this.params.steps) {
      throw new TfbricksError('E_RESUME_MISMATCH', `the backup is at batch ${position.step} of an epoch that has ${this.params.steps} batches`, {
        usage: true,
        hint: 'delete the backup directory to start over',
      });
    }
  }

  /** An epoch starts: count its tensors, and draw its shuffle unless it resumes mid-way. */
  beginEpoch(): void {
    this.tensorCounts.push(tf.memory().numTensors);
    if (this.step === 0) this.shuffleState = this.freshShuffleState(this.epoch);
  }

  /** Add a batch's mean loss (and accuracy) × its size to the on-device sums; nothing is read back. */
  addBatch(result: StepResult, size: number): void {
    const old = this.sums;
    this.sums = tf.tidy(() => {
      const next: Record<string, tf.Scalar> = { loss: tf.add(old.loss!, tf.mul(result.loss, size)) };
      if (this.settings.withAcc && result.acc) next.acc = tf.add(old.acc!, tf.mul(result.acc, size));
      return next;
    });
    for (const k of Object.keys(old)) old[k]!.dispose();
    this.count += size;
    this.step++;
  }

  /** Means of the epoch's sums (one read back per key). */
  async epochLogs(): Promise<EpochLogs> {
    const logs: EpochLogs = {};
    for (const k of this.sumKeys) logs[k] = (await this.sums[k]!.data())[0]! / this.count;
    return logs;
  }

  /** The epoch's logs join the history; the next epoch starts at batch 0. */
  endEpoch(logs: EpochLogs): void {
    this.history.epoch.push(this.epoch);
    for (const [k, v] of Object.entries(logs)) (this.history.history[k] ??= []).push(v);
    this.epoch++;
    this.step = 0;
    this.count = 0;
    this.resetSums({});
  }

  private resetSums(initial: Record<string, number>): void {
    this.dispose();
    for (const k of this.sumKeys) this.sums[k] = tf.scalar(initial[k] ?? 0);
  }

  dispose(): void {
    for (const k of Object.keys(this.sums)) this.sums[k]!.dispose();
    this.sums = {};
  }
}
