// Runs @tfbricks/backend-webgpu in a real browser: headless Chromium (Debian's `chromium`
// package, driven by playwright-core; no browser is downloaded) with its native navigator.gpu
// (SwiftShader, Chromium's own software Vulkan). The page is browser-test/entry.ts, bundled
// here by esbuild and served from 127.0.0.1 (a secure context, as WebGPU requires).
// Without /usr/bin/chromium (or TFBRICKS_CHROMIUM) the suite is skipped with a printed reason,
// unless TFBRICKS_REQUIRE_BROWSER=1, which makes it fail instead.
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { worstMiss } from '@tfbricks/test-browser';
import * as harness from '@tfbricks/test-browser/node';
import type { BrowserReport } from '../browser-test/entry';

const harnessDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'browser-test');
const chromium = harness.findChromium('backend-webgpu browser test');
/** The page's whole run takes ~1.5 s on SwiftShader with 2 shared cores. */
const EVALUATE_TIMEOUT_MS = 40_000;
/** |actual − expected| ≤ 1e-4 + 1e-4·|expected|, element by element. */
const TOLERANCE = { atol: 1e-4, rtol: 1e-4, actualName: 'webgpu', expectedName: 'cpu' };

async function bundle(): Promise<{ code: string; inputs: string[]; ms: number }> {
  const start = performance.now();
  // Metafile input paths are relative to packages/: `backend-webgpu/src/…`, `../node_modules/.pnpm/…`.
  const result = await harness.bundleForBrowser({
    entryPoints: [join(harnessDir, 'entry.ts')],
    metafile: true,
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

harness.chromiumRequiredSuite('backend-webgpu in the browser', chromium);

describe.runIf(chromium.available)('backend-webgpu in the browser (headless Chromium, native navigator.gpu)', () => {
  let browser: Browser | undefined;
  let server: harness.StaticServer | undefined;
  let report: BrowserReport;
  let bundled: { code: string; inputs: string[]; ms: number };
  const timings: Record<string, number> = {};
  const pageLog: string[] = [];

  beforeAll(async () => {
    bundled = await bundle();
    timings.bundle = bundled.ms;
    server = await harness.serveFiles(harness.harnessFiles('tfbricks backend-webgpu browser test', bundled.code));
    let start = performance.now();
    browser = await harness.launchChromium(chromium, { webgpu: true, timeout: 60_000 });
    timings.launch = Math.round(performance.now() - start);
    start = performance.now();
    const { page } = await harness.openBrowserTest(browser, server.url, { timeoutMs: 40_000, log: pageLog });
    timings.load = Math.round(performance.now() - start);
    start = performance.now();
    // A GPU program that never finishes would otherwise stall until Chromium's GPU watchdog
    // (about 90 s) loses the device; give up sooner and say which stage the page was in.
    report = await harness.evaluateBrowserTest<BrowserReport>(page, { timeoutMs: EVALUATE_TIMEOUT_MS, log: pageLog });
    timings.evaluate = Math.round(performance.now() - start);
    console.log(
      `[backend-webgpu browser test] ${report.userAgent}\n  device: ${String(report.device.description)}\n  timings (ms): ${JSON.stringify({ ...timings, page: report.timingsMs })}`,
    );
  }, 180_000); // launch ≤ 60 s + load ≤ 40 s + page ≤ 40 s, with room for the bundling on a busy machine

  afterAll(async () => {
    await browser?.close();
    await server?.close();
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
      const { bad, worst } = worstMiss(actual.values, expected.values, TOLERANCE);
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
