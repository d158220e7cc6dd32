import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { usageError, echo } from '@tfbricks/core';
import { readJsonFileSync } from '@tfbricks/core/node';

/** The file that marks a directory as a tfbricks run and holds its resolved config. */
export const CONFIG_FILE = 'config.json';
/** Written when a run has finished all its epochs. */
export const DONE_FILE = 'DONE';

/** The run-dir layout (relative to the run dir). */
export const RUN_LAYOUT = {
  config: CONFIG_FILE,
  metrics: 'metrics.csv',
  tensorboard: 'tensorboard',
  checkpoints: 'checkpoints',
  backup: 'backup',
  finalModel: 'model',
  curves: 'training-curves',
  modelPlot: 'model-plot',
  evaluation: 'evaluation',
  done: DONE_FILE,
  /** Size and hash of each data file the run trains on (checked on resume). */
  dataFingerprint: 'data-fingerprint.json',
  classNames: 'class-names.json',
} as const;

/**
 * Read a run's config: undefined when `dir` holds no `config.json`; a usage error naming the
 * file when it exists but cannot be read, is not valid JSON or is not a tfbricks run config.
 */
export function readRunConfig<T = Record<string, unknown>>(dir: string): T | undefined {
  const file = join(dir, CONFIG_FILE);
  try {
    statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
  }
  const parsed = readJsonFileSync(file, { what: 'run config', maxBytes: 1024 * 1024, maxDepth: 16, code: 'E_RUN_CONFIG', hint: 'restore it from a backup, or start a new run with another --run-dir' }) as {
    tfbricksRun?: number;
    config?: T;
  };
  if (!parsed || typeof parsed !== 'object' || parsed.tfbricksRun !== 1 || !parsed.config || typeof parsed.config !== 'object') {
    throw usageError('E_RUN_CONFIG', `run config ${JSON.stringify(file)} is not a tfbricks run config (it needs "tfbricksRun": 1 and a "config" object)`, 'restore it from a backup, or start a new run with another --run-dir');
  }
  return parsed.config;
}

/** True when `dir` has entries. */
export function hasEntries(dir: string): boolean {
  try {
    return readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}

/** A usage error for a run dir that holds something else. */
export function runDirTaken(flag: string, value: string, what: string): never {
  throw usageError(
    'E_USAGE',
    `invalid value for ${flag}: ${echo(value)} already holds ${what} (allowed: an empty or new directory, the same run to continue it, or --overwrite)`,
  );
}
