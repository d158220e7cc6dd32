import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic, writeJsonAtomic } from './atomic-file';

const root = mkdtempSync(join(tmpdir(), 'tfb-core-atomic-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A pid that no process has: one that has just exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  return Number(child.stdout.trim());
}

describe('writeFileAtomic', () => {
  it('replaces the file whole and leaves no temporary', () => {
    const f = join(root, 'metrics.csv');
    writeFileSync(f, 'old\n');
    writeFileAtomic(f, 'new\n');
    writeJsonAtomic(join(root, 'config.json'), { a: 1 });
    expect(readFileSync(f, 'utf8')).toBe('new\n');
    expect(readFileSync(join(root, 'config.json'), 'utf8')).toBe('{\n  "a": 1\n}\n');
    expect(readdirSync(root).filter((e) => e.endsWith('.tmp'))).toEqual([]);
  });

  it("removes a killed writer's temporary of the same file, and keeps a live writer's and other files'", () => {
    const dir = mkdtempSync(join(root, 'stale-'));
    const dead = `.log.txt.${deadPid()}.tmp`;
    const live = `.log.txt.${process.ppid}.tmp`;
    const other = `.other.txt.${deadPid()}.tmp`;
    for (const name of [dead, live, other]) writeFileSync(join(dir, name), 'torn');
    writeFileAtomic(join(dir, 'log.txt'), Uint8Array.from([104, 105]));
    expect(readFileSync(join(dir, 'log.txt'), 'utf8')).toBe('hi');
    expect(readdirSync(dir).sort()).toEqual([live, other, 'log.txt'].sort());
  });
});
