import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedDir } from '../../../vitest.shared.ts';
import { type Consumer, type PackageManagerName, createConsumer } from '../src/consumer';
import { type Release, copyWorkspace, readJson, registryManifest, release } from '../src/release';
import { browserEntry, cjsProgram, esmProgram, indexHtml, tsSetups, tsconfig, typedProgram, viteConfig, webgpuProgram } from '../src/scenarios';
import { type LocalRegistry, startRegistry } from '../src/verdaccio';
import { readmeExamples, toModule } from '../src/readme';
import { publishablePackages } from '../src/workspace';

// One registry and one release for every consumer of the run.
const miniCifar = join(sharedDir, 'data', 'cifar10-mini');
const hasMiniCifar = existsSync(join(miniCifar, 'cifar-10-batches-bin', 'data_batch_1.bin'));
const requireWebgpu = process.env.TFBRICKS_REQUIRE_WEBGPU === '1';
const managers: PackageManagerName[] = ['npm', 'pnpm'];

let work: string;
let registry: LocalRegistry;
let released: Release;
const caches = () => ({ root: join(work, 'caches') });
const consumerDir = (name: string) => join(work, 'consumers', name);

/** The lowest version every publishable package's peer range on `pkg` allows (the supported floor). */
function lowestSupported(pkg: string): string {
  const ranges = publishablePackages()
    .map((p) => p.manifest.peerDependencies?.[pkg])
    .filter((r): r is string => typeof r === 'string');
  expect(new Set(ranges).size, `one peer range for ${pkg} across packages: ${[...new Set(ranges)].join(' / ')}`).toBe(1);
  return semver.minVersion(ranges[0])!.version;
}

function installedVersion(consumer: Consumer, name: string): string {
  return readJson<{ version: string }>(join(consumer.dir, 'node_modules', name, 'package.json')).version;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tfbricks-release-e2e-'));
  registry = await startRegistry(join(work, 'registry'));
  const copy = join(work, 'workspace');
  copyWorkspace(copy);
  released = await release(copy, registry);
});

