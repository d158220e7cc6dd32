import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type BackendRegistry, usageError, echo } from '@tfbricks/core';
import { type AugmentSettings, resolveAugmentSettings } from '../augment-options';
import { validateBackendChoice } from '../backends';
import { resolveModelChoice, type ModelChoice } from '../models';
import { exists, requireReadableDir, requireWritableDir, resolvePath } from '../paths';
import { CONFIG_FILE, hasEntries, readRunConfig, runDirTaken } from '../run-dir';
import { isRunArtefact } from '../run-files';
import { LOCK_FILE, lockHolder, lockedError } from '@tfbricks/core/node';
import { invalid, parseChoice, parseInteger, parseNumber } from '../values';
import { DATASETS, LABEL_MODES, OPTIMIZERS, PROGRESS_MODES, CIFAR_INPUT_SHAPE, classCount } from '../choices';
import { TRAIN_DEFAULTS } from './train-options';
import { requireDatasetFiles } from '../data';
import { resolveFolderFlags } from '../image-folder';

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
  /** Folder of class subfolders: `[height, width]` the images are resized to; null for CIFAR. */
  imageSize?: [number, number] | null;
  skipBadImages?: boolean;
  runDir: string;
}

/** What `train` will do with the run dir. */
export type RunDirMode = 'new' | 'continue' | 'overwrite';

export interface ResolvedTrain {
  config: TrainConfig;
  mode: RunDirMode;
  progress: (typeof PROGRESS_MODES)[number];
  /** `--data-changed-ok`: continue even if the data's fingerprint changed. */
  dataChangedOk: boolean;
}

/** Keys that may differ between invocations of the same run (everything else must match). */
const MAY_CHANGE: (keyof TrainConfig)[] = ['epochs', 'backend', 'dataDir', 'runDir'];

/** With `--resume`, only these flags may be given too. */
const RESUME_FLAGS = ['resume', 'epochs', 'backend', 'dataDir', 'progress', 'dataChangedOk'];

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
  const dataDir = (v = str('dataDir')) !== undefined ? requireReadableDir('--data-dir', v, ctx.cwd) : null;
  const folder = resolveFolderFlags(opts, dataDir);
  if (dataDir !== null && !folder.classes) requireDatasetFiles('--data-dir', v!, dataset, dataDir);
  const numClasses = folder.classes ? folder.classes.length : classCount(dataset, labelMode);
  const inputShape = folder.imageSize ? [...folder.imageSize, 3] : CIFAR_INPUT_SHAPE;
  const model = resolveModelChoice('--model', str('model') ?? TRAIN_DEFAULTS.model, ctx.cwd, { numClasses, inputShape });
  const backend = validateBackendChoice(ctx.registry, str('backend'), ctx.env) ?? null;
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
    ...(folder.imageSize ? { imageSize: folder.imageSize, skipBadImages: folder.skipBadImages } : {}),
    runDir,
  };

  requireWritableDir('--run-dir', runDirValue, ctx.cwd, 'a directory you can write to');
  let mode: RunDirMode = 'new';
  if (exists(runDir)) {
    const holder = lockHolder(runDir);
    if (holder) throw lockedError(runDir, holder);
    if (!isDirectory(runDir)) invalid('--run-dir', runDirValue, 'a directory path (this is a file)');
    if (hasEntries(runDir) && !onlyLeftovers(runDir)) {
      const previous = readRunConfig<TrainConfig>(runDir);
      if (opts.overwrite === true) {
        if (!previous) runDirTaken('--run-dir', runDirValue, 'files that are not a tfbricks run (refusing to delete them)');
        mode = 'overwrite';
      } else if (!previous) {
        runDirTaken('--run-dir', runDirValue, 'files that are not a tfbricks run');
      } else if (identity(previous) !== identity(config)) {
        runDirTaken('--run-dir', runDirValue, `a different run (${describeDifference(previous, config)})`);
      } else {
        checkStoredConfig(previous, runDir);
        mode = 'continue';
      }
    }
  }
  return { config, mode, progress, dataChangedOk: opts.dataChangedOk === true };
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
  if (!isDirectory(dir)) invalid('--resume', value, 'a run directory written by tfbricks train (this is a file)');
  const holder = lockHolder(dir);
  if (holder) throw lockedError(dir, holder);
  const previous = readRunConfig<TrainConfig>(dir);
  if (!previous) invalid('--resume', value, `a run directory holding ${'config.json'} (written by tfbricks train); this one has none`);
  const extra = Object.keys(opts).filter((k) => opts[k] !== undefined && !RESUME_FLAGS.includes(k));
  if (extra.length) {
    const flag = `--${extra[0].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw usageError('E_USAGE', `invalid option ${flag} with --resume ${echo(value)} (allowed with --resume: --epochs, --backend, --data-dir, --progress, --data-changed-ok; the rest comes from the run's config.json)`);
  }
  checkStoredConfig(previous, dir);
  let v: string | undefined;
  const epochs = typeof (v = opts.epochs as string | undefined) === 'string' ? parseInteger('--epochs', v, 1) : previous.epochs;
  const backendFlag = typeof opts.backend === 'string' ? (opts.backend as string) : undefined;
  const backend = backendFlag !== undefined ? validateBackendChoice(ctx.registry, backendFlag, ctx.env) ?? null : previous.backend;
  if (backendFlag === undefined) validateBackendChoice(ctx.registry, undefined, ctx.env);
  let dataDir = previous.dataDir;
  if (typeof opts.dataDir === 'string') {
    dataDir = requireReadableDir('--data-dir', opts.dataDir, ctx.cwd);
    if (!previous.imageSize) requireDatasetFiles('--data-dir', opts.dataDir, previous.dataset, dataDir);
  }
  else if (dataDir !== null && !exists(dataDir)) invalid('--data-dir', dataDir, `an existing directory (the run's data dir is gone; pass --data-dir)`);
  return { config: { ...previous, epochs, backend, dataDir, runDir: dir }, mode: 'continue', progress, dataChangedOk: opts.dataChangedOk === true };
}

