// Runs @tfbricks/backend-wasm in a real browser: headless Chromium (Debian's `chromium`,
// driven by playwright-core; no browser is downloaded). The page (browser-test/entry.ts,
// bundled here by esbuild) is served from 127.0.0.1 twice: plainly, where tfjs-backend-wasm
// runs single-threaded, and cross-origin isolated (COOP + COEP headers), where it loads its
// threaded build. tfjs-backend-wasm's .wasm files are served from the installed package.
// Without /usr/bin/chromium (or TFBRICKS_CHROMIUM) the suite is skipped with a printed reason,
// unless TFBRICKS_REQUIRE_BROWSER=1, which makes it fail instead.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserReport } from '../browser-test/entry';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const packagesDir = join(packageDir, '..');
const harnessDir = join(packageDir, 'browser-test');
const wasmDist = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
const executablePath = process.env.TFBRICKS_CHROMIUM || '/usr/bin/chromium';
const requireBrowser = process.env.TFBRICKS_REQUIRE_BROWSER === '1';
const haveBrowser = existsSync(executablePath);
const EVALUATE_TIMEOUT_MS = 60_000;
const ISOLATED_CORES = 4;
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-default-apps', '--disable-extensions'];

if (!haveBrowser && !requireBrowser) {
  console.warn(
    `[backend-wasm browser test] skipped: no Chromium at ${executablePath} (Debian/Ubuntu: apt-get install -y chromium; or set TFBRICKS_CHROMIUM; TFBRICKS_REQUIRE_BROWSER=1 turns this skip into a failure)`,
  );
}

/** Resolve `@tfbricks/<pkg>` to the workspace package's TypeScript source, as vitest does. */
const workspaceSources: Plugin = {
  name: 'tfbricks-workspace-sources',
  setup(b) {
    b.onResolve({ filter: /^@tfbricks\/[a-z0-9-]+$/ }, (args) => {
      const entry = join(packagesDir, args.path.slice('@tfbricks/'.length), 'src', 'index.ts');
      return existsSync(entry) ? { path: entry } : undefined;
    });
  },
};

async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [join(harnessDir, 'entry.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    plugins: [workspaceSources],
    absWorkingDir: packagesDir,
    // Node-only modules tfjs-backend-wasm's emscripten glue names but never loads in a browser.
    external: ['fs', 'path', 'worker_threads', 'perf_hooks', 'os'],
  });
  return result.outputFiles[0]!.text;
}

type Body = { type: string; body: string | Buffer };

