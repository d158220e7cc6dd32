// The studio in a real browser: `tfbricks studio --data-dir` serves the built page and a
// CIFAR-10 archive made from cifar10-mini (and the extracted folder); headless Chromium
// (SwiftShader WebGPU, as in backend-webgpu's browser test) loads it, trains the `tiny`
// model for 2 epochs in the worker, and the test checks what a person would: the numbers on the page against the CSV
// it exports, a responsive UI thread, reload + resume, the downloaded model through
// `tfbricks evaluate`, and clear messages for bad archives. Screenshots go to
// test-artifacts/. Without Chromium the suite is skipped, unless TFBRICKS_REQUIRE_BROWSER=1.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumRequiredSuite, findChromium, launchChromium, recordPageLog } from '@tfbricks/test-browser/node';
import { sharedDir } from '../../../vitest.shared';
import { makeFiles, officialMembers, tarGz } from '../../data-cifar/test/fixtures';
import { CIFAR100_SPEC } from '../../data-cifar/src/spec';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const cliDir = join(packageDir, '../cli');
const artifacts = join(packageDir, 'test-artifacts');
const chromium = findChromium('studio browser test');
const mini = join(sharedDir, 'data/cifar10-mini');
const haveMini = existsSync(join(mini, 'cifar-10-batches-bin'));
const RUN = { model: 'tiny', epochs: '2', 'limit-train': '256', 'limit-test': '128', batch: '32', lr: '0.01' };
const TRAIN_TIMEOUT_MS = 240_000;

if ((chromium.available || chromium.required) && !haveMini) {
  console.warn(`[studio browser test] skipped: ${mini} is absent (the cifar10-mini set in ../shared)`);
}

chromiumRequiredSuite('studio in the browser', chromium);

