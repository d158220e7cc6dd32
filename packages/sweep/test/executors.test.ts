import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSweepSpec } from '../src/sweep-file';
import { claimTrial, isStale } from '../src/node/claim';
import { runEmbedded } from '../src/node/embedded';
import { writeResults } from '../src/node/results';
import { SweepStore } from '../src/node/store';
import { fakeLauncher } from './fake-launcher';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tfbricks-sweep-'));
}

function newStore(file: unknown): SweepStore {
  const dir = join(tempDir(), 'D');
  const spec = parseSweepSpec(file, 'test.json');
  SweepStore.check(dir, spec, '1.0.0', dir);
  return SweepStore.create(dir, spec, '1.0.0', 'test.json');
}

describe('embedded executor (stand-in trial processes)', () => {
  it('runs every trial in parallel child processes, never repeats a finished one, writes the results', async () => {
    const store = newStore({ base: { epochs: 2 }, space: { q: [3, 1, 2, 4] }, objective: 'val_loss' });
    const lines: string[] = [];
    await runEmbedded(store, fakeLauncher(50), { parallel: 2, log: (l) => lines.push(l) });
    const trials = store.all();
    expect(trials.map((t) => t.status)).toEqual(['done', 'done', 'done', 'done']);
    expect(trials.map((t) => t.history)).toEqual([[3, 1.5], [1, 0.5], [2, 1], [4, 2]]);
    expect(lines).toContain('[t001] epoch 2/2 loss=0.5 val_loss=0.5 val_acc=0.5 (q=1)');
    const board = await writeResults(store);
    expect(board.best).toBe('t001');
    expect(readFileSync(join(store.dir, 'best/weights.bin'), 'utf8')).toBe('1');
    expect(readFileSync(join(store.dir, 'leaderboard.csv'), 'utf8').split('\n')[1]).toBe('1,t001,done,1,0.5,2,1');
    expect(readFileSync(join(store.dir, 'objective.png')).subarray(1, 4).toString()).toBe('PNG');

    // Again: nothing runs (no trial is repeated).
    const again: string[] = [];
    await runEmbedded(SweepStore.create(store.dir, store.spec, '1.0.0', 'test.json'), fakeLauncher(50), { parallel: 2, log: (l) => again.push(l) });
    expect(again).toEqual(['4 trial(s) already finished; 0 to run']);
    expect(store.all().map((t) => t.attempts)).toEqual([1, 1, 1, 1]);
    for (const t of trials) expect(readFileSync(join(store.runDir(t.id), 'completions.log'), 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('median stopping prunes the trials that fall behind; a pruned trial keeps its checkpoint and is final', async () => {
    const store = newStore({ base: { epochs: 4 }, space: { q: [1, 1.1, 1.2, 9, 8] }, objective: 'val_loss', 'early-stopping': { rule: 'median', 'grace-epochs': 1, 'min-trials': 3 } });
    await runEmbedded(store, fakeLauncher(150), { parallel: 1, log: () => undefined, pollMs: 30 });
    const trials = store.all();
    expect(trials.map((t) => t.status)).toEqual(['done', 'done', 'done', 'pruned', 'pruned']);
    expect(trials[3].reason).toMatch(/^val_loss 4\.5 is worse than the median 0\.55 of 3 trial\(s\) at epoch 2$/);
    expect(trials[3].history.length).toBeLessThan(4);
    expect(existsSync(join(store.runDir('t003'), 'DONE'))).toBe(false);
  });

  it('an interrupted sweep resumes its trials where they stopped', async () => {
    const store = newStore({ base: { epochs: 6 }, space: { q: [2, 3] } });
    const controller = new AbortController();
    const run = runEmbedded(store, fakeLauncher(200), { parallel: 2, log: () => undefined, signal: controller.signal, pollMs: 30 });
    while (store.all().some((t) => t.history.length < 2)) await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    await run;
    const stopped = store.all();
    expect(stopped.map((t) => t.status)).toEqual(['pending', 'pending']);
    expect(stopped.every((t) => t.history.length >= 2 && t.history.length < 6)).toBe(true);
    await runEmbedded(store, fakeLauncher(20), { parallel: 2, log: () => undefined });
    expect(store.all().map((t) => [t.status, t.history.length, t.attempts])).toEqual([
      ['done', 6, 2],
      ['done', 6, 2],
    ]);
  });
});

describe('sweep dir', () => {
  it('refuses a directory used by another sweep, naming what differs', () => {
    const store = newStore({ space: { q: [1, 2] } });
    const other = parseSweepSpec({ space: { q: [1, 3] } }, 'other.json');
    expect(() => SweepStore.check(store.dir, other, '1.0.0', 'D')).toThrow(/invalid value for --sweep-dir: "D" is used by another sweep \(from test\.json; it differs in space\)/);
    expect(() => SweepStore.check(store.dir, store.spec, '2.0.0', 'D')).toThrow(/created by tfbricks 1\.0\.0; this is tfbricks 2\.0\.0/);
    expect(SweepStore.check(store.dir, store.spec, '1.0.0', 'D')).toBe('continue');
  });

  it('a claim excludes other runners while its holder lives and is taken over once it is gone', () => {
    const store = newStore({ space: { q: [1] } });
    const first = claimTrial(store, 't000', 'a', 60_000);
    expect('claim' in first).toBe(true);
    const second = claimTrial(store, 't000', 'b', 60_000);
    expect('heldBy' in second && second.heldBy.owner).toBe('a');
    const info = JSON.parse(readFileSync(store.claimPath('t000'), 'utf8'));
    expect(isStale({ ...info, pid: 2 ** 22 + 12345 }, 60_000)).toBe(true);
    expect(isStale({ ...info, host: 'elsewhere', heartbeat: Date.now() - 61_000 }, 60_000)).toBe(true);
    expect(isStale({ ...info, host: 'elsewhere' }, 60_000)).toBe(false);
    if ('claim' in first) first.claim.release();
    expect('claim' in claimTrial(store, 't000', 'b', 60_000)).toBe(true);
  });
});

describe('a failing trial', () => {
  it('is marked failed with the reason and its output, and runs again when the sweep runs again', async () => {
    const store = newStore({ base: { epochs: 2 }, space: { q: [1, 2] } });
    const broken = { command: () => ({ file: process.execPath, args: ['-e', 'console.error("out of memory, say"); process.exit(3)'] }) };
    await runEmbedded(store, broken, { parallel: 1, log: () => undefined });
    const failed = store.all();
    expect(failed.map((t) => t.status)).toEqual(['failed', 'failed']);
    expect(failed[0].reason).toBe(`exit code 3: out of memory, say (output in ${store.logPath('t000')})`);
    expect(readFileSync(store.logPath('t000'), 'utf8')).toMatch(/^--- attempt 1 by embedded at .*\nout of memory, say\n$/);
    await runEmbedded(store, fakeLauncher(10), { parallel: 1, log: () => undefined });
    expect(store.all().map((t) => [t.status, t.attempts])).toEqual([
      ['done', 2],
      ['done', 2],
    ]);
  });
});
