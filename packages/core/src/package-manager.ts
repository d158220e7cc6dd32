/**
 * Install hints that name the user's own package manager.
 *
 * npm, pnpm, yarn and bun all set `npm_config_user_agent` (`"pnpm/10.34.8 npm/? node/v20…"`)
 * for the scripts and binaries they run; anything else (a plain `node app.js`, a browser)
 * falls back to npm, which every Node installation has. Browser-safe: `process.env` is read only
 * when `process` exists.
 */
export type PackageManager = 'npm' | 'pnpm' | 'yarn' | 'bun';

type Env = Record<string, string | undefined>;

function defaultEnv(): Env {
  return typeof process !== 'undefined' && process.env ? process.env : {};
}

/** The package manager named first in `npm_config_user_agent`, else `npm`. */
export function detectPackageManager(env: Env = defaultEnv()): PackageManager {
  const agent = env.npm_config_user_agent?.trim() ?? '';
  const name = /^([a-z]+)\//i.exec(agent)?.[1]?.toLowerCase();
  return name === 'pnpm' || name === 'yarn' || name === 'bun' ? name : 'npm';
}

/** `npm install a b`, `pnpm add a b`, `yarn add a b` or `bun add a b`. */
export function installCommand(packages: readonly string[], pm: PackageManager = detectPackageManager()): string {
  const verb = pm === 'npm' ? 'install' : 'add';
  return [pm, verb, ...packages].join(' ');
}

/** `npm rebuild a`, `pnpm rebuild a`, `yarn rebuild a` (yarn berry) or `bun pm trust a`. */
export function rebuildCommand(pkg: string, pm: PackageManager = detectPackageManager()): string {
  return pm === 'bun' ? `bun pm trust ${pkg}` : `${pm} rebuild ${pkg}`;
}

/**
 * What it takes for a dependency's install script to run. npm and yarn run them; pnpm 10 and
 * bun block them until the user allows the package. Empty for npm and yarn.
 */
export function allowBuildHint(pkg: string, pm: PackageManager = detectPackageManager()): string {
  if (pm === 'pnpm') {
    return `pnpm blocks install scripts: allow it with \`pnpm approve-builds\` or "pnpm": { "onlyBuiltDependencies": ["${pkg}"] } in package.json`;
  }
  if (pm === 'bun') return `bun blocks install scripts: allow it with \`bun pm trust ${pkg}\` or "trustedDependencies": ["${pkg}"] in package.json`;
  return '';
}
