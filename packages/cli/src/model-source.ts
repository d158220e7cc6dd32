import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelSpec } from '@tfbricks/core';
import { type ModelChoice, resolveModelChoice, specFor } from './models';
import { resolvePath } from './paths';
import { RUN_LAYOUT, readRunConfig } from './run-dir';
import type { TrainConfig } from './commands/train-config';
import { invalid, parseChoice } from './values';
import { CIFAR_INPUT_SHAPE, DATASETS, LABEL_MODES, classCount } from './choices';

/** Files that mark a saved model directory (written by `saveModel` of @tfbricks/layers). */
export const SAVED_MODEL_MARKER = 'model.json';

/** A model named on the command line: a spec (zoo/file), a run dir, or a saved model dir. */
export type ModelSource =
  | { kind: 'spec'; choice: ModelChoice; spec: ModelSpec }
  | { kind: 'run'; runDir: string; config: TrainConfig; modelDir: string }
  | { kind: 'saved'; modelDir: string };

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Directory holding a saved model? */
export function isSavedModelDir(dir: string): boolean {
  return existsSync(join(dir, SAVED_MODEL_MARKER));
}

/** Resolve a run dir or saved-model dir argument (never a spec). */
export function resolveModelDir(flag: string, value: string, cwd: string): Extract<ModelSource, { kind: 'run' | 'saved' }> {
  const allowed = 'a run directory written by tfbricks train, or a saved model directory (with model.json)';
  const path = resolvePath(cwd, value);
  if (!existsSync(path)) invalid(flag, value, `${allowed}; it does not exist`);
  if (!isDirectory(path)) invalid(flag, value, `${allowed}; this is a file`);
  const config = readRunConfig<TrainConfig>(path);
  if (config) {
    const modelDir = join(path, RUN_LAYOUT.finalModel);
    if (!isSavedModelDir(modelDir)) invalid(flag, value, `a run that has finished (this run has no ${RUN_LAYOUT.finalModel}/${SAVED_MODEL_MARKER} yet; resume it with tfbricks train --resume)`);
    return { kind: 'run', runDir: path, config, modelDir };
  }
  if (isSavedModelDir(path)) return { kind: 'saved', modelDir: path };
  return invalid(flag, value, allowed);
}

/** `--dataset`/`--label-mode` for shaping zoo models. */
export function resolveShape(opts: Record<string, unknown>): { numClasses: number; inputShape: number[]; dataset: (typeof DATASETS)[number]; labelMode: (typeof LABEL_MODES)[number] } {
  const dataset = typeof opts.dataset === 'string' ? parseChoice('--dataset', opts.dataset, DATASETS) : 'cifar10';
  const labelMode = typeof opts.labelMode === 'string' ? parseChoice('--label-mode', opts.labelMode, LABEL_MODES) : 'fine';
  if (typeof opts.labelMode === 'string' && dataset !== 'cifar100') invalid('--label-mode', opts.labelMode, 'only with --dataset cifar100');
  const numClasses = classCount(dataset, labelMode);
  return { numClasses, inputShape: CIFAR_INPUT_SHAPE, dataset, labelMode };
}

/** `--model` for summary/plot-model: zoo name, spec file, run dir or saved model dir. */
export function resolveAnyModel(flag: string, value: string, cwd: string, shape: { numClasses: number; inputShape: number[] }): ModelSource {
  const path = resolvePath(cwd, value);
  if (existsSync(path) && isDirectory(path)) return resolveModelDir(flag, value, cwd);
  const choice = resolveModelChoice(flag, value, cwd, shape);
  return { kind: 'spec', choice, spec: specFor(choice, shape) };
}
