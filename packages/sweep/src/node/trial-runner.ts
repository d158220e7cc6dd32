import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { decideStop } from '../early-stopping';
import { type FlagValue, trialFlags } from '../spec';
import { type TrialRecord, isFinished } from '../trial-record';
import type { TrialClaim } from './claim';
import { readMetrics } from './metrics';
import type { SweepStore } from './store';

/** How the sweep starts one trial: the command line comes from outside (the CLI composes `tfbricks train`). */
export interface TrialLauncher {
  /**
   * The command line that trains the trial into `runDir`, or with `resume` continues the run
   * already there from its BackupAndRestore state.
   */
  command(trial: { runDir: string; flags: Record<string, FlagValue>; resume: boolean }): { file: string; args: string[]; env?: Record<string, string> };
}

/** Set in a trial's environment: the trial process stops (with a checkpoint) when its stdin closes, i.e. when the sweep process or worker dies. */
export const LIFELINE_ENV = 'TFBRICKS_STDIN_LIFELINE';

export interface TrialEvents {
  /** After each epoch, with the updated record. */
  onEpoch?(record: TrialRecord): void;
  /** When the early-stopping rule stops the trial. */
  onPrune?(record: TrialRecord, reason: string): void;
}

export interface RunTrialOptions {
  /** Recorded as the trial's `worker`. */
  worker: string;
  claim: TrialClaim;
  events?: TrialEvents;
  /** Aborting stops the trial with a checkpoint and leaves it pending (resumed later). */
  signal?: AbortSignal;
  /** How often to read the run's metrics.csv (ms). */
  pollMs?: number;
}

function objectiveHistory(store: SweepStore, id: string): { history: number[]; metrics: Record<string, number> } {
  const rows = readMetrics(store.runDir(id));
  const key = store.spec.objective;
  return { history: rows.map((r) => r[key]), metrics: rows.at(-1) ?? {} };
}

/**
 * Run (or resume) one trial as a child process while holding its claim: follow its
 * metrics.csv per epoch, apply the early-stopping rule, record the outcome. Resolves with the
 * final record: done, pruned, failed (with the reason), or pending when `signal` stopped it.
 */
export async function runTrial(store: SweepStore, id: string, launcher: TrialLauncher, options: RunTrialOptions): Promise<TrialRecord> {
  const before = store.read(id);
  if (isFinished(before)) return before;
  const runDir = store.runDir(id);
  const resume = existsSync(join(runDir, 'config.json'));
  const { file, args, env } = launcher.command({ runDir, flags: trialFlags(store.spec, store.plan(id)), resume });
  let record = store.update(id, {
    status: 'running',
    attempts: before.attempts + 1,
    worker: options.worker,
    reason: null,
    startedAt: before.startedAt ?? new Date().toISOString(),
  });
  const child = spawn(file, args, { env: { ...process.env, ...env, [LIFELINE_ENV]: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
  options.claim.setChild(child.pid ?? null);
  let stderrTail = '';
  const logFile = createWriteStream(store.logPath(id), { flags: 'a' });
  logFile.on('error', () => undefined);
  logFile.write(`--- attempt ${record.attempts} by ${options.worker} at ${new Date().toISOString()}: ${[file, ...args].join(' ')}\n`);
  child.stdout.on('data', (d: Buffer) => logFile.write(d));
  child.stderr.on('data', (d: Buffer) => {
    logFile.write(d);
    stderrTail = (stderrTail + d.toString()).slice(-4000);
  });
  let pruned: string | null = null;
  const stop = () => child.kill('SIGTERM');
  options.signal?.addEventListener('abort', stop, { once: true });

  const poll = () => {
    const { history, metrics } = objectiveHistory(store, id);
    if (history.length === record.history.length) return;
    record = store.update(id, { history, metrics, value: history.at(-1) ?? null });
    options.events?.onEpoch?.(record);
    if (pruned !== null) return;
    const others = store
      .all()
      .filter((t) => t.id !== id)
      .map((t) => t.history);
    const decision = decideStop(store.spec.earlyStopping, store.spec.mode, history, others, store.spec.objective);
    if (decision.stop && history.length < Number(trialFlags(store.spec, store.plan(id)).epochs ?? Infinity)) {
      pruned = decision.reason;
      options.events?.onPrune?.(record, pruned);
      stop();
    }
  };
  const timer = setInterval(poll, options.pollMs ?? 300);
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.on('error', (error) => resolve({ code: null, signal: null, error }));
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  clearInterval(timer);
  logFile.end();
  options.signal?.removeEventListener('abort', stop);
  options.claim.setChild(null);
  poll();
  const { history, metrics } = objectiveHistory(store, id);
  const value = history.at(-1) ?? null;
  const finishedAt = new Date().toISOString();
  if (exit.code === 0 && existsSync(join(runDir, 'DONE'))) {
    return store.update(id, { status: 'done', history, metrics, value, finishedAt });
  }
  if (pruned !== null) return store.update(id, { status: 'pruned', history, metrics, value, reason: pruned, finishedAt });
  if (options.signal?.aborted) return store.update(id, { status: 'pending', history, metrics, value, reason: 'stopped by a signal; resumes from its checkpoint' });
  const how = exit.error ? exit.error.message : exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
  const last = stderrTail.trim().split('\n').filter(Boolean).slice(-2).join(' / ');
  return store.update(id, { status: 'failed', history, metrics, value, reason: `${how}${last ? `: ${last}` : ''} (output in ${store.logPath(id)})` });
}
