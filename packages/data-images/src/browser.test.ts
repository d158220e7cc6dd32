// blobFolderReader in a real browser: headless Chromium (Debian's `chromium`, driven by
// playwright-core; nothing is downloaded) decodes with createImageBitmap. The page is
// browser-test/entry.ts bundled by esbuild. Skipped with a printed reason without Chromium.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserReport } from '../browser-test/entry';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const packagesDir = join(packageDir, '..');
const executablePath = process.env.TFBRICKS_CHROMIUM || '/usr/bin/chromium';
const haveBrowser = existsSync(executablePath);
if (!haveBrowser) console.warn(`[data-images browser test] skipped: no Chromium at ${executablePath} (apt-get install -y chromium, or set TFBRICKS_CHROMIUM)`);

const workspaceSources: Plugin = {
  name: 'tfbricks-workspace-sources',
  setup(b) {
    b.onResolve({ filter: /^@tfbricks\/[a-z0-9-]+$/ }, (args) => {
      const entry = join(packagesDir, args.path.slice('@tfbricks/'.length), 'src', 'index.ts');
      return existsSync(entry) ? { path: entry } : undefined;
    });
  },
};

describe.skipIf(!haveBrowser)('blobFolderReader in headless Chromium (createImageBitmap)', () => {
  let browser: Browser;
  let report: BrowserReport;
  beforeAll(async () => {
    const result = await build({
      entryPoints: [join(packageDir, 'browser-test', 'entry.ts')],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'imagesTest',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
      plugins: [workspaceSources],
      absWorkingDir: packagesDir,
    });
    browser = await chromium.launch({
      executablePath,
      args: ['--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-extensions'],
    });
    const page = await browser.newPage();
    await page.addScriptTag({ content: result.outputFiles[0].text });
    report = (await page.evaluate('imagesTest.run()')) as BrowserReport;
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
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
