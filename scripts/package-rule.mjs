// The one rule for the published shape of every @tfbricks package: which packages are published,
// their `exports` map (derived from the keys of the package's own `exports`), the tsup entries that
// build those files, and the metadata every package carries. `scripts/check-packages.mjs` checks
// every package against it (and `--fix` applies it); `tsup.shared.ts` builds from it.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const REPOSITORY_URL = 'https://github.com/tfbricks/tfbricks';
export const NODE_ENGINES = '>=20';

/** Every package under packages/* that is not private, sorted by directory. */
export function publishablePackages(root = repoRoot) {
  const packagesDir = join(root, 'packages');
  return readdirSync(packagesDir)
    .filter((dir) => existsSync(join(packagesDir, dir, 'package.json')))
    .map((dir) => {
      const path = join(packagesDir, dir);
      const manifest = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8'));
      return { dir, path, name: manifest.name, manifest };
    })
    .filter((p) => !p.manifest.private)
    .sort((a, b) => a.dir.localeCompare(b.dir));
}

/**
 * The subpaths a package exports (`.`, `./node`, `./testing`), from the keys of its `exports`; `.`
 * whenever src/index.ts exists. An app package (no src/index.ts, e.g. studio's static site) has none.
 */
export function exportedSubpaths(manifest, pkgDir) {
  const keys = Object.keys(manifest.exports ?? {}).filter((k) => k !== './package.json' && !k.includes('*'));
  const library = keys.includes('.') || (pkgDir !== undefined && existsSync(join(pkgDir, 'src', 'index.ts')));
  return library && !keys.includes('.') ? ['.', ...keys] : keys;
}

/** `.` → `index`, `./node` → `node/index`: the file name (without extension) under dist/. */
export function distName(subpath) {
  const sub = subpath.replace(/^\.\/?/, '');
  return sub === '' ? 'index' : `${sub}/index`;
}

/** The source of a subpath: `src/index.ts`, or `src/<sub>/index.ts` or `src/<sub>.ts`. */
export function entrySource(pkgDir, subpath) {
  const sub = subpath.replace(/^\.\/?/, '');
  if (sub === '') return 'src/index.ts';
  const candidates = [`src/${sub}/index.ts`, `src/${sub}.ts`];
  return candidates.find((c) => existsSync(join(pkgDir, c))) ?? candidates[0];
}

/** tsup `entry` for every exported subpath: `{ index: 'src/index.ts', 'node/index': 'src/node.ts' }`. */
export function exportEntries(pkgDir = process.cwd()) {
  const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  return Object.fromEntries(exportedSubpaths(manifest, pkgDir).map((s) => [distName(s), entrySource(pkgDir, s)]));
}

/** One `exports` entry: ESM types + code for `import`, CJS types + code for `require`. */
export function exportEntry(subpath) {
  const base = `./dist/${distName(subpath)}`;
  return {
    import: { types: `${base}.d.ts`, default: `${base}.js` },
    require: { types: `${base}.d.cts`, default: `${base}.cjs` },
  };
}

/** The `exports` map the rule gives a package (its own keys, in its order; `./package.json` last). */
export function expectedExports(manifest, pkgDir) {
  const map = {};
  for (const subpath of exportedSubpaths(manifest, pkgDir)) map[subpath] = exportEntry(subpath);
  map['./package.json'] = './package.json';
  return map;
}

/** Every field the rule owns, with the value it must have. */
export function expectedFields(dir, manifest, root = repoRoot) {
  const pkgDir = join(root, 'packages', dir);
  const all = exportedSubpaths(manifest, pkgDir);
  const library = all.includes('.');
  const subpaths = all.filter((s) => s !== '.');
  const fields = {
    type: 'module',
    sideEffects: manifest.sideEffects === undefined ? false : manifest.sideEffects,
    license: 'MIT',
    repository: { type: 'git', url: `git+${REPOSITORY_URL}.git`, directory: `packages/${dir}` },
    homepage: `${REPOSITORY_URL}/tree/main/packages/${dir}#readme`,
    bugs: { url: `${REPOSITORY_URL}/issues` },
    engines: { node: NODE_ENGINES },
    // For resolvers that ignore `exports` (TypeScript's node10, old bundlers): CJS code with CJS types.
    main: library ? './dist/index.cjs' : undefined,
    module: library ? './dist/index.js' : undefined,
    types: library ? './dist/index.d.cts' : undefined,
    typesVersions: subpaths.length
      ? { '*': Object.fromEntries(subpaths.map((s) => [s.replace(/^\.\//, ''), [`./dist/${distName(s)}.d.cts`]])) }
      : undefined,
    exports: expectedExports(manifest, pkgDir),
    publishConfig: { access: 'public' },
  };
  return fields;
}

/** Field order of a published manifest (unknown keys keep their place after these). */
const ORDER = [
  'name', 'version', 'description', 'keywords', 'license', 'author', 'repository', 'homepage', 'bugs', 'type', 'sideEffects',
  'engines', 'main', 'module', 'types', 'typesVersions', 'bin', 'exports', 'files',
];

/** The manifest with the rule applied (a new object; key order kept readable). */
export function applyRule(dir, manifest) {
  const next = { ...manifest, ...expectedFields(dir, manifest) };
  for (const [k, v] of Object.entries(next)) if (v === undefined) delete next[k];
  const ordered = {};
  for (const k of ORDER) if (k in next) ordered[k] = next[k];
  for (const k of Object.keys(next)) if (!(k in ordered)) ordered[k] = next[k];
  return ordered;
}

/** `[field, expected, actual]` for every field that breaks the rule. */
export function ruleViolations(dir, manifest) {
  const expected = applyRule(dir, manifest);
  const out = [];
  for (const key of new Set([...Object.keys(expected), ...Object.keys(manifest)])) {
    if (JSON.stringify(expected[key]) !== JSON.stringify(manifest[key])) out.push([key, expected[key], manifest[key]]);
  }
  if (!(manifest.files ?? []).includes('dist')) out.push(['files', 'must include "dist"', manifest.files]);
  return out;
}
