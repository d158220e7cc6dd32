// Training images/s: the studio page (headless Chromium, the worker's fit on WebGPU) vs
// `tfbricks train` in Node (Dawn), same recipe, interleaved rounds, one run. Every side stops
// its clock when the device has finished the epoch's last batch (a read-back), never when the
// batch was merely queued. Prints which adapter each side ran on. Without a GPU, Chromium
// uses SwiftShader and Dawn uses Mesa lavapipe, different software adapters; so Node also
// runs on SwiftShader, Dawn loading Chromium's SwiftShader Vulkan driver
// (VK_ICD_FILENAMES=<chromium>/vk_swiftshader_icd.json): `tfbricks train`, and the page's
// own fit call (bench/node-fit.ts). With --gpu, Chromium is asked for the hardware adapter
// (Vulkan) and Node uses its default (hardware) adapter: the same GPU for all sides.
// `tfbricks train`'s images/s (its epoch line) includes the epoch's validation pass; the
// page's and node-fit's count the training batches only.
//
//   pnpm --filter @tfbricks/studio bench [-- --model tiny --limit-train 256 --epochs 2 --rounds 2 --gpu]
//
// Needs ../shared/data/cifar10-mini and Chromium (/usr/bin/chromium or TFBRICKS_CHROMIUM).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const cliDir = join(packageDir, '../cli');
const mini = join(packageDir, '../../../shared/data/cifar10-mini');
// `pnpm bench -- --gpu` passes the `--` through: drop it so the flags after it are parsed.
const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    model: { type: 'string', default: 'tiny' },
    'limit-train': { type: 'string', default: '256' },
    'limit-test': { type: 'string', default: '128' },
    batch: { type: 'string', default: '32' },
    epochs: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '2' },
    gpu: { type: 'boolean', default: false },
  },
});
const SOFTWARE_ARGS = ['--enable-unsafe-webgpu'];
const GPU_ARGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=native', '--use-angle=vulkan', '--ignore-gpu-blocklist', '--disable-vulkan-surface'];
const COMMON_ARGS = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

