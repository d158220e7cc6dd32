// The one build recipe of every published package: ESM + CJS + d.ts/d.cts for Node 20, built against
// the dependencies' dist/ (tsconfig.build.json has no workspace `paths`). By default the entries are
// the package's exported subpaths (`.` → dist/index, `./node` → dist/node/index), the layout that
// scripts/package-rule.mjs gives every `exports` map (see CONTRIBUTING.md, "Published shape").
import type { Options } from 'tsup';
import { exportEntries } from './scripts/package-rule.mjs';

export { exportEntries };

export function packageBuild(entry: Record<string, string> = exportEntries(), overrides: Options = {}): Options {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    tsconfig: 'tsconfig.build.json',
    ...overrides,
  };
}
