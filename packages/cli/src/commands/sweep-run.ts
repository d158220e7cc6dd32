import { join } from 'node:path';
import { TfbricksError, usageError } from '@tfbricks/core';
import { type Leaderboard, formatLeaderboard, leaderboard, leaderboardJson } from '@tfbricks/sweep';
import { SWEEP_LAYOUT, SweepProducer, SweepStore, probeRedis, runEmbedded, writeResults } from '@tfbricks/sweep/node';
import type { CommandContext } from '../command';
import { println } from '../io';
import { StopSignals } from '../signals';
import { selfTrainLauncher } from '../trial-launcher';
import type { SweepPlan } from './sweep-plan';

/** The closing summary: the table, the best trial, where the results are. */
function printSummary(store: SweepStore, board: Leaderboard, log: (line: string) => void): void {
  log('');
  log(`sweep ${store.id} summary (${board.objective}, ${board.mode}):`);
  log(formatLeaderboard(board));
  const best = board.rows.find((r) => r.id === board.best);
  if (best) log(`best: ${best.id} ${board.objective}=${best.value} (${Object.entries(best.params).map(([k, v]) => `${k}=${v}`).join(' ')}); model in ${join(store.dir, SWEEP_LAYOUT.best)}`);
  log(`results: ${join(store.dir, SWEEP_LAYOUT.leaderboardCsv)}, ${SWEEP_LAYOUT.leaderboardJson}, ${SWEEP_LAYOUT.chart}.svg/.png`);
}

function exitCodeFor(store: SweepStore, signals: StopSignals): number {
  if (signals.exitCode !== undefined) return signals.exitCode;
  const failed = store.all().filter((t) => t.status === 'failed');
  if (!failed.length) return 0;
  throw new TfbricksError('E_SWEEP_TRIALS_FAILED', `${failed.length} trial(s) failed: ${failed.map((t) => `${t.id} (${t.reason})`).join('; ')}`, {
    hint: 'fix the cause and run the same command again: finished trials are kept, failed ones run again',
  });
}

function status(plan: Extract<SweepPlan, { kind: 'status' }>, ctx: CommandContext): number {
  const store = SweepStore.open(plan.sweepDir);
  if (!store) throw usageError('E_USAGE', `invalid value for --sweep-dir: ${JSON.stringify(plan.shownDir)} holds no sweep (allowed: a directory made by tfbricks sweep)`);
  const trials = store.all();
  const board = leaderboard(store.spec, trials);
  if (plan.json) {
    println(ctx.io.stdout, JSON.stringify({ sweep: store.id, sweepDir: store.dir, version: store.manifest.version, ...leaderboardJson(board, trials) }, null, 2));
    return 0;
  }
  const counts = ['done', 'pruned', 'running', 'pending', 'failed'].map((s) => `${trials.filter((t) => t.status === s).length} ${s}`).join(', ');
  println(ctx.io.stdout, `sweep ${store.id} in ${store.dir}: ${trials.length} trial(s): ${counts}`);
  println(ctx.io.stdout, formatLeaderboard(board));
  return 0;
}

/** Run a validated sweep: embedded child processes, or a BullMQ queue when --redis is given. */
export async function runSweepCommand(plan: SweepPlan, ctx: CommandContext): Promise<number> {
  if (plan.kind === 'status') return status(plan, ctx);
  const log = (line: string) => println(ctx.io.stdout, line);
  // Nothing is written before Redis answered: an unreachable Redis leaves no half-made sweep.
  if (plan.redis) await probeRedis(plan.redis);
  const store = SweepStore.create(plan.sweepDir, plan.spec, plan.version, plan.source);
  const { spec } = store;
  log(`sweep ${store.id}: ${store.manifest.trials.length} trial(s), ${spec.method} search, objective ${spec.objective} (${spec.mode})${spec.earlyStopping ? `, early stopping: ${spec.earlyStopping.rule}` : ''}; in ${store.dir}`);
  const signals = new StopSignals(ctx.io);
  try {
    if (!plan.redis) {
      await runEmbedded(store, selfTrainLauncher(), { parallel: plan.parallel, log, signal: signals.signal });
    } else {
      const producer = await SweepProducer.connect(store, plan.redis, { log, signal: signals.signal });
      try {
        const added = await producer.enqueue();
        log(`enqueued ${added} trial(s) in ${plan.redis.url}; run them with: tfbricks worker --redis ${plan.redis.url} --sweep-dir ${store.dir}`);
        if (plan.detach) {
          log(`detached: follow it with tfbricks sweep status --sweep-dir ${store.dir}`);
          return 0;
        }
        await producer.wait();
      } finally {
        await producer.close();
      }
    }
    if (signals.exitCode !== undefined) {
      log(`interrupted: run the same command again to continue the sweep (finished trials are kept, interrupted ones resume)`);
      return signals.exitCode;
    }
    const board = await writeResults(store);
    printSummary(store, board, log);
    return exitCodeFor(store, signals);
  } finally {
    signals.dispose();
  }
}