/**
 * The values of a run's stored `config.json` must be what `train` itself would accept: a
 * hand-edited `batchSize: 0` or `learningRate: -5` is named with the file, not found later
 * deep inside the optimizer.
 */
function checkStoredConfig(c: TrainConfig, runDir: string): void {
  const file = join(runDir, CONFIG_FILE);
  const bad = (key: string, value: unknown, allowed: string): never => {
    throw usageError('E_RUN_CONFIG', `run config ${JSON.stringify(file)}: "${key}" must be ${allowed}, got ${echo(value)}`, 'fix the value in config.json, or start a new run');
  };
  const int = (key: keyof TrainConfig, min: number, max = Number.MAX_SAFE_INTEGER, nullable = false) => {
    const v = c[key] as unknown;
    if (nullable && v === null) return;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) bad(key, v, `an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}${nullable ? ', or null' : ''}`);
  };
  const choice = (key: keyof TrainConfig, allowed: readonly string[]) => {
    if (!allowed.includes(c[key] as string)) bad(key, c[key], `one of ${allowed.join(', ')}`);
  };
  int('epochs', 1);
  int('batchSize', 1);
  int('seed', 0, 0xffffffff);
  int('limitTrain', 1, Number.MAX_SAFE_INTEGER, true);
  int('limitTest', 1, Number.MAX_SAFE_INTEGER, true);
  if (typeof c.learningRate !== 'number' || !Number.isFinite(c.learningRate) || c.learningRate <= 0) bad('learningRate', c.learningRate, 'a number > 0');
  if (typeof c.validationSplit !== 'number' || !(c.validationSplit >= 0 && c.validationSplit < 1)) bad('validationSplit', c.validationSplit, 'a number in [0, 1)');
  choice('dataset', DATASETS);
  choice('labelMode', LABEL_MODES);
  choice('optimizer', OPTIMIZERS);
  if (typeof c.augment !== 'boolean') bad('augment', c.augment, 'true or false');
  if (c.dataDir !== null && typeof c.dataDir !== 'string') bad('dataDir', c.dataDir, 'a path or null');
  if (c.backend !== null && typeof c.backend !== 'string') bad('backend', c.backend, 'a backend name or null');
  if (!c.model || typeof c.model !== 'object') bad('model', c.model, 'a model choice (as train wrote it)');
  if (!c.augmentation || typeof c.augmentation !== 'object') bad('augmentation', c.augmentation, 'the augmentation settings (as train wrote them)');
}

/**
 * True when a run dir holds only what a `train` killed before it wrote its records left behind
 * (its stale lock, temporaries of tfbricks' own files): nothing of the user's, no run to continue.
 */
function onlyLeftovers(runDir: string): boolean {
  if (exists(join(runDir, CONFIG_FILE))) return false;
  return readdirSync(runDir).every((entry) => entry === LOCK_FILE || isRunArtefact(entry));
}
