import { createHash } from 'node:crypto';
import { closeSync, readSync } from 'node:fs';
import { basename, join } from 'node:path';
import { TfbricksError } from '@tfbricks/core';
import { openRegularFileSync } from '@tfbricks/core/node';

/** Size and SHA-256 of each data file a run trained on, by name. */
export type DataFingerprint = Record<string, { size: number; sha256: string }>;

function hashFile(path: string): { size: number; sha256: string } {
  const { fd, stats } = openRegularFileSync(path, 'data file');
  try {
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(1 << 20);
    let n: number;
    let pos = 0;
    while ((n = readSync(fd, buf, 0, buf.length, pos)) > 0) {
      hash.update(buf.subarray(0, n));
      pos += n;
    }
    return { size: stats.size, sha256: hash.digest('hex') };
  } finally {
    closeSync(fd);
  }
}

/** Fingerprint of the data files in `folder` (every file of the dataset, train and test). */
export function fingerprintData(folder: string, files: readonly string[]): DataFingerprint {
  return Object.fromEntries(files.map((f) => [f, hashFile(join(folder, f))]));
}

/**
 * A resumed run must train on the data it started with: the same files, byte for byte.
 * Throws naming the first file that differs, unless the user said `--data-changed-ok`.
 */
export function checkDataFingerprint(saved: DataFingerprint, now: DataFingerprint, runDir: string): void {
  const names = [...new Set([...Object.keys(saved), ...Object.keys(now)])].sort();
  const changed = names.filter((n) => saved[n]?.sha256 !== now[n]?.sha256 || saved[n]?.size !== now[n]?.size);
  if (changed.length === 0) return;
  const first = changed[0];
  const what = !now[first] ? 'is gone' : !saved[first] ? 'is new' : saved[first].size !== now[first].size ? `changed size (${saved[first].size} -> ${now[first].size} bytes)` : 'changed content (same size)';
  throw new TfbricksError(
    'E_RESUME_DATA',
    `the data differs from the data run ${JSON.stringify(runDir)} started with: ${basename(first)} ${what}${changed.length > 1 ? ` (and ${changed.length - 1} more file${changed.length > 2 ? 's' : ''})` : ''}`,
    { usage: true, hint: 'resume with the same data (--data-dir), or pass --data-changed-ok to continue on the new data anyway' },
  );
}
