import { mkdirSync, readdirSync, rmdirSync } from 'node:fs';
import { fsError, lockDirectory } from '@tfbricks/core/node';

export interface RunLock {
  release(): void;
}

/**
 * The exclusive lock of a run dir (creating the dir when needed): one `train` per run at a
 * time. The lock survives no crash: a holder that is gone (kill -9) leaves a stale lock the
 * next `train` takes over. A dir this call created and nothing else filled is removed on
 * release, so a run that failed before writing anything leaves nothing behind.
 */
export function lockRunDir(runDir: string): RunLock {
  let created: string | undefined;
  try {
    created = mkdirSync(runDir, { recursive: true });
  } catch (e) {
    throw fsError(e, runDir, 'run directory', 'write');
  }
  let lock;
  try {
    lock = lockDirectory(runDir, 'tfbricks train');
  } catch (e) {
    if (created) rmdirSync(runDir, { recursive: false } as never);
    throw e;
  }
  return {
    release() {
      lock.release();
      if (created !== undefined) {
        try {
          if (readdirSync(runDir).length === 0) rmdirSync(runDir);
        } catch {
          // kept: not empty, or already gone
        }
      }
    },
  };
}
