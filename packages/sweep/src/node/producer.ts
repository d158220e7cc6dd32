import { setTimeout as sleep } from 'node:timers/promises';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { formatLeaderboard, leaderboard } from '../leaderboard';
import { type TrialRecord, isFinished } from '../trial-record';
import { OutageReporter, type RedisTarget, type TrialJobData, connectionOptions, loadBullmq, loadIoredis, metricsChannel, queueName } from './redis';
import { describeEpoch } from './report';
import type { SweepStore } from './store';

/** Attempts per trial job before it is failed (a kill -9 is not an attempt: it is a stall). */
export const TRIAL_ATTEMPTS = 3;

export interface ProducerOptions {
  log(line: string): void;
  signal?: AbortSignal;
  /** How often to read the sweep dir (ms). */
  pollMs?: number;
  /** How often to check that every unfinished trial has a job in Redis (ms). */
  reconcileMs?: number;
}

/** A waiting sweep counts a failed trial as over; the sweep run again tries it again. */
function over(t: TrialRecord): boolean {
  return isFinished(t) || t.status === 'failed';
}

/**
 * The producer side of a distributed sweep: puts the unfinished trials on the sweep's BullMQ
 * queue (job id = trial id, so a trial is never on the queue twice), and waits for them.
 * The sweep dir is the source of truth: a job that Redis lost (a restart without
 * persistence, a flush) is put back while its trial is unfinished.
 */
export class SweepProducer {
  private constructor(
    private readonly store: SweepStore,
    private readonly target: RedisTarget,
    private readonly queue: Queue<TrialJobData>,
    private readonly options: ProducerOptions,
    private readonly outage: OutageReporter,
  ) {}

  static async connect(store: SweepStore, target: RedisTarget, options: ProducerOptions): Promise<SweepProducer> {
    const { Queue } = await loadBullmq();
    const queue = new Queue<TrialJobData>(queueName(store), { connection: connectionOptions(target) });
    const outage = new OutageReporter(target, options.log, 'retrying; the queue is checked against the sweep dir when it is back');
    queue.on('error', (error) => outage.error(error));
    return new SweepProducer(store, target, queue, options, outage);
  }

  private jobData(trial: string): TrialJobData {
    return { sweep: this.store.id, trial, version: this.store.manifest.version };
  }

  private async add(trial: string): Promise<void> {
    await this.queue.add('trial', this.jobData(trial), {
      jobId: trial,
      attempts: TRIAL_ATTEMPTS,
      backoff: { type: 'fixed', delay: 1000 },
      removeOnComplete: false,
      removeOnFail: false,
    });
  }

  /** Enqueue every unfinished trial (failed ones again); returns how many were put on the queue. */
  async enqueue(): Promise<number> {
    let added = 0;
    for (const t of this.store.all()) {
      if (isFinished(t)) continue;
      if (t.status === 'failed') this.store.update(t.id, { status: 'pending', reason: null });
      const job = await this.queue.getJob(t.id);
      if (job) {
        const state = await job.getState();
        if (state !== 'completed' && state !== 'failed') continue;
        await job.remove();
      }
      await this.add(t.id);
      added++;
    }
    return added;
  }

  /** Put back the jobs Redis lost while their trials are unfinished. */
  private async reconcile(): Promise<void> {
    for (const t of this.store.all()) {
      if (over(t)) continue;
      if (await this.queue.getJob(t.id)) continue;
      await this.add(t.id);
      this.options.log(`[${t.id}] its job was missing from Redis (restarted without persistence?); enqueued it again (it resumes from its checkpoint)`);
    }
    this.outage.ok();
  }

  /** Wait until every trial is over, printing epochs (from Redis pub/sub) and the leaderboard as trials finish. */
  async wait(): Promise<TrialRecord[]> {
    const { log } = this.options;
    const subscriber = await this.subscribe();
    let reconciling = false;
    let lastReconcile = Date.now();
    let finished = new Set(this.store.all().filter(over).map((t) => t.id));
    try {
      for (;;) {
        const trials = this.store.all();
        const now = new Set(trials.filter(over).map((t) => t.id));
        for (const id of now) {
          if (finished.has(id)) continue;
          const t = trials.find((x) => x.id === id)!;
          log(`[${id}] ${t.status}${t.reason ? ` (${t.reason})` : ''}${t.worker ? ` on ${t.worker}` : ''}`);
        }
        if (now.size !== finished.size) log(formatLeaderboard(leaderboard(this.store.spec, trials)));
        finished = now;
        if (trials.every(over) || this.options.signal?.aborted) return trials;
        if (!reconciling && Date.now() - lastReconcile >= (this.options.reconcileMs ?? 3000)) {
          reconciling = true;
          this.reconcile()
            .catch((error) => this.outage.error(error))
            .finally(() => {
              reconciling = false;
              lastReconcile = Date.now();
            });
        }
        await sleep(this.options.pollMs ?? 1000);
      }
    } finally {
      subscriber.disconnect();
    }
  }

  private async subscribe(): Promise<Redis> {
    const { Redis } = await loadIoredis();
    const sub = new Redis(connectionOptions(this.target));
    sub.on('error', (error) => this.outage.error(error));
    sub.on('message', (_channel: string, message: string) => {
      try {
        const m = JSON.parse(message) as Pick<TrialRecord, 'id' | 'history' | 'metrics'> & { worker: string };
        this.options.log(`${describeEpoch(this.store, m)} on ${m.worker}`);
      } catch {
        // not ours
      }
    });
    void sub.subscribe(metricsChannel(this.store)).catch((error) => this.outage.error(error));
    return sub;
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
