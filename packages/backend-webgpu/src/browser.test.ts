// Runs @tfbricks/backend-webgpu in a real browser: headless Chromium (Debian's `chromium`
// package, driven by playwright-core; no browser is downloaded) with its native navigator.gpu
// (SwiftShader, Chromium's own software Vulkan). The page is browser-test/entry.ts, bundled
// here by esbuild and served from 127.0.0.1 (a secure context, as WebGPU requires).
// Without /usr/bin/chromium (or TFBRICKS_CHROMIUM) the suite is skipped with a printed reason,
// unless TFBRICKS_REQUIRE_BROWSER=1, which makes it fail instead.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserReport } from '../browser-test/entry';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const packagesDir = join(packageDir, '..');
const harnessDir = join(packageDir, 'browser-test');
const executablePath = process.env.TFBRICKS_CHROMIUM || '/usr/bin/chromium';
const requireBrowser = process.env.TFBRICKS_REQUIRE_BROWSER === '1';
const haveBrowser = existsSync(executablePath);
/** The page's whole run takes ~1.5 s on SwiftShader with 2 shared cores. */
const EVALUATE_TIMEOUT_MS = 40_000;

/**
 * Flags for headless Chromium on a machine without network or GPU. `--enable-unsafe-webgpu`
 * is the one WebGPU needs on Linux (without it requestAdapter() returns null: "No available
 * adapters"); the adapter is then SwiftShader. The rest keep Chromium off the network.
 * Playwright adds `--headless` and a fresh temporary `--user-data-dir` itself.
 */
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
];

