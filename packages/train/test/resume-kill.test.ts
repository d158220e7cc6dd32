import '@tensorflow/tfjs-layers';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@tfbricks/core';
import { useTrainingBackend, weightsOf } from './helpers';
import { resumeRun } from './resume-config';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = resolve(here, '..');
const tsx = join(pkg, 'node_modules/tsx');

interface ChildOutcome {
  signal: NodeJS.Signals | null;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the child once; `killAfterMs` makes the parent SIGKILL it that long after READY. */
function runChild(backupDir: string, out: string, env: Record<string, string>, killAfterMs?: number): Promise<ChildOutcome> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'resume-child.ts'), backupDir, out], { cwd: pkg, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (killAfterMs !== undefined && !timer && stdout.includes('STEP')) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

let dir: string;
beforeAll(async () => {
  await useTrainingBackend();
  dir = await mkdtemp(join(tmpdir(), 'tfb-kill-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('resume after SIGKILL (child processes, cpu backend)', () => {
  it('ends with the same weights and history as an uninterrupted run, killed at >= 5 points incl. inside checkpoint writes', async () => {
    if (!existsSync(tsx)) throw new Error(`tsx not found at ${tsx}; run pnpm install`);
    const reference = await resumeRun({});
    const refWeights = await weightsOf(reference.model);

    const backupDir = join(dir, 'backup');
    const out = join(dir, 'out.json');
    // Kill points inside backup writes (child kills itself at an exact call) and at random
    // times chosen by the parent (seeded, so the test is reproducible).
    const rng = new Rng(2024);
    const plan: { env: Record<string, string>; killAfterMs?: number }[] = [
      { env: { KILL_AT: 'open:2' } }, // while writing the first backup's files
      { env: { KILL_AT: 'rename:4' } }, // old backup moved aside, new one not yet in place
      { env: {}, killAfterMs: rng.int(0, 150) },
      { env: { KILL_AT: 'open:9' } },
      { env: { KILL_AT: 'rename:3' } }, // new backup in place, previous one not yet removed
      { env: {}, killAfterMs: rng.int(0, 150) },
    ];
    const log: string[] = [];
    let kills = 0;
    let writeKills = 0;
    let done = false;
    for (let i = 0; i < 30 && !done; i++) {
      const step = plan[i] ?? { env: {} };
      // Each resumed process starts from a different initialisation: only the backup can make it match.
      const outcome = await runChild(backupDir, out, { ...step.env, MODEL_SEED: String(100 + i) }, step.killAfterMs);
      const steps = outcome.stdout.match(/STEP \d+/g) ?? [];
      log.push(`run ${i} (${/READY (\w+)/.exec(outcome.stdout)?.[1]}): ${outcome.signal ?? `exit ${outcome.code}`} after ${steps.length} steps (${steps.at(0) ?? '-'}..${steps.at(-1) ?? '-'}) ${step.env.KILL_AT ?? ''}${step.killAfterMs !== undefined ? `timer ${step.killAfterMs}ms` : ''}`);
      if (outcome.signal === 'SIGKILL') {
        kills++;
        if (outcome.stdout.includes('KILL ')) writeKills++;
        // Leftovers of an interrupted write must never break the next resume.
        continue;
      }
      expect(outcome.code, `${log.join('\n')}\n${outcome.stderr}`).toBe(0);
      done = outcome.stdout.includes('DONE');
    }
    console.log(log.join('\n'));
    expect(done).toBe(true);
    expect(kills).toBeGreaterThanOrEqual(5);
    expect(log.filter((l) => l.includes('(resume)')).length).toBeGreaterThanOrEqual(4);
    expect(writeKills).toBeGreaterThanOrEqual(4);
    const final = JSON.parse(readFileSync(out, 'utf8')) as { weights: number[][]; history: unknown; stopReason: string };
    expect(final.stopReason).toBe('completed');
    let maxDiff = 0;
    final.weights.forEach((w, i) => w.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - refWeights[i][j])))));
    expect(maxDiff).toBeLessThanOrEqual(1e-6);
    expect(final.history).toEqual(JSON.parse(JSON.stringify(reference.result.history)));
    // The completed run deletes its backup (Keras semantics).
    expect((await readdir(backupDir)).filter((e) => !e.startsWith('.'))).toEqual([]);
  }, 180_000);
});
