// Runs @tfbricks/backend-wasm in a real browser: headless Chromium (Debian's `chromium`,
// driven by playwright-core; no browser is downloaded). The page (browser-test/entry.ts,
// bundled here by esbuild) is served from 127.0.0.1 twice: plainly, where tfjs-backend-wasm
// runs single-threaded, and cross-origin isolated (COOP + COEP headers), where it loads its
// threaded build. tfjs-backend-wasm's .wasm files are served from the installed package.
// Without /usr/bin/chromium (or TFBRICKS_CHROMIUM) the suite is skipped with a printed reason,
// unless TFBRICKS_REQUIRE_BROWSER=1, which makes it fail instead.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { worstMiss } from '@tfbricks/test-browser';
import * as harness from '@tfbricks/test-browser/node';
import type { BrowserReport } from '../browser-test/entry';

const harnessDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'browser-test');
const wasmDist = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
const chromium = harness.findChromium('backend-wasm browser test');
const EVALUATE_TIMEOUT_MS = 60_000;
const ISOLATED_CORES = 4;
const TOLERANCE = { atol: 2e-5, rtol: 2e-5, actualName: 'wasm', expectedName: 'cpu' };

async function bundle(): Promise<string> {
  const result = await harness.bundleForBrowser({
    entryPoints: [join(harnessDir, 'entry.ts')],
    // Node-only modules tfjs-backend-wasm's emscripten glue names but never loads in a browser.
    external: ['fs', 'path', 'worker_threads', 'perf_hooks', 'os'],
  });
  return result.outputFiles[0]!.text;
}

harness.chromiumRequiredSuite('backend-wasm in the browser', chromium);

describe.runIf(chromium.available)('backend-wasm in the browser (headless Chromium)', () => {
  let browser: Browser | undefined;
  const servers: harness.StaticServer[] = [];
  const reports: Record<'plain' | 'isolated', BrowserReport> = {} as never;

  beforeAll(async () => {
    const files: Record<string, harness.ServedFile> = harness.harnessFiles('tfbricks backend-wasm browser test', await bundle());
    for (const name of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
      files[`/wasm/${name}`] = { type: 'application/wasm', body: await readFile(join(wasmDist, name)) };
    }
    browser = await harness.launchChromium(chromium, { timeout: 30_000 });
    for (const mode of ['plain', 'isolated'] as const) {
      const server = await harness.serveFiles(files, mode === 'isolated' ? harness.ISOLATION_HEADERS : {});
      servers.push(server);
      // tfjs-backend-wasm sizes its pthread pool to half the logical cores, which is one worker
      // on a 2-core machine. The isolated page says 4 cores so that XNNPACK gets a pool of 2
      // threads: both real cores, and a real multi-threaded run.
      const initScript = mode === 'isolated' ? `Object.defineProperty(navigator, 'hardwareConcurrency', { get: () => ${ISOLATED_CORES} })` : undefined;
      const { page, log } = await harness.openBrowserTest(browser, server.url, { timeoutMs: 20_000, initScript });
      reports[mode] = await harness.evaluateBrowserTest<BrowserReport>(page, { timeoutMs: EVALUATE_TIMEOUT_MS, log, name: `${mode} page` });
      const r = reports[mode];
      console.log(`[backend-wasm browser test] ${mode}: ${r.resolution}; ${r.threads} thread(s) of ${r.cores} cores; training step ${r.training.stepMs.toFixed(0)} ms`);
      await page.close();
    }
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all(servers.map((s) => s.close()));
  });

  it('a plain page runs single-threaded; a cross-origin-isolated one loads the threaded build', () => {
    expect(reports.plain.crossOriginIsolated).toBe(false);
    expect(reports.plain.device.threads).toBe(1);
    expect(reports.plain.threads).toBe(1);
    expect(reports.isolated.crossOriginIsolated).toBe(true);
    // XNNPACK gets the isolated page's pool; tfbricks' kernels run on the page's thread.
    expect(reports.isolated.threads).toBe(ISOLATED_CORES / 2);
    expect(reports.isolated.device.threads).toBe(1);
    for (const r of Object.values(reports)) {
      expect(r.backendAfterResolve).toBe('wasm');
      expect(r.device.simd).toBe(true);
      const xnnpack = r.threads === 1 ? '1 thread' : `${r.threads} threads`;
      expect(r.resolution).toMatch(/^backend: wasm \(requested explicitly\) on WebAssembly CPU, tfbricks kernels \(SIMD128( \+ FMA)?, 1 thread\) \+ XNNPACK \(\d threads?\), browser/);
      expect(r.resolution).toContain(`XNNPACK (${xnnpack}), browser`);
      expect(r.trainingKernelsActive).toBe(true);
    }
  });

  it("tfbricks' WebAssembly kernels serve the convolutions and their gradients on both pages (shared and plain heaps)", () => {
    for (const [mode, r] of Object.entries(reports)) {
      expect(r.directCalls.conv_forward ?? 0, mode).toBeGreaterThan(0);
      expect(r.directCalls.filter_grad ?? 0, mode).toBeGreaterThan(0);
      expect(r.directCalls.wino_fused ?? 0, `${mode}: Winograd forward`).toBeGreaterThan(0);
      expect(r.directCalls.wgrad_out ?? 0, `${mode}: Winograd filter gradient`).toBeGreaterThan(0);
    }
  });

  it('conv2d forward and both gradients match cpu (same/stride 1, valid/stride 2, 64 channels by Winograd), both pages', () => {
    for (const [mode, r] of Object.entries(reports)) {
      expect(r.wasm.outputs.map((o) => o.name)).toEqual(r.cpu.outputs.map((o) => o.name));
      r.cpu.outputs.forEach((expected, i) => {
        const actual = r.wasm.outputs[i]!;
        expect(actual.shape, `${mode} ${expected.name}`).toEqual(expected.shape);
        expect(Math.max(...expected.values.map(Math.abs)), expected.name).toBeGreaterThan(0.1);
        const { bad, worst } = worstMiss(actual.values, expected.values, TOLERANCE);
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
