// esbuild bundling of a page (or a package's entry) for the browser, with the workspace packages
// taken from their TypeScript sources, as vitest resolves them: no build needed first.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, type BuildResult, type Plugin, build } from 'esbuild';

/** The repository's packages/ folder. */
export const packagesDir = join(dirname(fileURLToPath(import.meta.url)), '../../..');

/** `@tfbricks/<pkg>` and `@tfbricks/<pkg>/<sub>` → the workspace sources (as vitest resolves them). */
export const workspaceSources: Plugin = {
  name: 'tfbricks-workspace-sources',
  setup(b) {
    b.onResolve({ filter: /^@tfbricks\// }, (args) => {
      const [, pkg, sub] = /^@tfbricks\/([a-z0-9-]+)(?:\/(.+))?$/.exec(args.path) ?? [];
      if (pkg === undefined) return undefined;
      const candidates = sub ? [join(packagesDir, pkg, 'src', sub, 'index.ts'), join(packagesDir, pkg, 'src', `${sub}.ts`)] : [join(packagesDir, pkg, 'src/index.ts')];
      const entry = candidates.find((c) => existsSync(c));
      return entry ? { path: entry } : undefined;
    });
  },
};

/**
 * esbuild for the browser (ESM, es2022, in memory, silent, paths relative to packages/), with
 * workspaceSources ahead of the caller's plugins; `options` adds to or overrides the rest.
 */
export function bundleForBrowser<const T extends BuildOptions>(options: T): Promise<BuildResult<T & { write: false }>> {
  const merged: BuildOptions = {
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    absWorkingDir: packagesDir,
    ...options,
    plugins: [workspaceSources, ...(options.plugins ?? [])],
  };
  return build(merged) as unknown as Promise<BuildResult<T & { write: false }>>;
}
