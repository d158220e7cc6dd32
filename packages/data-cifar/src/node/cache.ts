import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { PhaseReporter } from './progress';
import { uniqueSuffix } from '../util';

/**
 * The dataset cache folder: `$TFBRICKS_HOME/datasets` when set, otherwise the platform's
 * cache folder (`$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches` on macOS,
 * `%LOCALAPPDATA%` on Windows) + `tfbricks/datasets`.
 */
export function defaultCacheDir(env: Record<string, string | undefined> = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.TFBRICKS_HOME) return join(env.TFBRICKS_HOME, 'datasets');
  const home = env.HOME || env.USERPROFILE || homedir();
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'tfbricks', 'Cache', 'datasets');
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'tfbricks', 'datasets');
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), 'tfbricks', 'datasets');
}

/** SHA-256 (hex) and size of a file, streamed. */
export async function hashFile(path: string, progress?: (total: number) => PhaseReporter): Promise<{ sha256: string; size: number }> {
  const { size } = await stat(path);
  const phase = progress?.(size);
  const hash = createHash('sha256');
  let done = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    done += (chunk as Buffer).length;
    phase?.update(done);
  }
  phase?.finish(done);
  return { sha256: hash.digest('hex'), size: done };
}

/** Temporary entries older than this (no writes) were left by a killed process. */
const STALE_MS = 60 * 60 * 1000;

/**
 * Remove temporary downloads (`*.part`) and extractions (`.extract-*`) that nothing has
 * written to for an hour: leftovers of killed processes. They are never read as data.
 */
export async function removeStaleTemporaries(dir: string, now = Date.now()): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.endsWith('.part') && !name.startsWith('.extract-') && !name.startsWith('.trash-')) continue;
    const path = join(dir, name);
    try {
      const st = await stat(path);
      if (now - st.mtimeMs < STALE_MS && !name.startsWith('.trash-')) continue;
      await rm(path, { recursive: true, force: true });
      removed.push(name);
    } catch {
      // raced with another process: fine
    }
  }
  return removed;
}

/** Move a folder out of the way atomically, then delete it (other readers never see half of it). */
export async function discard(dir: string, parent: string): Promise<void> {
  const trash = join(parent, `.trash-${uniqueSuffix()}`);
  try {
    await rename(dir, trash);
  } catch {
    return;
  }
  await rm(trash, { recursive: true, force: true });
}

/** Temporary extraction folder name inside the cache (process-unique). */
export function tempExtractDir(parent: string): string {
  return join(parent, `.extract-${uniqueSuffix()}`);
}
