import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleForChildren } from '../../test/bundle';
import { makeFiles, officialMembers, sha256, startServer, tarGz } from '../../test/fixtures';
import { CIFAR10_SPEC } from '../spec';

const tmp = mkdtempSync(join(tmpdir(), 'tfb-cifar-conc-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('two processes sharing one cache folder', () => {
  it('both load correct data and the cache ends with one correct copy, no temporaries', async () => {
    const records = { train: 200, test: 40 };
    const archive = tarGz(officialMembers(CIFAR10_SPEC, makeFiles(CIFAR10_SPEC, records, 9)));
    const hash = sha256(archive);
    // Trickle the body so that both downloads and extractions overlap.
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': String(archive.length) });
      let off = 0;
      const step = Math.ceil(archive.length / 10);
      const tick = () => {
        if (off >= archive.length) return void res.end();
        res.write(archive.subarray(off, off + step));
        off += step;
        setTimeout(tick, 20);
      };
      tick();
    });
    try {
      const bundle = await bundleForChildren();
      const script = join(tmp, 'child.mjs');
      writeFileSync(
        script,
        `const { loadCifar10 } = await import(${JSON.stringify(bundle)});
const [url, sha256, cacheDir] = process.argv.slice(2);
const d = await loadCifar10({ url, sha256, cacheDir, records: ${JSON.stringify(records)}, env: {}, retryDelayMs: 10 });
let sum = 0; for (const v of d.train.images) sum = (sum + v) % 1000003;
process.stdout.write(JSON.stringify({ kind: d.source.kind, train: d.train.labels.length, test: d.test.labels.length, sum }));`,
      );
      const cacheDir = join(tmp, 'shared-cache');
      const args = [server.url('/c.tgz'), hash, cacheDir];
      const [a, b] = await Promise.all([run(script, args), run(script, args)]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      const ra = JSON.parse(a.stdout);
      const rb = JSON.parse(b.stdout);
      expect(ra.train).toBe(200);
      expect(rb.test).toBe(40);
      expect(ra.sum).toBe(rb.sum);
      const dir = join(cacheDir, 'cifar10');
      expect(readdirSync(dir).sort()).toEqual([hash, `${hash}.tar.gz`]);
      expect(sha256(readFileSync(join(dir, `${hash}.tar.gz`)))).toBe(hash);
      expect(readdirSync(join(dir, hash)).sort()).toEqual(['.complete.json', ...CIFAR10_SPEC.files.train, 'batches.meta.txt', 'readme.html', 'test_batch.bin'].sort());
      rmSync(bundle, { force: true });
    } finally {
      await server.close();
    }
  });

  it('a download killed mid-way leaves nothing that a later run accepts', async () => {
    const records = { train: 100, test: 20 };
    const archive = tarGz(officialMembers(CIFAR10_SPEC, makeFiles(CIFAR10_SPEC, records, 10)));
    const hash = sha256(archive);
    let stall = true;
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': String(archive.length) });
      if (stall) res.write(archive.subarray(0, archive.length >> 1)); // then hang until the client dies
      else res.end(archive);
    });
    try {
      const bundle = await bundleForChildren();
      const script = join(tmp, 'child-kill.mjs');
      writeFileSync(
        script,
        `const { loadCifar10 } = await import(${JSON.stringify(bundle)});
const fs = await import('node:fs');
const path = await import('node:path');
const [url, sha256, cacheDir] = process.argv.slice(2);
// Kill this process as soon as part of the body is on disk (mid-download).
setInterval(() => {
  const dir = path.join(cacheDir, 'cifar10');
  for (const n of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    if (n.endsWith('.part') && fs.statSync(path.join(dir, n)).size > 0) process.kill(process.pid, 'SIGKILL');
  }
}, 10);
await loadCifar10({ url, sha256, cacheDir, records: ${JSON.stringify(records)}, env: {} });`,
      );
      const cacheDir = join(tmp, 'killed-cache');
      const r = await run(script, [server.url('/c.tgz'), hash, cacheDir]);
      expect(r.code).toBe(null); // killed
      const dir = join(cacheDir, 'cifar10');
      const left = readdirSync(dir);
      // only a process-unique .part file may remain; never the final archive name
      expect(left.every((n) => n.endsWith('.part'))).toBe(true);
      expect(left).not.toContain(`${hash}.tar.gz`);
      // a later run (offline) does not accept it …
      const { loadCifar10 } = await import('./load');
      await expect(loadCifar10({ url: server.url('/c.tgz'), sha256: hash, cacheDir, records, env: {}, offline: true })).rejects.toMatchObject({
        code: 'E_DATASET_OFFLINE',
      });
      // … and online it downloads a correct copy
      stall = false;
      const d = await loadCifar10({ url: server.url('/c.tgz'), sha256: hash, cacheDir, records, env: {} });
      expect(d.train.labels.length).toBe(100);
      rmSync(bundle, { force: true });
    } finally {
      await server.close();
    }
  });
});
