// Shared vitest settings: workspace packages resolve to their TypeScript sources,
// so tests run without a prior build.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ViteUserConfig } from 'vitest/config';

const root = dirname(fileURLToPath(import.meta.url));
const packagesDir = join(root, 'packages');

/**
 * `@tfbricks/<dir>` -> `packages/<dir>/src/index.ts`, and every subpath export a package declares
 * (`"./node"`, `"./testing"`) -> `packages/<dir>/src/<sub>/index.ts` or `src/<sub>.ts`.
 */
function workspaceAliases(): { find: RegExp; replacement: string }[] {
  const aliases: { find: RegExp; replacement: string }[] = [];
  for (const dir of readdirSync(packagesDir)) {
    const src = join(packagesDir, dir, 'src');
    const pkgFile = join(packagesDir, dir, 'package.json');
    if (existsSync(pkgFile)) {
      const exportsMap = (JSON.parse(readFileSync(pkgFile, 'utf8')) as { exports?: Record<string, unknown> }).exports ?? {};
      for (const key of Object.keys(exportsMap)) {
        const sub = key.replace(/^\.\/?/, '');
        if (sub === '' || sub === 'package.json') continue;
        const entry = [join(src, sub, 'index.ts'), join(src, `${sub}.ts`)].find((f) => existsSync(f));
        if (entry) aliases.push({ find: new RegExp(`^@tfbricks/${dir}/${sub}$`), replacement: entry });
      }
    }
    const entry = join(src, 'index.ts');
    if (existsSync(entry)) aliases.push({ find: new RegExp(`^@tfbricks/${dir}$`), replacement: entry });
  }
  return aliases;
}

export function sharedConfig(overrides: { testTimeout?: number } = {}): ViteUserConfig {
  return {
    resolve: { alias: workspaceAliases() },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: overrides.testTimeout ?? 60_000,
      hookTimeout: 120_000,
      pool: 'forks',
      reporters: ['default'],
    },
  };
}

export const repoRoot = resolve(root);

/** The `shared/` folder beside the checkout (test data and references); may be absent. */
export const sharedDir = resolve(root, '../shared');
