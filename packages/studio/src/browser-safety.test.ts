// Every library package's main entry must be browser-safe: bundled for the browser (esbuild,
// platform browser, the workspace packages from their sources), nothing reachable from it may
// import a Node built-in (`node:fs`, `fs`, `path`, …). File-system code lives behind each
// package's `/node` entry. The studio page is built from these same entries.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import type { Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { bundleForBrowser, packagesDir } from '@tfbricks/test-browser/node';

/** Node-only by nature, with the reason; everything else must pass. */
const NODE_ONLY: Record<string, string> = {
  'backend-cuda': 'CUDA through @tensorflow/tfjs-node-gpu, a native Node addon',
  cli: 'the command line',
  studio: 'the web app itself (checked by its own build)',
  parity: 'a private test package',
};

const libraries = readdirSync(packagesDir).filter((d) => existsSync(join(packagesDir, d, 'src/index.ts')) && !(d in NODE_ONLY));
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

interface NodeImport {
  module: string;
  importer: string;
}

/** Records every Node built-in an import reaches (and keeps it out of the bundle). */
function nodeBuiltins(found: NodeImport[]): Plugin {
  return {
    name: 'record-node-builtins',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if ((args.pluginData as { again?: boolean } | undefined)?.again) return undefined;
        const bare = args.path.split('/')[0]!;
        const name = args.path.startsWith('node:') ? args.path : builtins.has(args.path) ? args.path : builtins.has(bare) && !bare.startsWith('@') ? bare : undefined;
        if (name === undefined) return undefined;
        // A package's "browser" field may replace the built-in (or disable it: `"crypto": false`).
        if (!args.path.startsWith('node:')) {
          const r = await b.resolve(args.path, { importer: args.importer, resolveDir: args.resolveDir, kind: args.kind, pluginData: { again: true } });
          // Disabled by the browser field: esbuild answers an empty namespace; replaced: another file.
          if (r.errors.length === 0 && !r.external && (r.namespace === '' || r.path !== args.path)) return undefined;
        }
        found.push({ module: args.path, importer: relative(packagesDir, args.importer) });
        return { path: args.path, external: true };
      });
    },
  };
}

/** Where a browser bundler would find a package's browser field replacement, esbuild honours it already. */
async function bundleEntry(pkg: string): Promise<{ found: NodeImport[]; inputs: string[] }> {
  const found: NodeImport[] = [];
  const result = await bundleForBrowser({
    entryPoints: [join(packagesDir, pkg, 'src/index.ts')],
    metafile: true,
    plugins: [nodeBuiltins(found)],
    // backend-webgpu loads the Dawn addon (`webgpu`) only where no navigator.gpu exists (Node).
    external: ['webgpu'],
  });
  return { found, inputs: Object.keys(result.metafile.inputs) };
}

describe('library entry points are browser-safe', () => {
  it('covers the library packages', () => {
    expect(libraries).toEqual(expect.arrayContaining(['core', 'layers', 'augment', 'train', 'data-cifar', 'backend-cpu', 'backend-webgpu']));
  });

  for (const pkg of libraries) {
    it(`@tfbricks/${pkg}: no Node built-in is reachable from the main entry`, async () => {
      const { found, inputs } = await bundleEntry(pkg);
      const lines = found.map((f) => `${f.importer} imports '${f.module}'`);
      expect(lines, `move these files behind @tfbricks/${pkg}/node`).toEqual([]);
      expect(inputs.some((p) => p.endsWith(`${pkg}/src/index.ts`))).toBe(true);
    }, 120_000);
  }

  it('catches a Node import when there is one (the check can fail)', async () => {
    // The /node entries do import node:fs; bundling one must be reported.
    const found: NodeImport[] = [];
    await bundleForBrowser({
      stdin: { contents: "export * from '@tfbricks/data-cifar/node';", resolveDir: packagesDir, loader: 'ts' },
      plugins: [nodeBuiltins(found)],
      external: ['tar', 'cli-progress'],
    });
    expect(found.map((f) => f.module)).toEqual(expect.arrayContaining(['node:fs/promises', 'node:path']));
  }, 120_000);

  it('every package with a /node entry declares it in its exports', () => {
    for (const pkg of libraries) {
      if (!existsSync(join(packagesDir, pkg, 'src/node/index.ts'))) continue;
      const exportsMap = (JSON.parse(readFileSync(join(packagesDir, pkg, 'package.json'), 'utf8')) as { exports: Record<string, unknown> }).exports;
      expect(Object.keys(exportsMap), pkg).toContain('./node');
    }
  });
});
