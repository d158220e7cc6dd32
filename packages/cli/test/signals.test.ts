import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { finished, hasMiniCifar, maxAbsDiff, miniCifar, readWeights, runChild, spawnCli, tempDir } from './helpers';

const ARGS = ['train', '--model', 'tiny', '--data-dir', miniCifar, '--limit-train', '24', '--limit-test', '8', '--epochs', '3', '--batch-size', '4', '--backend', 'wasm', '--seed', '5', '--progress', 'epoch'];

/**
 * Start a run and send `signal` once the first epoch line is out; with `again`, send it a
 * second time as soon as the CLI acknowledges the first (while it writes the checkpoint).
 */
async function interrupted(cwd: string, runDir: string, signal: NodeJS.Signals, again = false) {
  const child = spawnCli([...ARGS, '--run-dir', runDir], { cwd });
  const done = finished(child);
  let sent = false;
  let resent = false;
  child.stdout?.on('data', (d: Buffer) => {
    if (!sent && /^Epoch 1\/3/m.test(d.toString())) {
      sent = true;
      child.kill(signal);
    }
  });
  child.stderr?.on('data', (d: Buffer) => {
    if (again && !resent && d.toString().includes(`${signal}: finishing the current batch`)) {
      resent = true;
      child.kill(signal);
    }
  });
  return done;
}

describe.skipIf(!hasMiniCifar)('SIGINT / SIGTERM during train', () => {
  it('SIGINT finishes the batch, checkpoints, exits 130; SIGTERM exits 143; a double Ctrl-C exits at once; all resume exactly', async () => {
    const cwd = tempDir();
    const ref = await runChild([...ARGS, '--run-dir', 'ref'], { cwd });
    expect(ref.code, ref.stderr).toBe(0);
    const expected = readWeights(join(cwd, 'ref/model'));

    const int = await interrupted(cwd, 'int', 'SIGINT');
    expect(int.code, int.stderr).toBe(130);
    expect(int.stderr).toMatch(/SIGINT: finishing the current batch/);
    expect(int.stderr).toContain('resume with: tfbricks train --resume');
    expect(int.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(cwd, 'int/backup/latest/model.json'))).toBe(true);
    expect(existsSync(join(cwd, 'int/DONE'))).toBe(false);

    const term = await interrupted(cwd, 'term', 'SIGTERM');
    expect(term.code, term.stderr).toBe(143);

    const twice = await interrupted(cwd, 'twice', 'SIGINT', true);
    expect(twice.code, twice.stderr).toBe(130);
    expect(twice.stderr).toMatch(/again: exiting now/);

    for (const dir of ['int', 'term', 'twice']) {
      const resumed = await runChild(['train', '--resume', dir, '--progress', 'none'], { cwd });
      expect(resumed.code, `${dir}: ${resumed.stderr}`).toBe(0);
      expect(maxAbsDiff(readWeights(join(cwd, dir, 'model')), expected), dir).toBeLessThanOrEqual(1e-6);
    }
    // 7 CLI processes: 160 s with the 2 shared cores at load 8–10; holds at half that speed.
  }, 480_000);
});
