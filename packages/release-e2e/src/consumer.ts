import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RunResult, cleanEnv, run } from './exec';
import { pnpmCli } from './release';
import type { LocalRegistry } from './verdaccio';

export type PackageManagerName = 'npm' | 'pnpm';

export interface Consumer {
  pm: PackageManagerName;
  dir: string;
  env: Record<string, string | undefined>;
  /** `npm install <specs>` / `pnpm add <specs>`. */
  install(specs: readonly string[], options?: { dev?: boolean }): Promise<RunResult>;
  /** `npx <bin> …` / `pnpm exec <bin> …`: the package manager's user agent is set, as for a user. */
  exec(bin: string, args: readonly string[], options?: { env?: Record<string, string>; check?: boolean; timeoutMs?: number }): Promise<RunResult>;
  /** `node <file> …` in the project (no package manager in between). */
  node(args: readonly string[], options?: { env?: Record<string, string>; check?: boolean; timeoutMs?: number }): Promise<RunResult>;
  write(file: string, text: string): void;
}

/** Caches shared by every consumer of a run (npm's cache, pnpm's store), so each tarball downloads once. */
export interface SharedCaches {
  root: string;
}

/**
 * A fresh project outside the workspace that installs only from the local registry, as a new user
 * would: its own package.json, a user config naming nothing but the registry, shared caches.
 */
export function createConsumer(pm: PackageManagerName, dir: string, registry: LocalRegistry, caches: SharedCaches, type: 'module' | 'commonjs' = 'module'): Consumer {
  mkdirSync(dir, { recursive: true });
  mkdirSync(caches.root, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: `consumer-${pm}`, version: '1.0.0', private: true, type }, null, 2)}\n`);
  const userconfig = join(caches.root, `${pm}rc`);
  writeFileSync(
    userconfig,
    [
      `registry=${registry.url}`,
      pm === 'npm' ? `cache=${join(caches.root, 'npm-cache')}` : `store-dir=${join(caches.root, 'pnpm-store')}`,
      'audit=false',
      'fund=false',
      'update-notifier=false',
      'loglevel=warn',
      '',
    ].join('\n'),
  );
  const env = cleanEnv({ npm_config_userconfig: userconfig, CI: '1', TFBRICKS_HOME: join(dir, '.tfbricks-home') });
  const pmCommand = pm === 'npm' ? ['npm'] : [process.execPath, pnpmCli];
  const pmRun = (args: readonly string[], options: { env?: Record<string, string>; check?: boolean; timeoutMs?: number } = {}) =>
    run(pmCommand[0], [...pmCommand.slice(1), ...args], { cwd: dir, env: { ...env, ...options.env }, check: options.check, timeoutMs: options.timeoutMs ?? 600_000 });
  return {
    pm,
    dir,
    env,
    install: (specs, options = {}) =>
      pm === 'npm'
        ? pmRun(['install', ...(options.dev ? ['--save-dev'] : []), ...specs])
        : pmRun(['add', ...(options.dev ? ['--save-dev'] : []), ...specs]),
    exec: (bin, args, options) => (pm === 'npm' ? pmRun(['exec', '--no', '--', bin, ...args], options) : pmRun(['exec', bin, ...args], options)),
    node: (args, options = {}) =>
      run(process.execPath, args, { cwd: dir, env: { ...env, ...options.env }, check: options.check, timeoutMs: options.timeoutMs ?? 300_000 }),
    write: (file, text) => {
      mkdirSync(join(dir, file, '..'), { recursive: true });
      writeFileSync(join(dir, file), text);
    },
  };
}
