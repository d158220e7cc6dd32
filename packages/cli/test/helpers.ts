import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CliIo } from '../src/io';
import { main } from '../src/main';

export const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
import { repoRoot, sharedDir } from '../../../vitest.shared';

export { repoRoot };
/** `<repo>/../shared/data/cifar10-mini`, when present. */
export const miniCifar = join(sharedDir, 'data/cifar10-mini');
export const hasMiniCifar = existsSync(join(miniCifar, 'cifar-10-batches-bin', 'test_batch.bin'));

export function tempDir(prefix = 'tfbricks-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Everything under `dir`, relative, sorted (to check nothing was written). */
export function listTree(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).sort();
}

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `main` in-process with captured streams. */
export async function runCli(argv: string[], options: { cwd: string; env?: Record<string, string | undefined> }): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    env: options.env ?? {},
    cwd: options.cwd,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const TSX_ESM = join(packageDir, 'node_modules/tsx/dist/esm/index.mjs');

/** A child `tfbricks` process running the TypeScript sources through tsx (no build needed). */
export function spawnCli(argv: string[], options: { cwd: string; env?: Record<string, string>; uid?: number; gid?: number }): ChildProcess {
  return spawn(process.execPath, ['--import', TSX_ESM, join(packageDir, 'src/bin.ts'), ...argv], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TSX_TSCONFIG_PATH: join(packageDir, 'tsconfig.json'), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.gid } : {}),
  });
}

/**
 * Run as an unprivileged user when the tests run as root (permission checks do not apply to
 * root): `nobody`, else undefined (the caller skips).
 */
export function unprivileged(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function') return undefined;
  if (process.getuid() !== 0) return { uid: process.getuid(), gid: process.getgid!() };
  return { uid: 65534, gid: 65534 };
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Collect output until the process exits. */
export function finished(child: ChildProcess): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
}

/** Run the CLI as a child process to completion. */
export async function runChild(argv: string[], options: { cwd: string; env?: Record<string, string>; uid?: number; gid?: number }): Promise<Finished> {
  return finished(spawnCli(argv, options));
}

/** The final weights of a saved model directory, as float32 values in manifest order. */
export function readWeights(modelDir: string): Float32Array {
  const bytes = readFileSync(join(modelDir, 'weights.bin'));
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** Largest absolute difference between two equally long arrays. */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
