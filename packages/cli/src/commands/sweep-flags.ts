import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { Option } from 'commander';
import { type BackendRegistry, isTfbricksError, usageError } from '@tfbricks/core';
import type { FlagValidator, FlagValue } from '@tfbricks/sweep';
import { CliCommand } from '../program';
import { resolveTrainConfig } from './train-config';
import { defineTrainOptions } from './train-options';

/** Train flags the sweep sets itself for every trial. */
const RESERVED: Record<string, string> = {
  'run-dir': 'set by the sweep: each trial trains into <sweep-dir>/trials/<id>',
  resume: 'set by the sweep: an interrupted trial is resumed from its checkpoint',
  overwrite: 'not for sweeps: a sweep never deletes a trial',
  progress: 'set by the sweep (one line per epoch)',
};

/** Train flags whose values are paths, resolved against the sweep file's directory. */
const PATH_FLAGS = ['data-dir', 'model'];

/** A fresh `train` command definition: the one place train flags are declared. */
function trainDefinition(): CliCommand {
  const cmd = new CliCommand('train');
  defineTrainOptions(cmd);
  cmd.exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined, outputError: () => undefined });
  return cmd;
}

function optionFor(options: readonly Option[], flag: string): Option | undefined {
  return options.find((o) => o.long === `--${flag}`);
}

/** The sweep file's train flags, as `train` arguments (true: `--flag`, false: `--no-flag`). */
export function trainArgv(flags: Record<string, FlagValue>, source = 'the sweep file', where = 'base'): string[] {
  const { options } = trainDefinition();
  const argv: string[] = [];
  const names = options.filter((o) => o.long && !RESERVED[o.long.slice(2)]).map((o) => o.long!.slice(2));
  for (const [flag, value] of Object.entries(flags)) {
    const key = where === 'base' ? `base.${flag}` : where;
    const shown = JSON.stringify(value);
    if (RESERVED[flag]) throw usageError('E_SWEEP_FILE', `invalid sweep file ${source}: ${key}: ${shown} (allowed: not this flag, ${RESERVED[flag]})`);
    const option = optionFor(options, flag);
    if (!option) throw usageError('E_SWEEP_FILE', `invalid sweep file ${source}: ${key}: unknown train flag ${JSON.stringify(flag)} (allowed: ${names.join(', ')})`);
    const takesValue = option.required || option.optional;
    if (!takesValue) {
      if (value === true) argv.push(`--${flag}`);
      else if (value === false && optionFor(options, `no-${flag}`)) argv.push(`--no-${flag}`);
      else throw usageError('E_SWEEP_FILE', `invalid sweep file ${source}: ${key}: ${shown} (allowed: ${optionFor(options, `no-${flag}`) ? 'true or false' : 'true (leave it out for false)'})`);
    } else {
      if (typeof value === 'boolean') throw usageError('E_SWEEP_FILE', `invalid sweep file ${source}: ${key}: ${shown} (allowed: ${option.description})`);
      argv.push(`--${flag}`, String(value));
    }
  }
  return argv;
}

function parseTrainArgv(argv: string[]): Record<string, unknown> {
  const cmd = trainDefinition();
  cmd.parse(argv, { from: 'user' });
  return cmd.opts();
}

/**
 * The sweep-file key a train error is about: the base key its flag names, else where the
 * value came from; a space flag found while checking the base is its first value (or range min).
 */
function keyOf(where: string, error: unknown, spec: { base: Record<string, unknown>; space: Record<string, unknown> }): string {
  const flag = isTfbricksError(error) && typeof error.details?.flag === 'string' ? (error.details.flag as string).replace(/^--/, '') : undefined;
  if (flag && flag in spec.base) return `base.${flag}`;
  if (where !== 'base') return where;
  if (flag && flag in spec.space) return Array.isArray(spec.space[flag]) ? `space.${flag}[0]` : `space.${flag}.min`;
  return 'base';
}

/**
 * Validates a sweep's train flags with `train`'s own definitions and checks: an unknown flag
 * or a bad value names the sweep-file key, the value and what is allowed.
 */
export function trainFlagValidator(source: string, ctx: { cwd: string; env: Record<string, string | undefined>; registry: BackendRegistry }, spec: () => { base: Record<string, unknown>; space: Record<string, unknown> }): FlagValidator {
  const probeRunDir = join(tmpdir(), `tfbricks-sweep-check-${process.pid}`, 'trial');
  return (flags, where) => {
    const argv = trainArgv(flags, source, where);
    try {
      resolveTrainConfig({ ...parseTrainArgv(argv), runDir: probeRunDir }, ctx);
    } catch (error) {
      if (!isTfbricksError(error) || !error.usage) throw error;
      throw usageError('E_SWEEP_FILE', `invalid sweep file ${source}: ${keyOf(where, error, spec())}: ${error.message}`);
    }
  };
}

function absolute(flag: string, value: FlagValue, dir: string): FlagValue {
  if (typeof value !== 'string' || isAbsolute(value)) return value;
  if (flag === 'model' && !(value.includes('/') || value.includes('\\') || value.endsWith('.json'))) return value;
  return resolve(dir, value);
}

/**
 * Path-valued flags (`data-dir`, a `model` file) resolved against the sweep file's directory,
 * so every trial (and every worker, through the shared filesystem) finds them.
 */
export function absolutePaths(raw: unknown, dir: string): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const file = { ...(raw as Record<string, unknown>) };
  const base = file.base;
  if (typeof base === 'object' && base !== null && !Array.isArray(base)) {
    file.base = Object.fromEntries(Object.entries(base).map(([k, v]) => [k, PATH_FLAGS.includes(k) ? absolute(k, v as FlagValue, dir) : v]));
  }
  const space = file.space;
  if (typeof space === 'object' && space !== null && !Array.isArray(space)) {
    file.space = Object.fromEntries(
      Object.entries(space).map(([k, v]) => [k, PATH_FLAGS.includes(k) && Array.isArray(v) ? v.map((x) => absolute(k, x as FlagValue, dir)) : v]),
    );
  }
  return file;
}

