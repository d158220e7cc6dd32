import { usageError } from '@tfbricks/core';
import type { EarlyStoppingRule, FlagValue, Mode, Objective, RangeSpec, SpaceSpec, SweepSpec } from './spec';

/** Most trials one sweep may hold (a hostile file cannot make the grid explode). */
export const MAX_TRIALS = 10_000;
/** Most values one space dimension may list. */
export const MAX_VALUES = 1_000;

/**
 * Validates one trial's train flags: throws a usage error naming `where` — `space.lr[1]`,
 * `space.lr.max`, or `base` (then the validator names the base key it rejects).
 */
export type FlagValidator = (flags: Record<string, FlagValue>, where: string) => void;

const TOP_KEYS = ['base', 'space', 'method', 'trials', 'seed', 'objective', 'mode', 'early-stopping'];
const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** A usage error about one key of the sweep file: names the file, the key, the value and what is allowed. */
export function sweepFileError(source: string, key: string, value: unknown, allowed: string): never {
  const shown = value === undefined ? 'missing' : JSON.stringify(value);
  throw usageError('E_SWEEP_FILE', `invalid sweep file ${source}: ${key}: ${shown} (allowed: ${allowed})`, undefined, { key, allowed });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isFlagValue(v: unknown): v is FlagValue {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

function integerIn(source: string, key: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) sweepFileError(source, key, v, `an integer from ${min} to ${max}`);
  return v;
}

function parseFlags(source: string, key: string, v: unknown): Record<string, FlagValue> {
  if (v === undefined) return {};
  if (!isObject(v)) sweepFileError(source, key, v, 'an object of train flags, e.g. {"model": "tiny", "epochs": 2}');
  for (const [flag, value] of Object.entries(v)) {
    if (!KEBAB.test(flag)) sweepFileError(source, `${key}.${flag}`, value, 'train flags in kebab-case without dashes, e.g. "batch-size"');
    if (!isFlagValue(value)) sweepFileError(source, `${key}.${flag}`, value, 'a string, a finite number or a boolean');
  }
  return v as Record<string, FlagValue>;
}

function parseRange(source: string, key: string, v: Record<string, unknown>): RangeSpec {
  for (const k of Object.keys(v)) if (!['min', 'max', 'log', 'integer'].includes(k)) sweepFileError(source, `${key}.${k}`, v[k], 'min, max, log, integer');
  const { min, max } = v;
  if (typeof min !== 'number' || !Number.isFinite(min)) sweepFileError(source, `${key}.min`, min, 'a finite number');
  if (typeof max !== 'number' || !Number.isFinite(max) || max <= min) sweepFileError(source, `${key}.max`, max, `a finite number > min (${min})`);
  const log = v.log ?? false;
  const integer = v.integer ?? false;
  if (typeof log !== 'boolean') sweepFileError(source, `${key}.log`, log, 'true or false');
  if (typeof integer !== 'boolean') sweepFileError(source, `${key}.integer`, integer, 'true or false');
  if (log && min <= 0) sweepFileError(source, `${key}.min`, min, 'a number > 0 with "log": true');
  return { min, max, log, integer };
}

function parseSpace(source: string, v: unknown, method: SweepSpec['method'], base: Record<string, FlagValue>): Record<string, SpaceSpec> {
  if (!isObject(v) || Object.keys(v).length === 0) sweepFileError(source, 'space', v, 'an object of at least one train flag to vary, e.g. {"lr": [0.001, 0.01]}');
  const space: Record<string, SpaceSpec> = {};
  for (const [flag, dim] of Object.entries(v)) {
    const key = `space.${flag}`;
    if (!KEBAB.test(flag)) sweepFileError(source, key, dim, 'train flags in kebab-case, e.g. "batch-size"');
    if (flag in base) sweepFileError(source, key, dim, `a flag that is not also set in base (base.${flag} is ${JSON.stringify(base[flag])})`);
    if (Array.isArray(dim)) {
      if (dim.length === 0 || dim.length > MAX_VALUES) sweepFileError(source, key, dim, `a list of 1 to ${MAX_VALUES} values`);
      dim.forEach((x, i) => {
        if (!isFlagValue(x)) sweepFileError(source, `${key}[${i}]`, x, 'a string, a finite number or a boolean');
      });
      space[flag] = dim as FlagValue[];
    } else if (isObject(dim)) {
      if (method === 'grid') sweepFileError(source, key, dim, 'a list of values with "method": "grid" (ranges need "method": "random")');
      space[flag] = parseRange(source, key, dim);
    } else {
      sweepFileError(source, key, dim, 'a list of values, or {"min", "max", "log"} for random search');
    }
  }
  return space;
}

function gridSize(space: Record<string, SpaceSpec>): number {
  let n = 1;
  for (const dim of Object.values(space)) n *= (dim as FlagValue[]).length;
  return n;
}

function parseEarlyStopping(source: string, v: unknown): EarlyStoppingRule | null {
  if (v === undefined || v === null) return null;
  const key = 'early-stopping';
  if (!isObject(v)) sweepFileError(source, key, v, '{"rule": "median"} or {"rule": "asha"}');
  const allowedKeys = v.rule === 'median' ? ['rule', 'grace-epochs', 'min-trials'] : ['rule', 'min-epochs', 'reduction-factor'];
  if (v.rule !== 'median' && v.rule !== 'asha') sweepFileError(source, `${key}.rule`, v.rule, 'median, asha');
  for (const k of Object.keys(v)) if (!allowedKeys.includes(k)) sweepFileError(source, `${key}.${k}`, v[k], allowedKeys.join(', '));
  if (v.rule === 'median') {
    return {
      rule: 'median',
      graceEpochs: v['grace-epochs'] === undefined ? 1 : integerIn(source, `${key}.grace-epochs`, v['grace-epochs'], 0, 100_000),
      minTrials: v['min-trials'] === undefined ? 3 : integerIn(source, `${key}.min-trials`, v['min-trials'], 1, MAX_TRIALS),
    };
  }
  return {
    rule: 'asha',
    minEpochs: v['min-epochs'] === undefined ? 1 : integerIn(source, `${key}.min-epochs`, v['min-epochs'], 1, 100_000),
    reductionFactor: v['reduction-factor'] === undefined ? 3 : integerIn(source, `${key}.reduction-factor`, v['reduction-factor'], 2, 100),
  };
}

/**
 * Validate a parsed sweep file completely (structure, and every train flag through `validateFlags`)
 * before anything runs. `source` names the file in messages. Throws a usage error naming the key.
 */
export function parseSweepSpec(value: unknown, source: string, validateFlags?: FlagValidator): SweepSpec {
  if (!isObject(value)) sweepFileError(source, '(top level)', value, `an object with ${TOP_KEYS.join(', ')}`);
  for (const k of Object.keys(value)) if (!TOP_KEYS.includes(k)) sweepFileError(source, k, value[k], `the keys ${TOP_KEYS.join(', ')}`);
  const method = value.method ?? 'grid';
  if (method !== 'grid' && method !== 'random') sweepFileError(source, 'method', method, 'grid, random');
  const base = parseFlags(source, 'base', value.base);
  const space = parseSpace(source, value.space, method, base);
  let trials: number;
  if (method === 'grid') {
    const size = gridSize(space);
    if (size > MAX_TRIALS) sweepFileError(source, 'space', `${size} grid points`, `at most ${MAX_TRIALS} grid points`);
    trials = value.trials === undefined ? size : integerIn(source, 'trials', value.trials, 1, size);
  } else {
    if (value.trials === undefined) sweepFileError(source, 'trials', undefined, `an integer from 1 to ${MAX_TRIALS} (required with "method": "random")`);
    trials = integerIn(source, 'trials', value.trials, 1, MAX_TRIALS);
  }
  const seed = value.seed === undefined ? 0 : integerIn(source, 'seed', value.seed, 0, 0xffffffff);
  const objective = (value.objective ?? 'val_acc') as Objective;
  if (objective !== 'val_acc' && objective !== 'val_loss') sweepFileError(source, 'objective', objective, 'val_acc, val_loss');
  const mode = (value.mode ?? (objective === 'val_acc' ? 'max' : 'min')) as Mode;
  if (mode !== 'max' && mode !== 'min') sweepFileError(source, 'mode', mode, 'max, min');
  const earlyStopping = parseEarlyStopping(source, value['early-stopping']);
  const spec: SweepSpec = { base, space, method, trials, seed, objective, mode, earlyStopping };
  if (validateFlags) validateSpecFlags(spec, validateFlags);
  return spec;
}

/**
 * Every value the sweep can give a flag, checked with the base: each list entry, and both
 * ends of each range (so a bad value anywhere fails before any trial runs).
 */
function validateSpecFlags(spec: SweepSpec, validate: FlagValidator): void {
  const first: Record<string, FlagValue> = {};
  for (const [flag, dim] of Object.entries(spec.space)) first[flag] = Array.isArray(dim) ? dim[0] : endpoint(dim as RangeSpec, 'min');
  validate({ ...spec.base, ...first }, 'base');
  for (const [flag, dim] of Object.entries(spec.space)) {
    if (Array.isArray(dim)) {
      dim.forEach((x, i) => validate({ ...spec.base, ...first, [flag]: x }, `space.${flag}[${i}]`));
    } else {
      const range = dim as RangeSpec;
      validate({ ...spec.base, ...first, [flag]: endpoint(range, 'min') }, `space.${flag}.min`);
      validate({ ...spec.base, ...first, [flag]: endpoint(range, 'max') }, `space.${flag}.max`);
    }
  }
}

function endpoint(range: RangeSpec, end: 'min' | 'max'): number {
  const v = range[end];
  return range.integer ? (end === 'min' ? Math.ceil(v) : Math.floor(v)) : v;
}

/** Parse sweep file text (JSON) and validate it. */
export function parseSweepText(text: string, source: string, validateFlags?: FlagValidator): SweepSpec {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw usageError('E_SWEEP_FILE', `invalid sweep file ${source}: not valid JSON (${(error as Error).message})`, 'write the sweep as a JSON object: {"base": {...}, "space": {...}, "method": "grid"}');
  }
  return parseSweepSpec(value, source, validateFlags);
}
