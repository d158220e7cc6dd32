import { existsSync, readFileSync, readdirSync, watch } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Finished, finished, hasMiniCifar, maxAbsDiff, miniCifar, readWeights, runChild, spawnCli, tempDir } from './helpers';

/**
 * SIGKILL at random points (seeded), including while a checkpoint is being written; then
 * resume until done. The final weights must equal those of an uninterrupted run.
 */
const ARGS = ['train', '--model', 'tiny', '--data-dir', miniCifar, '--limit-train', '16', '--limit-test', '8', '--epochs', '3', '--batch-size', '8', '--backend', 'wasm', '--seed', '11', '--progress', 'none'];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Entries of the backup dir that exist only while a checkpoint is being written. */
function writing(runDir: string): boolean {
  const dir = join(runDir, 'backup');
  try {
    return readdirSync(dir).some((e) => e.includes('.tmp') || e.endsWith('.prev'));
  } catch {
    return false;
  }
}

type KillPoint = { kind: 'time'; at: number } | { kind: 'write'; nth: number } | { kind: 'final' };

/** The final model's save is in progress (its temporary directory exists in the run dir). */
function savingFinal(runDir: string): boolean {
  try {
    return readdirSync(runDir).some((e) => e.startsWith('.model.tmp-') || e === 'model.prev');
  } catch {
    return false;
  }
}

/**
 * Run, then SIGKILL: after `at` ms, or on the `nth` checkpoint write seen by inotify — the
 * process is frozen (SIGSTOP) the moment the temporary directory appears, so the kill lands
 * while the write is still in progress (checked on disk before killing).
 */
async function killedRun(cwd: string, runDir: string, point: KillPoint): Promise<Finished & { killedDuring: string }> {
  const child = spawnCli([...ARGS, '--run-dir', runDir], { cwd });
  const done = finished(child);
  let exited = false;
  void done.then(() => (exited = true));
  let killedDuring = 'never (finished first)';
  if (point.kind === 'time') {
    await Promise.race([sleep(point.at), done]);
    if (!exited) {
      child.kill('SIGSTOP');
      killedDuring = writing(join(cwd, runDir)) ? 'a checkpoint write' : `t=${Math.round(point.at)}ms`;
      child.kill('SIGKILL');
    }
  } else if (point.kind === 'final') {
    const dir = join(cwd, runDir);
    while (!exited && !existsSync(dir)) await sleep(2);
    if (!exited) {
      const watcher = watch(dir, (_event, name) => {
        if (exited || !name || !name.startsWith('.model.tmp-')) return;
        watcher.close();
        child.kill('SIGSTOP');
        killedDuring = savingFinal(dir) ? 'the final save' : 'just after the final save';
        child.kill('SIGKILL');
      });
      await done;
      watcher.close();
    }
  } else {
    const backup = join(cwd, runDir, 'backup');
    while (!exited && !existsSync(backup)) await sleep(2);
    if (!exited) {
      let seen = 0;
      const watcher = watch(backup, (_event, name) => {
        if (exited || !name || !name.includes('.tmp')) return;
        seen++;
        if (seen < point.nth) return;
        watcher.close();
        child.kill('SIGSTOP');
        killedDuring = writing(join(cwd, runDir)) ? `checkpoint write #${seen}` : `just after checkpoint write #${seen}`;
        child.kill('SIGKILL');
      });
      await done;
      watcher.close();
    }
  }
  return { ...(await done), killedDuring };
}

describe.skipIf(!hasMiniCifar)('resume after SIGKILL ends with the weights of an uninterrupted run (wasm)', () => {
  it('holds over 10 seeded kill points, including during checkpoint writes and the final save', async () => {
    const cwd = tempDir();
    const t0 = Date.now();
    const ref = await runChild([...ARGS, '--run-dir', 'ref'], { cwd });
    const duration = Date.now() - t0;
    expect(ref.code, ref.stderr).toBe(0);
    const expected = readFileSync(join(cwd, 'ref/model/weights.bin'));
    expect(readWeights(join(cwd, 'ref/model')).length).toBeGreaterThan(0);

    const rng = mulberry32(20261128);
    const points: KillPoint[] = [
      { kind: 'time', at: 300 + rng() * duration * 0.9 },
      { kind: 'time', at: 300 + rng() * duration * 0.9 },
      { kind: 'time', at: 300 + rng() * duration * 0.9 },
      { kind: 'write', nth: 1 + Math.floor(rng() * 2) },
      { kind: 'write', nth: 1 + Math.floor(rng() * 2) },
      { kind: 'write', nth: 2 },
      { kind: 'time', at: 300 + rng() * duration * 0.9 },
      { kind: 'time', at: 300 + rng() * duration * 0.9 },
      { kind: 'final' },
      { kind: 'final' },
    ];
    const log: string[] = [];
    for (const [i, point] of points.entries()) {
      let runDir = `killed-${i}`;
      let killed = await killedRun(cwd, runDir, point);
      // A time point after the (load-dependent) end of the run: try again earlier in a fresh dir.
      for (let retry = 1; killed.killedDuring.startsWith('never') && point.kind === 'time' && retry <= 3; retry++) {
        point.at /= 2;
        runDir = `killed-${i}-${retry}`;
        killed = await killedRun(cwd, runDir, point);
      }
      let attempts = 0;
      let last: Finished = killed;
      // Resume: alternately the original command and --resume (which needs config.json).
      while (last.code !== 0 && attempts < 3) {
        attempts++;
        const useResume = i % 2 === 1 && existsSync(join(cwd, runDir, 'config.json'));
        last = await runChild(useResume ? ['train', '--resume', runDir, '--progress', 'none'] : [...ARGS, '--run-dir', runDir], { cwd });
      }
      log.push(`#${i} ${point.kind} killed during ${killed.killedDuring}; resumed in ${attempts} run(s)`);
      console.log(log.at(-1));
      expect(last.code, `${log.at(-1)}\n${last.stderr}`).toBe(0);
      // Byte-identical final weights, every epoch's metrics row exactly once, no temporaries left.
      const got = readFileSync(join(cwd, runDir, 'model', 'weights.bin'));
      expect(got.equals(expected), `${log.at(-1)}: max |diff| ${maxAbsDiff(readWeights(join(cwd, runDir, 'model')), readWeights(join(cwd, 'ref/model')))}`).toBe(true);
      const rows = readFileSync(join(cwd, runDir, 'metrics.csv'), 'utf8').trim().split('\n');
      expect(rows.filter((r) => r.startsWith('epoch,')), log.at(-1)).toHaveLength(1);
      expect(rows.slice(1).map((r) => r.split(',')[0]), log.at(-1)).toEqual(['0', '1', '2']);
      expect(readdirSync(join(cwd, runDir)).filter((e) => e.includes('.tmp')), log.at(-1)).toEqual([]);
    }
    expect(log.filter((l) => !l.includes('never')).length, 'runs actually killed').toBeGreaterThanOrEqual(8);
    expect(log.filter((l) => l.includes('checkpoint write')).length).toBeGreaterThanOrEqual(2);
    // Each resume starts a CLI process (tsx + tfjs); with 10 kills this runs for minutes on the
    // 2 shared cores: the budget holds at half speed.
    expect(log.filter((l) => l.includes('final save')).length).toBeGreaterThanOrEqual(1);
  }, Number(process.env.TFBRICKS_KILL_TEST_TIMEOUT_MS ?? 900_000));
});
