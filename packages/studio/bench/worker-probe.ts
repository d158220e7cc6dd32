// Where the page's batch time goes: trains the studio page (tiny, 256 images, batch 32, 2
// epochs) in headless Chromium with the worker's WebGPU calls wrapped (worker-probe-patch.js):
// GPU read-backs (mapAsync) and the time spent waiting for them, queue submits, pipelines and
// shader modules created, setTimeout yields; prints a snapshot at every progress message.
//   node --import tsx/esm bench/worker-probe.ts      (PROBE_ARGS='--flag ...' adds Chromium flags)
// Prints the page's images/s (last epoch) first.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const cliDir = join(packageDir, '../cli');
const mini = join(packageDir, '../../../shared/data/cifar10-mini');
const tmp = mkdtempSync(join(tmpdir(), 'tfb-studio-probe-'));
const app = join(tmp, 'app');
execFileSync('npx', ['vite', 'build', '--outDir', app, '--emptyOutDir', '--logLevel', 'warn'], { cwd: packageDir, stdio: 'inherit' });
mkdirSync(join(tmp, 'data'));
execFileSync('tar', ['-czf', join(tmp, 'data', 'cifar-10-binary.tar.gz'), '-C', mini, 'cifar-10-batches-bin']);
const server = spawn(process.execPath, ['--import', join(cliDir, 'node_modules/tsx/dist/esm/index.mjs'), join(cliDir, 'src/bin.ts'), 'studio', '--port', '0', '--data-dir', join(tmp, 'data'), '--app-dir', app], { env: { ...process.env, TSX_TSCONFIG_PATH: join(cliDir, 'tsconfig.json') }, stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise<string>((resolve) => { let out = ''; server.stdout!.on('data', (d) => { out += d; const m = /tfbricks studio: (http:\S+)/.exec(out); if (m) resolve(m[1]!); }); });
const extra = (process.env.PROBE_ARGS ?? '').split(' ').filter(Boolean);
// PROBE_AS_USER=1 drops the switches playwright adds that a user's Chrome does not have and
// that could change scheduling (background throttling, IPC flooding protection, hang monitor).
const USER_LACKS = ['--disable-background-timer-throttling', '--disable-backgrounding-occluded-windows', '--disable-renderer-backgrounding', '--disable-ipc-flooding-protection', '--disable-hang-monitor', '--disable-dev-shm-usage'];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, ...(process.env.PROBE_AS_USER === '1' ? { ignoreDefaultArgs: USER_LACKS } : {}), args: ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extra] });
const PATCH = (await import('node:fs')).readFileSync(join(packageDir, 'bench/worker-probe-patch.js'), 'utf8');
const page = await browser.newPage();
let w: any;
page.on('worker', async (worker) => { w = worker; try { await worker.evaluate(PATCH); console.log('patched worker'); } catch (e) { console.log('patch failed', e); } });
page.on('console', (m) => { if (m.type() === 'error') console.log('console', m.text()); });
await page.goto(url);
await page.click('[data-testid="server-file-cifar-10-binary.tar.gz"]');
await page.waitForFunction(() => (globalThis as any).tfbricksStudio?.loaded, undefined, { timeout: 120_000 });
await page.selectOption('[data-testid="model"]', 'tiny');
for (const [id, v] of Object.entries({ epochs: '2', 'limit-train': '256', 'limit-test': '128', batch: '32', lr: '0.01' })) await page.fill(`[data-testid="${id}"]`, v);
await page.click('[data-testid="start"]');
await page.waitForFunction(() => (document.querySelector('[data-testid="progress-text"]') as HTMLElement | null)?.dataset.done, undefined, { timeout: 1_800_000, polling: 1000 });
const rate = await page.evaluate(() => (globalThis as any).tfbricksStudio.lastReport?.imagesPerSecond);
const probe = await w.evaluate(() => (globalThis as any).__probe);
console.log('rate', rate);
for (const e of probe.events) { console.log(Math.round(e.t), e.type, e.epoch, e.batch, JSON.stringify(e.snap)); }
await browser.close();
server.kill();
rmSync(tmp, { recursive: true, force: true });