function serve(files: Record<string, Body>, isolated: boolean): Promise<Server> {
  const server = createServer((req, res) => {
    const file = files[new URL(req.url ?? '/', 'http://127.0.0.1').pathname];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    const headers: Record<string, string> = { 'content-type': file.type, 'cache-control': 'no-store' };
    if (isolated) {
      headers['cross-origin-opener-policy'] = 'same-origin';
      headers['cross-origin-embedder-policy'] = 'require-corp';
    }
    res.writeHead(200, headers).end(file.body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function worstMiss(actual: number[], expected: number[]): { bad: number; worst: string } {
  let bad = 0;
  let worst = '';
  let worstExcess = -Infinity;
  for (let i = 0; i < expected.length; i++) {
    const excess = Math.abs(actual[i]! - expected[i]!) - (2e-5 + 2e-5 * Math.abs(expected[i]!));
    if (!(excess <= 0)) bad++;
    if (excess > worstExcess || Number.isNaN(excess)) {
      worstExcess = Number.isNaN(excess) ? Infinity : excess;
      worst = `[${i}] wasm ${actual[i]} vs cpu ${expected[i]}`;
    }
  }
  return { bad, worst };
}

describe.runIf(!haveBrowser && requireBrowser)('backend-wasm in the browser (required)', () => {
  it('finds Chromium', () => {
    throw new Error(`TFBRICKS_REQUIRE_BROWSER=1 but there is no Chromium at ${executablePath}: apt-get install -y chromium, or point TFBRICKS_CHROMIUM at one`);
  });
});

describe.runIf(haveBrowser)('backend-wasm in the browser (headless Chromium)', () => {
  let browser: Browser | undefined;
  const servers: Server[] = [];
  const reports: Record<'plain' | 'isolated', BrowserReport> = {} as never;

  beforeAll(async () => {
    const files: Record<string, Body> = {
      '/': { type: 'text/html; charset=utf-8', body: await readFile(join(harnessDir, 'index.html'), 'utf8') },
      '/bundle.js': { type: 'text/javascript; charset=utf-8', body: await bundle() },
    };
    for (const name of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
      files[`/wasm/${name}`] = { type: 'application/wasm', body: await readFile(join(wasmDist, name)) };
    }
    browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
    for (const mode of ['plain', 'isolated'] as const) {
      const server = await serve(files, mode === 'isolated');
      servers.push(server);
      const page = await browser.newPage();
      // tfjs-backend-wasm sizes its pthread pool to half the logical cores, which is one worker
      // on a 2-core machine. The isolated page says 4 cores so that XNNPACK gets a pool of 2
      // threads: both real cores, and a real multi-threaded run.
      if (mode === 'isolated') await page.addInitScript(`Object.defineProperty(navigator, 'hardwareConcurrency', { get: () => ${ISOLATED_CORES} })`);
      const log: string[] = [];
      page.on('console', (m) => log.push(`${m.type()}: ${m.text()}`));
      page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.waitForFunction(() => typeof (globalThis as { tfbricksBrowserTest?: unknown }).tfbricksBrowserTest === 'function', undefined, { timeout: 20_000 });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stalled = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer after ${EVALUATE_TIMEOUT_MS} ms`)), EVALUATE_TIMEOUT_MS);
      });
      try {
        reports[mode] = await Promise.race([page.evaluate(() => (globalThis as unknown as { tfbricksBrowserTest: () => Promise<BrowserReport> }).tfbricksBrowserTest()), stalled]);
      } catch (error) {
        throw new Error(`${mode} page failed: ${(error as Error).message}\npage log:\n${log.join('\n')}`);
      } finally {
        clearTimeout(timer);
      }
      const r = reports[mode];
      console.log(`[backend-wasm browser test] ${mode}: ${r.resolution}; ${r.threads} thread(s) of ${r.cores} cores; training step ${r.training.stepMs.toFixed(0)} ms`);
      await page.close();
    }
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  });

  it('a plain page runs single-threaded; a cross-origin-isolated one loads the threaded build', () => {
    expect(reports.plain.crossOriginIsolated).toBe(false);
    expect(reports.plain.device.threads).toBe(1);
    expect(reports.plain.threads).toBe(1);
    expect(reports.isolated.crossOriginIsolated).toBe(true);
    expect(reports.isolated.device.threads).toBe(ISOLATED_CORES / 2);
    expect(reports.isolated.threads).toBe(ISOLATED_CORES / 2);
    for (const r of Object.values(reports)) {
      expect(r.backendAfterResolve).toBe('wasm');
      expect(r.device.simd).toBe(true);
      expect(r.resolution).toMatch(/^backend: wasm \(requested explicitly\) on WebAssembly CPU, XNNPACK \(SIMD128, (1 thread|\d threads), browser\)/);
      expect(r.resolution).toContain(r.threads === 1 ? '1 thread,' : `${r.threads} threads,`);
      expect(r.trainingKernelsActive).toBe(true);
    }
  });

  it('conv2d forward and both gradients match cpu (same/stride 1, valid/stride 2), both pages', () => {
    for (const [mode, r] of Object.entries(reports)) {
      expect(r.wasm.outputs.map((o) => o.name)).toEqual(r.cpu.outputs.map((o) => o.name));
      r.cpu.outputs.forEach((expected, i) => {
        const actual = r.wasm.outputs[i]!;
        expect(actual.shape, `${mode} ${expected.name}`).toEqual(expected.shape);
        expect(Math.max(...expected.values.map(Math.abs)), expected.name).toBeGreaterThan(0.1);
        const { bad, worst } = worstMiss(actual.values, expected.values);
        expect(bad, `${mode} ${expected.name}: ${bad} elements out of tolerance, worst ${worst}`).toBe(0);
      });
      expect(r.stockFallbacks, mode).toBe(0);
    }
  });

  it('trains: two tfjs-layers steps on wasm change the loss and leak nothing, both pages', () => {
    for (const [mode, r] of Object.entries(reports)) {
      expect(r.training.backend, mode).toBe('wasm');
      expect(Number.isFinite(r.training.lossBefore), mode).toBe(true);
      expect(Number.isFinite(r.training.lossAfter), mode).toBe(true);
      expect(r.training.lossAfter, mode).not.toBe(r.training.lossBefore);
      expect(r.training.leaked, mode).toBe(0);
    }
  });
});
