// Bundles this package's sources into one ESM file that plain `node` child processes can
// import (tests of concurrent processes). esbuild comes with tsup.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export async function bundleForChildren(): Promise<string> {
  const require = createRequire(import.meta.url);
  const esbuild = createRequire(require.resolve('tsup'))('esbuild') as { build(options: Record<string, unknown>): Promise<unknown> };
  // Inside the package so that the external dependencies resolve from its node_modules.
  const outDir = join(pkgDir, 'node_modules', '.tfb-test');
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, `bundle-${process.pid}.mjs`);
  await esbuild.build({
    entryPoints: [join(pkgDir, 'src/node/index.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    external: ['@tensorflow/*', 'tar', 'cli-progress'],
    alias: { '@tfbricks/core': join(pkgDir, '../core/src/index.ts') },
    logLevel: 'silent',
  });
  return outfile;
}
