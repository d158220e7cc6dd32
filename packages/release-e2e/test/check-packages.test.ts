import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJson } from '../src/release';
import { publishablePackages, repoRoot } from '../src/workspace';

describe('every publishable package', () => {
  const packages = publishablePackages();

  it('is a devDependency of this package, so turbo builds it before these tests', () => {
    const own = readJson<{ devDependencies: Record<string, string> }>(join(repoRoot, 'packages', 'release-e2e', 'package.json'));
    const missing = packages.map((p) => p.name).filter((name) => !own.devDependencies[name]);
    expect(missing, 'add these to packages/release-e2e devDependencies as "workspace:*"').toEqual([]);
  });

  it('follows the package rule and passes publint (strict) and attw (strict profile) as packed', () => {
    const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'check-packages.mjs')], { cwd: repoRoot, encoding: 'utf8', timeout: 540_000 });
    console.info(r.stdout);
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain(`check-packages: ${packages.length}/${packages.length} packages pass`);
    for (const p of packages) expect(r.stdout).toContain(`ok   ${p.name}`);
  });
});
