// Benchmark: decode + resize a folder of small JPEGs, tfbricks (data-images, Node) vs PIL, in one run.
// Run: pnpm --filter @tfbricks/data-images bench   (IMAGES=50000, ROUNDS=3 by default; the folder goes to a temp dir)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ImageDecodeOptions } from '@tfbricks/core';
import { imageFolderReader } from '../src/node';
import { defaultDecodeWorkers } from '../src/node/decode-workers';

const here = dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.IMAGES ?? 50_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const PY = process.env.PYTHON ?? '/usr/bin/python3';
const root = mkdtempSync(join(tmpdir(), 'tfbricks-bench-images-'));
const folder = join(root, 'photos');

function pil(h: number, w: number, resample: 'none' | 'bilinear', dump = 0, dumpPath = ''): number {
  const out = JSON.parse(execFileSync(PY, [join(here, 'pil_decode.py'), folder, String(h), String(w), resample, String(dump), dumpPath], { encoding: 'utf8' })) as { images: number; seconds: number };
  return out.images / out.seconds;
}

async function ours(decode: ImageDecodeOptions, cacheDir: string, style: 'keras-preprocessing' | 'keras3', workers: number | 'auto'): Promise<{ cold: number; warm: number; warmDecoded: number; epoch: number; rssMiB: number }> {
  const reader = imageFolderReader({ cacheDir, workers });
  const listing = await reader.list(folder, { style });
  let t = performance.now();
  const first = await reader.prepare(listing.files, decode);
  const cold = first.decoded / ((performance.now() - t) / 1000);
  // A second run: a new reader reading the index from disk.
  const again = imageFolderReader({ cacheDir });
  t = performance.now();
  const second = await again.prepare(listing.files, decode);
  const warm = listing.files.length / ((performance.now() - t) / 1000);
  // One epoch of batches of 32 streamed from the cache.
  t = performance.now();
  let rss = process.memoryUsage().rss;
  for (let i = 0; i < listing.files.length; i += 32) {
    again.readCached(listing.files.slice(i, i + 32), decode);
    if (i % 3200 === 0) rss = Math.max(rss, process.memoryUsage().rss);
  }
  const epoch = listing.files.length / ((performance.now() - t) / 1000);
  return { cold, warm, warmDecoded: second.decoded, epoch, rssMiB: rss / 2 ** 20 };
}

async function main(): Promise<void> {
  const startLoad = loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`generating ${N} 32x32 JPEGs (PIL, quality 90) in ${folder} ...`);
  execFileSync(PY, [join(here, 'make_folder.py'), folder, String(N), '32']);
  const rows: string[] = [];
  // Interleaved: PIL, ours, PIL, ours (the machine is shared; ratios are within one run).
  // [name, decode options, PIL's resample for the reference, height, width, listing style, worker threads]
  const cases: [string, ImageDecodeOptions, 'none' | 'bilinear', number, number, 'keras-preprocessing' | 'keras3', number | 'auto'][] = [
    ['decode 32x32 (no resize), main thread only (workers: 0)', { size: [32, 32], colorMode: 'rgb', family: 'pil', interpolation: 'nearest' }, 'none', 32, 32, 'keras-preprocessing', 0],
    ['flowFromDirectory path: decode + PIL bilinear resize to 64x64, main thread only (workers: 0)', { size: [64, 64], colorMode: 'rgb', family: 'pil', interpolation: 'bilinear' }, 'bilinear', 64, 64, 'keras-preprocessing', 0],
    ['imageDatasetFromDirectory path: decode + tf.image.resize bilinear to 64x64 (vs PIL bilinear), main thread only (workers: 0)', { size: [64, 64], colorMode: 'rgb', family: 'tf', interpolation: 'bilinear' }, 'bilinear', 64, 64, 'keras3', 0],
    [`flowFromDirectory path, default workers ('auto': ${defaultDecodeWorkers()} worker thread(s) here + the main thread)`, { size: [64, 64], colorMode: 'rgb', family: 'pil', interpolation: 'bilinear' }, 'bilinear', 64, 64, 'keras-preprocessing', 'auto'],
    [`imageDatasetFromDirectory path, default workers ('auto')`, { size: [64, 64], colorMode: 'rgb', family: 'tf', interpolation: 'bilinear' }, 'bilinear', 64, 64, 'keras3', 'auto'],
  ];
  for (const [name, decode, resample, h, w, style, workers] of cases) {
    const dumpPath = join(root, 'pil-dump.bin');
    // ROUNDS rounds of (PIL, ours with a fresh cache), interleaved; the table gives medians
    // (the ratio is the median of the per-round ratios) and every round's pair.
    const pilRates: number[] = [];
    const runs: Awaited<ReturnType<typeof ours>>[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const cacheDir = join(root, `cache-${decode.family}-${h}-w${workers}`);
      rmSync(cacheDir, { recursive: true, force: true });
      pilRates.push(pil(h, w, resample, resample === 'none' ? 1000 : 0, resample === 'none' ? dumpPath : ''));
      runs.push(await ours(decode, cacheDir, style, workers));
    }
    const r = runs[runs.length - 1];
    const pairs = runs.map((x, i) => `${pilRates[i].toFixed(0)}/${x.cold.toFixed(0)}`).join(', ');
    rows.push(
      `| ${name} | ${median(pilRates).toFixed(0)} | ${median(runs.map((x) => x.cold)).toFixed(0)} | ${median(runs.map((x, i) => x.cold / pilRates[i])).toFixed(2)}x (${pairs}) | ${r.warm.toFixed(0)} (decoded ${r.warmDecoded}) | ${r.epoch.toFixed(0)} | ${r.rssMiB.toFixed(0)} | ${loadavg()[0].toFixed(2)} |`,
    );
    if (resample === 'none') {
      // JPEG decoders: mozjpeg (ours) vs PIL's libjpeg-turbo on the same first 1000 files.
      const reader = imageFolderReader({ cacheDir: join(root, `cache-${decode.family}-${h}-w${workers}`) });
      const listing = await reader.list(folder, { style: 'keras-preprocessing' });
      const mine = reader.readCached(listing.files.slice(0, 1000), decode);
      const theirs = readFileSync(dumpPath);
      let worst = 0;
      let differ = 0;
      for (let i = 0; i < mine.length; i++) {
        const d = Math.abs(mine[i] - theirs[i]);
        worst = Math.max(worst, d);
        if (d) differ++;
      }
      rows.push(`| JPEG decode vs PIL (first 1000 files) | max abs difference ${worst}, ${((100 * differ) / mine.length).toFixed(3)}% of values differ | | | | | | |`);
    }
  }
  console.log(`\nload average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (at the start: ${startLoad})`);
  console.log(`\n${N} JPEGs, 32x32, 10 class folders; images/s (higher is better)\n`);
  console.log('| path | PIL (1 thread) | tfbricks cold (decode + resize + cache write) | ratio, median (PIL/ours each round) | second run (cache hits) | epoch from cache (batches of 32) | peak RSS MiB | load (1 min) after the row |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  rmSync(root, { recursive: true, force: true });
}

await main();
