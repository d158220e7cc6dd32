import { createHash } from 'node:crypto';
import { closeSync, readSync } from 'node:fs';
import { basename, join } from 'node:path';
import { TfbricksError } from '@tfbricks/core';
import { openRegularFileSync } from '@tfbricks/core/node';

/**
 * What a run trained on, by name: for CIFAR each data file's size and SHA-256; for a folder
 * of class subfolders each class folder's image count, total size and a SHA-256 of its
 * listing, plus the image options (see {@link fingerprintFolder}).
 */
export type DataFingerprint = Record<string, { size: number; sha256: string; files?: number }>;

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

/** The fingerprint entry of a class folder: `class folder "<name>"`. */
const classKey = (name: string) => `class folder ${JSON.stringify(name)}`;
const OPTIONS_KEY = 'image options';

/**
 * Fingerprint of a folder of class subfolders, from its listing alone (no image is read):
 * per class folder, the number of images, their total size and a SHA-256 over every image's
 * relative path, size and mtime to the millisecond (in listing order; a copy made with
 * `cp -p` or rsync -t keeps matching); plus one entry for the class names and
 * the options that decide the pixels and the split. Any image added, removed, renamed,
 * replaced or touched, any class added or removed, changes it. Cheap: one line per image,
 * hashed, from the `stat` the listing already made.
 */
export function fingerprintFolder(files: readonly { relativePath: string; classIndex: number; size: number; mtimeMs: number }[], classNames: readonly string[], options: Record<string, unknown>): DataFingerprint {
  const hashes = classNames.map(() => createHash('sha256'));
  const sizes = classNames.map(() => 0);
  const counts = classNames.map(() => 0);
  for (const f of files) {
    hashes[f.classIndex].update(`${f.relativePath}\t${f.size}\t${Math.round(f.mtimeMs)}\n`);
    sizes[f.classIndex] += f.size;
    counts[f.classIndex]++;
  }
  const fp: DataFingerprint = {
    [OPTIONS_KEY]: { size: 0, sha256: createHash('sha256').update(JSON.stringify({ classNames, ...options })).digest('hex') },
  };
  classNames.forEach((name, k) => (fp[classKey(name)] = { size: sizes[k], files: counts[k], sha256: hashes[k].digest('hex') }));
  return fp;
}

/** Why one entry differs, in words. */
function describeChange(name: string, saved: DataFingerprint[string] | undefined, now: DataFingerprint[string] | undefined): string {
  const shown = name.startsWith('class folder ') || name === OPTIONS_KEY ? name : basename(name);
  if (!now) return `${shown} is gone`;
  if (!saved) return `${shown} is new`;
  if (name === OPTIONS_KEY) return 'the class names or image options changed';
  if (saved.files !== undefined && saved.files !== now.files) return `${shown} changed (${saved.files} -> ${now.files} images)`;
  if (saved.size !== now.size) return `${shown} changed size (${saved.size} -> ${now.size} bytes)`;
  return saved.files !== undefined ? `${shown} changed (an image was replaced, renamed or modified; same count and total size)` : `${shown} changed content (same size)`;
}

/**
 * A resumed run must train on the data it started with: the same files, byte for byte.
 * Throws naming the first file that differs, unless the user said `--data-changed-ok`.
 */
export function checkDataFingerprint(saved: DataFingerprint, now: DataFingerprint, runDir: string): void {
  const names = [...new Set([...Object.keys(saved), ...Object.keys(now)])].sort();
  const changed = names.filter((n) => saved[n]?.sha256 !== now[n]?.sha256 || saved[n]?.size !== now[n]?.size || saved[n]?.files !== now[n]?.files);
  if (changed.length === 0) return;
  const first = changed[0];
  const more = changed.length - 1;
  const unit = first.startsWith('class folder ') ? 'difference' : 'file';
  const difference = `the data differs from the data run ${JSON.stringify(runDir)} started with: ${describeChange(first, saved[first], now[first])}${more > 0 ? ` (and ${more} more ${unit}${more > 1 ? 's' : ''})` : ''}`;
  throw new TfbricksError(
    'E_RESUME_DATA',
    // Usage errors print one line and no hint: the way out belongs in the message.
    `${difference}; resume with the data it started with, or pass --data-changed-ok to continue on this data`,
    { usage: true, hint: 'resume with the same data (--data-dir), or pass --data-changed-ok to continue on the new data anyway', details: { difference } },
  );
}