/** A child `tfbricks` running the CLI's TypeScript sources through tsx. */
function cli(argv: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', join(cliDir, 'node_modules/tsx/dist/esm/index.mjs'), join(cliDir, 'src/bin.ts'), ...argv], {
    cwd: packageDir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TSX_TSCONFIG_PATH: join(cliDir, 'tsconfig.json') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function parseCsv(text: string): { header: string[]; rows: number[][] } {
  const [head, ...lines] = text.trim().split('\n');
  return { header: head!.split(','), rows: lines.map((l) => l.split(',').map(Number)) };
}

async function setRecipe(page: Page): Promise<void> {
  await page.selectOption('[data-testid="model"]', RUN.model);
  for (const [id, value] of Object.entries(RUN)) if (id !== 'model') await page.fill(`[data-testid="${id}"]`, value);
  await page.selectOption('[data-testid="backend"]', 'webgpu');
}

async function downloadTo(page: Page, button: string, path: string): Promise<string> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid="${button}"]`)]);
  await dl.saveAs(path);
  return path;
}

const waitDone = (page: Page) => page.waitForFunction(() => (document.querySelector('[data-testid="progress-text"]') as HTMLElement | null)?.dataset.done, undefined, { timeout: TRAIN_TIMEOUT_MS, polling: 500 });

describe.runIf(chromium.available && haveMini)('tfbricks studio in headless Chromium (WebGPU on SwiftShader)', () => {
  let tmp: string;
  let server: ChildProcess | undefined;
  let url: string;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  const pageLog: string[] = [];
  let firstRun: { csv: string; weights: Buffer; accuracy: number } | undefined;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    tmp = mkdtempSync(join(tmpdir(), 'tfb-studio-'));
    const data = join(tmp, 'data');
    mkdirSync(data);
    execFileSync('tar', ['-czf', join(data, 'cifar-10-binary.tar.gz'), '-C', mini, 'cifar-10-batches-bin']);
    const good = readFileSync(join(data, 'cifar-10-binary.tar.gz'));
    writeFileSync(join(tmp, 'truncated-cifar-10.tar.gz'), good.subarray(0, Math.floor(good.length * 0.6)));
    const corrupt = Buffer.from(good.subarray(0, 200_000));
    for (let i = 64; i < corrupt.length; i += 97) corrupt[i] ^= 0xa5;
    writeFileSync(join(tmp, 'corrupt.tar.gz'), corrupt);
    writeFileSync(join(tmp, 'cifar-100-binary.tar.gz'), tarGz(officialMembers(CIFAR100_SPEC, makeFiles(CIFAR100_SPEC, { train: 50, test: 10 }, 3))));
    // The official folder, extracted, beside the archive: the server offers it as a .tar.gz too.
    mkdirSync(join(data, 'cifar-10-batches-bin'));
    for (const f of readdirSync(join(mini, 'cifar-10-batches-bin'))) copyFileSync(join(mini, 'cifar-10-batches-bin', f), join(data, 'cifar-10-batches-bin', f));
    // The page as users get it: `vite build`, then `tfbricks studio` serving it. The build goes
    // to a folder of its own (--app-dir), not dist/, which turbo's build may be writing meanwhile.
    const app = join(tmp, 'app');
    const { build } = await import('vite');
    await build({ root: packageDir, configFile: join(packageDir, 'vite.config.ts'), logLevel: 'warn', build: { outDir: app, emptyOutDir: true } });
    server = cli(['studio', '--port', '0', '--data-dir', data, '--app-dir', app]);
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      server!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /tfbricks studio: (http:\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      server!.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      server!.on('exit', (code) => reject(new Error(`tfbricks studio exited with ${code}: ${err}`)));
      setTimeout(() => reject(new Error(`tfbricks studio printed no URL in 60 s: ${out} ${err}`)), 60_000);
    });
    browser = await launchChromium(chromium, { webgpu: true, timeout: 30_000 });
    context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
    page = await context.newPage();
    recordPageLog(page, pageLog);
    await page.goto(url);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    server?.kill('SIGTERM');
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    if (pageLog.some((l) => l.startsWith('pageerror'))) console.warn(`[studio browser test] page log:\n${pageLog.join('\n')}`);
  });

  it('a corrupt archive, a truncated one and a CIFAR-100 archive given as CIFAR-10 each get a clear message and train nothing', async () => {
    const cases: [string, RegExp][] = [
      ['corrupt.tar.gz', /corrupt\.tar\.gz is not a complete \.tar\.gz|corrupt\.tar\.gz: the tar data is damaged/],
      ['truncated-cifar-10.tar.gz', /truncated-cifar-10\.tar\.gz is not a complete \.tar\.gz/],
      ['cifar-100-binary.tar.gz', /cifar-100-binary\.tar\.gz is a CIFAR-100 archive \(it holds 'cifar-100-binary\/'\), not CIFAR-10/],
    ];
    for (const [file, message] of cases) {
      await page.setInputFiles('[data-testid="file"]', join(tmp, file));
      await page.waitForFunction(() => !(document.querySelector('[data-testid="data-error"]') as HTMLElement).hidden, undefined, { timeout: 60_000 });
      const text = await page.textContent('[data-testid="data-error"]');
      expect(text).toMatch(message);
      expect(await page.textContent('[data-testid="data-status"]')).toMatch(/nothing was trained/);
      expect(await page.isDisabled('[data-testid="start"]')).toBe(true);
      if (file === 'cifar-100-binary.tar.gz') await page.screenshot({ path: join(artifacts, '1-bad-archive.png'), fullPage: true });
      await page.evaluate(() => ((document.querySelector('[data-testid="data-error"]') as HTMLElement).hidden = true));
    }
  }, 180_000);

  it('without WebGPU the page says why and offers the cpu backend', async () => {
    // Without --enable-unsafe-webgpu, headless Chromium on Linux finds no WebGPU adapter.
    const plain = await launchChromium(chromium, { timeout: 30_000 });
    try {
      const p = await plain.newPage();
      await p.goto(url);
      await p.waitForFunction(() => /No WebGPU/.test(document.querySelector('[data-testid="backend-status"]')?.textContent ?? ''), undefined, { timeout: 30_000 });
      expect(await p.textContent('[data-testid="backend-status"]')).toMatch(/No WebGPU: (requestAdapter\(\) found no GPU adapter|this browser has no navigator\.gpu).*Training runs on the cpu backend/);
      expect(await p.inputValue('[data-testid="backend"]')).toBe('cpu');
      await p.screenshot({ path: join(artifacts, '0-no-webgpu.png') });
    } finally {
      await plain.close();
    }
  }, 60_000);

  it('loads the archive tfbricks studio --data-dir serves: counts, sample grid with class names, summary, augmentation preview', async () => {
    // The extracted folder first (same parser, same checks), then the archive.
    expect(await page.textContent('[data-testid="server-file-cifar-10-batches-bin.tar.gz"]')).toMatch(/^cifar-10-batches-bin\/ \(folder, /);
    await page.click('[data-testid="server-file-cifar-10-batches-bin.tar.gz"]');
    await page.waitForFunction(() => /^cifar-10-batches-bin\/: CIFAR-10, 5,000 training/.test(document.querySelector('[data-testid="data-status"]')?.textContent ?? ''), undefined, { timeout: 60_000 });
    await page.screenshot({ path: join(artifacts, '2-loaded-folder.png') });
    await page.click('[data-testid="server-file-cifar-10-binary.tar.gz"]');
    await page.waitForFunction(() => /^cifar-10-binary\.tar\.gz/.test(document.querySelector('[data-testid="data-status"]')?.textContent ?? ''), undefined, { timeout: 60_000 });
    await page.waitForFunction(() => (globalThis as { tfbricksStudio?: { loaded: boolean } }).tfbricksStudio?.loaded, undefined, { timeout: 60_000 });
    expect(await page.textContent('[data-testid="data-status"]')).toMatch(/cifar-10-binary\.tar\.gz: CIFAR-10, 5,000 training and 1,000 test images, 10 classes/);
    expect(await page.locator('[data-testid="samples"] figure').count()).toBe(40);
    const captions = await page.locator('[data-testid="samples"] figcaption').allTextContents();
    expect(captions.every((c) => ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'].includes(c))).toBe(true);
    expect(await page.textContent('[data-testid="summary"]')).toMatch(/Total params: 1,071,542/);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="preview"] canvas').length === 32, undefined, { timeout: 60_000 });
    await page.click('#model-details summary');
    await page.waitForSelector('[data-testid="plot"] svg', { timeout: 60_000 });
    await page.screenshot({ path: join(artifacts, '2-loaded.png'), fullPage: true });
    await page.click('#model-details summary');
  }, 120_000);

  it('trains tiny for 2 epochs in a worker on WebGPU: live progress, curves and confusion matrix show the numbers of the exported CSV; the UI thread never blocks for 200 ms', async () => {
    await setRecipe(page);
    await page.evaluate(() => {
      const longTasks: { start: number; duration: number }[] = [];
      (globalThis as unknown as { longTasks: unknown }).longTasks = longTasks;
      new PerformanceObserver((list) => list.getEntries().forEach((e) => longTasks.push({ start: e.startTime, duration: e.duration }))).observe({ type: 'longtask' });
    });
    await page.click('[data-testid="start"]');
    await page.waitForFunction(() => /images\/s · ETA/.test(document.querySelector('[data-testid="progress-text"]')?.textContent ?? ''), undefined, { timeout: 120_000, polling: 500 });
    expect(await page.textContent('[data-testid="backend-status"]')).toMatch(/training on webgpu/);
    // Pause and continue mid-run.
    await page.click('[data-testid="pause"]');
    await page.waitForFunction(() => (globalThis as { tfbricksStudio?: { paused: boolean } }).tfbricksStudio?.paused, undefined, { timeout: 60_000, polling: 500 });
    // A full-page screenshot relayouts the page on the UI thread; that time is the test's, not the page's.
    const shot = await page.evaluate(() => performance.now());
    await page.screenshot({ path: join(artifacts, '3-training-paused.png'), fullPage: true });
    const shotEnd = await page.evaluate(() => performance.now());
    await page.click('[data-testid="continue"]');
    await waitDone(page);
    const tasks = await page.evaluate(() => (globalThis as unknown as { longTasks: { start: number; duration: number }[] }).longTasks);
    const longTasks = tasks.filter((t) => t.start + t.duration < shot || t.start > shotEnd).map((t) => Math.round(t.duration));
    expect(Math.max(0, ...longTasks), `long tasks while training (ms): ${longTasks.join(', ')}`).toBeLessThan(200);
    await page.screenshot({ path: join(artifacts, '4-trained.png'), fullPage: true });
    expect(await page.textContent('[data-testid="progress-text"]')).toMatch(/Done: 2 epochs, test accuracy \d+\.\d\d%/);

    const csv = readFileSync(await downloadTo(page, 'download-csv', join(tmp, 'metrics.csv')), 'utf8');
    const { header, rows } = parseCsv(csv);
    expect(header).toEqual(['epoch', 'acc', 'loss', 'val_acc', 'val_loss']);
    expect(rows.map((r) => r[0])).toEqual([0, 1]);
    // The metrics table, the curves and the confusion matrix hold the CSV's numbers.
    for (const [e, row] of rows.entries()) {
      for (const key of ['loss', 'acc', 'val_loss', 'val_acc']) {
        const cell = page.locator(`[data-testid="metrics"] tr[data-epoch="${e}"] td[data-key="${key}"]`);
        expect(Number(await cell.getAttribute('data-value'))).toBe(row[header.indexOf(key)]);
        expect(await cell.textContent()).toBe(row[header.indexOf(key)]!.toFixed(4));
      }
    }
    const series = async (id: string) => JSON.parse((await page.getAttribute(`[data-testid="${id}"]`, 'data-series'))!) as { label: string; points: [number, number][] }[];
    const loss = await series('loss-chart');
    const acc = await series('acc-chart');
    const col = (k: string) => rows.map((r, i) => [i + 1, r[header.indexOf(k)]]);
    expect(loss.find((s) => s.label === 'train')!.points).toEqual(col('loss'));
    expect(loss.find((s) => s.label === 'validation')!.points).toEqual(col('val_loss'));
    expect(acc.find((s) => s.label === 'train')!.points).toEqual(col('acc'));
    expect(acc.find((s) => s.label === 'validation')!.points).toEqual(col('val_acc'));
    const counts = (await page.locator('[data-testid="confusion"] td').evaluateAll((tds) => tds.map((td) => Number((td as HTMLElement).dataset.count)))) as number[];
    expect(counts.length).toBe(100);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(128);
    const diagonal = counts.filter((_, i) => i % 11 === 0).reduce((a, b) => a + b, 0);
    const valAcc = rows[1]![header.indexOf('val_acc')]!;
    expect(diagonal / 128).toBeCloseTo(valAcc, 6);
    expect(await page.locator('[data-testid="predictions"] figure').count()).toBe(24);

    const tarPath = await downloadTo(page, 'download-model', join(tmp, 'model.tar'));
    const modelDir = join(tmp, 'first');
    mkdirSync(modelDir);
    execFileSync('tar', ['-xf', tarPath, '-C', modelDir]);
    firstRun = { csv, weights: readFileSync(join(modelDir, 'tfbricks-tiny', 'weights.bin')), accuracy: valAcc };
  }, TRAIN_TIMEOUT_MS + 60_000);

  it('the downloaded model is a tfbricks saved model: tfbricks evaluate reports the test accuracy the page showed', async () => {
    expect(firstRun).toBeDefined();
    const child = cli(['evaluate', join(tmp, 'first', 'tfbricks-tiny'), '--data-dir', join(mini, 'cifar-10-batches-bin'), '--limit-test', '128', '--backend', 'cpu', '--json']);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, err).toBe(0);
    const report = JSON.parse(out.slice(out.indexOf('{'))) as { accuracy: number; count: number };
    expect(report.count).toBe(128);
    expect(report.accuracy).toBeCloseTo(firstRun!.accuracy, 6);
  }, 120_000);

  it('reloading mid-run offers to resume; the resumed run ends with the same weights as the uninterrupted one', async () => {
    expect(firstRun).toBeDefined();
    await setRecipe(page);
    await page.click('[data-testid="start"]');
    await page.waitForFunction(() => (document.querySelector('[data-testid="progress-text"]') as HTMLElement | null)?.dataset.checkpoint === '1', undefined, { timeout: TRAIN_TIMEOUT_MS, polling: 500 });
    await page.reload();
    await page.waitForSelector('[data-testid="resume-banner"]:not([hidden])', { timeout: 30_000 });
    expect(await page.textContent('[data-testid="resume-banner"]')).toMatch(/tiny on cifar10, 1 of 2 epochs done/);
    // The stored run's recipe and its first epoch are on the page before resuming.
    expect(await page.inputValue('[data-testid="model"]')).toBe('tiny');
    expect(await page.inputValue('[data-testid="epochs"]')).toBe('2');
    expect(await page.locator('[data-testid="metrics"] tr[data-epoch="0"]').count()).toBe(1);
    // The archive comes back from browser storage without asking.
    await page.waitForFunction(() => (globalThis as { tfbricksStudio?: { loaded: boolean } }).tfbricksStudio?.loaded, undefined, { timeout: 60_000 });
    expect(await page.textContent('[data-testid="data-status"]')).toMatch(/from browser storage/);
    await page.screenshot({ path: join(artifacts, '5-resume-offered.png'), fullPage: true });
    await page.click('[data-testid="resume-run"]');
    await waitDone(page);
    const csv = readFileSync(await downloadTo(page, 'download-csv', join(tmp, 'metrics-resumed.csv')), 'utf8');
    expect(csv).toBe(firstRun!.csv);
    const tarPath = await downloadTo(page, 'download-model', join(tmp, 'model-resumed.tar'));
    const dir = join(tmp, 'resumed');
    mkdirSync(dir);
    execFileSync('tar', ['-xf', tarPath, '-C', dir]);
    const weights = readFileSync(join(dir, 'tfbricks-tiny', 'weights.bin'));
    expect(weights.length).toBe(firstRun!.weights.length);
    expect(weights.equals(firstRun!.weights)).toBe(true);
  }, TRAIN_TIMEOUT_MS * 2);
});
