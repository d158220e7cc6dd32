import { readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { usageError } from '@tfbricks/core';
import { type SweepSpec, parseSweepSpec } from '@tfbricks/sweep';
import { type RedisTarget, SweepStore, parseRedisUrl } from '@tfbricks/sweep/node';
import packageJson from '../../package.json';
import type { CommandContext } from '../command';
import { requireReadableFile, resolvePath } from '../paths';
import { parseInteger } from '../values';
import { absolutePaths, trainFlagValidator } from './sweep-flags';

/** Largest sweep file read (a sweep file is a few hundred bytes; this bounds a hostile one). */
const MAX_SWEEP_FILE_BYTES = 1 << 20;

export type SweepPlan =
  | { kind: 'run'; spec: SweepSpec; source: string; sweepDir: string; parallel: number; redis: RedisTarget | null; detach: boolean; version: string }
  | { kind: 'status'; sweepDir: string; shownDir: string; json: boolean };

function notWith(opts: Record<string, unknown>, flags: [string, string][], context: string): void {
  for (const [key, flag] of flags) {
    if (opts[key] !== undefined) throw usageError('E_USAGE', `invalid option ${flag} for ${context}`);
  }
}

const YAML_FILE = /\.ya?ml$/i;

/** Parse the sweep file: JSON, or YAML for `.yaml`/`.yml` (aliases bounded, so a hostile file cannot expand). */
async function parseFileText(value: string, path: string, text: string): Promise<unknown> {
  if (!YAML_FILE.test(path)) {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw usageError('E_SWEEP_FILE', `invalid sweep file ${value}: not valid JSON (${(error as Error).message})`);
    }
  }
  const { parse } = await import('yaml');
  try {
    return parse(text, { maxAliasCount: 100, uniqueKeys: true });
  } catch (error) {
    throw usageError('E_SWEEP_FILE', `invalid sweep file ${value}: not valid YAML (${(error as Error).message.split('\n')[0]})`);
  }
}

async function readSweepFile(value: string, cwd: string): Promise<{ path: string; raw: unknown }> {
  const path = requireReadableFile('<file>', value, cwd, 'a sweep file (JSON, or YAML ending in .yaml/.yml), or `status`');
  if (statSync(path).size > MAX_SWEEP_FILE_BYTES) {
    throw usageError('E_SWEEP_FILE', `invalid sweep file ${value}: larger than ${MAX_SWEEP_FILE_BYTES} bytes (allowed: a sweep file of at most 1 MiB)`);
  }
  return { path, raw: await parseFileText(value, path, readFileSync(path, 'utf8')) };
}

/** `tfbricks sweep <file>` and `tfbricks sweep status`: validate everything (nothing written, nothing enqueued), then run. */
export async function sweepCommand(ctx: CommandContext): Promise<number> {
  const { opts, io } = ctx;
  const str = (k: string) => (typeof opts[k] === 'string' ? (opts[k] as string) : undefined);
  const target = ctx.args[0];
  const dirValue = str('sweepDir');
  if (dirValue === undefined) throw usageError('E_USAGE', 'tfbricks sweep: missing option --sweep-dir <dir> (allowed: a new or empty directory, or the dir of this same sweep to continue it)');
  const sweepDir = resolvePath(io.cwd, dirValue);
  let plan: SweepPlan;
  if (target === 'status') {
    notWith(opts, [['parallel', '--parallel'], ['redis', '--redis'], ['detach', '--detach']], 'tfbricks sweep status (allowed: --sweep-dir, --json)');
    plan = { kind: 'status', sweepDir, shownDir: dirValue, json: opts.json === true };
  } else {
    notWith(opts, [['json', '--json']], 'tfbricks sweep <file> (--json is for tfbricks sweep status)');
    const redis = str('redis') !== undefined ? parseRedisUrl('--redis', str('redis')!) : null;
    if (opts.detach === true && !redis) throw usageError('E_USAGE', 'invalid option --detach without --redis (allowed: --detach with --redis, to enqueue and return)');
    if (redis && str('parallel') !== undefined) throw usageError('E_USAGE', 'invalid option --parallel with --redis (allowed: --parallel for trials on this machine; with --redis, start more tfbricks workers)');
    const parallel = str('parallel') !== undefined ? parseInteger('--parallel', str('parallel')!, 1, 64) : 1;
    const { path, raw } = await readSweepFile(target, io.cwd);
    const file = absolutePaths(raw, dirname(path));
    const validate = trainFlagValidator(target, { cwd: io.cwd, env: io.env, registry: ctx.registry }, () => file as { base: Record<string, unknown>; space: Record<string, unknown> });
    const spec = parseSweepSpec(file, target, validate);
    const version = packageJson.version;
    SweepStore.check(sweepDir, spec, version, dirValue);
    plan = { kind: 'run', spec, source: path, sweepDir, parallel, redis, detach: opts.detach === true, version };
  }
  const { runSweepCommand } = await import('./sweep-run');
  return runSweepCommand(plan, ctx);
}
