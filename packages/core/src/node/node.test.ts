import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync, symlinkSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCK_FILE, lockDirectory, readFileBounded, readFileBoundedSync, readJsonFileSync } from './index';

const root = mkdtempSync(join(tmpdir(), 'tfb-core-node-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('@tfbricks/core/node: regular files, bounded reads, the directory lock', () => {
  it('reads only regular files: a FIFO, a directory, a symlink loop and a missing file are named', async () => {
    const fifo = join(root, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    await expect(readFileBounded(fifo, { what: 'weights file', maxBytes: 10 })).rejects.toThrow(`weights file "${fifo}" is a FIFO (named pipe), not a regular file`);
    expect(() => readFileBoundedSync(root, { what: 'data file', maxBytes: 10 })).toThrow('is a directory, not a regular file');
    symlinkSync(join(root, 'loop-b'), join(root, 'loop-a'));
    symlinkSync(join(root, 'loop-a'), join(root, 'loop-b'));
    expect(() => readFileBoundedSync(join(root, 'loop-a'), { what: 'data file', maxBytes: 10 })).toThrow('is a symlink loop');
    expect(() => readFileBoundedSync(join(root, 'nope'), { what: 'data file', maxBytes: 10 })).toThrow('does not exist');
  });

  it('checks the size before reading, and bounds JSON', () => {
    const f = join(root, 'big.json');
    writeFileSync(f, `{"a":${'1'.repeat(100)}}`);
    expect(() => readFileBoundedSync(f, { what: 'config', maxBytes: 10 })).toThrow('is 106 bytes; the limit is 10');
    expect(() => readFileBoundedSync(f, { what: 'config', maxBytes: 1000, expectedBytes: 8 })).toThrow('holds 106 bytes but 8 were expected');
    writeFileSync(f, '[[[[1]]]]');
    expect(() => readJsonFileSync(f, { what: 'config', maxDepth: 3 })).toThrow('nests arrays/objects more than 3 deep');
  });

  it('the lock is exclusive while its holder lives, and stale once the holder is gone (kill -9)', async () => {
    const dir = join(root, 'run');
    mkdirSync(dir);
    // A child takes the lock and then waits forever.
    const script = `const { lockDirectory } = require(${JSON.stringify(join(__dirname, '..', '..', 'dist', 'node', 'index.cjs'))}); lockDirectory(process.argv[1], 'test'); console.log('locked'); setInterval(() => {}, 1000);`;
    const built = existsSync(join(__dirname, '..', '..', 'dist', 'node', 'index.cjs'));
    if (!built) {
      // Without a build, take the lock as a record of a live process (our parent) instead.
      writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid, host: hostname(), startedAt: 'now', purpose: 'test' }));
      expect(() => lockDirectory(dir, 'second')).toThrow(`is in use by another tfbricks process (pid ${process.ppid}`);
      rmSync(join(dir, LOCK_FILE));
    } else {
      const child = spawn(process.execPath, ['-e', script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((res) => child.stdout!.once('data', () => res()));
      expect(() => lockDirectory(dir, 'second')).toThrow(`is in use by another tfbricks process (pid ${child.pid}`);
      child.kill('SIGKILL');
      await new Promise((res) => child.once('exit', res));
    }
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: Number(dead.stdout), host: hostname(), startedAt: 'then', purpose: 'killed' }));
    const lock = lockDirectory(dir, 'after a crash');
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    expect(() => lockDirectory(dir, 'twice')).toThrow(`pid ${process.pid}`);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    writeFileSync(join(dir, LOCK_FILE), '{"pid":');
    lockDirectory(dir, 'torn lock is stale').release();
  });
});
