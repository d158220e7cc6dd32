// Shared vitest settings: workspace packages resolve to their TypeScript sources,
// so tests run without a prior build.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ViteUserConfig } from 'vitest/config';

const root = dirname(fileURLToPath(import.meta.url));
const packagesDir = join(root, 'packages');

function workspaceAliases(): { find: RegExp; replacement: string }[] {
  const aliases: { find: RegExp; replacement: string }[] = [
    { find: /^@tfbricks\/core\/testing$/, replacement: join(packagesDir, 'core/src/testing/index.ts') },
  ];
  for (const dir of readdirSync(packagesDir)) {
    const entry = join(packagesDir, dir, 'src/index.ts');
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
