import { type WriteStream, createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TfbricksError, errorMessage, isTfbricksError } from '@tfbricks/core';
import { Parser, type ReadEntry } from 'tar';
import type { PhaseReporter } from './progress';
import { type Allowed, classifyMember, refuse } from '../members';
import { type CifarSpec, type SplitRecords, expectedFileSizes } from '../spec';
import { abortError } from '../util';

/** The marker written last into a complete extraction. */
export const COMPLETE_MARKER = '.complete.json';

export interface ExtractRequest {
  spec: CifarSpec;
  archive: string;
  /** Folder to create; it receives the data files directly. Must not exist yet. */
  dest: string;
  records: SplitRecords;
  /** What the archive is, for the marker (e.g. its SHA-256). */
  sha256: string;
  signal?: AbortSignal;
  progress?: (total: number) => PhaseReporter;
}

/**
 * Extract a verified archive into `dest` (a fresh folder inside the cache), accepting only
 * the members {@link classifyMember} allows. Data is written only under our own fixed names
 * inside `dest`, so nothing can land outside it; any refusal removes `dest` again.
 */
export async function extractArchive(req: ExtractRequest): Promise<void> {
  const { spec, archive, dest } = req;
  const sizes = expectedFileSizes(spec, req.records);
  await mkdir(dest, { recursive: false });
  try {
    await extractInto(req, sizes);
  } catch (error) {
    await rm(dest, { recursive: true, force: true });
    if (req.signal?.aborted) throw abortError(req.signal);
    if (isTfbricksError(error)) throw error;
    throw new TfbricksError('E_DATASET_ARCHIVE', `${archive} cannot be extracted: ${errorMessage(error)}`, {
      hint: 'the archive is damaged or not a .tar.gz; re-download it',
      cause: error,
      details: { archive },
    });
  }
}

async function extractInto(req: ExtractRequest, sizes: Map<string, number>): Promise<void> {
  const { spec, archive, dest } = req;
  const seen = new Set<string>();
  const writes: Promise<void>[] = [];
  const outs: WriteStream[] = [];
  let failure: unknown;
  const total = (await stat(archive)).size;
  const phase = req.progress?.(total);

  const parser = new Parser({
    strict: true,
    maxDecompressionRatio: 1000,
    onReadEntry: (entry: ReadEntry) => {
      if (failure !== undefined) {
        entry.resume();
        return;
      }
      let allowed: Allowed;
      try {
        allowed = classifyMember(spec, sizes, archive, { path: entry.path, type: entry.type, size: entry.size });
        const key = allowed.kind === 'dir' ? '/' : allowed.name;
        if (seen.has(key) && allowed.kind !== 'dir') throw refuse(archive, entry.path, 'duplicate member');
        seen.add(key);
      } catch (error) {
        failure = error;
        entry.resume();
        parser.abort(error as Error);
        return;
      }
      if (allowed.kind === 'dir') {
        entry.resume();
        return;
      }
      const target = join(dest, allowed.name);
      const out = createWriteStream(target, { flags: 'wx' });
      outs.push(out);
      writes.push(
        new Promise<void>((resolve, reject) => {
          out.on('close', resolve);
          out.on('error', reject);
          entry.on('error', reject);
        }),
      );
      entry.pipe(out);
    },
  });

  const input = createReadStream(archive);
  const onAbort = () => {
    const error = abortError(req.signal!);
    input.destroy(error);
    parser.abort(error);
  };
  req.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    let read = 0;
    input.on('data', (chunk) => {
      read += chunk.length;
      phase?.update(read);
    });
    const done = new Promise<void>((resolve, reject) => {
      parser.on('end', () => resolve());
      parser.on('error', (error: unknown) => reject(failure ?? error));
      parser.on('abort', (error: unknown) => reject(failure ?? error));
      input.on('error', (error) => reject(failure ?? error));
    });
    input.pipe(parser as unknown as NodeJS.WritableStream);
    await done;
    await Promise.all(writes);
    phase?.finish(read);
  } catch (error) {
    // An entry cut off mid-body never ends: close its file so that nothing waits for it.
    for (const out of outs) out.destroy();
    throw error;
  } finally {
    req.signal?.removeEventListener('abort', onAbort);
    input.destroy();
    // Let every started write settle before the caller removes the folder.
    await Promise.allSettled(writes);
  }
  if (failure !== undefined) throw failure;
  const missing = [...sizes.keys()].filter((n) => !seen.has(n));
  if (missing.length > 0) {
    throw new TfbricksError('E_DATASET_ARCHIVE', `${archive} lacks ${missing.map((n) => `${spec.folder}/${n}`).join(', ')}`, {
      hint: 'the archive is incomplete or not of this dataset; re-download it',
      details: { archive, missing },
    });
  }
  // Sizes on disk must match what the headers promised; make them durable, then mark complete.
  for (const [name, size] of sizes) {
    const path = join(dest, name);
    const fh = await open(path, 'r');
    try {
      const st = await fh.stat();
      if (st.size !== size) {
        throw new TfbricksError('E_DATASET_ARCHIVE', `${archive}: member ${spec.folder}/${name} extracted to ${st.size} bytes; expected ${size}`, {
          hint: 'the archive is truncated; re-download it',
        });
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
  await writeFile(join(dest, COMPLETE_MARKER), JSON.stringify({ dataset: spec.name, sha256: req.sha256, records: req.records }) + '\n');
}
