import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { usageError } from '@tfbricks/core';

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
} as const;

/** Read a run's config, or undefined when the dir holds no tfbricks run. */
export function readRunConfig<T = Record<string, unknown>>(dir: string): T | undefined {
  const file = join(dir, CONFIG_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { tfbricksRun?: number; config?: T };
    if (parsed && typeof parsed === 'object' && parsed.tfbricksRun === 1 && parsed.config) return parsed.config;
  } catch {
    // fall through: not a readable run config
  }
  return undefined;
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
    `invalid value for ${flag}: ${JSON.stringify(value)} already holds ${what} (allowed: an empty or new directory, the same run to continue it, or --overwrite)`,
  );
}