function cli(argv: string[], cwd: string, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', join(cliDir, 'node_modules/tsx/dist/esm/index.mjs'), join(cliDir, 'src/bin.ts'), ...argv], {
    cwd,
    env: { ...process.env, TSX_TSCONFIG_PATH: join(cliDir, 'tsconfig.json'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function collect(child: ChildProcess): Promise<{ code: number | null; out: string; err: string }> {
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

/** `tfbricks train` in Node on webgpu: images/s of the last epoch (the CLI's own progress line). */
async function nodeRound(tmp: string, k: number, env: Record<string, string> = {}): Promise<{ imagesPerSecond: number; adapter: string }> {
  const r = await collect(
    cli(
      ['train', '--model', args.model!, '--data-dir', join(mini, 'cifar-10-batches-bin'), '--limit-train', args['limit-train']!, '--limit-test', args['limit-test']!, '--epochs', args.epochs!, '--batch-size', args.batch!, '--lr', '0.01', '--backend', 'webgpu', '--progress', 'epoch', '--run-dir', join(tmp, `node-${k}-${env.VK_ICD_FILENAMES ? 'ss' : 'default'}`)],
      tmp,
      env,
    ),
  );
  if (r.code !== 0) throw new Error(`tfbricks train failed (${r.code}): ${r.err}`);
  const rates = [...r.out.matchAll(/^Epoch \d+\/\d+ - .* - (\d+) img\/s$/gm)].map((m) => Number(m[1]));
  const adapter = /^backend: webgpu \(.*?\) on (.*)$/m.exec(r.out)?.[1] ?? 'unknown';
  return { imagesPerSecond: rates[rates.length - 1]!, adapter };
}

/**
 * The page's own training code path in Node (bench/node-fit.ts: the worker's fit call and
 * callbacks' read-backs); without --gpu on Chromium's SwiftShader Vulkan driver, the page's adapter.
 */
async function nodeFitRound(env: Record<string, string>): Promise<{ imagesPerSecond: number; adapter: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx/esm', join(packageDir, 'bench/node-fit.ts'), '--data-dir', join(mini, 'cifar-10-batches-bin'), '--model', args.model!, '--limit-train', args['limit-train']!, '--limit-test', args['limit-test']!, '--batch', args.batch!, '--epochs', args.epochs!],
    { cwd: packageDir, env: { ...process.env, TSX_TSCONFIG_PATH: join(packageDir, 'tsconfig.json'), ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const r = await collect(child);
  const line = r.out.split('\n').find((l) => l.startsWith('{"imagesPerSecond"'));
  if (r.code !== 0 || !line) throw new Error(`node-fit failed (${r.code}): ${r.err}`);
  return JSON.parse(line) as { imagesPerSecond: number; adapter: string };
}

/** The studio page: images/s of the last epoch as the worker measured it (training batches only). */
async function browserRound(url: string): Promise<{ imagesPerSecond: number; adapter: string }> {
  const browser = await chromium.launch({ executablePath: process.env.TFBRICKS_CHROMIUM || '/usr/bin/chromium', headless: true, args: [...(args.gpu ? GPU_ARGS : SOFTWARE_ARGS), ...COMMON_ARGS] });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    // A page without WebGPU would train on the cpu backend for hours: stop and say why.
    await page.waitForFunction(() => !/checking WebGPU/.test(document.querySelector('[data-testid="backend-status"]')?.textContent ?? ''), undefined, { timeout: 60_000 });
    const status = (await page.textContent('[data-testid="backend-status"]')) ?? '';
    if (/No WebGPU/.test(status)) throw new Error(`the page found no WebGPU adapter with Chromium flags ${(args.gpu ? GPU_ARGS : SOFTWARE_ARGS).join(' ')}: ${status}`);
    await page.click('[data-testid="server-file-cifar-10-binary.tar.gz"]');
    await page.waitForFunction(() => (globalThis as { tfbricksStudio?: { loaded: boolean } }).tfbricksStudio?.loaded, undefined, { timeout: 120_000 });
    await page.selectOption('[data-testid="model"]', args.model!);
    const fields: Record<string, string> = { epochs: args.epochs!, 'limit-train': args['limit-train']!, 'limit-test': args['limit-test']!, batch: args.batch!, lr: '0.01' };
    for (const [id, v] of Object.entries(fields)) await page.fill(`[data-testid="${id}"]`, v);
    await page.click('[data-testid="start"]');
    await page.waitForFunction(() => (document.querySelector('[data-testid="progress-text"]') as HTMLElement | null)?.dataset.done, undefined, { timeout: 1_800_000, polling: 1000 });
    const rate = await page.evaluate(() => (globalThis as unknown as { tfbricksStudio: { lastReport?: { imagesPerSecond: number } } }).tfbricksStudio.lastReport?.imagesPerSecond ?? NaN);
    const adapter = ((await page.textContent('[data-testid="backend-status"]')) ?? '').replace(/^training on webgpu: /, '');
    return { imagesPerSecond: rate, adapter };
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  if (!existsSync(mini)) throw new Error(`${mini} is absent`);
  const tmp = mkdtempSync(join(tmpdir(), 'tfb-studio-bench-'));
  const data = join(tmp, 'data');
  mkdirSync(data);
  execFileSync('tar', ['-czf', join(data, 'cifar-10-binary.tar.gz'), '-C', mini, 'cifar-10-batches-bin']);
  // Always the current sources, built into a folder of its own (never a stale or half-written dist/).
  const app = join(tmp, 'app');
  execFileSync('npx', ['vite', 'build', '--outDir', app, '--emptyOutDir', '--logLevel', 'warn'], { cwd: packageDir, stdio: 'inherit' });
  const server = cli(['studio', '--port', '0', '--data-dir', data, '--app-dir', app], tmp);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /tfbricks studio: (http:\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    server.on('exit', (code) => reject(new Error(`tfbricks studio exited (${code})`)));
  });
  const rows: { side: string; round: number; imagesPerSecond: number; adapter: string }[] = [];
  try {
    for (let k = 0; k < Number(args.rounds); k++) {
      // Without --gpu: Node's default adapter (lavapipe), then Chromium's own adapter (SwiftShader) under Dawn.
      for (const env of (args.gpu ? [{}] : [{}, { VK_ICD_FILENAMES: SWIFTSHADER_ICD }]) as Record<string, string>[]) {
        const n = await nodeRound(tmp, k, env);
        rows.push({ side: `node (tfbricks train)${env.VK_ICD_FILENAMES ? ', SwiftShader' : ''}`, round: k + 1, ...n });
        console.log(`round ${k + 1} node (tfbricks train): ${n.imagesPerSecond.toFixed(1)} images/s on ${n.adapter}`);
      }
      const fitSide = await nodeFitRound(args.gpu ? {} : { VK_ICD_FILENAMES: SWIFTSHADER_ICD });
      rows.push({ side: 'node fit, page code', round: k + 1, ...fitSide });
      console.log(`round ${k + 1} node fit (the page's fit call): ${fitSide.imagesPerSecond.toFixed(1)} images/s on ${fitSide.adapter}`);
      const b = await browserRound(url);
      rows.push({ side: 'browser (studio page)', round: k + 1, ...b });
      console.log(`round ${k + 1} browser: ${b.imagesPerSecond.toFixed(1)} images/s on ${b.adapter}`);
    }
  } finally {
    server.kill('SIGTERM');
    rmSync(tmp, { recursive: true, force: true });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  const med = (side: string) => median(rows.filter((r) => r.side === side).map((r) => r.imagesPerSecond));
  const browser = med('browser (studio page)');
  console.log(`\nmodel ${args.model}, ${args['limit-train']} training images, batch ${args.batch}, ${args.epochs} epochs (last epoch timed), augmentation on, ${args.rounds} interleaved rounds`);
  for (const side of [...new Set(rows.map((r) => r.side))]) {
    const r = rows.find((x) => x.side === side)!;
    console.log(`median images/s ${side}: ${med(side).toFixed(1)} on ${r.adapter}; node/browser = ${(med(side) / browser).toFixed(2)}×`);
  }
  if (args.gpu) {
    // --gpu promises one hardware GPU for every side: say so loudly when a side fell back.
    for (const side of [...new Set(rows.filter((r) => /software adapter/.test(r.adapter)).map((r) => `${r.side} on ${r.adapter}`))]) {
      console.log(`WARNING: --gpu, but ${side}: the sides did not share one hardware GPU`);
    }
  }
  console.log(JSON.stringify(rows));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
