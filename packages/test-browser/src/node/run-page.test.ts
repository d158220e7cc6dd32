// The harness end to end in headless Chromium: a page bundled from the workspace sources, served
// cross-origin isolated, answers through exposeBrowserTest; a page that throws or stalls fails
// with its stage and its log. Skipped without Chromium, unless TFBRICKS_REQUIRE_BROWSER=1.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ISOLATION_HEADERS, type StaticServer, bundleForBrowser, chromiumRequiredSuite, evaluateBrowserTest, findChromium, harnessFiles, launchChromium, openBrowserTest, packagesDir, serveFiles } from './index';

const chromium = findChromium('test-browser harness test');

const PAGE = `
import { exposeBrowserTest, setBrowserStage } from '@tfbricks/test-browser';
exposeBrowserTest(async () => {
  const mode = new URLSearchParams(location.search).get('mode');
  setBrowserStage('stage one');
  console.log('hello from the page');
  if (mode === 'throw') throw new Error('broken on purpose');
  if (mode === 'stall') {
    setBrowserStage('stalling');
    return new Promise(() => {});
  }
  return { answer: 42, isolated: globalThis.crossOriginIsolated, cores: navigator.hardwareConcurrency };
});
`;

chromiumRequiredSuite('the test-browser harness in the browser', chromium);

describe.runIf(chromium.available)('the test-browser harness in headless Chromium', () => {
  let browser: Browser | undefined;
  let server: StaticServer | undefined;

  beforeAll(async () => {
    const result = await bundleForBrowser({ stdin: { contents: PAGE, resolveDir: packagesDir, loader: 'ts' } });
    server = await serveFiles(harnessFiles('tfbricks test-browser harness test', result.outputFiles[0]!.text), ISOLATION_HEADERS);
    browser = await launchChromium(chromium);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('loads the bundled page cross-origin isolated, runs the init script, and returns its report', async () => {
    const initScript = "Object.defineProperty(navigator, 'hardwareConcurrency', { get: () => 7 })";
    const { page, log } = await openBrowserTest(browser!, `${server!.url}?mode=ok`, { timeoutMs: 20_000, initScript });
    expect(await evaluateBrowserTest(page, { timeoutMs: 20_000, log })).toEqual({ answer: 42, isolated: true, cores: 7 });
    expect(log).toContain('log: hello from the page');
    await page.close();
  });

  it('a page that throws fails with its stage and its log', async () => {
    const { page, log } = await openBrowserTest(browser!, `${server!.url}?mode=throw`, { timeoutMs: 20_000 });
    await expect(evaluateBrowserTest(page, { timeoutMs: 20_000, log, name: 'throwing page' })).rejects.toThrow(
      /^throwing page failed during "stage one": .*broken on purpose[\s\S]*page log:\nlog: hello from the page/,
    );
    await page.close();
  });

  it('a page that never answers fails after the timeout, saying where it stalled', async () => {
    const { page, log } = await openBrowserTest(browser!, `${server!.url}?mode=stall`, { timeoutMs: 20_000 });
    await expect(evaluateBrowserTest(page, { timeoutMs: 1_000, log })).rejects.toThrow(/^the page failed during "stalling": no answer after 1000 ms/);
    await page.close();
  });
});
