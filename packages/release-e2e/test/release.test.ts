import { existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedDir } from '../../../vitest.shared.ts';
import { type Consumer, type PackageManagerName, createConsumer } from '../src/consumer';
import { type Release, copyWorkspace, readJson, registryManifest, release } from '../src/release';
import { browserEntry, cjsProgram, esmProgram, indexHtml, tsSetups, tsconfig, typedProgram, viteConfig } from '../src/scenarios';
import { type LocalRegistry, startRegistry } from '../src/verdaccio';
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

describe.each(managers)('(a) %s: @tfbricks/cli alone', (pm) => {
  let consumer: Consumer;
  beforeAll(async () => {
    consumer = createConsumer(pm, consumerDir(`cli-${pm}`), registry, caches());
    await consumer.install(['@tfbricks/cli']);
  });

  it('installs the released cli and its tfjs peers', () => {
    expect(installedVersion(consumer, '@tfbricks/cli')).toBe(released.versions['@tfbricks/cli']);
    // Resolved the way the cli resolves them (pnpm links peers next to the package, not at the top).
    const fromCli = createRequire(realpathSync(join(consumer.dir, 'node_modules', '@tfbricks', 'cli', 'package.json')));
    for (const peer of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-webgpu']) {
      expect(semver.satisfies(fromCli(`${peer}/package.json`).version, '^4.22.0'), peer).toBe(true);
    }
  });

  it.skipIf(!hasMiniCifar)('tfbricks train --model tiny on the mini set trains, and config.json names the backend used and why', async () => {
    const r = await consumer.exec('tfbricks', [
      'train', '--model', 'tiny', '--data-dir', miniCifar, '--epochs', '1', '--limit-train', '32', '--limit-test', '16', '--batch-size', '16', '--run-dir', 'run', '--progress', 'epoch',
    ]);
    expect(r.stdout).toMatch(/^backend: cpu \(highest priority available\)/m);
    expect(r.stdout).toMatch(/^Test accuracy: \d/m);
    const written = readJson<{ backendUsed: { name: string; chosenBy: string; passedOver: { name: string }[] } }>(join(consumer.dir, 'run', 'config.json'));
    expect(written.backendUsed).toMatchObject({ name: 'cpu', chosenBy: 'highest priority available' });
    expect(written.backendUsed.passedOver.map((p) => p.name)).toEqual(['cuda', 'webgpu']);
  });

  it('asking for webgpu without the webgpu package fails with a hint in this package manager\'s words', async () => {
    const trained = await consumer.exec('tfbricks', ['train', '--model', 'tiny', '--epochs', '1', '--backend', 'webgpu', '--run-dir', 'run-webgpu'], { check: false });
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

describe.each(managers)('(b) %s: core, backend-cpu, layers and augment from ESM, CJS and TypeScript', (pm) => {
  let consumer: Consumer;
  const tfjs = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-cpu'];
  beforeAll(async () => {
    consumer = createConsumer(pm, consumerDir(`lib-${pm}`), registry, caches());
    // npm gets the lowest tfjs the peer ranges allow, pnpm whatever the ranges resolve to today.
    const pinned = pm === 'npm' ? tfjs.map((t) => `${t}@${lowestSupported(t)}`) : tfjs;
    await consumer.install(['@tfbricks/core', '@tfbricks/backend-cpu', '@tfbricks/layers', '@tfbricks/augment', ...pinned]);
    await consumer.install(['typescript@5.9.3', '@types/node@20'], { dev: true });
    consumer.write('esm.mjs', esmProgram);
    consumer.write('cjs.cjs', cjsProgram);
    for (const setup of tsSetups) {
      consumer.write(`ts-${setup.name}/package.json`, `${JSON.stringify({ type: setup.type })}\n`);
      consumer.write(`ts-${setup.name}/tsconfig.json`, tsconfig(setup));
      consumer.write(`ts-${setup.name}/check.ts`, typedProgram);
    }
  });

  it.runIf(pm === 'npm')('runs on the lowest supported tfjs', () => {
    for (const t of tfjs) expect(installedVersion(consumer, t), t).toBe(lowestSupported(t));
  });

  it('the ESM and the CommonJS program run and compute the same', async () => {
    const esm = JSON.parse((await consumer.node(['esm.mjs'])).stdout.trim().split('\n').at(-1)!);
    const cjs = JSON.parse((await consumer.node(['cjs.cjs'])).stdout.trim().split('\n').at(-1)!);
    expect(esm).toMatchObject({ backend: 'cpu', tfjsBackend: 'cpu', params: 1562, shape: [2, 10], isError: true });
    expect(esm.sum).toBeCloseTo(2, 3);
    expect(cjs).toEqual(esm);
  });

  it('TypeScript with node16 (CJS), nodenext and bundler resolution, skipLibCheck off: no error from our types or the program', async () => {
    // tfjs' own declarations do not pass skipLibCheck: false (TS2411, "Cannot find name 'Long'"): those
    // are counted, not ours to fix. Everything else (the program, @tfbricks/*) must be clean.
    const tsc = join(consumer.dir, 'node_modules', 'typescript', 'bin', 'tsc');
    const results = await Promise.all(tsSetups.map((setup) => consumer.node([tsc, '-p', `ts-${setup.name}`, '--pretty', 'false'], { check: false })));
    results.forEach((r, i) => {
      const errors = r.stdout.split('\n').filter((line) => /error TS\d+/.test(line));
      const ours = errors.filter((line) => !line.startsWith('node_modules/@tensorflow/') && !/node_modules\/\.pnpm\/@tensorflow\+/.test(line));
      expect(ours, `${tsSetups[i].name}:\n${r.stdout}${r.stderr}`).toEqual([]);
      expect(r.stderr).toBe('');
    });
  });
});

describe.each(managers)('(c) %s: backend-webgpu with its optional webgpu peer', (pm) => {
  let consumer: Consumer;
  beforeAll(async () => {
    consumer = createConsumer(pm, consumerDir(`webgpu-${pm}`), registry, caches());
    await consumer.install(['@tfbricks/core', '@tfbricks/backend-webgpu', 'webgpu']);
    consumer.write(
      'webgpu.mjs',
      `import * as tf from '@tensorflow/tfjs-core';
import { createBackendRegistry } from '@tfbricks/core';
import { webgpuBackend } from '@tfbricks/backend-webgpu';
try {
  const { device } = await createBackendRegistry({ env: {} }).register(webgpuBackend()).resolve({ backend: 'webgpu' });
  const y = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]]));
  console.log(JSON.stringify({ ok: true, backend: tf.getBackend(), source: device.source, values: Array.from(await y.data()) }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, kind: error.details?.kind, message: error.message }));
}
`,
    );
  });

  it('resolves webgpu through Dawn and computes on it', async (ctx) => {
    const r = await consumer.node(['webgpu.mjs']);
    const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    if (!result.ok && result.kind === 'no-adapter' && !requireWebgpu) ctx.skip(`no WebGPU adapter here: ${result.message}`);
    expect(result, r.stderr).toEqual({ ok: true, backend: 'webgpu', source: 'dawn', values: [17, 39] });
  });
});

describe.each(managers)('(d) %s: a Vite browser bundle of core, layers, augment and backend-webgpu', (pm) => {
  let consumer: Consumer;
  let build: { stdout: string; stderr: string };
  beforeAll(async () => {
    consumer = createConsumer(pm, consumerDir(`vite-${pm}`), registry, caches());
    await consumer.install(['@tfbricks/core', '@tfbricks/layers', '@tfbricks/augment', '@tfbricks/backend-webgpu']);
    await consumer.install(['vite@8.3.8'], { dev: true });
    consumer.write('index.html', indexHtml);
    consumer.write('main.js', browserEntry);
    consumer.write('vite.config.mjs', viteConfig);
    build = await consumer.exec('vite', ['build', '--logLevel', 'warn']);
  });

  it('builds with no Node built-in in the bundle and no browser-compatibility warning', () => {
    const assets = join(consumer.dir, 'dist', 'assets');
    const code = readdirSync(assets)
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(assets, f), 'utf8'))
      .join('\n');
    expect(code).toContain('webgpu');
    expect(`${build.stdout}${build.stderr}`).not.toMatch(/externalized for browser compatibility/);
    expect(code).not.toMatch(/__vite-browser-external/);
    expect(code).not.toMatch(/(?:from|import\(|require\()\s*["'](?:node:)?(?:fs|path|os|crypto|child_process|zlib|url|stream|util)(?:\/[a-z]+)?["']/);
  });
});
