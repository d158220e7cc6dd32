import { TfbricksError, errorMessage, usageError } from '@tfbricks/core';
import type { RedisOptions } from 'ioredis';
import type { SweepStore } from './store';

/** Where Redis is: parsed from `redis://[user:password@]host[:port][/db]`. */
export interface RedisTarget {
  url: string;
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
}

/** Parse `--redis`; a usage error names the flag, the value and what is allowed. */
export function parseRedisUrl(flag: string, value: string): RedisTarget {
  const allowed = 'redis://host:port, e.g. redis://127.0.0.1:6379 (optionally redis://user:password@host:port/db)';
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw usageError('E_USAGE', `invalid value for ${flag}: ${JSON.stringify(value)} (allowed: ${allowed})`);
  }
  const db = u.pathname && u.pathname !== '/' ? Number(u.pathname.slice(1)) : 0;
  const port = u.port ? Number(u.port) : 6379;
  if (u.protocol !== 'redis:' || !u.hostname || !Number.isInteger(db) || db < 0 || db > 15 || !(port >= 1 && port <= 65535) || u.search || u.hash) {
    throw usageError('E_USAGE', `invalid value for ${flag}: ${JSON.stringify(value)} (allowed: ${allowed})`);
  }
  const target: RedisTarget = { url: `redis://${u.hostname}:${port}${db ? `/${db}` : ''}`, host: u.hostname, port, db };
  if (u.username) target.username = decodeURIComponent(u.username);
  if (u.password) target.password = decodeURIComponent(u.password);
  return target;
}

/** Connection options for BullMQ and ioredis: reconnect forever (1-2 s apart), never fail a command because Redis is away. */
export function connectionOptions(target: RedisTarget): RedisOptions {
  return {
    host: target.host,
    port: target.port,
    db: target.db,
    username: target.username,
    password: target.password,
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(250 * times, 2000),
  };
}

export async function loadIoredis(): Promise<typeof import('ioredis')> {
  try {
    return await import('ioredis');
  } catch (error) {
    throw new TfbricksError('E_SWEEP_REDIS', `the distributed sweep needs ioredis: ${errorMessage(error)}`, { hint: 'install @tfbricks/sweep with its dependencies (bullmq, ioredis)' });
  }
}

export async function loadBullmq(): Promise<typeof import('bullmq')> {
  try {
    return await import('bullmq');
  } catch (error) {
    throw new TfbricksError('E_SWEEP_REDIS', `the distributed sweep needs bullmq: ${errorMessage(error)}`, { hint: 'install @tfbricks/sweep with its dependencies (bullmq, ioredis)' });
  }
}

/** Connect once, without retrying, and PING: a clear error when Redis cannot be reached. */
export async function probeRedis(target: RedisTarget, consequence = 'nothing was enqueued', timeoutMs = 3000): Promise<void> {
  const { Redis } = await loadIoredis();
  const client = new Redis({ ...connectionOptions(target), lazyConnect: true, connectTimeout: timeoutMs, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  let cause: unknown;
  client.on('error', (error) => (cause ??= error));
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new TfbricksError('E_REDIS_UNREACHABLE', `cannot reach Redis at ${target.url} (${errorMessage(cause ?? error)}); ${consequence}`, {
      hint: 'start redis-server there or fix --redis; or leave out --redis to run the trials on this machine',
    });
  } finally {
    client.disconnect();
  }
}

/** The BullMQ queue of a sweep (one per sweep id). */
export function queueName(store: SweepStore): string {
  return `tfbricks-sweep-${store.id}`;
}

/** The pub/sub channel workers publish per-epoch metrics on. */
export function metricsChannel(store: SweepStore): string {
  return `tfbricks:sweep:${store.id}:metrics`;
}

/** What a trial job carries. */
export interface TrialJobData {
  sweep: string;
  trial: string;
  version: string;
}

/** True for the errors of a connection that dropped or cannot be made (as opposed to a command that failed). */
export function isConnectionError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  return ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'].includes(code) || /Connection is closed|connect ETIMEDOUT|Stream isn't writeable/.test(errorMessage(error));
}

/**
 * Prints one line when a Redis connection drops (and what it does about it), one when it is
 * back; repeated errors during the same outage stay quiet.
 */
export class OutageReporter {
  private down = false;

  constructor(
    private readonly target: RedisTarget,
    private readonly log: (line: string) => void,
    private readonly doing: string,
  ) {}

  error(error: unknown): void {
    if (this.down) return;
    this.down = true;
    this.log(`Redis at ${this.target.url} is unreachable (${errorMessage(error)}); ${this.doing}`);
  }

  ok(): void {
    if (!this.down) return;
    this.down = false;
    this.log(`Redis at ${this.target.url} is back`);
  }
}
