#!/usr/bin/env node
// Checks every publishable package (packages/* that is not private) the way a registry user meets
// it: the manifest follows scripts/package-rule.mjs (exports shape, engines, repository, license,
// homepage…), then the packed tarball passes publint (strict) and @arethetypeswrong/cli (strict
// profile: node10, node16 CJS and ESM, bundler). Needs the packages built (`pnpm build`).
//
//   node scripts/check-packages.mjs            check all; exit 1 on any problem
//   node scripts/check-packages.mjs --fix      first rewrite every manifest to the rule
//   node scripts/check-packages.mjs core cli   only these directories
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { applyRule, publishablePackages, repoRoot, ruleViolations } from './package-rule.mjs';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const fix = args.includes('--fix');
const only = args.filter((a) => !a.startsWith('--'));

/** pnpm as the caller ran it (pnpm sets npm_execpath), else the pinned one through npx. */
function pnpm(argv, cwd) {
  const execPath = process.env.npm_execpath;
  if (execPath && /pnpm/.test(execPath)) return execFileSync(process.execPath, [execPath, ...argv], { cwd, encoding: 'utf8' });
  return execFileSync('npx', ['-y', 'pnpm@10.34.8', ...argv], { cwd, encoding: 'utf8' });
}

/** `pnpm pack` (workspace ranges replaced, exactly what `pnpm publish` uploads) into `dest`. */
function pack(pkgPath, dest) {
  pnpm(['pack', '--pack-destination', dest], pkgPath);
  const tgz = readdirSync(dest).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new Error(`pnpm pack wrote no tarball for ${pkgPath}`);
  return join(dest, tgz);
}

async function runPublint(tarball) {
  const bytes = readFileSync(tarball); // small files share Node's buffer pool: pass exactly their bytes
  const data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const { messages, pkg } = await publint({ pack: { tarball: data }, level: 'suggestion', strict: true });
  return messages.map((m) => `publint ${m.type}: ${formatMessage(m, pkg) ?? m.code}`);
}

function runAttw(tarball) {
  const attw = join(require.resolve('@arethetypeswrong/cli/package.json'), '..', 'dist', 'index.js');
  try {
    execFileSync(process.execPath, [attw, tarball, '--profile', 'strict', '--format', 'table-flipped', '--no-color', '--no-emoji'], { encoding: 'utf8', stdio: 'pipe' });
    return [];
  } catch (error) {
    return [`attw:\n${String(error.stdout ?? '') || String(error.message)}`];
  }
}

const packages = publishablePackages().filter((p) => only.length === 0 || only.includes(p.dir));
let failed = 0;
const work = mkdtempSync(join(tmpdir(), 'tfbricks-check-packages-'));
try {
  for (const p of packages) {
    if (fix) {
      writeFileSync(join(p.path, 'package.json'), `${JSON.stringify(applyRule(p.dir, p.manifest), null, 2)}\n`);
      p.manifest = JSON.parse(readFileSync(join(p.path, 'package.json'), 'utf8'));
    }
    const problems = ruleViolations(p.dir, p.manifest).map(
      ([field, expected, actual]) => `rule: "${field}" should be ${JSON.stringify(expected)}, is ${JSON.stringify(actual)} (node scripts/check-packages.mjs --fix)`,
    );
    const dest = mkdtempSync(join(work, `${p.dir}-`));
    const tarball = pack(p.path, dest);
    problems.push(...(await runPublint(tarball)), ...runAttw(tarball));
    if (problems.length) failed++;
    console.log(`${problems.length ? 'FAIL' : 'ok  '} ${p.name}${problems.length ? `\n  ${problems.join('\n  ')}` : ''}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`check-packages: ${packages.length - failed}/${packages.length} packages pass (rule, publint --strict, attw --profile strict)`);
process.exitCode = failed ? 1 : 0;
