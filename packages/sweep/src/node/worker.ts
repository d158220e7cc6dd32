import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Job, Worker } from 'bullmq';
import { TfbricksError } from '@tfbricks/core';
import { type TrialRecord, isFinished } from '../trial-record';
import { claimTrial } from './claim';
import { OutageReporter, isConnectionError, type RedisTarget, type TrialJobData, connectionOptions, loadBullmq, loadIoredis, metricsChannel, probeRedis, queueName } from './redis';
import { writeResults } from './results';
import { SweepStore } from './store';
import { type TrialLauncher, runTrial } from './trial-runner';

export interface WorkerOptions {
  sweepDir: string;
  target: RedisTarget;
  /** This worker's tfbricks version: it refuses a sweep created by another. */
  version: string;
  launcher: TrialLauncher;
  /**
   * After this long without a lock renewal a job counts as stalled (its worker died) and goes
   * back to the queue; also when a trial claim from another host counts as abandoned (ms).
   */
  staleMs: number;
  /** Return once every trial of the sweep is over (else run until the signal). */
  exitWhenDone: boolean;
  log(line: string): void;
  signal?: AbortSignal;
}

function over(t: TrialRecord): boolean {
  return isFinished(t) || t.status === 'failed';
}

/** Wait until the sweep dir holds a sweep (a worker may start before `tfbricks sweep`). */
async function openWhenReady(options: WorkerOptions): Promise<SweepStore | undefined> {
  let said = false;
  while (!options.signal?.aborted) {
    const store = SweepStore.open(options.sweepDir);
    if (store) return store;
    if (!said) options.log(`waiting for a sweep in ${options.sweepDir} (start it with tfbricks sweep <file> --sweep-dir ${options.sweepDir} --redis ${options.target.url})`);
    said = true;
    await sleep(1000);
  }
  return undefined;
}

/**
 * A sweep worker: takes trial jobs from the sweep's BullMQ queue one at a time and runs them
 * (resuming from the trial's checkpoint when another worker died in it). Returns when the
 * sweep is over (with `exitWhenDone`) or when `signal` aborts.
 */
export async function runSweepWorker(options: WorkerOptions): Promise<void> {
  const store = await openWhenReady(options);
  if (!store) return;
  if (store.manifest.version !== options.version) {
    throw new TfbricksError(
      'E_SWEEP_VERSION',
      `refusing the jobs of the sweep in ${options.sweepDir}: it was created by tfbricks ${store.manifest.version}, this worker runs tfbricks ${options.version} (trials of one sweep must train with the same code)`,
      { hint: `install tfbricks ${store.manifest.version} on this machine, or start the sweep again with this version in a new --sweep-dir` },
    );
  }
  await probeRedis(options.target, 'this worker takes no jobs');
  const { Worker, DelayedError } = await loadBullmq();
  const { Redis } = await loadIoredis();
  const me = `worker ${hostname()}:${process.pid}`;
  const { log } = options;
  const outage = new OutageReporter(options.target, log, 'retrying (the running trial goes on)');
  const publisher = new Redis(connectionOptions(options.target));
  publisher.on('error', (error) => outage.error(error));
  const channel = metricsChannel(store);

  const processor = async (job: Job<TrialJobData>, token?: string): Promise<Pick<TrialRecord, 'status' | 'value'>> => {
    const id = job.data.trial;
    if (job.data.version !== options.version) {
      throw new TfbricksError('E_SWEEP_VERSION', `job ${id} is for tfbricks ${job.data.version}; this worker runs ${options.version}`);
    }
    let waitingSaid = false;
    for (;;) {
      const before = store.read(id);
      if (isFinished(before)) {
        log(`[${id}] already ${before.status}; not running it again`);
        return { status: before.status, value: before.value };
      }
      const got = claimTrial(store, id, me, options.staleMs);
      if ('claim' in got) {
        const resuming = before.attempts > 0;
        log(`[${id}] ${resuming ? 'resume (from its checkpoint)' : 'start'} on ${me}`);
        let record: TrialRecord;
        try {
          record = await runTrial(store, id, options.launcher, {
            worker: me,
            claim: got.claim,
            signal: options.signal,
            events: {
              onEpoch: (r) => {
                publisher.publish(channel, JSON.stringify({ id: r.id, history: r.history, metrics: r.metrics, worker: me })).catch(() => undefined);
                job.updateProgress({ epochs: r.history.length, value: r.value }).catch(() => undefined);
              },
              onPrune: (r, reason) => log(`[${r.id}] stopped early: ${reason}`),
            },
          });
        } finally {
          got.claim.release();
        }
        log(`[${id}] ${record.status}${record.reason ? ` (${record.reason})` : ''}`);
        if (record.status === 'pending' && options.signal?.aborted && token) {
          // Shutting down: give the job back without spending an attempt.
          await job.moveToDelayed(Date.now() + 500, token);
          throw new DelayedError();
        }
        if (record.status === 'failed') {
          const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
          if (!last) store.update(id, { status: 'pending' });
          throw new Error(record.reason ?? 'the trial failed');
        }
        if (store.all().every(over)) await writeResults(store);
        return { status: record.status, value: record.value };
      }
      if (!waitingSaid) log(`[${id}] is held by ${got.heldBy.owner} on ${got.heldBy.host}; waiting for it`);
      waitingSaid = true;
      await sleep(1000);
    }
  };

  const worker: Worker<TrialJobData> = new Worker<TrialJobData>(queueName(store), processor, {
    connection: connectionOptions(options.target),
    concurrency: 1,
    lockDuration: options.staleMs,
    stalledInterval: Math.max(1000, Math.floor(options.staleMs / 2)),
    maxStalledCount: 10,
  });
  worker.on('error', (error) => {
    if (isConnectionError(error)) outage.error(error);
    else if (/Missing (key|lock) for job/.test(error.message)) log(`a job vanished from Redis while it ran (${error.message}); its trial's outcome is kept in the sweep dir`);
    else log(`BullMQ: ${error.message}`);
  });
  worker.on('ready', () => outage.ok());
  worker.on('stalled', (jobId) => log(`[${jobId}] stalled (its worker stopped renewing the lock: killed or cut off); back on the queue to resume from its checkpoint`));
  worker.on('failed', (job, error) => {
    if (job && !(error instanceof DelayedError)) log(`[${job.data.trial}] attempt ${job.attemptsMade} failed: ${error.message}`);
  });
  log(`${me} (tfbricks ${options.version}) serving sweep ${store.id} in ${options.sweepDir} from ${options.target.url}`);
  try {
    while (!options.signal?.aborted) {
      if (options.exitWhenDone && store.all().every(over)) {
        log('every trial of the sweep is over; exiting');
        break;
      }
      await sleep(1000, undefined, { signal: options.signal }).catch(() => undefined);
    }
  } finally {
    await worker.close();
    publisher.disconnect();
  }
}
