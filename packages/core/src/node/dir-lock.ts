import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { TfbricksError } from '../errors';
import { echo } from '../echo';
import { fsError } from './fs-errors';
import { processAlive } from './process-alive';

/** The lock file a {@link lockDirectory} holder keeps in the directory. */
export const LOCK_FILE = '.tfbricks.lock';

export interface LockRecord {
  pid: number;
  host: string;
  startedAt: string;
  purpose: string;
}

export interface DirectoryLock {
  readonly path: string;
  readonly record: LockRecord;
  /** Remove the lock (only if it is still ours); safe to call twice. */
  release(): void;
}

function readRecord(path: string): { text: string; record?: LockRecord } | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fsError(e, path, 'lock file');
  }
  try {
    const r = JSON.parse(text.slice(0, 4096)) as LockRecord;
    if (r && Number.isInteger(r.pid)) return { text, record: r };
  } catch {
    // A torn lock (the holder died while writing it) is stale.
  }
  return { text };
}

/** Stale: written by a process of this host that no longer runs, or unreadable. */
function isStale(r: LockRecord | undefined): boolean {
  if (!r) return true;
  return r.host === hostname() && !processAlive(r.pid);
}

/**
 * Take the exclusive lock on directory `dir` (which must exist): a `.tfbricks.lock` file
 * created with O_EXCL holding this process's pid. A lock whose holder is gone (killed,
 * crashed: its pid no longer runs on this host) is stale and taken over, so a kill -9
 * never leaves a directory locked. A live holder makes this throw `E_LOCKED` with its pid.
 */
export function lockDirectory(dir: string, purpose: string): DirectoryLock {
  const path = join(dir, LOCK_FILE);
  const record: LockRecord = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), purpose };
  const text = `${JSON.stringify(record)}\n`;
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fsError(e, path, 'lock file', 'write');
      const held = readRecord(path);
      if (!held) continue;
      if (!isStale(held.record)) {
        const r = held.record!;
        throw new TfbricksError(
          'E_LOCKED',
          `${echo(dir)} is in use by another tfbricks process (pid ${r.pid}${r.host !== hostname() ? ` on ${echo(r.host)}` : ''}, ${echo(r.purpose)} since ${echo(r.startedAt)})`,
          { hint: `wait for it to finish or stop it (kill ${r.pid}); if no such process exists, delete ${path}`, details: { pid: r.pid, lock: path } },
        );
      }
      // Remove the stale lock only if it is still the one we judged stale.
      const again = readRecord(path);
      if (again && again.text === held.text) {
        try {
          unlinkSync(path);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fsError(err, path, 'lock file', 'write');
        }
      }
      continue;
    }
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    let released = false;
    return {
      path,
      record,
      release() {
        if (released) return;
        released = true;
        const now = readRecord(path);
        if (now?.text === text) {
          try {
            unlinkSync(path);
          } catch {
            // already gone
          }
        }
      },
    };
  }
  throw new TfbricksError('E_LOCKED', `could not take the lock on ${echo(dir)}: other processes keep taking it`, { hint: 'run one tfbricks process per directory' });
}
