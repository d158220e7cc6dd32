import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TrialRecord, parseSweepSpec } from '@tfbricks/sweep';
import { type LocalRedis, SweepStore, findRedisServer, freePort, startLocalRedis } from '@tfbricks/sweep/node';
import packageJson from '../package.json';
import { type Finished, finished, hasMiniCifar, maxAbsDiff, miniCifar, readWeights, runCli, spawnCli, tempDir } from './helpers';

/**
 * `tfbricks sweep` end to end: a 4-trial grid of the tiny model on the mini set, with the
 * embedded executor and with 2 BullMQ workers on a real redis-server (one killed with -9 in the
 * middle of a trial); both must give the same results. Plus the bad inputs.
 */
const haveRedis = findRedisServer() !== undefined;
if (!haveRedis && process.env.TFBRICKS_REQUIRE_REDIS === '1') throw new Error('TFBRICKS_REQUIRE_REDIS=1 but redis-server is not installed');
if (!haveRedis) console.warn('skipping the distributed sweep tests: redis-server is not installed (apt-get install redis-server)');
if (!hasMiniCifar) console.warn('skipping the sweep trials: ../shared/data/cifar10-mini is absent');

const BASE = { model: 'tiny', 'data-dir': miniCifar, 'limit-train': 24, 'limit-test': 8, 'batch-size': 8, epochs: 2, backend: 'cpu', seed: 7, augment: false };
const GRID = { base: BASE, space: { lr: [0.001, 0.01], optimizer: ['adam', 'sgd'] }, method: 'grid', objective: 'val_loss' };

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, JSON.stringify(value, null, 2));
}

function states(dir: string): TrialRecord[] {
  const stateDir = join(dir, 'state');
  if (!existsSync(stateDir)) return [];
  return readdirSync(stateDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      try {
        return JSON.parse(readFileSync(join(stateDir, f), 'utf8')) as TrialRecord;
      } catch {
        return undefined;
      }
    })
    .filter((t): t is TrialRecord => t !== undefined);
}

