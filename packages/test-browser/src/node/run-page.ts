// Drives the page side (exposeBrowserTest / setBrowserStage) from Node.
import type { Browser, Page } from 'playwright-core';

/** Collects the page's console messages and uncaught errors into `log`. */
export function recordPageLog(page: Page, log: string[] = []): string[] {
  page.on('console', (m) => log.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
  return log;
}

/** Opens `url` and waits (up to `timeoutMs`) until the page has published its test function. */
export async function loadBrowserTest(page: Page, url: string, timeoutMs: number): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => typeof (globalThis as { tfbricksBrowserTest?: unknown }).tfbricksBrowserTest === 'function', undefined, { timeout: timeoutMs });
}

/** A new page of `browser` (with `initScript` run before the page's own), its log, loaded with loadBrowserTest. */
export async function openBrowserTest(browser: Browser, url: string, options: { timeoutMs: number; initScript?: string; log?: string[] }): Promise<{ page: Page; log: string[] }> {
  const page = await browser.newPage();
  if (options.initScript !== undefined) await page.addInitScript(options.initScript);
  const log = recordPageLog(page, options.log);
  await loadBrowserTest(page, url, options.timeoutMs);
  return { page, log };
}

/**
 * Runs the page's test function and returns its report. A page that has not answered after
 * `timeoutMs` (a GPU program that never finishes would otherwise stall until Chromium's watchdog)
 * or that throws fails with the stage it was in and the page log.
 */
export async function evaluateBrowserTest<R>(page: Page, options: { timeoutMs: number; log: string[]; name?: string }): Promise<R> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer after ${options.timeoutMs} ms`)), options.timeoutMs);
  });
  try {
    return await Promise.race([page.evaluate(() => (globalThis as unknown as { tfbricksBrowserTest: () => Promise<R> }).tfbricksBrowserTest()), stalled]);
  } catch (error) {
    const stage = await page
      .evaluate(() => (globalThis as { tfbricksBrowserStage?: string }).tfbricksBrowserStage ?? 'not started')
      .catch(() => 'unknown (the page is unresponsive)');
    throw new Error(`${options.name ?? 'the page'} failed during "${stage}": ${(error as Error).message}\npage log:\n${options.log.join('\n')}`);
  } finally {
    clearTimeout(timer);
  }
}
