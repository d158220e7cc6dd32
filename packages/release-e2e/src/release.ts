import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanEnv, run } from './exec';
import type { LocalRegistry } from './verdaccio';
import { publishablePackages, repoRoot } from './workspace';

const require = createRequire(import.meta.url);

/** The pnpm this package pins (node_modules/pnpm), run with the current node. */
export const pnpmCli = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');

const SKIP = new Set(['node_modules', '.git', '.turbo', 'coverage', 'runs', '.tfbricks', '.bench-out']);

/**
 * A copy of the workspace to release from (the checkout is never touched): sources, manifests,
 * changesets and every package's built dist/, without node_modules.
 */
export function copyWorkspace(dest: string): void {
  cpSync(repoRoot, dest, { recursive: true, filter: (src) => !SKIP.has(basename(src)) });
}

export interface Release {
  /** name → version published. */
  versions: Record<string, string>;
  /** `changeset version` and `pnpm publish -r` output, for messages. */
  log: string;
}

/**
 * `changeset version` (with one extra patch changeset for every publishable package, so the
 * step always bumps something), then `pnpm publish -r` to the local registry.
 */
export async function release(copy: string, registry: LocalRegistry): Promise<Release> {
  const packages = publishablePackages(copy);
  const bumps = packages.map((p) => `"${p.name}": patch`).join('\n');
  writeFileSync(join(copy, '.changeset', 'release-e2e-run.md'), `---\n${bumps}\n---\n\nRelease test run.\n`);
  const changeset = join(require.resolve('@changesets/cli/package.json', { paths: [repoRoot] }), '..', 'bin.js');
  const env = cleanEnv({ npm_config_userconfig: join(copy, '.npmrc-user') });
  writeFileSync(join(copy, '.npmrc-user'), `registry=${registry.url}\n${registry.authLine}\n`);
  // pnpm publish reads the versions behind `workspace:^` from the installed links: install the copy
  // from the store the checkout was installed from (no network, no scripts).
  await run(process.execPath, [pnpmCli, 'install', '--offline', '--frozen-lockfile', '--ignore-scripts'], { cwd: copy, env, timeoutMs: 300_000 });
  const version = await run(process.execPath, [changeset, 'version'], { cwd: copy, env, timeoutMs: 120_000 });
  const published = await run(process.execPath, [pnpmCli, 'publish', '-r', '--no-git-checks', '--registry', registry.url], {
    cwd: copy,
    env,
    timeoutMs: 300_000,
  });
  const versions: Record<string, string> = {};
  for (const p of publishablePackages(copy)) versions[p.name] = p.manifest.version as string;
  if (!existsSync(join(copy, 'packages', packages[0].dir, 'CHANGELOG.md'))) throw new Error('changeset version wrote no CHANGELOG.md');
  return { versions, log: `${version.stdout}${version.stderr}\n${published.stdout}${published.stderr}` };
}

/** The manifest the registry serves for `name@version`. */
export async function registryManifest(registry: LocalRegistry, name: string, version: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${registry.url}${name.replace('/', '%2f')}`);
  if (!response.ok) throw new Error(`${name}: registry answered ${response.status}`);
  const doc = (await response.json()) as { versions: Record<string, Record<string, unknown>> };
  const manifest = doc.versions[version];
  if (!manifest) throw new Error(`${name}@${version} is not in the registry (has ${Object.keys(doc.versions).join(', ')})`);
  return manifest;
}

export function readJson<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}
