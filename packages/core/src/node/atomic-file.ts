import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { processAlive } from './process-alive';

/** The temporary a writer with this pid uses for `name`: `.<name>.<pid>.tmp`, in the same directory. */
function temporaryName(name: string, pid: number): string {
  return `.${name}.${pid}.tmp`;
}

/** Remove the temporaries of `name` that writers killed mid-write left (their pid is gone). */
export function removeStaleTemporaries(dir: string, name: string): void {
  const prefix = `.${name}.`;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!entry.startsWith(prefix) || !entry.endsWith('.tmp')) continue;
    const pid = Number(entry.slice(prefix.length, -'.tmp'.length));
    if (Number.isInteger(pid) && pid !== process.pid && !processAlive(pid)) rmSync(join(dir, entry), { force: true });
  }
}

/**
 * Write a file atomically: a temporary file in the same directory, fsync, rename. A crash or
 * a second Ctrl-C leaves either the old or the new file, never a torn one; readers in other
 * processes see one or the other. The temporaries of killed writers are removed by the next
 * write of the same file.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  removeStaleTemporaries(dirname(path), basename(path));
  const tmp = join(dirname(path), temporaryName(basename(path), process.pid));
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** {@link writeFileAtomic} of `value` as indented JSON with a final newline. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
