import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeFiles, officialMembers, send, sha256, startServer, tarGz } from '../../test/fixtures';
import { checkRedirect } from './download';
import { loadCifar10 } from './load';
import { CIFAR10_SPEC } from '../spec';

const tmp = mkdtempSync(join(tmpdir(), 'tfb-cifar-dl-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('checkRedirect', () => {
  it('allows https→https and http→http/https, resolves relative locations', () => {
    expect(checkRedirect(new URL('https://a.org/x/y'), '/z').href).toBe('https://a.org/z');
    expect(checkRedirect(new URL('https://a.org/x'), 'https://b.org/y').href).toBe('https://b.org/y');
    expect(checkRedirect(new URL('http://a.org/x'), 'http://b.org/y').href).toBe('http://b.org/y');
    expect(checkRedirect(new URL('http://a.org/x'), 'https://b.org/y').href).toBe('https://b.org/y');
  });
  it('refuses https→http and non-http schemes', () => {
    expect(() => checkRedirect(new URL('https://a.org/x'), 'http://a.org/x')).toThrow(/https must not be downgraded to http/);
    expect(() => checkRedirect(new URL('https://a.org/x'), 'file:///etc/passwd')).toThrow(/allowed: http\(s\) URLs/);
  });
});

function makeCert(): { key: Buffer; cert: Buffer } | undefined {
  const dir = join(tmp, 'tls');
  try {
    mkdirSync(dir, { recursive: true });
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    ], { stdio: 'ignore', timeout: 30_000 });
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } catch {
    return undefined;
  }
}

describe('https mirror', () => {
  const tls = makeCert();
  if (!tls) console.info('[skip] openssl is not available: the https redirect test is skipped (checkRedirect unit tests still run)');

  it.skipIf(!tls)('downloads over https with a private CA, and refuses a redirect from https to http before any request to it', async () => {
    const records = { train: 50, test: 10 };
    const archive = tarGz(officialMembers(CIFAR10_SPEC, makeFiles(CIFAR10_SPEC, records, 8)));
    const plain = await startServer((_req, res) => send(res, archive));
    const secure = https.createServer({ key: tls!.key, cert: tls!.cert }, (req, res) => {
      if (req.url === '/downgrade') {
        res.writeHead(301, { location: plain.url('/c.tgz') });
        return res.end();
      }
      send(res, archive);
    });
    await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve));
    const port = (secure.address() as AddressInfo).port;
    try {
      const base = { sha256: sha256(archive), records, ca: tls!.cert, env: {}, retryDelayMs: 5 };
      const ok = await loadCifar10({ ...base, url: `https://127.0.0.1:${port}/c.tgz`, cacheDir: join(tmp, 'ok') });
      expect(ok.train.labels.length).toBe(50);
      const cacheDir = join(tmp, 'down');
      await expect(loadCifar10({ ...base, url: `https://127.0.0.1:${port}/downgrade`, cacheDir })).rejects.toMatchObject({
        code: 'E_DATASET_INSECURE',
        message: expect.stringContaining(`to ${plain.url('/c.tgz')}: https must not be downgraded to http`),
      });
      expect(plain.requests).toEqual([]);
      expect(readdirSync(join(cacheDir, 'cifar10'))).toEqual([]);
      // without the CA the certificate is refused (no silent insecure fallback)
      await expect(
        loadCifar10({ ...base, ca: undefined, retries: 0, url: `https://127.0.0.1:${port}/c.tgz`, cacheDir: join(tmp, 'noca') }),
      ).rejects.toMatchObject({ code: 'E_DATASET_DOWNLOAD' });
    } finally {
      secure.closeAllConnections();
      await new Promise<void>((resolve) => secure.close(() => resolve()));
      await plain.close();
    }
  });
});
