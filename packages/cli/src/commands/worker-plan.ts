import { usageError } from '@tfbricks/core';
import { type RedisTarget, parseRedisUrl } from '@tfbricks/sweep/node';
import packageJson from '../../package.json';
import type { CommandContext } from '../command';
import { resolvePath } from '../paths';
import { parseNumber } from '../values';

export interface WorkerPlan {
  redis: RedisTarget;
  sweepDir: string;
  staleMs: number;
  exitWhenDone: boolean;
  version: string;
}

/** `tfbricks worker`: validate, then serve the sweep's queue. */
export async function workerCommand(ctx: CommandContext): Promise<number> {
  const { opts, io } = ctx;
  const str = (k: string) => (typeof opts[k] === 'string' ? (opts[k] as string) : undefined);
  if (str('redis') === undefined) throw usageError('E_USAGE', 'tfbricks worker: missing option --redis <url> (allowed: redis://host:port of the sweep\'s Redis)');
  if (str('sweepDir') === undefined) throw usageError('E_USAGE', 'tfbricks worker: missing option --sweep-dir <dir> (allowed: the sweep directory, on a filesystem every worker shares)');
  const plan: WorkerPlan = {
    redis: parseRedisUrl('--redis', str('redis')!),
    sweepDir: resolvePath(io.cwd, str('sweepDir')!),
    staleMs: str('stallTimeout') !== undefined ? Math.round(1000 * parseNumber('--stall-timeout', str('stallTimeout')!, { min: 1, max: 3600 })) : 30_000,
    exitWhenDone: opts.exitWhenDone === true,
    version: packageJson.version,
  };
  const { runWorkerCommand } = await import('./worker-run');
  return runWorkerCommand(plan, ctx);
}
