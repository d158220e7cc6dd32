import type { FlagValue } from './spec';

export type TrialStatus = 'pending' | 'running' | 'done' | 'pruned' | 'failed';

/** Terminal states: a sweep run again never repeats these (failed trials are retried). */
export const FINISHED: readonly TrialStatus[] = ['done', 'pruned'];

/** The state of one trial, as kept in the sweep dir. */
export interface TrialRecord {
  id: string;
  index: number;
  params: Record<string, FlagValue>;
  status: TrialStatus;
  /** The objective per completed epoch (from the run's metrics.csv). */
  history: number[];
  /** The last epoch's metrics (loss, acc, val_loss, val_acc, …). */
  metrics: Record<string, number>;
  /** The objective of the trial: its last epoch's value (the one its final model has). */
  value: number | null;
  /** How many times a process started this trial (a resume counts). */
  attempts: number;
  /** Which executor ran it last: "embedded" or "worker <host>:<pid>". */
  worker: string | null;
  /** Why it was pruned or why it failed. */
  reason: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export function pendingRecord(id: string, index: number, params: Record<string, FlagValue>): TrialRecord {
  return { id, index, params, status: 'pending', history: [], metrics: {}, value: null, attempts: 0, worker: null, reason: null, startedAt: null, finishedAt: null };
}

export function isFinished(record: TrialRecord): boolean {
  return FINISHED.includes(record.status);
}
