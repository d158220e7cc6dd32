import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSweepSpec } from '../src/sweep-file';
import { SweepProducer } from '../src/node/producer';
import { type LocalRedis, findRedisServer, startLocalRedis } from '../src/node/redis-server';
import { connectionOptions, parseRedisUrl, probeRedis, queueName } from '../src/node/redis';
import { SweepStore } from '../src/node/store';
import { runSweepWorker } from '../src/node/worker';
import { fakeLauncher } from './fake-launcher';

const haveRedis = findRedisServer() !== undefined;
if (!haveRedis && process.env.TFBRICKS_REQUIRE_REDIS === '1') throw new Error('TFBRICKS_REQUIRE_REDIS=1 but redis-server is not installed');
if (!haveRedis) console.warn('skipping the Redis tests: redis-server is not installed (apt-get install redis-server)');

function newStore(file: unknown, version = '1.0.0'): SweepStore {
  const dir = join(mkdtempSync(join(tmpdir(), 'tfbricks-sweep-')), 'D');
  const spec = parseSweepSpec(file, 'test.json');
  return SweepStore.create(dir, spec, version, 'test.json');
}

it('parses --redis URLs and names the flag when one is bad', () => {
  expect(parseRedisUrl('--redis', 'redis://127.0.0.1:6390/2')).toEqual({ url: 'redis://127.0.0.1:6390/2', host: '127.0.0.1', port: 6390, db: 2 });
  expect(parseRedisUrl('--redis', 'redis://127.0.0.1').port).toBe(6379);
  for (const bad of ['127.0.0.1:6379', 'http://127.0.0.1:6379', 'redis://127.0.0.1:6379/99', 'redis://'])
    expect(() => parseRedisUrl('--redis', bad)).toThrow(`invalid value for --redis: ${JSON.stringify(bad)} (allowed: redis://host:port`);
});

describe.skipIf(!haveRedis)('distributed executor on a real Redis (stand-in trial processes)', () => {
  let redis: LocalRedis;
  beforeAll(async () => {
    redis = await startLocalRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('an unreachable Redis is one clear error', async () => {
    await expect(probeRedis(parseRedisUrl('--redis', 'redis://127.0.0.1:1'))).rejects.toThrow(/^cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(connect ECONNREFUSED 127\.0\.0\.1:1\); nothing was enqueued$/);
  });

  it('survives a Redis restart without persistence: lost jobs are enqueued again from the sweep dir, no trial completes twice', async () => {
    const target = parseRedisUrl('--redis', redis.url);
    const store = newStore({ base: { epochs: 4 }, space: { q: [1, 2, 3] }, objective: 'val_loss' });
    const plog: string[] = [];
    const wlog: string[] = [];
    const producer = await SweepProducer.connect(store, target, { log: (l) => plog.push(l), pollMs: 100, reconcileMs: 300 });
    expect(await producer.enqueue()).toBe(3);
    const worker = runSweepWorker({ sweepDir: store.dir, target, version: '1.0.0', launcher: fakeLauncher(250), staleMs: 3000, exitWhenDone: true, log: (l) => wlog.push(l) });
    const waiting = producer.wait();
    while (store.read('t000').history.length < 1) await sleep(20);
    await redis.kill();
    await sleep(1500);
    await redis.start();
    await waiting;
    await producer.close();
    await worker;
    expect(store.all().map((t) => [t.status, t.history.length])).toEqual([
      ['done', 4],
      ['done', 4],
      ['done', 4],
    ]);
    for (const t of store.all()) expect(readFileSync(join(store.runDir(t.id), 'completions.log'), 'utf8').trim().split('\n'), t.id).toHaveLength(1);
    expect(plog.join('\n')).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable \(.*\); retrying/);
    expect(plog.join('\n')).toMatch(/\[t00\d\] its job was missing from Redis \(restarted without persistence\?\); enqueued it again/);
    expect(wlog.join('\n')).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable/);
    // Pub/sub is fire-and-forget: t000's epochs may all fall in the outage (Redis is killed right
    // after its first epoch is on disk, before that epoch's message may have been delivered); the
    // trials run after the restart stream theirs through the re-established subscription.
    expect(plog.some((l) => /^\[t00\d\] epoch \d\/4 .* on worker /.test(l)), 'per-epoch metrics through Redis pub/sub').toBe(true);
  }, 60_000);

  it('a worker of another tfbricks version refuses the jobs and says why; the jobs stay queued', async () => {
    const target = parseRedisUrl('--redis', redis.url);
    const store = newStore({ base: { epochs: 1 }, space: { q: [5, 6] } }, '1.0.0');
    const producer = await SweepProducer.connect(store, target, { log: () => undefined });
    await producer.enqueue();
    await expect(
      runSweepWorker({ sweepDir: store.dir, target, version: '2.0.0', launcher: fakeLauncher(10), staleMs: 3000, exitWhenDone: true, log: () => undefined }),
    ).rejects.toThrow(`refusing the jobs of the sweep in ${store.dir}: it was created by tfbricks 1.0.0, this worker runs tfbricks 2.0.0`);
    const queue = new Queue(queueName(store), { connection: connectionOptions(target) });
    expect(await queue.getJobCounts('waiting', 'active', 'completed')).toMatchObject({ waiting: 2, active: 0, completed: 0 });
    await queue.close();
    await producer.close();
    expect(store.all().map((t) => t.status)).toEqual(['pending', 'pending']);
  });
});
