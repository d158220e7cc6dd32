import { constants as fsConstants, promises as fs } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { TfbricksError } from '@tfbricks/core';
import { fsError, processAlive } from '@tfbricks/core/node';
import { MODEL_JSON } from '../saved-model-codec';

async function writeFileSynced(path: string, data: Uint8Array | string): Promise<void> {
  const fh = await fs.open(path, 'wx');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDir(path: string): Promise<void> {
  try {
    const fh = await fs.open(path, fsConstants.O_RDONLY);
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Directory fsync is not supported everywhere (e.g. Windows); rename is still atomic.
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await fs.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Test hook: throw at a step to simulate a crash there. @internal */
export const saveHooks: { crashAt?: 'written' | 'old-moved' | 'new-moved' } = {};

/** The prefix of the temporaries a save of `dir` writes next to it. */
export function saveTemporaryPrefix(dir: string): string {
  return `.${basename(resolve(dir))}.tmp-`;
}

/**
 * Remove the temporary directories that saves of `dir` left behind when their process was
 * killed mid-write (`.<name>.tmp-<pid>-…` next to `dir`). Temporaries of processes still
 * running, this one included, are kept: they may be writing right now. Returns how many were
 * removed. {@link writeDirectoryAtomic} calls it before every save.
 */
export async function removeStaleSaveTemporaries(dir: string): Promise<number> {
  const target = resolve(dir);
  const parent = dirname(target);
  const prefix = saveTemporaryPrefix(target);
  let entries: string[];
  try {
    entries = await fs.readdir(parent);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of entries) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && (pid === process.pid || processAlive(pid))) continue;
    await fs.rm(join(parent, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

/**
 * Write `files` as directory `dir`, atomically: everything goes to a temporary sibling
 * directory first, then replaces `dir` by renames. A crash at any moment leaves either the
 * previous save at `dir` (or, between the two renames, at `<dir>.prev`, which
 * `loadModel` falls back to) or the new one.
 */
export async function writeDirectoryAtomic(dir: string, files: Record<string, Uint8Array | string>): Promise<void> {
  const target = resolve(dir);
  const parent = dirname(target);
  try {
    await fs.mkdir(parent, { recursive: true });
  } catch (e) {
    throw fsError(e, parent, 'save directory', 'write');
  }
  await removeStaleSaveTemporaries(target);
  const tmp = join(parent, `${saveTemporaryPrefix(target)}${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`);
  const prev = `${target}.prev`;
  try {
    await fs.mkdir(tmp);
  } catch (e) {
    throw fsError(e, parent, 'save directory', 'write');
  }
  try {
    for (const [name, data] of Object.entries(files)) await writeFileSynced(join(tmp, name), data);
    await syncDir(tmp);
    if (saveHooks.crashAt === 'written') throw new Error('simulated crash after writing the temporary directory');
    const hadTarget = await exists(join(target, MODEL_JSON));
    if (hadTarget) {
      // A stale .prev is older than target: drop it, then move target aside.
      await fs.rm(prev, { recursive: true, force: true });
      await fs.rename(target, prev);
    } else if (await exists(target)) {
      // A directory without model.json is not a save; refuse to clobber unknown content.
      const entries = await fs.readdir(target);
      if (entries.length > 0) {
        throw new TfbricksError('E_SAVE', `save: "${dir}" exists and is not a saved model (no ${MODEL_JSON}); refusing to replace it`, {
          usage: true,
          hint: 'choose a new directory or remove it',
        });
      }
      await fs.rmdir(target);
    }
    if (saveHooks.crashAt === 'old-moved') throw new Error('simulated crash between renames');
    await fs.rename(tmp, target);
    await syncDir(parent);
    if (saveHooks.crashAt === 'new-moved') throw new Error('simulated crash before removing the previous save');
    await fs.rm(prev, { recursive: true, force: true });
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw e instanceof TfbricksError || (e as Error).message?.startsWith('simulated') ? e : fsError(e, target, 'save directory', 'write');
  }
}
