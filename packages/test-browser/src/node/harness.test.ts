// The harness itself, without a browser: the skip/require rule, the server, the bundling.
import { describe, expect, it, vi } from 'vitest';
import { bundleForBrowser, findChromium, harnessFiles, ISOLATION_HEADERS, packagesDir, serveFiles } from './index';

describe('findChromium', () => {
  it('skips with a printed reason where Chromium is absent, unless TFBRICKS_REQUIRE_BROWSER=1', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const skipped = findChromium('x test', { TFBRICKS_CHROMIUM: '/nonexistent/chromium' });
      expect(skipped).toEqual({ executablePath: '/nonexistent/chromium', available: false, required: false });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(/^\[x test\] skipped: no Chromium at \/nonexistent\/chromium .*TFBRICKS_REQUIRE_BROWSER=1/);
      const required = findChromium('x test', { TFBRICKS_CHROMIUM: '/nonexistent/chromium', TFBRICKS_REQUIRE_BROWSER: '1' });
      expect(required).toEqual({ executablePath: '/nonexistent/chromium', available: false, required: true });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(findChromium('x test', { TFBRICKS_CHROMIUM: process.execPath }).available).toBe(true);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('serveFiles', () => {
  it('serves the files by path with their type and the extra headers, 404 otherwise', async () => {
    const server = await serveFiles(harnessFiles('t title', 'globalThis.x = 1;'), ISOLATION_HEADERS);
    try {
      const { url } = server;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await fetch(url);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      expect(await page.text()).toContain('<title>t title</title>');
      expect(await (await fetch(`${url}bundle.js`)).text()).toBe('globalThis.x = 1;');
      expect((await fetch(`${url}missing.js`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

describe('bundleForBrowser', () => {
  it('takes @tfbricks/* (and their subpaths) from the workspace sources', async () => {
    const result = await bundleForBrowser({
      stdin: { contents: "export { lcgValues } from '@tfbricks/test-browser'; export * from '@tfbricks/core';", resolveDir: packagesDir, loader: 'ts' },
      metafile: true,
      external: ['@tensorflow/tfjs-core'],
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain('test-browser/src/index.ts');
    expect(inputs).toContain('core/src/index.ts');
    expect(result.outputFiles[0]!.text).toContain('1664525');
  });
});
