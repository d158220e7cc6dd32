import { formatLeaderboard, leaderboard } from '../leaderboard';
import { type TrialRecord, isFinished } from '../trial-record';
import { claimTrial } from './claim';
import { describeEpoch } from './report';
import type { SweepStore } from './store';
import { type TrialLauncher, runTrial } from './trial-runner';

export interface EmbeddedOptions {
  /** Trials at a time (child processes). */
  parallel: number;
  /** One line of progress (epochs, leaderboard). */
  log(line: string): void;
  /** Aborting stops the running trials with a checkpoint; running the sweep again resumes them. */
  signal?: AbortSignal;
  /** A claim of another process older than this counts as abandoned (ms). */
  staleMs?: number;
  /** How often each trial's metrics.csv is read (ms). */
  pollMs?: number;
}

/**
 * The embedded executor: run every unfinished trial of the sweep in child processes on this
 * machine, `parallel` at a time. Finished trials (done, pruned) are never repeated; failed
 * ones are tried again; a trial another live process holds is left to it.
 */
export async function runEmbedded(store: SweepStore, launcher: TrialLauncher, options: EmbeddedOptions): Promise<TrialRecord[]> {
  const todo = store.all().filter((t) => !isFinished(t));
  const skipped = store.manifest.trials.length - todo.length;
  if (skipped) options.log(`${skipped} trial(s) already finished; ${todo.length} to run`);
  const owner = `embedded ${process.pid}`;
  let next = 0;
  const lane = async () => {
    while (next < todo.length && !options.signal?.aborted) {
      const { id } = todo[next++];
      const got = claimTrial(store, id, owner, options.staleMs ?? 30_000);
      if ('heldBy' in got) {
        options.log(`[${id}] is being run by ${got.heldBy.owner} on ${got.heldBy.host}; leaving it to that process`);
        continue;
      }
      try {
        options.log(`[${id}] start ${describeParams(store, id)}`);
        const record = await runTrial(store, id, launcher, {
          worker: 'embedded',
          claim: got.claim,
          signal: options.signal,
          pollMs: options.pollMs,
          events: {
            onEpoch: (r) => options.log(describeEpoch(store, r)),
            onPrune: (r, reason) => options.log(`[${r.id}] stopped early: ${reason}`),
          },
        });
        options.log(`[${id}] ${record.status}${record.reason ? ` (${record.reason})` : ''}`);
        if (record.status === 'done' || record.status === 'pruned') options.log(formatLeaderboard(leaderboard(store.spec, store.all())));
      } finally {
        got.claim.release();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.parallel, todo.length)) }, lane));
  return store.all();
}

function describeParams(store: SweepStore, id: string): string {
  return Object.entries(store.plan(id).params)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}
