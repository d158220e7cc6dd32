import { constants, closeSync, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { TfbricksError } from '../errors';
import { echo } from '../echo';
import { parseJsonBounded, type BoundedJsonOptions } from '../json';
import { fsError } from './fs-errors';

/** Opened without blocking: a FIFO named like a data file cannot hang the open. */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

export interface ReadBoundedOptions {
  /** Names the file's role in errors ("weights file", "CIFAR batch"). */
  what: string;
  /** Largest size accepted, in bytes. */
  maxBytes: number;
  /** When known, the exact size expected (checked before reading). */
  expectedBytes?: number;
  /** Fix to suggest when the file is refused. */
  hint?: string;
}

function kind(s: Stats): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isSocket()) return 'a socket';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

function notRegular(path: string, what: string, s: Stats, hint?: string): TfbricksError {
  return new TfbricksError('E_FILE', `${what} ${echo(path)} is ${kind(s)}, not a regular file`, { usage: true, hint, details: { path } });
}

function checkSize(path: string, s: Stats, o: ReadBoundedOptions): void {
  if (o.expectedBytes !== undefined && s.size !== o.expectedBytes) {
    throw new TfbricksError('E_FILE', `${o.what} ${echo(path)} holds ${s.size} bytes but ${o.expectedBytes} were expected`, { usage: true, hint: o.hint ?? 'the file is truncated or corrupt' });
  }
  if (s.size > o.maxBytes) {
    throw new TfbricksError('E_TOO_LARGE', `${o.what} ${echo(path)} is ${s.size} bytes; the limit is ${o.maxBytes}`, { usage: true, hint: o.hint });
  }
}

/**
 * Open `path` for reading only if it is a regular file: checked with stat before opening
 * and with fstat after (opened O_NONBLOCK, so a FIFO swapped in between cannot hang). Every
 * file tfbricks reads goes through here. Errors name the file and say what it is instead.
 */
export async function openRegularFile(path: string, what: string, hint?: string): Promise<{ handle: FileHandle; stats: Stats }> {
  let before: Stats;
  try {
    before = await stat(path);
  } catch (e) {
    throw fsError(e, path, what, 'read', hint);
  }
  if (!before.isFile()) throw notRegular(path, what, before, hint);
  let handle: FileHandle;
  try {
    handle = await open(path, READ_FLAGS);
  } catch (e) {
    throw fsError(e, path, what, 'read', hint);
  }
  const stats = await handle.stat();
  if (!stats.isFile()) {
    await handle.close();
    throw notRegular(path, what, stats, hint);
  }
  return { handle, stats };
}

/** Synchronous {@link openRegularFile}: returns a file descriptor the caller closes. */
export function openRegularFileSync(path: string, what: string, hint?: string): { fd: number; stats: Stats } {
  let before: Stats;
  try {
    before = statSync(path);
  } catch (e) {
    throw fsError(e, path, what, 'read', hint);
  }
  if (!before.isFile()) throw notRegular(path, what, before, hint);
  let fd: number;
  try {
    fd = openSync(path, READ_FLAGS);
  } catch (e) {
    throw fsError(e, path, what, 'read', hint);
  }
  const stats = fstatSync(fd);
  if (!stats.isFile()) {
    closeSync(fd);
    throw notRegular(path, what, stats, hint);
  }
  return { fd, stats };
}

/** Read a whole regular file whose size is bounded (checked before any buffer is allocated). */
export async function readFileBounded(path: string, options: ReadBoundedOptions): Promise<Uint8Array> {
  const { handle, stats } = await openRegularFile(path, options.what, options.hint);
  try {
    checkSize(path, stats, options);
    const buf = new Uint8Array(stats.size);
    let off = 0;
    while (off < buf.length) {
      const { bytesRead } = await handle.read(buf, off, buf.length - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    if (off !== buf.length) throw new TfbricksError('E_FILE', `${options.what} ${echo(path)} shrank while being read`, { hint: options.hint });
    return buf;
  } catch (e) {
    throw fsError(e, path, options.what, 'read', options.hint);
  } finally {
    await handle.close();
  }
}

/** Synchronous {@link readFileBounded}. */
export function readFileBoundedSync(path: string, options: ReadBoundedOptions): Uint8Array {
  const { fd, stats } = openRegularFileSync(path, options.what, options.hint);
  try {
    checkSize(path, stats, options);
    const buf = new Uint8Array(stats.size);
    let off = 0;
    while (off < buf.length) {
      const n = readSync(fd, buf, off, buf.length - off, off);
      if (n === 0) break;
      off += n;
    }
    if (off !== buf.length) throw new TfbricksError('E_FILE', `${options.what} ${echo(path)} shrank while being read`, { hint: options.hint });
    return buf;
  } catch (e) {
    throw fsError(e, path, options.what, 'read', options.hint);
  } finally {
    closeSync(fd);
  }
}

/** Largest JSON file read by default (model.json, config.json): 64 MiB. */
export const MAX_JSON_FILE_BYTES = 64 * 1024 * 1024;

type JsonFileOptions = Omit<BoundedJsonOptions, 'maxLength'> & { maxBytes?: number };

/** A bounded JSON file: a regular file, bounded in size and nesting depth. */
export async function readJsonFile(path: string, options: JsonFileOptions): Promise<unknown> {
  const bytes = await readFileBounded(path, { what: options.what, maxBytes: options.maxBytes ?? MAX_JSON_FILE_BYTES, hint: options.hint });
  return parseJsonBounded(new TextDecoder().decode(bytes), { ...options, what: `${options.what} ${echo(path)}` });
}

/** Synchronous {@link readJsonFile}. */
export function readJsonFileSync(path: string, options: JsonFileOptions): unknown {
  const bytes = readFileBoundedSync(path, { what: options.what, maxBytes: options.maxBytes ?? MAX_JSON_FILE_BYTES, hint: options.hint });
  return parseJsonBounded(new TextDecoder().decode(bytes), { ...options, what: `${options.what} ${echo(path)}` });
}
