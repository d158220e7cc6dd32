import { runSweepWorker } from '@tfbricks/sweep/node';
import type { CommandContext } from '../command';
import { println } from '../io';
import { StopSignals } from '../signals';
import { selfTrainLauncher } from '../trial-launcher';
import type { WorkerPlan } from './worker-plan';

/** Serve the sweep's queue until it is over (--exit-when-done) or SIGINT/SIGTERM (the running trial is checkpointed and given back). */
export async function runWorkerCommand(plan: WorkerPlan, ctx: CommandContext): Promise<number> {
  const log = (line: string) => println(ctx.io.stdout, `${new Date().toISOString().slice(11, 19)} ${line}`);
  const signals = new StopSignals(ctx.io);
  try {
    await runSweepWorker({
      sweepDir: plan.sweepDir,
      target: plan.redis,
      version: plan.version,
      launcher: selfTrainLauncher(),
      staleMs: plan.staleMs,
      exitWhenDone: plan.exitWhenDone,
      log,
      signal: signals.signal,
    });
    return signals.exitCode ?? 0;
  } finally {
    signals.dispose();
  }
}
