// The static server behind `tfbricks studio`: the built page (cross-origin isolated) and,
// under /data/, the CIFAR data of one directory (archives, or the official extracted
// folders). Nothing outside those two is served.
import { createReadStream, existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { TfbricksError } from '@tfbricks/core';
import { CIFAR10_SPEC, CIFAR100_SPEC } from '@tfbricks/data-cifar';
import { create as createTar } from 'tar';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.ico': 'image/x-icon',
  '.gz': 'application/gzip',
  '.tgz': 'application/gzip',
};

/** The URL prefix of the data directory's archives. */
export const DATA_PREFIX = '/data/';
const ARCHIVE = /^[A-Za-z0-9][A-Za-z0-9._-]*\.(tar\.gz|tgz)$/;

/** Headers on every answer: cross-origin isolation (COOP + COEP), so wasm threads could work. */
const ISOLATION = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
};

/** The built studio app (`@tfbricks/studio`'s dist/), or an error saying how to build it. */
export function studioAppDir(): string {
  let pkg: string;
  try {
    // import.meta.url in the ESM build; __filename in the CJS one (where import.meta is empty).
    pkg = createRequire(typeof import.meta.url === 'string' ? import.meta.url : __filename).resolve('@tfbricks/studio/package.json');
  } catch (error) {
    throw new TfbricksError('E_STUDIO_MISSING', 'the @tfbricks/studio package is not installed', { hint: 'install it next to @tfbricks/cli (npm i @tfbricks/studio)', cause: error });
  }
  const dir = join(dirname(pkg), 'dist');
  if (!existsSync(join(dir, 'index.html'))) {
    throw new TfbricksError('E_STUDIO_MISSING', `the studio app is not built: ${join(dir, 'index.html')} does not exist`, { hint: 'run `pnpm build` (or `npx vite build` in packages/studio) first' });
  }
  return dir;
}

/** The official extracted folders (`cifar-10-batches-bin`, `cifar-100-binary`) a data directory may hold. */
const FOLDERS: readonly string[] = [CIFAR10_SPEC.folder, CIFAR100_SPEC.folder];

/** The regular files directly inside `dir` (no links, no subfolders), sorted. */
function folderFiles(dir: string): { name: string; size: number }[] {
  const out: { name: string; size: number }[] = [];
  for (const name of readdirSync(dir).sort()) {
    const st = lstatSync(join(dir, name), { throwIfNoEntry: false });
    if (st?.isFile()) out.push({ name, size: st.size });
  }
  return out;
}

/** An official extracted folder in `dataDir` (a real directory, not a link), or undefined. */
function extractedFolder(dataDir: string, folder: string): string | undefined {
  if (!FOLDERS.includes(folder)) return undefined;
  const path = join(dataDir, folder);
  return lstatSync(path, { throwIfNoEntry: false })?.isDirectory() ? path : undefined;
}

export interface ServedData {
  name: string;
  /** Bytes of the archive, or of the folder's files (its archive is made while it is served). */
  size: number;
  url: string;
  /** `folder`: an extracted official folder, served as a .tar.gz of its files made on the fly. */
  kind: 'archive' | 'folder';
}

/**
 * What the page may load from `dataDir`: regular files with archive names (no folders, no
 * symbolic links), and the official extracted folders, each offered as `<folder>.tar.gz` (so
 * the page parses and validates it exactly like a downloaded archive). A real archive file of
 * that name wins over the folder.
 */
export function listArchives(dataDir: string): ServedData[] {
  const out: ServedData[] = [];
  const names = readdirSync(dataDir).sort();
  for (const name of names) {
    if (!ARCHIVE.test(name)) continue;
    // lstat: a symbolic link could point anywhere, so only regular files are served.
    const st = lstatSync(join(dataDir, name), { throwIfNoEntry: false });
    if (st?.isFile()) out.push({ name, size: st.size, url: `.${DATA_PREFIX}${name}`, kind: 'archive' });
  }
  for (const folder of FOLDERS) {
    const dir = extractedFolder(dataDir, folder);
    const name = `${folder}.tar.gz`;
    if (!dir || out.some((a) => a.name === name)) continue;
    const size = folderFiles(dir).reduce((sum, f) => sum + f.size, 0);
    out.push({ name, size, url: `.${DATA_PREFIX}${name}`, kind: 'folder' });
  }
  return out;
}

