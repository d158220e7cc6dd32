// The one build recipe of every published package: ESM + CJS + d.ts for Node 20, built against
// the dependencies' dist/ (tsconfig.build.json has no workspace `paths`).
import type { Options } from 'tsup';

export function packageBuild(entry: Record<string, string> = { index: 'src/index.ts' }, overrides: Options = {}): Options {
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
