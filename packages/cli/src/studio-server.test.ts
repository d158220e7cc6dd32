import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CIFAR10_SPEC, parseCifarArchive } from '@tfbricks/data-cifar';
import { makeFiles, writeFolder } from '../../data-cifar/test/fixtures';
import { type StudioServer, listArchives, startStudioServer } from './studio-server';

/** A raw GET (no URL normalisation by a client library), for path-traversal attempts. */
function get(server: StudioServer, path: string): Promise<{ status: number; headers: Record<string, unknown>; body: string; bytes: Buffer }> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: Number(port), path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: bytes.toString(), bytes });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('tfbricks studio server', () => {
  let tmp: string;
  let server: StudioServer;
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'tfb-studio-server-'));
    const app = join(tmp, 'app');
    const data = join(tmp, 'data');
    mkdirSync(join(app, 'assets'), { recursive: true });
    mkdirSync(data);
    writeFileSync(join(app, 'index.html'), '<!doctype html><title>studio</title>');
    writeFileSync(join(app, 'assets', 'a.js'), 'export {};');
    writeFileSync(join(tmp, 'secret.txt'), 'secret');
    writeFileSync(join(data, 'cifar-10-binary.tar.gz'), 'archive');
    writeFileSync(join(data, 'notes.txt'), 'not an archive');
    mkdirSync(join(data, 'folder.tar.gz'));
    symlinkSync(join(tmp, 'secret.txt'), join(data, 'link.tar.gz'));
    server = await startStudioServer({ appDir: app, dataDir: data, host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('serves the app cross-origin isolated (COOP + COEP) with content types', async () => {
    const index = await get(server, '/');
    expect(index.status).toBe(200);
    expect(index.body).toContain('<title>studio</title>');
    expect(index.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(index.headers['cross-origin-embedder-policy']).toBe('require-corp');
    expect(index.headers['content-type']).toMatch(/text\/html/);
    expect((await get(server, '/assets/a.js')).headers['content-type']).toMatch(/text\/javascript/);
    expect((await get(server, '/nope.js')).status).toBe(404);
  });

  it('lists and serves only the regular .tar.gz files of the data directory under /data/', async () => {
    expect(listArchives(join(tmp, 'data')).map((a) => a.name)).toEqual(['cifar-10-binary.tar.gz']);
    const index = JSON.parse((await get(server, '/data/index.json')).body) as { files: { name: string; size: number; url: string }[] };
    expect(index.files).toEqual([{ name: 'cifar-10-binary.tar.gz', size: 7, url: './data/cifar-10-binary.tar.gz', kind: 'archive' }]);
    const file = await get(server, '/data/cifar-10-binary.tar.gz');
    expect(file.status).toBe(200);
    expect(file.body).toBe('archive');
    expect(file.headers['content-type']).toBe('application/gzip');
    for (const path of ['/data/notes.txt', '/data/folder.tar.gz']) expect((await get(server, path)).status).toBe(404);
  });

  it('serves an extracted official folder as a .tar.gz the page parses with data-cifar\'s rules', async () => {
    const data = join(tmp, 'extracted');
    mkdirSync(data);
    const files = makeFiles(CIFAR10_SPEC, { train: 10, test: 4 }, 7);
    writeFolder(join(data, CIFAR10_SPEC.folder), files);
    // Only the folder's regular files travel: not a link, not a subfolder.
    symlinkSync(join(tmp, 'secret.txt'), join(data, CIFAR10_SPEC.folder, 'link.bin'));
    mkdirSync(join(data, CIFAR10_SPEC.folder, 'sub'));
    writeFileSync(join(data, CIFAR10_SPEC.folder, 'sub', 'x.bin'), 'x');
    const other = await startStudioServer({ appDir: join(tmp, 'app'), dataDir: data, host: '127.0.0.1', port: 0 });
    try {
      const size = [...files.values()].reduce((n, b) => n + b.length, 0);
      const index = JSON.parse((await get(other, '/data/index.json')).body) as { files: unknown[] };
      expect(index.files).toEqual([{ name: 'cifar-10-batches-bin.tar.gz', size, url: './data/cifar-10-batches-bin.tar.gz', kind: 'folder' }]);
      const r = await get(other, '/data/cifar-10-batches-bin.tar.gz');
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toBe('application/gzip');
      expect(r.body).not.toContain('secret');
      const parsed = await parseCifarArchive(new Uint8Array(r.bytes), { dataset: 'cifar10', name: 'cifar-10-batches-bin.tar.gz', records: { train: 10, test: 4 } });
      const labels = (names: readonly string[]) => names.flatMap((n) => [...files.get(n)!].filter((_, i) => i % 3073 === 0));
      expect(Array.from(parsed.train.labels)).toEqual(labels(CIFAR10_SPEC.files.train));
      expect(Array.from(parsed.test.labels)).toEqual(labels(CIFAR10_SPEC.files.test));
      // The same validation as an uploaded archive: CIFAR-10 data asked for as CIFAR-100 is refused.
      await expect(parseCifarArchive(new Uint8Array(r.bytes), { dataset: 'cifar100', name: 'cifar-10-batches-bin.tar.gz' })).rejects.toThrow(/is a CIFAR-10 archive/);
      expect((await get(other, '/data/cifar-100-binary.tar.gz')).status).toBe(404);
    } finally {
      await other.close();
    }
  });

  it('refuses paths that leave the app or the data directory', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/data/..%2fsecret.txt', '/data/../secret.txt', '/%00']) {
      const r = await get(server, path);
      expect([403, 404], path).toContain(r.status);
      expect(r.body).not.toContain('secret');
    }
    expect((await get(server, '/data/link.tar.gz')).body).not.toBe('secret');
  });

  it('says which port is taken', async () => {
    const port = Number(new URL(server.url).port);
    await expect(startStudioServer({ appDir: tmp, host: '127.0.0.1', port })).rejects.toThrow(/cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
  });
});