afterAll(async () => {
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('changeset version + pnpm publish -r into a local Verdaccio', () => {
  it('publishes every publishable package at the version changesets gave it, with internal ranges that resolve', async () => {
    const names = publishablePackages().map((p) => p.name);
    expect(Object.keys(released.versions).sort()).toEqual([...names].sort());
    for (const [name, version] of Object.entries(released.versions)) {
      expect(semver.gte(version, '0.1.0'), `${name}@${version}`).toBe(true);
      const manifest = (await registryManifest(registry, name, version)) as { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> };
      for (const [dep, range] of Object.entries({ ...manifest.dependencies, ...manifest.peerDependencies })) {
        expect(range, `${name} → ${dep}`).not.toMatch(/^workspace:/);
        if (dep.startsWith('@tfbricks/')) expect(semver.satisfies(released.versions[dep], range), `${name} → ${dep}@${range} (published ${released.versions[dep]})`).toBe(true);
      }
    }
  });
});

/** One consumer per package manager, installed side by side (npm and pnpm at once). */
async function consumers(name: string, install: (c: Consumer) => Promise<void>): Promise<Record<PackageManagerName, Consumer>> {
  const made = managers.map((pm) => createConsumer(pm, consumerDir(`${name}-${pm}`), registry, caches()));
  await Promise.all(made.map(install));
  return Object.fromEntries(made.map((c) => [c.pm, c])) as Record<PackageManagerName, Consumer>;
}

describe('(a) @tfbricks/cli alone', () => {
  let by: Record<PackageManagerName, Consumer>;
  beforeAll(async () => {
    by = await consumers('cli', async (c) => {
      await c.install(['@tfbricks/cli']);
    });
  });

  it.each(managers)('%s: installs the released cli and its tfjs peers', (pm) => {
    const consumer = by[pm];
    expect(installedVersion(consumer, '@tfbricks/cli')).toBe(released.versions['@tfbricks/cli']);
    // Resolved the way the cli resolves them (pnpm links peers next to the package, not at the top).
    const fromCli = createRequire(realpathSync(join(consumer.dir, 'node_modules', '@tfbricks', 'cli', 'package.json')));
    for (const peer of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-webgpu']) {
      expect(semver.satisfies(fromCli(`${peer}/package.json`).version, '^4.22.0'), peer).toBe(true);
    }
  });

  it.for(managers)('%s: tfbricks train --model tiny on the mini set trains; config.json names the backend used and why', async (pm, ctx) => {
    if (!hasMiniCifar) ctx.skip(`no mini CIFAR-10 at ${miniCifar}`);
    const consumer = by[pm];
    const r = await consumer.exec('tfbricks', [
      'train', '--model', 'tiny', '--data-dir', miniCifar, '--epochs', '1', '--limit-train', '32', '--limit-test', '16', '--batch-size', '16', '--run-dir', 'run', '--progress', 'epoch',
    ]);
    expect(r.stdout).toMatch(/^backend: wasm \(highest priority available\)/m);
    expect(r.stdout).toMatch(/^Test accuracy: \d/m);
    const written = readJson<{ backendUsed: { name: string; chosenBy: string; passedOver: { name: string }[] } }>(join(consumer.dir, 'run', 'config.json'));
    expect(written.backendUsed).toMatchObject({ name: 'wasm', chosenBy: 'highest priority available' });
    expect(written.backendUsed.passedOver.map((p) => p.name)).toContain('webgpu');
  });

  it.each(managers)("%s: --backend webgpu without the webgpu package fails with a hint in this package manager's words", async (pm) => {
    const trained = await by[pm].exec('tfbricks', ['train', '--model', 'tiny', '--epochs', '1', '--backend', 'webgpu', '--run-dir', 'run-webgpu'], { check: false });
    const output = trained.stderr;
    expect(trained.code, output).toBe(1);
    expect(output).toContain('"webgpu" package (Dawn for Node) is not installed');
    if (pm === 'npm') {
      expect(output).toContain('npm install webgpu');
      expect(output).not.toContain('pnpm');
    } else {
      expect(output).toContain('pnpm add webgpu');
      expect(output).toContain('pnpm approve-builds');
    }
  });
});

describe('(b) core, backend-cpu, layers and augment from ESM, CJS and TypeScript', () => {
  let by: Record<PackageManagerName, Consumer>;
  const tfjs = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-cpu'];
  beforeAll(async () => {
    by = await consumers('lib', async (c) => {
      // npm gets the lowest tfjs the peer ranges allow, pnpm whatever the ranges resolve to today.
      const pinned = c.pm === 'npm' ? tfjs.map((t) => `${t}@${lowestSupported(t)}`) : tfjs;
      await c.install(['@tfbricks/core', '@tfbricks/backend-cpu', '@tfbricks/layers', '@tfbricks/augment', ...pinned]);
      await c.install(['typescript@5.9.3', '@types/node@20'], { dev: true });
      c.write('esm.mjs', esmProgram);
      c.write('cjs.cjs', cjsProgram);
      for (const setup of tsSetups) {
        c.write(`ts-${setup.name}/package.json`, `${JSON.stringify({ type: setup.type })}\n`);
        c.write(`ts-${setup.name}/tsconfig.json`, tsconfig(setup));
        c.write(`ts-${setup.name}/check.ts`, typedProgram);
      }
    });
  });

  it('npm: runs on the lowest supported tfjs', () => {
    for (const t of tfjs) expect(installedVersion(by.npm, t), t).toBe(lowestSupported(t));
  });

  it.each(managers)('%s: the ESM and the CommonJS program run and compute the same', async (pm) => {
    const consumer = by[pm];
    const esm = JSON.parse((await consumer.node(['esm.mjs'])).stdout.trim().split('\n').at(-1)!);
    const cjs = JSON.parse((await consumer.node(['cjs.cjs'])).stdout.trim().split('\n').at(-1)!);
    expect(esm).toMatchObject({ backend: 'cpu', tfjsBackend: 'cpu', params: 1562, shape: [2, 10], isError: true });
    expect(esm.sum).toBeCloseTo(2, 3);
    expect(cjs).toEqual(esm);
  });

  // Every setup with npm's flat node_modules; the CommonJS one (TS1471 before .d.cts) with pnpm's
  // symlinked layout too. (tsc without skipLibCheck takes ~30 s a run on 2 cores.)
  const typeRuns = [...tsSetups.map((s) => ['npm', s.name] as const), ['pnpm', 'node16-cjs'] as const];
  it.each(typeRuns)('%s: TypeScript %s with skipLibCheck off: no error from our types or the program', async (pm, name) => {
    // tfjs' own declarations do not pass skipLibCheck: false (TS2411, "Cannot find name 'Long'"): those
    // are not ours and are ignored. Everything else (the program, @tfbricks/*) must be clean.
    const consumer = by[pm];
    const tsc = join(consumer.dir, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = await consumer.node([tsc, '-p', `ts-${name}`, '--pretty', 'false'], { check: false });
    const errors = r.stdout.split('\n').filter((line) => /error TS\d+/.test(line));
    const ours = errors.filter((line) => !line.startsWith('node_modules/@tensorflow/') && !/node_modules\/\.pnpm\/@tensorflow\+/.test(line));
    expect(ours, `${r.stdout}${r.stderr}`).toEqual([]);
    expect(r.stderr).toBe('');
  });
});

describe('(c) backend-webgpu with its optional webgpu peer, (d) a Vite browser bundle of core, layers, augment and backend-webgpu', () => {
  let by: Record<PackageManagerName, Consumer>;
  beforeAll(async () => {
    by = await consumers('web', async (c) => {
      await c.install(['@tfbricks/core', '@tfbricks/backend-webgpu', '@tfbricks/layers', '@tfbricks/augment', '@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', 'webgpu']);
      await c.install(['vite@8.3.8'], { dev: true });
      c.write('webgpu.mjs', webgpuProgram);
      c.write('index.html', indexHtml);
      c.write('main.js', browserEntry);
      c.write('vite.config.mjs', viteConfig);
    });
  });

  it.for(managers)('(c) %s: resolves webgpu through Dawn and computes on it', async (pm, ctx) => {
    const r = await by[pm].node(['webgpu.mjs']);
    const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    if (!result.ok && result.kind === 'no-adapter' && !requireWebgpu) ctx.skip(`no WebGPU adapter here: ${result.message}`);
    expect(result, r.stderr).toEqual({ ok: true, backend: 'webgpu', source: 'dawn', values: [17, 39] });
  });

  it.each(managers)('(d) %s: vite build bundles them with no Node built-in and no browser-compatibility warning', async (pm) => {
    const consumer = by[pm];
    const build = await consumer.exec('vite', ['build', '--logLevel', 'warn']);
    const assets = join(consumer.dir, 'dist', 'assets');
    const code = readdirSync(assets)
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(assets, f), 'utf8'))
      .join('\n');
    expect(code).toContain('E_BACKEND_INIT'); // the plugins really are in the bundle
    expect(`${build.stdout}${build.stderr}`).not.toMatch(/externalized for browser compatibility/);
    expect(code).not.toMatch(/__vite-browser-external/);
    expect(code).not.toMatch(/(?:from|import\(|require\()\s*["'](?:node:)?(?:fs|path|os|crypto|child_process|zlib|url|stream|util|worker_threads)(?:\/[a-z]+)?["']/);
  });
});

describe('every README example runs against the packed packages, after its own install line (pnpm)', () => {
  const readmes = publishablePackages()
    .map((p) => ({ name: p.name, dir: p.dir, file: join(p.path, 'README.md') }))
    .filter((r) => existsSync(r.file))
    .map((r) => ({ ...r, ...readmeExamples(r.file) }))
    .filter((r) => r.programs.length > 0);

  // Two READMEs at a time (vitest.config.ts: maxConcurrency 2): installs wait on the network.
  it.concurrent.for(readmes.map((r) => [r.dir, r] as const))('%s', { timeout: 1_200_000 }, async ([dir, readme], ctx) => {
    const { expect } = ctx;
    if (!hasMiniCifar) ctx.skip(`no mini CIFAR-10 at ${miniCifar}`);
    expect(readme.install.length, `${readme.file}: no "npm install …" line`).toBeGreaterThan(0);
    const consumer = createConsumer('pnpm', consumerDir(`readme-${dir}`), registry, caches());
    await consumer.install(readme.install);
    mkdirSync(join(consumer.dir, 'data'), { recursive: true });
    symlinkSync(join(miniCifar, 'cifar-10-batches-bin'), join(consumer.dir, 'data', 'cifar-10-batches-bin'));
    for (const [i, program] of readme.programs.entries()) {
      const file = `example-${i + 1}.mjs`;
      consumer.write(file, toModule(program.code));
      const r = await consumer.node([file], { check: false, env: { TFBRICKS_OFFLINE: '1' }, timeoutMs: 600_000 });
      expect(r.code, `${readme.file}:${program.line}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`).toBe(0);
    }
  });
});
