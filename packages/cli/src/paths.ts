import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { describeErrno } from '@tfbricks/core/node';
import { dirname, isAbsolute, resolve } from 'node:path';
import { usageError, echo } from '@tfbricks/core';

/** `value` resolved against the CLI's working directory. */
export function resolvePath(cwd: string, value: string): string {
  return isAbsolute(value) ? value : resolve(cwd, value);
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** Why `path` cannot be stat'ed, in words ("does not exist", "is a symlink loop", "is not readable …"). */
function whyMissing(path: string): string {
  try {
    statSync(path);
    return 'does not exist';
  } catch (e) {
    return describeErrno((e as NodeJS.ErrnoException).code) ?? `cannot be read (${(e as NodeJS.ErrnoException).code})`;
  }
}

/** A readable, listable directory, else a usage error naming the flag. */
export function requireReadableDir(flag: string, value: string, cwd: string): string {
  const path = resolvePath(cwd, value);
  const stat = statOrUndefined(path);
  if (!stat) throw usageError('E_USAGE', `invalid value for ${flag}: ${echo(value)} ${whyMissing(path)} (allowed: an existing readable directory)`);
  if (!stat.isDirectory()) throw usageError('E_USAGE', `invalid value for ${flag}: ${echo(value)} is not a directory (allowed: an existing readable directory)`);
  try {
    accessSync(path, constants.R_OK | constants.X_OK);
    readdirSync(path);
  } catch {
    throw usageError('E_USAGE', `invalid value for ${flag}: ${echo(value)} is not readable (allowed: an existing readable directory)`);
  }
  return path;
}

/** A readable regular file, else a usage error naming the flag. */
export function requireReadableFile(flag: string, value: string, cwd: string, allowed = 'an existing readable file'): string {
  const path = resolvePath(cwd, value);
  const stat = statOrUndefined(path);
  if (!stat) throw usageError('E_USAGE', `invalid value for ${flag}: ${echo(value)} ${whyMissing(path)} (allowed: ${allowed})`);
  if (!stat.isFile()) throw usageError('E_USAGE', `invalid value for ${flag}: ${echo(value)} is not a file (allowed: ${allowed})`);
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw usageError('E_USAGE', `invalid value for ${flag}: ${echo(value)} is not readable (allowed: ${allowed})`);
  }
  return path;
}

/** True when `path` exists. */
export function exists(path: string): boolean {
  return statOrUndefined(path) !== undefined;
}

/** True when `path` is a directory with at least one entry. */
export function isNonEmptyDir(path: string): boolean {
  const stat = statOrUndefined(path);
  return !!stat && stat.isDirectory() && readdirSync(path).length > 0;
}

/** The output file's directory must exist (or be creatable under an existing parent) and the path must not be a directory. */
export function requireWritableTarget(flag: string, value: string, cwd: string, allowed: string): string {
  const path = resolvePath(cwd, value);
  const stat = statOrUndefined(path);
  if (stat?.isDirectory()) throw usageError('E_USAGE', `invalid value for ${flag}: ${echo(value)} is a directory (allowed: ${allowed})`);
  const parent = resolve(path, '..');
  const parentStat = statOrUndefined(parent);
  if (!parentStat || !parentStat.isDirectory()) {
    throw usageError('E_USAGE', `invalid value for ${flag}: ${echo(value)}: directory ${JSON.stringify(parent)} does not exist (allowed: ${allowed})`);
  }
  try {
    accessSync(parent, constants.W_OK);
  } catch {
    throw usageError('E_USAGE', `invalid value for ${flag}: ${echo(value)}: directory is not writable (allowed: ${allowed})`);
  }
  return path;
}

/**
 * An output directory: an existing writable directory, or a path whose nearest existing
 * ancestor is a writable directory (nothing is created here). Checked before any work runs.
 */
export function requireWritableDir(flag: string, value: string, cwd: string, allowed = 'a directory you can write to'): string {
  if (value === '') throw usageError('E_USAGE', `invalid value for ${flag}: "" (allowed: ${allowed}; an empty path names none)`);
  const path = resolvePath(cwd, value);
  let probe = path;
  while (!statOrUndefined(probe)) {
    const parent = dirname(probe);
    if (parent === probe) break;
    probe = parent;
  }
  const stat = statOrUndefined(probe);
  if (!stat) throw usageError('E_USAGE', `invalid value for ${flag}: ${echo(value)}: ${echo(probe)} ${whyMissing(probe)} (allowed: ${allowed})`);
  if (!stat.isDirectory()) {
    throw usageError('E_USAGE', `invalid value for ${flag}: ${echo(value)}${probe === path ? ' is a file' : `: ${echo(probe)} is a file`} (allowed: ${allowed})`);
  }
  try {
    accessSync(probe, constants.W_OK | constants.X_OK);
  } catch (e) {
    throw usageError('E_USAGE', `invalid value for ${flag}: ${echo(value)}: ${echo(probe)} ${describeErrno((e as NodeJS.ErrnoException).code, 'write') ?? 'is not writable'} (allowed: ${allowed})`);
  }
  return path;
}
