// Test fixtures: small CIFAR files and archives in the exact official binary formats,
// crafted archives, and a bounded local HTTP server.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';
import { type CifarSpec, IMAGE_BYTES, type SplitRecords, recordBytes } from '../src/spec';

/** A deterministic byte stream (xorshift32). */
export function bytes(n: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s & 0xff;
  }
  return out;
}

/**
 * `n` records of `spec`: random planar pixels, labels `label(i)` per label byte (record `i`
 * counted from `first`). CIFAR-100 records get (coarse, fine) = (i % 20, i % 100) by default.
 */
export function makeRecords(spec: CifarSpec, n: number, seed: number, first = 0, label?: (i: number, byte: number) => number): Buffer {
  const rb = recordBytes(spec);
  const buf = bytes(n * rb, seed);
  for (let r = 0; r < n; r++) {
    for (let b = 0; b < spec.labelBytes; b++) {
      buf[r * rb + b] = label ? label(first + r, b) : (first + r) % spec.labelLimits[b];
    }
  }
  return buf;
}

/** File name → content for `records` per split (records spread evenly over the files). */
export function makeFiles(spec: CifarSpec, records: SplitRecords, seed = 1): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let first = 0;
  for (const split of ['train', 'test'] as const) {
    const names = spec.files[split];
    const per = records[split] / names.length;
    names.forEach((name, k) => {
      files.set(name, makeRecords(spec, per, seed * 1000 + k + (split === 'test' ? 100 : 0), first));
      first += per;
    });
  }
  return files;
}

export function writeFolder(dir: string, files: Map<string, Buffer>): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, data] of files) writeFileSync(join(dir, name), data);
  return dir;
}

export interface Member {
  path: string;
  type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'CharacterDevice' | 'BlockDevice' | 'FIFO';
  data?: Buffer;
  linkpath?: string;
  /** Header size when it should differ from the data (or for non-files). */
  size?: number;
}

/** A .tar.gz of raw members, headers encoded by `tar`'s Header (no path sanitising). */
export function tarGz(members: Member[]): Buffer {
  const blocks: Buffer[] = [];
  for (const m of members) {
    const data = m.data ?? Buffer.alloc(0);
    const type = m.type ?? 'File';
    const h = new Header({
      path: m.path,
      mode: type === 'Directory' ? 0o755 : 0o644,
      uid: 0,
      gid: 0,
      size: m.size ?? (type === 'File' ? data.length : 0),
      mtime: new Date(0),
      type,
      linkpath: m.linkpath ?? '',
      uname: '',
      gname: '',
    });
    const block = Buffer.alloc(512);
    h.encode(block, 0);
    blocks.push(block, data);
    const pad = (512 - (data.length % 512)) % 512;
    if (pad) blocks.push(Buffer.alloc(pad));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** The official member list: the folder, the data files, the metadata files. */
export function officialMembers(spec: CifarSpec, files: Map<string, Buffer>): Member[] {
  const members: Member[] = [{ path: `${spec.folder}/`, type: 'Directory' }];
  for (const [name, data] of files) members.push({ path: `${spec.folder}/${name}`, data });
  for (const name of spec.metadataFiles) members.push({ path: `${spec.folder}/${name}`, data: Buffer.from('meta\n') });
  return members;
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;

export interface TestServer {
  url(path: string): string;
  /** Requests so far, by path. */
  requests: string[];
  close(): Promise<void>;
}

/** A local HTTP server on 127.0.0.1 that closes itself after `lifetimeMs` at the latest. */
export async function startServer(handler: Handler, lifetimeMs = 60_000): Promise<TestServer> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    handler(req, res, requests.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const timer = setTimeout(() => void close(), lifetimeMs);
  timer.unref();
  const port = (server.address() as AddressInfo).port;
  const close = () =>
    new Promise<void>((resolve) => {
      clearTimeout(timer);
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { url: (path) => `http://127.0.0.1:${port}${path}`, requests, close };
}

/** Serve `body` with a correct Content-Length. */
export function send(res: http.ServerResponse, body: Buffer, type = 'application/gzip'): void {
  res.writeHead(200, { 'content-type': type, 'content-length': String(body.length) });
  res.end(body);
}

export { IMAGE_BYTES };
