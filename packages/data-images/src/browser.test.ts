// blobFolderReader in a real browser: headless Chromium (Debian's `chromium`, driven by
// playwright-core; nothing is downloaded) decodes with createImageBitmap. The page is
// browser-test/entry.ts bundled by esbuild and served from 127.0.0.1. Without Chromium the
// suite is skipped with a printed reason, unless TFBRICKS_REQUIRE_BROWSER=1 (then it fails).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as harness from '@tfbricks/test-browser/node';
import type { BrowserReport } from '../browser-test/entry';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const chromium = harness.findChromium('data-images browser test');

harness.chromiumRequiredSuite('blobFolderReader in the browser', chromium);

describe.runIf(chromium.available)('blobFolderReader in headless Chromium (createImageBitmap)', () => {
  let browser: Browser;
  let server: harness.StaticServer | undefined;
  let report: BrowserReport;
  beforeAll(async () => {
    const result = await harness.bundleForBrowser({ entryPoints: [join(packageDir, 'browser-test', 'entry.ts')] });
    server = await harness.serveFiles(harness.harnessFiles('tfbricks data-images browser test', result.outputFiles[0]!.text));
    browser = await harness.launchChromium(chromium);
    const { page, log } = await harness.openBrowserTest(browser, server.url, { timeoutMs: 40_000 });
    report = await harness.evaluateBrowserTest<BrowserReport>(page, { timeoutMs: 60_000, log });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("lists like Keras, decodes with the browser, and yields Keras' batches", () => {
    expect(report.lines).toEqual(['Found 10 files belonging to 2 classes.']);
    expect(report.classNames).toEqual(['cat', 'dog']);
    expect(report.filePaths.slice(0, 2)).toEqual(['pets/cat/cat_0.png', 'pets/cat/cat_1.png']);
    expect(report.labels).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    // Solid colours survive decode + bilinear resize exactly.
    expect(report.firstPixels[0]).toEqual([10, 0, 7]);
    expect(report.firstPixels[6]).toEqual([110, 20, 7]);
  });

  it('a cut-short file and a 30000 x 30000 header (refused before decoding) are reported with reasons', () => {
    expect(report.bad).toMatch(/^2 bad image files in x:\n {2}x\/a\/bad\.png: cannot be decoded.*\n {2}x\/a\/bomb\.png: header declares 30000 x 30000 = 900000000 pixels, over the limit/);
  });
});