/** Stream `<dataDir>/<folder>` as a .tar.gz of its regular files (fast gzip: it only crosses localhost). */
function sendFolder(req: IncomingMessage, res: ServerResponse, dataDir: string, folder: string): void {
  const files = folderFiles(join(dataDir, folder)).map((f) => `${folder}/${f.name}`);
  res.writeHead(200, { ...ISOLATION, 'content-type': TYPES['.gz']!, 'cache-control': 'no-store' });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createTar({ cwd: dataDir, gzip: { level: 1 }, portable: true, noDirRecurse: true }, files);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { ...ISOLATION, 'content-type': type, 'cache-control': 'no-store' }).end(body);
}

function sendFile(req: IncomingMessage, res: ServerResponse, path: string, size: number): void {
  const type = TYPES[extname(path)] ?? 'application/octet-stream';
  const cache = path.endsWith('.html') ? 'no-cache' : 'public, max-age=3600';
  res.writeHead(200, { ...ISOLATION, 'content-type': type, 'content-length': String(size), 'cache-control': cache });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(path);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/** `root` + the URL path, or undefined when the path would leave `root` (`..`, encoded or not). */
function inside(root: string, urlPath: string): string | undefined {
  if (urlPath.includes('\0')) return undefined;
  const path = resolve(root, `.${urlPath}`);
  return path === root || path.startsWith(root + sep) ? path : undefined;
}

function handler(appDir: string, dataDir: string | undefined) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'only GET and HEAD\n');
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      return send(res, 400, 'bad URL\n');
    }
    if (pathname.startsWith(DATA_PREFIX)) {
      if (!dataDir) return send(res, 404, 'no data directory: start tfbricks studio with --data-dir DIR\n');
      const name = pathname.slice(DATA_PREFIX.length);
      if (name === 'index.json') return send(res, 200, JSON.stringify({ files: listArchives(dataDir) }), TYPES['.json']);
      if (!ARCHIVE.test(name)) return send(res, 404, 'not a served archive\n');
      const path = join(dataDir, name);
      const st = lstatSync(path, { throwIfNoEntry: false });
      if (st?.isFile()) return sendFile(req, res, path, st.size);
      const folder = name.replace(/\.tar\.gz$/, '');
      if (extractedFolder(dataDir, folder)) return sendFolder(req, res, dataDir, folder);
      return send(res, 404, 'not found\n');
    }
    const path = inside(appDir, pathname === '/' ? '/index.html' : pathname);
    if (!path) return send(res, 403, 'forbidden\n');
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st?.isFile()) return send(res, 404, 'not found\n');
    sendFile(req, res, path, st.size);
  };
}

export interface StudioServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Listen on host:port (0: any free port) and serve the app and the data directory. */
export function startStudioServer(options: { appDir: string; dataDir?: string; host: string; port: number }): Promise<StudioServer> {
  const server = createServer(handler(options.appDir, options.dataDir));
  return new Promise((resolvePromise, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const taken = error.code === 'EADDRINUSE';
      reject(
        new TfbricksError('E_STUDIO_LISTEN', `cannot listen on ${options.host}:${options.port}: ${error.message}`, {
          hint: taken ? 'another program uses this port; pass --port with another number (or 0 for any free port)' : 'check --host',
          usage: true,
          cause: error,
        }),
      );
    });
    server.listen(options.port, options.host, () => {
      const { port } = server.address() as AddressInfo;
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      resolvePromise({
        url: `http://${host}:${port}/`,
        server,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
