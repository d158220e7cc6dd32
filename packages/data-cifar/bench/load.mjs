// Benchmark: loading the extracted 60,000-image CIFAR-10 (full size, synthetic bytes in the
// official layout) with loadCifar10({ dataDir }) against a plain fs.readFile of the same files.
// Each measurement runs in a fresh child process (clean peak RSS); the two alternate so that
// machine noise hits both alike. Run: pnpm --filter @tfbricks/data-cifar bench
// (builds first; then `node bench/load.mjs [rounds]`).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];
const RECORD = 3073;
const PER_FILE = 10_000;

if (process.argv[2] === '--child') {
  const [, , , mode, dir] = process.argv;
  // Modules are imported before the clock starts in both modes: the measurement is the load.
  const { readFile } = await import('node:fs/promises');
  const { loadCifar10 } = await import(join(here, '../dist/node/index.js'));
  const t0 = performance.now();
  let held;
  if (mode === 'read') {
    held = [];
    for (const f of FILES) held.push(await readFile(join(dir, f)));
  } else {
    held = await loadCifar10({ dataDir: dir });
  }
  const ms = performance.now() - t0;
  const mem = process.memoryUsage();
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ mode, ms, peakRssMiB, arrayBuffersMiB: mem.arrayBuffers / 2 ** 20, keep: held ? 1 : 0 }));
  process.exit(0);
}

const rounds = Number(process.argv[2] ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'tfb-cifar-bench-'));
try {
  // Deterministic synthetic records: label byte 0..9, pixel bytes from a xorshift stream.
  let s = 0x12345678;
  const buf = Buffer.allocUnsafe(PER_FILE * RECORD);
  for (const f of FILES) {
    for (let i = 0; i < buf.length; i++) {
      s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
      buf[i] = s & 0xff;
    }
    for (let r = 0; r < PER_FILE; r++) buf[r * RECORD] = r % 10;
    writeFileSync(join(dir, f), buf);
  }
  const datasetBytes = FILES.length * PER_FILE * RECORD;
  const outputBytes = FILES.length * PER_FILE * (RECORD - 1) + FILES.length * PER_FILE; // images + labels
  // Warm the page cache so both modes read from memory.
  for (const f of FILES) readFileSync(join(dir, f));
  const results = { read: [], load: [] };
  for (let i = 0; i < rounds; i++) {
    for (const mode of ['read', 'load']) {
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', mode, dir], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${mode} child failed: ${r.stderr}`);
      results[mode].push(JSON.parse(r.stdout));
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const summary = {};
  for (const mode of ['read', 'load']) {
    summary[mode] = {
      medianMs: +median(results[mode].map((r) => r.ms)).toFixed(1),
      minMs: +Math.min(...results[mode].map((r) => r.ms)).toFixed(1),
      allMs: results[mode].map((r) => +r.ms.toFixed(1)),
      medianPeakRssMiB: +median(results[mode].map((r) => r.peakRssMiB)).toFixed(1),
      arrayBuffersMiB: +median(results[mode].map((r) => r.arrayBuffersMiB)).toFixed(1),
    };
  }
  const datasetMiB = datasetBytes / 2 ** 20;
  console.log(JSON.stringify({
    node: process.version,
    rounds,
    datasetMiB: +datasetMiB.toFixed(1),
    outputMiB: +(outputBytes / 2 ** 20).toFixed(1),
    ...summary,
    timeRatio: +(summary.load.medianMs / summary.read.medianMs).toFixed(2),
    minTimeRatio: +(summary.load.minMs / summary.read.minMs).toFixed(2),
    loadPeakRssOverDataset: +(summary.load.medianPeakRssMiB / datasetMiB).toFixed(2),
    readPeakRssOverDataset: +(summary.read.medianPeakRssMiB / datasetMiB).toFixed(2),
  }, null, 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