/** Every key in the test Redis (redis-cli ships with redis-server). */
function redisKeys(redis: LocalRedis): string[] {
  const r = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(redis.port), '--raw', 'keys', '*'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`redis-cli failed: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean);
}

describe.skipIf(!hasMiniCifar || !haveRedis)('tfbricks sweep (tiny model, mini CIFAR-10, real Redis)', () => {
  const cwd = tempDir('tfbricks-sweep-');
  let redis: LocalRedis;
  let embedded: Finished;
  const t0 = Date.now();

  beforeAll(async () => {
    writeJson(join(cwd, 'grid.json'), GRID);
    redis = await startLocalRedis();
  });
  afterAll(async () => {
    await redis?.stop();
    console.log(`sweep.test.ts took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });

  it('rejects a malformed sweep file, an unknown flag and a bad value, naming the key (exit 2, nothing written or enqueued)', async () => {
    writeFileSync(join(cwd, 'broken.json'), '{"base": {"model": "tiny"},');
    writeJson(join(cwd, 'unknown.json'), { ...GRID, base: { ...BASE, 'learning-rate': 0.1 } });
    writeJson(join(cwd, 'bad-value.json'), { ...GRID, space: { lr: [0.01, -1] } });
    const { 'batch-size': _bs, ...noBatch } = BASE;
    writeJson(join(cwd, 'bad-range.json'), { ...GRID, base: noBatch, method: 'random', trials: 2, space: { lr: { min: 0.001, max: 0.1, log: true }, 'batch-size': { min: 0, max: 8, integer: true } } });
    writeFileSync(join(cwd, 'bad.yaml'), `base:\n  model: tiny\n  data-dir: ${JSON.stringify(miniCifar)}\nspace:\n  optimizer: [adam, adamw]\n`);
    writeFileSync(join(cwd, 'broken.yml'), 'base: [unclosed\n');
    const cases: [string, RegExp][] = [
      ['broken.json', /^tfbricks: error: invalid sweep file broken\.json: not valid JSON \(/],
      ['unknown.json', /^tfbricks: error: invalid sweep file unknown\.json: base\.learning-rate: unknown train flag "learning-rate" \(allowed: model, dataset, .*\blr\b/],
      ['bad-value.json', /^tfbricks: error: invalid sweep file bad-value\.json: space\.lr\[1\]: invalid value for --lr: "-1" \(allowed: a finite number > 0\)/],
      ['bad.yaml', /^tfbricks: error: invalid sweep file bad\.yaml: space\.optimizer\[1\]: invalid value for --optimizer: "adamw" \(allowed: one of adam, sgd/],
      ['broken.yml', /^tfbricks: error: invalid sweep file broken\.yml: not valid YAML \(/],
      ['bad-range.json', /^tfbricks: error: invalid sweep file bad-range\.json: space\.batch-size\.min: invalid value for --batch-size: "0" \(allowed: an integer >= 1\)/],
    ];
    for (const [file, message] of cases) {
      const r = await runCli(['sweep', file, '--sweep-dir', 'never', '--redis', redis.url], { cwd });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(existsSync(join(cwd, 'never'))).toBe(false);
    expect(redisKeys(redis)).toEqual([]);
  });

  it('Redis unreachable: a clear message, exit 1, no sweep dir', async () => {
    const port = await freePort();
    const r = await runCli(['sweep', 'grid.json', '--sweep-dir', 'unreachable', '--redis', `redis://127.0.0.1:${port}`], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`tfbricks: error: cannot reach Redis at redis://127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port}); nothing was enqueued`);
    expect(r.stderr).toMatch(/^hint: start redis-server there/m);
    expect(existsSync(join(cwd, 'unreachable'))).toBe(false);
  });

  it('a sweep dir used by another sweep is refused (exit 2, nothing enqueued); so is a worker of another version', async () => {
    const other = parseSweepSpec({ base: { model: 'tiny' }, space: { lr: [0.5] } }, 'other.json');
    SweepStore.create(join(cwd, 'taken'), other, packageJson.version, 'other.json');
    const r = await runCli(['sweep', 'grid.json', '--sweep-dir', 'taken', '--redis', redis.url], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('tfbricks: error: invalid value for --sweep-dir: "taken" is used by another sweep (from other.json; it differs in base, space, trials, objective, mode) (allowed: an empty or new directory, or the dir of this same sweep to continue it)');
    expect(redisKeys(redis)).toEqual([]);

    SweepStore.create(join(cwd, 'old'), other, '9.9.9', 'other.json');
    const w = await runCli(['worker', '--redis', redis.url, '--sweep-dir', 'old', '--exit-when-done'], { cwd });
    expect(w.code).toBe(1);
    expect(w.stderr).toContain(`refusing the jobs of the sweep in ${join(cwd, 'old')}: it was created by tfbricks 9.9.9, this worker runs tfbricks ${packageJson.version}`);
    expect(w.stderr).toContain('hint: install tfbricks 9.9.9 on this machine');
  });

  it('embedded: runs the 4 trials in child processes, prints a live leaderboard and a summary, writes the results', async () => {
    embedded = await finished(spawnCli(['sweep', 'grid.json', '--sweep-dir', 'embedded', '--parallel', '2'], { cwd }));
    expect(embedded.code, embedded.stderr + embedded.stdout).toBe(0);
    expect(embedded.stdout).toMatch(/^\[t00\d\] epoch 1\/2 loss=\d.* val_loss=\d.* \(lr=0\.0\d+ optimizer=\w+\)$/m);
    expect(embedded.stdout).toMatch(/summary \(val_loss, min\):\n {2}rank +trial +status +lr +optimizer +val_loss +epochs\n\* 1 +t00\d +done/);
    const dir = join(cwd, 'embedded');
    for (const f of ['leaderboard.csv', 'leaderboard.json', 'objective.svg', 'objective.png', 'best/model.json', 'best/weights.bin']) expect(existsSync(join(dir, f)), f).toBe(true);
    const status = await runCli(['sweep', 'status', '--sweep-dir', 'embedded', '--json'], { cwd });
    expect(status.code, status.stderr).toBe(0);
    const board = JSON.parse(status.stdout) as { best: string; trials: { id: string; params: Record<string, unknown>; status: string; val_loss: number }[] };
    expect(board.trials).toHaveLength(4);
    expect(board.trials.every((t) => t.status === 'done' && typeof t.val_loss === 'number' && typeof t.params.lr === 'number')).toBe(true);
    expect(board.trials.map((t) => t.val_loss)).toEqual([...board.trials.map((t) => t.val_loss)].sort((a, b) => a - b));
    expect(maxAbsDiff(readWeights(join(dir, 'best')), readWeights(join(dir, 'trials', board.best, 'model')))).toBe(0);
    expect(readFileSync(join(dir, 'leaderboard.csv'), 'utf8').split('\n')[0]).toBe('rank,trial,status,lr,optimizer,val_loss,epochs,attempts');

    // The same sweep again (here written as YAML: the same spec, so the same sweep) continues
    // it: every trial is finished, none runs again.
    writeFileSync(
      join(cwd, 'grid.yaml'),
      [
        'base:',
        ...Object.entries(BASE).map(([k, v]) => `  ${k}: ${typeof v === 'string' ? JSON.stringify(v) : v}`),
        'space:',
        '  lr: [0.001, 0.01]',
        '  optimizer: [adam, sgd]',
        'method: grid',
        'objective: val_loss',
        '',
      ].join('\n'),
    );
    const again = await runCli(['sweep', 'grid.yaml', '--sweep-dir', 'embedded', '--parallel', '2'], { cwd });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('4 trial(s) already finished; 0 to run');
    expect(states(dir).map((t) => t.attempts)).toEqual([1, 1, 1, 1]);
  }, 400_000);

  it('distributed: 2 workers, one killed with -9 mid-trial (its trial resumed by another), Redis restarted empty mid-sweep; results equal the embedded ones', async () => {
    const dir = join(cwd, 'distributed');
    const producer = finished(spawnCli(['sweep', 'grid.json', '--sweep-dir', 'distributed', '--redis', redis.url], { cwd }));
    const workerArgs = ['worker', '--redis', redis.url, '--sweep-dir', 'distributed', '--stall-timeout', '4', '--exit-when-done'];
    const a = spawnCli(workerArgs, { cwd });
    const aDone = finished(a);
    const b = finished(spawnCli(workerArgs, { cwd }));
    // Kill A once its trial has finished an epoch (and is still running).
    let victim: TrialRecord | undefined;
    while (!victim) {
      victim = states(dir).find((t) => t.status === 'running' && t.worker?.endsWith(`:${a.pid}`) && t.history.length >= 1);
      if (a.exitCode !== null) throw new Error(`worker A exited before it could be killed: ${(await aDone).stdout}`);
      await sleep(50);
    }
    a.kill('SIGKILL');
    const killedA = await aDone;
    expect(killedA.signal).toBe('SIGKILL');
    // A replacement machine joins (so the rest of the grid takes two lanes again).
    const cChild = spawnCli(workerArgs, { cwd });
    let cOut = '';
    cChild.stdout?.on('data', (d: Buffer) => (cOut += d.toString()));
    const c = finished(cChild);
    // Then Redis dies in the middle of a trial and comes back on the same port, empty (no
    // persistence): the queue is rebuilt from the sweep dir.
    while (!states(dir).some((t) => t.id !== victim!.id && t.status === 'running' && t.history.length >= 1)) {
      if (states(dir).every((t) => t.status === 'done')) throw new Error('the sweep finished before Redis could be restarted mid-trial');
      await sleep(50);
    }
    // The replacement worker must be serving before Redis goes away (a worker that cannot reach
    // Redis at start refuses, by design).
    while (!cOut.includes('serving sweep') && cChild.exitCode === null) await sleep(50);
    await redis.kill();
    await sleep(1500);
    await redis.start();
    const [p, wb, wc] = await Promise.all([producer, b, c]);
    expect(p.code, p.stderr + p.stdout).toBe(0);
    expect(wb.code, wb.stderr + wb.stdout).toBe(0);
    expect(wc.code, wc.stderr + wc.stdout).toBe(0);
    expect(p.stdout).toMatch(/^\[t00\d\] epoch 2\/2 .* on worker [^ ]+:\d+$/m);
    expect(wb.stdout + wc.stdout).toContain(`[${victim.id}] resume (from its checkpoint)`);
    expect(wb.stdout + wc.stdout + p.stdout).toMatch(new RegExp(`\\[${victim.id}\\] (stalled \\(its worker stopped renewing the lock|its job was missing from Redis)`));
    expect(p.stdout).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable \(.*\); retrying/);
    expect(p.stdout).toMatch(/its job was missing from Redis \(restarted without persistence\?\); enqueued it again/);
    expect(wb.stdout + wc.stdout).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable/);
    // No trial ran twice to completion: one "done" per trial over all workers.
    const doneLines = (killedA.stdout + wb.stdout + wc.stdout).split('\n').filter((l) => /\] done$/.test(l));
    expect(doneLines.map((l) => /\[(t\d+)\] done$/.exec(l)![1]).sort()).toEqual(['t000', 't001', 't002', 't003']);

    const resumed = states(dir).find((t) => t.id === victim!.id)!;
    expect(resumed.status).toBe('done');
    expect(resumed.attempts).toBeGreaterThanOrEqual(2);
    const embeddedStates = states(join(cwd, 'embedded'));
    const distributedStates = states(dir);
    expect(distributedStates.map((t) => [t.id, t.status, t.params, t.history, t.value])).toEqual(embeddedStates.map((t) => [t.id, t.status, t.params, t.history, t.value]));
    for (const t of embeddedStates) {
      const diff = maxAbsDiff(readWeights(join(dir, 'trials', t.id, 'model')), readWeights(join(cwd, 'embedded', 'trials', t.id, 'model')));
      expect(diff, `${t.id} weights`).toBeLessThanOrEqual(1e-6);
    }
    expect(readFileSync(join(dir, 'leaderboard.csv'), 'utf8').replace(/,\d+\n/g, '\n')).toBe(readFileSync(join(cwd, 'embedded', 'leaderboard.csv'), 'utf8').replace(/,\d+\n/g, '\n'));
    expect(existsSync(join(dir, 'best/model.json'))).toBe(true);
  }, 500_000);
});
