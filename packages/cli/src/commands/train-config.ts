import { accessSync, constants, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { type BackendRegistry, usageError } from '@tfbricks/core';
import { type AugmentSettings, resolveAugmentSettings } from '../augment-options';
import { validateBackendChoice } from '../backends';
import { resolveModelChoice, type ModelChoice } from '../models';
import { exists, requireReadableDir, resolvePath } from '../paths';
import { hasEntries, readRunConfig, runDirTaken } from '../run-dir';
import { invalid, parseChoice, parseInteger, parseNumber } from '../values';
import { DATASETS, LABEL_MODES, OPTIMIZERS, PROGRESS_MODES, CIFAR_INPUT_SHAPE, classCount } from '../choices';
import { TRAIN_DEFAULTS } from './train-options';
import { requireDatasetFiles } from '../data';

/** The resolved, JSON-serialisable configuration of a training run (saved as `config.json`). */
export interface TrainConfig {
  model: ModelChoice;
  dataset: (typeof DATASETS)[number];
  labelMode: (typeof LABEL_MODES)[number];
  dataDir: string | null;
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: string;
  augment: boolean;
  augmentation: AugmentSettings;
  backend: string | null;
  seed: number;
  validationSplit: number;
  limitTrain: number | null;
  limitTest: number | null;
  runDir: string;
}

/** What `train` will do with the run dir. */
export type RunDirMode = 'new' | 'continue' | 'overwrite';

export interface ResolvedTrain {
  config: TrainConfig;
  mode: RunDirMode;
  progress: (typeof PROGRESS_MODES)[number];
}

/** Keys that may differ between invocations of the same run (everything else must match). */
const MAY_CHANGE: (keyof TrainConfig)[] = ['epochs', 'backend', 'dataDir', 'runDir'];

/** With `--resume`, only these flags may be given too. */
const RESUME_FLAGS = ['resume', 'epochs', 'backend', 'dataDir', 'progress'];

function timestampDir(now: Date): string {
  return `runs/${now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')}`;
}

function identity(config: TrainConfig): string {
  const copy: Record<string, unknown> = { ...config };
  for (const key of MAY_CHANGE) delete copy[key];
  return JSON.stringify(copy);
}

/**
 * Validate every `train` flag into a config, reading (never writing) the filesystem.
 * Throws a usage error naming the flag, the value and what is allowed.
 */
export function resolveTrainConfig(
  opts: Record<string, unknown>,
  ctx: { cwd: string; env: Record<string, string | undefined>; registry: BackendRegistry; now?: Date },
): ResolvedTrain {
  const str = (key: string) => (typeof opts[key] === 'string' ? (opts[key] as string) : undefined);
  const progress = str('progress') !== undefined ? parseChoice('--progress', str('progress')!, PROGRESS_MODES) : 'auto';

  if (str('resume') !== undefined) return resolveResume(opts, ctx, progress);

  let v: string | undefined;
  const dataset = (v = str('dataset')) !== undefined ? parseChoice('--dataset', v, DATASETS) : TRAIN_DEFAULTS.dataset;
  const labelMode = (v = str('labelMode')) !== undefined ? parseChoice('--label-mode', v, LABEL_MODES) : 'fine';
  if (str('labelMode') !== undefined && dataset !== 'cifar100') invalid('--label-mode', str('labelMode')!, 'only with --dataset cifar100');
  const epochs = (v = str('epochs')) !== undefined ? parseInteger('--epochs', v, 1) : TRAIN_DEFAULTS.epochs;
  const batchSize = (v = str('batchSize')) !== undefined ? parseInteger('--batch-size', v, 1) : TRAIN_DEFAULTS.batchSize;
  const learningRate = (v = str('lr')) !== undefined ? parseNumber('--lr', v, { min: 0, minExclusive: true }) : TRAIN_DEFAULTS.lr;
  const optimizer = (v = str('optimizer')) !== undefined ? parseChoice('--optimizer', v, OPTIMIZERS) : TRAIN_DEFAULTS.optimizer;
  const seed = (v = str('seed')) !== undefined ? parseInteger('--seed', v, 0, 0xffffffff) : TRAIN_DEFAULTS.seed;
  const validationSplit =
    (v = str('validationSplit')) !== undefined ? parseNumber('--validation-split', v, { min: 0, max: 1, maxExclusive: true }) : TRAIN_DEFAULTS.validationSplit;
  const limitTrain = (v = str('limitTrain')) !== undefined ? parseInteger('--limit-train', v, 1) : null;
  const limitTest = (v = str('limitTest')) !== undefined ? parseInteger('--limit-test', v, 1) : null;
  const augment = opts.augment !== false;
  const augmentation = resolveAugmentSettings(opts);
  const numClasses = classCount(dataset, labelMode);
  const model = resolveModelChoice('--model', str('model') ?? TRAIN_DEFAULTS.model, ctx.cwd, { numClasses, inputShape: CIFAR_INPUT_SHAPE });
  const backend = validateBackendChoice(ctx.registry, str('backend'), ctx.env) ?? null;
  const dataDir = (v = str('dataDir')) !== undefined ? requireReadableDir('--data-dir', v, ctx.cwd) : null;
  if (dataDir !== null) requireDatasetFiles('--data-dir', v!, dataset, dataDir);
  if (limitTrain !== null && validationSplit > 0 && Math.floor(limitTrain * validationSplit) < 1) {
    invalid('--validation-split', str('validationSplit')!, `a fraction that leaves at least one of the ${limitTrain} --limit-train images for validation`);
  }

  const runDirValue = str('runDir') ?? timestampDir(ctx.now ?? new Date());
  const runDir = resolvePath(ctx.cwd, runDirValue);
  const config: TrainConfig = {
    model,
    dataset,
    labelMode,
    dataDir,
    epochs,
    batchSize,
    learningRate,
    optimizer,
    augment,
    augmentation,
    backend,
    seed,
    validationSplit,
    limitTrain,
    limitTest,
    runDir,
  };

  requireCreatableDir('--run-dir', runDirValue, runDir);
  let mode: RunDirMode = 'new';
  if (exists(runDir)) {
    if (!isDirectory(runDir)) invalid('--run-dir', runDirValue, 'a directory path (this is a file)');
    if (hasEntries(runDir)) {
      const previous = readRunConfig<TrainConfig>(runDir);
      if (opts.overwrite === true) {
        if (!previous) runDirTaken('--run-dir', runDirValue, 'files that are not a tfbricks run (refusing to delete them)');
        mode = 'overwrite';
      } else if (!previous) {
        runDirTaken('--run-dir', runDirValue, 'files that are not a tfbricks run');
      } else if (identity(previous) !== identity(config)) {
        runDirTaken('--run-dir', runDirValue, `a different run (${describeDifference(previous, config)})`);
      } else {
        mode = 'continue';
      }
    }
  }
  return { config, mode, progress };
}

/** The nearest existing ancestor of `dir` must be a writable directory (nothing is created here). */
function requireCreatableDir(flag: string, shown: string, dir: string): void {
  let probe = dir;
  while (!exists(probe)) {
    const parent = dirname(probe);
    if (parent === probe) break;
    probe = parent;
  }
  if (probe !== dir && !isDirectory(probe)) invalid(flag, shown, `a directory path (${probe} is a file)`);
  try {
    accessSync(probe, constants.W_OK);
  } catch {
    invalid(flag, shown, `a directory you can write to (${probe} is not writable)`);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function describeDifference(a: TrainConfig, b: TrainConfig): string {
  const keys = (Object.keys(b) as (keyof TrainConfig)[]).filter((k) => !MAY_CHANGE.includes(k) && JSON.stringify(a[k]) !== JSON.stringify(b[k]));
  return keys.length ? `it differs in ${keys.join(', ')}` : 'its config differs';
}

function resolveResume(
  opts: Record<string, unknown>,
  ctx: { cwd: string; env: Record<string, string | undefined>; registry: BackendRegistry },
  progress: ResolvedTrain['progress'],
): ResolvedTrain {
  const value = opts.resume as string;
  const dir = resolvePath(ctx.cwd, value);
  if (!exists(dir)) invalid('--resume', value, 'an existing run directory written by tfbricks train');
  const previous = readRunConfig<TrainConfig>(dir);
  if (!previous) invalid('--resume', value, `a run directory holding ${'config.json'} (written by tfbricks train); this one has none`);
  const extra = Object.keys(opts).filter((k) => opts[k] !== undefined && !RESUME_FLAGS.includes(k));
  if (extra.length) {
    const flag = `--${extra[0].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw usageError('E_USAGE', `invalid option ${flag} with --resume ${JSON.stringify(value)} (allowed with --resume: --epochs, --backend, --data-dir, --progress; the rest comes from the run's config.json)`);
  }
  let v: string | undefined;
  const epochs = typeof (v = opts.epochs as string | undefined) === 'string' ? parseInteger('--epochs', v, 1) : previous.epochs;
  const backendFlag = typeof opts.backend === 'string' ? (opts.backend as string) : undefined;
  const backend = backendFlag !== undefined ? validateBackendChoice(ctx.registry, backendFlag, ctx.env) ?? null : previous.backend;
  if (backendFlag === undefined) validateBackendChoice(ctx.registry, undefined, ctx.env);
  let dataDir = previous.dataDir;
  if (typeof opts.dataDir === 'string') {
    dataDir = requireReadableDir('--data-dir', opts.dataDir, ctx.cwd);
    requireDatasetFiles('--data-dir', opts.dataDir, previous.dataset, dataDir);
  }
  else if (dataDir !== null && !exists(dataDir)) invalid('--data-dir', dataDir, `an existing directory (the run's data dir is gone; pass --data-dir)`);
  return { config: { ...previous, epochs, backend, dataDir, runDir: dir }, mode: 'continue', progress };
}
