import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CliIo } from '../src/io';
import { main } from '../src/main';

export const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = resolve(packageDir, '../..');
/** `<repo>/../shared/data/cifar10-mini`, when present. */
export const miniCifar = resolve(repoRoot, '../shared/data/cifar10-mini');
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
