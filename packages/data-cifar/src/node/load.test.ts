import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, makeFiles, officialMembers, send, sha256, startServer, tarGz } from '../../test/fixtures';
import { loadCifar10, loadCifar100 } from './load';
import { CIFAR10_SPEC, CIFAR100_SPEC, IMAGE_BYTES } from '../spec';
import type { ProgressEvent } from '../types';

const tmp = mkdtempSync(join(tmpdir(), 'tfb-cifar-load-'));
const records = { train: 100, test: 20 };
const files = makeFiles(CIFAR10_SPEC, records, 3);
const archive = tarGz(officialMembers(CIFAR10_SPEC, files));
const hash = sha256(archive);
const flipped = Buffer.from(archive);
flipped[Math.floor(archive.length / 2)] ^= 0x01;

let server: TestServer;
let dropOnceServed = 0;
let fail500Served = 0;

beforeAll(async () => {
  server = await startServer((req, res) => {
    const path = req.url ?? '';
    if (path === '/good.tgz') return send(res, archive);
    if (path === '/html') return send(res, Buffer.from('<!doctype html><html><body>Service unavailable</body></html>'), 'text/html; charset=utf-8');
    if (path === '/flip.tgz') return send(res, flipped);
    if (path === '/short.tgz') return send(res, archive.subarray(0, archive.length - 100));
    if (path === '/drop-always.tgz' || (path === '/drop-once.tgz' && dropOnceServed++ === 0)) {
      // announce the full length, send half, then drop the connection
      res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': String(archive.length) });
      res.write(archive.subarray(0, archive.length >> 1), () => res.destroy());
      return;
    }
    if (path === '/drop-once.tgz') return send(res, archive);
    if (path === '/500-once.tgz') {
      if (fail500Served++ === 0) {
        res.writeHead(503);
        return res.end('busy');
      }
      return send(res, archive);
    }
    if (path === '/slow.tgz') {
      res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': String(archive.length) });
      res.write(archive.subarray(0, 1000));
      const timer = setTimeout(() => res.end(archive.subarray(1000)), 5000);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    if (path === '/chunked-big.tgz') {
      // no Content-Length (chunked), more bytes than expected
      res.writeHead(200, { 'content-type': 'application/gzip' });
      res.write(archive);
      res.end(Buffer.alloc(5000));
      return;
    }
    if (path === '/to-good') {
      res.writeHead(302, { location: '/good.tgz' });
      return res.end();
    }
    if (path === '/missing') {
      res.writeHead(404);
      return res.end('not found');
    }
    res.writeHead(500);
    res.end();
  });
});

afterAll(async () => {
  await server.close();
  rmSync(tmp, { recursive: true, force: true });
});

let n = 0;
function opts(path: string, extra: Record<string, unknown> = {}) {
  const cacheDir = join(tmp, `cache-${++n}`);
  return { url: server.url(path), sha256: hash, expectedSize: archive.length, records, cacheDir, retryDelayMs: 5, env: {}, ...extra };
}

function requestsFor(path: string): number {
  return server.requests.filter((r) => r === path).length;
}

/** Nothing but the verified archive and its extraction in the dataset folder. */
function cacheEntries(cacheDir: string, dataset = 'cifar10'): string[] {
  const dir = join(cacheDir, dataset);
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

describe('download, verify, cache', () => {
  it('downloads, verifies, extracts and loads, with progress; a second load makes no request', async () => {
    const o = opts('/good.tgz');
    const events: ProgressEvent[] = [];
    const before = requestsFor('/good.tgz');
    const data = await loadCifar10({ ...o, onProgress: (e) => events.push(e) });
    expect(requestsFor('/good.tgz')).toBe(before + 1);
    expect(data.source.kind).toBe('download');
    expect(data.train.labels.length).toBe(100);
    expect(data.test.images.length).toBe(20 * IMAGE_BYTES);
    expect(data.train.labels[21]).toBe(files.get('data_batch_2.bin')![3073]);
    const phases = [...new Set(events.map((e) => e.phase))];
    expect(phases).toEqual(['download', 'extract', 'parse']);
    const dl = events.filter((e) => e.phase === 'download').at(-1)!;
    expect(dl).toMatchObject({ finished: true, done: archive.length, total: archive.length, dataset: 'cifar10' });
    expect(cacheEntries(o.cacheDir)).toEqual([hash, `${hash}.tar.gz`]);

    const again = await loadCifar10(o);
    expect(requestsFor('/good.tgz')).toBe(before + 1);
    expect(again.source.kind).toBe('cache');
    expect(Buffer.from(again.train.images)).toEqual(Buffer.from(data.train.images));
  });

  it('follows an http redirect on the same scheme', async () => {
    const data = await loadCifar10(opts('/to-good'));
    expect(data.test.labels.length).toBe(20);
  });

  it('refuses a body of the wrong size, naming expected and actual, leaving nothing', async () => {
    const o = opts('/short.tgz');
    await expect(loadCifar10(o)).rejects.toMatchObject({
      code: 'E_DATASET_INTEGRITY',
      message: expect.stringContaining(`announced ${archive.length - 100} bytes; expected ${archive.length}`),
    });
    expect(cacheEntries(o.cacheDir)).toEqual([]);
    // without a known size the SHA-256 catches it
    const o2 = opts('/short.tgz', { expectedSize: undefined });
    await expect(loadCifar10(o2)).rejects.toThrow(new RegExp(`has SHA-256 ${sha256(archive.subarray(0, archive.length - 100))}; expected ${hash}`));
    expect(cacheEntries(o2.cacheDir)).toEqual([]);
  });

  it('stops reading a chunked body as soon as it exceeds the expected size', async () => {
    const o = opts('/chunked-big.tgz');
    await expect(loadCifar10(o)).rejects.toMatchObject({
      code: 'E_DATASET_INTEGRITY',
      message: expect.stringContaining(`exceeds the expected ${archive.length} bytes`),
    });
    expect(cacheEntries(o.cacheDir)).toEqual([]);
  });

  it('refuses a one-byte flip by SHA-256, naming both hashes', async () => {
    const o = opts('/flip.tgz');
    await expect(loadCifar10(o)).rejects.toThrow(`has SHA-256 ${sha256(flipped)}; expected ${hash}`);
    expect(cacheEntries(o.cacheDir)).toEqual([]);
  });

  it('refuses an HTML error page served with status 200 and says so', async () => {
    const o = opts('/html');
    const error = (await loadCifar10(o).catch((e: unknown) => e)) as { code: string; hint: string; message: string };
    expect(error.code).toBe('E_DATASET_INTEGRITY');
    expect(error.hint).toMatch(/text\/html/);
    const o2 = opts('/html', { expectedSize: undefined });
    const error2 = (await loadCifar10(o2).catch((e: unknown) => e)) as { hint: string; message: string };
    expect(error2.message).toMatch(/SHA-256 [0-9a-f]{64}; expected/);
    expect(error2.hint).toMatch(/error or login page/);
    expect(cacheEntries(o2.cacheDir)).toEqual([]);
  });

  it('retries a connection dropped mid-stream and a 503, then succeeds', async () => {
    const before = requestsFor('/drop-once.tgz');
    const data = await loadCifar10(opts('/drop-once.tgz'));
    expect(requestsFor('/drop-once.tgz')).toBe(before + 2);
    expect(data.train.labels.length).toBe(100);
    const data2 = await loadCifar10(opts('/500-once.tgz'));
    expect(data2.test.labels.length).toBe(20);
  });

  it('gives up after the retries on a connection that always drops; no file is accepted later', async () => {
    const o = opts('/drop-always.tgz', { retries: 2 });
    const before = requestsFor('/drop-always.tgz');
    await expect(loadCifar10(o)).rejects.toMatchObject({ code: 'E_DATASET_DOWNLOAD', message: expect.stringMatching(/after 3 attempt/) });
    expect(requestsFor('/drop-always.tgz')).toBe(before + 3);
    expect(cacheEntries(o.cacheDir)).toEqual([]);
    // offline afterwards: nothing valid is cached
    await expect(loadCifar10({ ...o, offline: true })).rejects.toMatchObject({ code: 'E_DATASET_OFFLINE' });
  });

  it('fails at once on HTTP 404', async () => {
    const before = requestsFor('/missing');
    await expect(loadCifar10(opts('/missing'))).rejects.toThrow(/HTTP 404/);
    expect(requestsFor('/missing')).toBe(before + 1);
  });

  it('replaces a cached archive whose hash no longer matches by a fresh download', async () => {
    const o = opts('/good.tgz');
    await loadCifar10(o);
    const dir = join(o.cacheDir, 'cifar10');
    rmSync(join(dir, hash), { recursive: true });
    const cached = join(dir, `${hash}.tar.gz`);
    const bad = readFileSync(cached);
    bad[100] ^= 0xff;
    writeFileSync(cached, bad);
    const before = requestsFor('/good.tgz');
    const data = await loadCifar10(o);
    expect(requestsFor('/good.tgz')).toBe(before + 1);
    expect(data.source.kind).toBe('download');
    expect(sha256(readFileSync(cached))).toBe(hash);
  });

  it('re-extracts a damaged extraction from the cached archive without a request', async () => {
    const o = opts('/good.tgz');
    await loadCifar10(o);
    truncateSync(join(o.cacheDir, 'cifar10', hash, 'data_batch_3.bin'), 1000);
    const before = requestsFor('/good.tgz');
    const data = await loadCifar10({ ...o, offline: true });
    expect(requestsFor('/good.tgz')).toBe(before);
    expect(data.train.labels.length).toBe(100);
    expect(cacheEntries(o.cacheDir)).toEqual([hash, `${hash}.tar.gz`]);
  });

  it('offline (option or TFBRICKS_OFFLINE=1) makes no request and fails clearly when nothing is cached', async () => {
    const total = server.requests.length;
    const o = opts('/good.tgz');
    await expect(loadCifar10({ ...o, env: { TFBRICKS_OFFLINE: '1' } })).rejects.toMatchObject({
      code: 'E_DATASET_OFFLINE',
      message: expect.stringContaining('TFBRICKS_OFFLINE'),
      hint: expect.stringContaining('dataDir'),
    });
    await expect(loadCifar10({ ...o, offline: true })).rejects.toMatchObject({ code: 'E_DATASET_OFFLINE' });
    expect(server.requests.length).toBe(total);
    // with a valid cache, offline works
    await loadCifar10(o);
    const data = await loadCifar10({ ...o, env: { TFBRICKS_OFFLINE: '1' } });
    expect(data.source.kind).toBe('cache');
  });

  it('uses $TFBRICKS_HOME/datasets as the default cache', async () => {
    const home = join(tmp, 'home');
    const o = opts('/good.tgz');
    delete (o as { cacheDir?: string }).cacheDir;
    await loadCifar10({ ...o, env: { TFBRICKS_HOME: home } });
    expect(readdirSync(join(home, 'datasets', 'cifar10'))).toContain(`${hash}.tar.gz`);
  });

  it('stops on an AbortSignal', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(loadCifar10({ ...opts('/good.tgz'), signal: controller.signal })).rejects.toMatchObject({ code: 'E_ABORTED' });
  });

  it('aborts a download in flight on the AbortSignal and leaves nothing behind', async () => {
    const controller = new AbortController();
    const o = opts('/slow.tgz');
    const started = Date.now();
    const pending = loadCifar10({
      ...o,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.phase === 'download' && e.done > 0) controller.abort();
      },
    });
    await expect(pending).rejects.toMatchObject({ code: 'E_ABORTED' });
    // the body stalls after 1,000 bytes for 5 s: the abort came from the progress event
    expect(Date.now() - started).toBeLessThan(2500);
    expect(cacheEntries(o.cacheDir)).toEqual([]);
  });

  it('extracts a local archive (option archive) into the cache, verifying sha256 when given', async () => {
    const path = join(tmp, 'local.tar.gz');
    writeFileSync(path, archive);
    const cacheDir = join(tmp, 'local-cache');
    const data = await loadCifar10({ archive: path, records, cacheDir, sha256: hash, env: {} });
    expect(data.source).toMatchObject({ kind: 'archive', sha256: hash });
    expect(data.train.labels.length).toBe(100);
    const again = await loadCifar10({ archive: path, records, cacheDir, env: {} });
    expect(again.source.kind).toBe('cache');
    await expect(loadCifar10({ archive: path, records, cacheDir, sha256: 'f'.repeat(64), env: {} })).rejects.toThrow(
      `has SHA-256 ${hash}; expected ${'f'.repeat(64)}`,
    );
    // the official layout (10,000 records per batch) is exact: this small archive is refused
    await expect(loadCifar10({ archive: path, cacheDir: join(tmp, 'local-cache-2'), env: {} })).rejects.toThrow(
      /refusing member 'cifar-10-batches-bin\/data_batch_1\.bin': 61460 bytes; expected exactly 30730000/,
    );
  });
});

describe('CIFAR-100 archive', () => {
  it('downloads the binary version and loads fine and coarse labels', async () => {
    const files100 = makeFiles(CIFAR100_SPEC, { train: 40, test: 10 }, 4);
    const a = tarGz(officialMembers(CIFAR100_SPEC, files100));
    const s = await startServer((_req, res) => send(res, a));
    try {
      const cacheDir = join(tmp, 'c100-cache');
      const o = { url: s.url('/cifar-100-binary.tar.gz'), sha256: sha256(a), records: { train: 40, test: 10 }, cacheDir, env: {} };
      const fine = await loadCifar100(o);
      const coarse = await loadCifar100({ ...o, labelMode: 'coarse' });
      expect(s.requests.length).toBe(1);
      expect(fine.train.labels[7]).toBe(files100.get('train.bin')![7 * 3074 + 1]);
      expect(coarse.train.labels[7]).toBe(files100.get('train.bin')![7 * 3074]);
      expect(fine.classNames[0]).toBe('apple');
      expect(coarse.classNames[19]).toBe('vehicles_2');
    } finally {
      await s.close();
    }
  });
});
