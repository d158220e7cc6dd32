import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { usageError } from '@tfbricks/core';

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

/** A readable, listable directory, else a usage error naming the flag. */
export function requireReadableDir(flag: string, value: string, cwd: string): string {
  const path = resolvePath(cwd, value);
  const stat = statOrUndefined(path);
  if (!stat) throw usageError('E_USAGE', `invalid value for ${flag}: ${JSON.stringify(value)} does not exist (allowed: an existing readable directory)`);
  if (!stat.isDirectory()) throw usageError('E_USAGE', `invalid value for ${flag}: ${JSON.stringify(value)} is not a directory (allowed: an existing readable directory)`);
  try {
    accessSync(path, constants.R_OK | constants.X_OK);
    readdirSync(path);
  } catch {
    throw usageError('E_USAGE', `invalid value for ${flag}: ${JSON.stringify(value)} is not readable (allowed: an existing readable directory)`);
  }
  return path;
}

/** A readable regular file, else a usage error naming the flag. */
export function requireReadableFile(flag: string, value: string, cwd: string, allowed = 'an existing readable file'): string {
  const path = resolvePath(cwd, value);
  const stat = statOrUndefined(path);
  if (!stat) throw usageError('E_USAGE', `invalid value for ${flag}: ${JSON.stringify(value)} does not exist (allowed: ${allowed})`);
  if (!stat.isFile()) throw usageError('E_USAGE', `invalid value for ${flag}: ${JSON.stringify(value)} is not a file (allowed: ${allowed})`);
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw usageError('E_USAGE', `invalid value for ${flag}: ${JSON.stringify(value)} is not readable (allowed: ${allowed})`);
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
  if (stat?.isDirectory()) throw usageError('E_USAGE', `invalid value for ${flag}: ${JSON.stringify(value)} is a directory (allowed: ${allowed})`);
  const parent = resolve(path, '..');
  const parentStat = statOrUndefined(parent);
  if (!parentStat || !parentStat.isDirectory()) {
    throw usageError('E_USAGE', `invalid value for ${flag}: ${JSON.stringify(value)}: directory ${JSON.stringify(parent)} does not exist (allowed: ${allowed})`);
  }
  try {
    accessSync(parent, constants.W_OK);
  } catch {
    throw usageError('E_USAGE', `invalid value for ${flag}: ${JSON.stringify(value)}: directory is not writable (allowed: ${allowed})`);
  }
  return path;
}