if (!haveBrowser && !requireBrowser) {
  console.warn(
    `[backend-webgpu browser test] skipped: no Chromium at ${executablePath} (Debian/Ubuntu: apt-get install -y chromium; or set TFBRICKS_CHROMIUM; TFBRICKS_REQUIRE_BROWSER=1 turns this skip into a failure)`,
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

async function bundle(): Promise<{ code: string; inputs: string[]; ms: number }> {
  const start = performance.now();
  const result = await build({
    entryPoints: [join(harnessDir, 'entry.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [workspaceSources],
    // Metafile input paths are relative to this: `backend-webgpu/src/…`, `../node_modules/.pnpm/…`.
    absWorkingDir: packagesDir,
    // navigator-gpu.ts lazily imports the Node-only `webgpu` package (Dawn) when no
    // navigator.gpu exists; in a browser that branch is never taken, so leave it unbundled.
    external: ['webgpu'],
  });
  return {
    code: result.outputFiles[0]!.text,
    inputs: Object.keys(result.metafile.inputs),
    ms: Math.round(performance.now() - start),
  };
}

function serve(files: Record<string, { type: string; body: string }>): Promise<Server> {
  const server = createServer((req, res) => {
    const file = files[new URL(req.url ?? '/', 'http://127.0.0.1').pathname];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** |actual − expected| ≤ 1e-4 + 1e-4·|expected|, element by element; returns the worst miss. */
function compare(actual: number[], expected: number[]): { bad: number; worst: string } {
  let bad = 0;
  let worst = '';
  let worstExcess = -Infinity;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    const excess = Math.abs(a - e) - (1e-4 + 1e-4 * Math.abs(e));
    if (!(excess <= 0)) bad++;
    if (excess > worstExcess || Number.isNaN(excess)) {
      worstExcess = Number.isNaN(excess) ? Infinity : excess;
      worst = `[${i}] webgpu ${a} vs cpu ${e}`;
    }
  }
  return { bad, worst };
}

describe.runIf(!haveBrowser && requireBrowser)('backend-webgpu in the browser (required)', () => {
  it('finds Chromium', () => {
    throw new Error(
      `TFBRICKS_REQUIRE_BROWSER=1 but there is no Chromium at ${executablePath}: apt-get install -y chromium (Debian/Ubuntu), or point TFBRICKS_CHROMIUM at one`,
    );
  });
});

describe.runIf(haveBrowser)('backend-webgpu in the browser (headless Chromium, native navigator.gpu)', () => {
  let browser: Browser | undefined;
  let server: Server | undefined;
  let report: BrowserReport;
  let bundled: { code: string; inputs: string[]; ms: number };
  const timings: Record<string, number> = {};
  const pageLog: string[] = [];

  beforeAll(async () => {
    bundled = await bundle();
    timings.bundle = bundled.ms;
    const html = await readFile(join(harnessDir, 'index.html'), 'utf8');
    server = await serve({
      '/': { type: 'text/html; charset=utf-8', body: html },
      '/bundle.js': { type: 'text/javascript; charset=utf-8', body: bundled.code },
    });
    const { port } = server.address() as AddressInfo;
    let start = performance.now();
    browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
    timings.launch = Math.round(performance.now() - start);
    const page = await browser.newPage();
    page.on('console', (m) => pageLog.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => pageLog.push(`pageerror: ${e.message}`));
    start = performance.now();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => typeof (globalThis as { tfbricksBrowserTest?: unknown }).tfbricksBrowserTest === 'function', undefined, {
      timeout: 40_000,
    });
    timings.load = Math.round(performance.now() - start);
    start = performance.now();
    // A GPU program that never finishes would otherwise stall until Chromium's GPU watchdog
    // (about 90 s) loses the device; give up sooner and say which stage the page was in.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer after ${EVALUATE_TIMEOUT_MS} ms`)), EVALUATE_TIMEOUT_MS);
    });
    try {
      report = await Promise.race([
        page.evaluate(() => (globalThis as unknown as { tfbricksBrowserTest: () => Promise<BrowserReport> }).tfbricksBrowserTest()),
        stalled,
      ]);
    } catch (error) {
      const stage = await page
        .evaluate(() => (globalThis as { tfbricksBrowserStage?: string }).tfbricksBrowserStage ?? 'not started')
        .catch(() => 'unknown (the page is unresponsive)');
      throw new Error(`the page failed during "${stage}": ${(error as Error).message}\npage log:\n${pageLog.join('\n')}`);
    } finally {
      clearTimeout(timer);
    }
    timings.evaluate = Math.round(performance.now() - start);
    console.log(
      `[backend-webgpu browser test] ${report.userAgent}\n  device: ${String(report.device.description)}\n  timings (ms): ${JSON.stringify({ ...timings, page: report.timingsMs })}`,
    );
  }, 180_000); // launch ≤ 60 s + load ≤ 40 s + page ≤ 40 s, with room for the bundling on a busy machine

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it('bundles for the browser without the Node-only webgpu package, with one copy of tfjs-core', () => {
    const inputs = bundled.inputs.map((p) => p.split(sep).join('/'));
    expect(inputs.filter((p) => /(^|\/)node_modules\/webgpu\//.test(p))).toEqual([]);
    const coreCopies = new Set(
      inputs.map((p) => /(.*\/@tensorflow\/tfjs-core)\//.exec(p)?.[1]).filter((p): p is string => p !== undefined),
    );
    expect(coreCopies.size).toBe(1);
    expect(inputs.some((p) => p.endsWith('backend-webgpu/src/index.ts'))).toBe(true);
    expect(inputs.some((p) => p.endsWith('backend-webgpu/src/kernels/register.ts'))).toBe(true);
    expect(bundled.code).not.toMatch(/dawn\.node/);
  });

  it("resolves webgpu by name on the browser's own navigator.gpu", () => {
    expect(report.secureContext).toBe(true);
    expect(report.hasNavigatorGpu).toBe(true);
    expect(report.resolvedName).toBe('webgpu');
    expect(report.backendAfterResolve).toBe('webgpu');
    expect(report.device.source).toBe('native');
    expect(String(report.device.description)).toMatch(/^WebGPU \(browser\): /);
    expect(report.device.dawnFlags).toBeUndefined();
    expect(typeof report.device.software).toBe('boolean');
  });

  it('conv2d and matMul, forward and gradients, match the cpu backend within 1e-4 + 1e-4·|e|', () => {
    const names = report.cpu.outputs.map((o) => o.name);
    expect(names).toEqual(['conv2d', 'matMul', 'conv2d dx', 'conv2d dfilter', 'matMul da', 'matMul db']);
    expect(report.webgpu.outputs.map((o) => o.name)).toEqual(names);
    for (const [i, expected] of report.cpu.outputs.entries()) {
      const actual = report.webgpu.outputs[i]!;
      expect(actual.shape, expected.name).toEqual(expected.shape);
      expect(actual.values.length, expected.name).toBe(expected.values.length);
      // Guard against a vacuous comparison: the reference must not be all zeros.
      expect(Math.max(...expected.values.map(Math.abs)), expected.name).toBeGreaterThan(0.1);
      const { bad, worst } = compare(actual.values, expected.values);
      expect(bad, `${expected.name}: ${bad} of ${expected.values.length} elements out of tolerance, worst ${worst}`).toBe(0);
    }
  });

  it("serves conv2d gradients with tfbricks' training kernels", () => {
    expect(report.trainingKernelsActive).toBe(true);
    expect(report.convGradPrograms.some((k) => k.startsWith('tfbricksConv2DFilterGrad')), report.convGradPrograms.join(', ')).toBe(true);
    expect(report.convGradPrograms.some((k) => k.startsWith('tfbricksConv2DInputGrad')), report.convGradPrograms.join(', ')).toBe(true);
  });

  it('runs one training step of a tiny tfjs-layers model on webgpu', () => {
    const t = report.training;
    expect(t.backendBefore).toBe('webgpu');
    expect(t.backendAfter).toBe('webgpu');
    expect(Number.isFinite(t.lossBefore)).toBe(true);
    expect(Number.isFinite(t.lossAfter)).toBe(true);
    expect(t.weightsChanged).toBe(true);
    expect(t.lossAfter).not.toBe(t.lossBefore);
    // The step's backward pass went through tfbricks' programs; tf.train.adam stays tfjs' own.
    expect(t.programs.some((k) => k.startsWith('tfbricksConv2DFilterGrad')), t.programs.join(', ')).toBe(true);
    expect(t.programs.some((k) => k.startsWith('tfbricksAdam')), t.programs.join(', ')).toBe(false);
    // The RGB layer's gradients stayed off the tiled programs (they hang under SwiftShader).
    expect(t.programs.filter((k) => k.endsWith('Gemm')), t.programs.join(', ')).toEqual([]);
  });

  it("runs core's TfbricksAdamUpdate (what KerasAdam calls) in 3 programs with Keras' formula", () => {
    expect(report.adamKernel.programs.sort()).toEqual(['tfbricksAdam_0', 'tfbricksAdam_1', 'tfbricksAdam_2']);
    expect(report.adamKernel.worstError).toBeLessThan(1e-5);
  });
});
