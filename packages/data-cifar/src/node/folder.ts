import { type FileHandle, open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TfbricksError, errorMessage } from '@tfbricks/core';
import { convertRecords, type RecordLayout } from '../parse';
import { type CifarSpec, IMAGE_BYTES, type SplitName, type SplitRecords, recordBytes } from '../spec';
import type { CifarSplitData } from '../types';
import { throwIfAborted } from '../util';

/** Records converted per read: large enough for few syscalls, small enough to stay in cache. */
const CHUNK_RECORDS = 1024;

export interface FolderLoadOptions {
  spec: CifarSpec;
  /** The folder holding the data files (e.g. an extracted `cifar-10-batches-bin`). */
  dir: string;
  /** Which label byte becomes `labels` (CIFAR-100: 0 coarse, 1 fine). */
  labelIndex: number;
  /**
   * Exact records per split. Without it any positive whole number of records per file is
   * accepted (e.g. the 1,000-record batches of cifar10-mini).
   */
  records?: SplitRecords;
  signal?: AbortSignal;
  /** Called with bytes parsed so far. */
  onBytes?: (done: number, total: number) => void;
}

export interface FolderFile {
  split: SplitName;
  name: string;
  path: string;
  size: number;
  records: number;
}

/**
 * Check that every data file exists, is a regular file and holds a whole number of records
 * (exactly `records` when given). Returns the files in load order.
 */
export async function inspectFolder(spec: CifarSpec, dir: string, records?: SplitRecords): Promise<FolderFile[]> {
  const rb = recordBytes(spec);
  const out: FolderFile[] = [];
  for (const split of ['train', 'test'] as const) {
    const names = spec.files[split];
    for (const name of names) {
      const path = join(dir, name);
      let st;
      try {
        st = await stat(path);
      } catch (error) {
        throw new TfbricksError('E_DATASET_MISSING', `${spec.title} data file ${path} cannot be read: ${errorMessage(error)}`, {
          hint: `dataDir must be the extracted '${spec.folder}' folder holding ${[...spec.files.train, ...spec.files.test].join(', ')}`,
          cause: error,
          details: { path },
        });
      }
      if (!st.isFile()) {
        throw new TfbricksError('E_DATASET_FORMAT', `${spec.title} data file ${path} is not a regular file`, {
          hint: `dataDir must be the extracted '${spec.folder}' folder`,
          details: { path },
        });
      }
      if (records) {
        const expected = (records[split] / names.length) * rb;
        if (st.size !== expected) {
          throw new TfbricksError(
            'E_DATASET_FORMAT',
            `${path} is ${st.size} bytes; expected exactly ${expected} (${records[split] / names.length} records of ${rb} bytes)`,
            { hint: 'the file is truncated or not from this dataset; re-download it', details: { path, size: st.size, expected } },
          );
        }
      } else if (st.size === 0 || st.size % rb !== 0) {
        throw new TfbricksError(
          'E_DATASET_FORMAT',
          `${path} is ${st.size} bytes; allowed: a positive whole number of ${rb}-byte ${spec.title} records`,
          { hint: 'the file is truncated or not from this dataset; re-download it', details: { path, size: st.size, recordBytes: rb } },
        );
      }
      out.push({ split, name, path, size: st.size, records: st.size / rb });
    }
  }
  return out;
}

/**
 * Load a folder of CIFAR binary batches into NHWC uint8 arrays. Validates sizes (see
 * {@link inspectFolder}) and every label byte. Memory: the output arrays plus one chunk.
 */
export async function loadFolder(options: FolderLoadOptions): Promise<Record<SplitName, CifarSplitData>> {
  const { spec, dir, labelIndex } = options;
  const files = await inspectFolder(spec, dir, options.records);
  const rb = recordBytes(spec);
  const layout: RecordLayout = {
    labelBytes: spec.labelBytes,
    labelLimits: spec.labelLimits,
    labelNames: spec.labelNames,
    labelIndex,
  };
  const totalBytes = files.reduce((a, f) => a + f.size, 0);
  const result = {} as Record<SplitName, CifarSplitData>;
  for (const split of ['train', 'test'] as const) {
    const n = files.filter((f) => f.split === split).reduce((a, f) => a + f.records, 0);
    result[split] = { images: new Uint8Array(n * IMAGE_BYTES), labels: new Uint8Array(n) };
  }
  // Reads are double-buffered: the next chunk is read (libuv thread pool) while this one
  // is converted, so I/O and the conversion overlap.
  const chunkBytes = Math.min(CHUNK_RECORDS, Math.max(...files.map((f) => f.records))) * rb;
  const buffers = [Buffer.allocUnsafe(chunkBytes), Buffer.allocUnsafe(chunkBytes)];
  const jobs: { file: FolderFile; record: number; count: number; out: number }[] = [];
  const next: Record<SplitName, number> = { train: 0, test: 0 };
  for (const file of files) {
    for (let record = 0; record < file.records; record += CHUNK_RECORDS) {
      const count = Math.min(CHUNK_RECORDS, file.records - record);
      jobs.push({ file, record, count, out: next[file.split] });
      next[file.split] += count;
    }
  }
  const handles = new Map<string, FileHandle>();
  try {
    for (const file of files) handles.set(file.path, await open(file.path, 'r'));
    const readJob = async (k: number): Promise<Buffer> => {
      const job = jobs[k];
      const buffer = buffers[k & 1];
      const want = job.count * rb;
      let got = 0;
      while (got < want) {
        const { bytesRead } = await handles.get(job.file.path)!.read(buffer, got, want - got, job.record * rb + got);
        if (bytesRead === 0) {
          throw new TfbricksError('E_DATASET_FORMAT', `${job.file.path} ended at byte ${job.record * rb + got}; expected ${job.file.size} bytes`, {
            hint: 'the file changed while it was being read; load again',
          });
        }
        got += bytesRead;
      }
      return buffer;
    };
    let doneBytes = 0;
    let pending: Promise<Buffer> | undefined = jobs.length > 0 ? readJob(0) : undefined;
    for (let k = 0; k < jobs.length; k++) {
      const buffer = await pending!;
      throwIfAborted(options.signal);
      pending = k + 1 < jobs.length ? readJob(k + 1) : undefined;
      // A failed read-ahead surfaces when awaited; keep it from being reported as unhandled meanwhile.
      pending?.catch(() => undefined);
      const job = jobs[k];
      const split = result[job.file.split];
      convertRecords(buffer, job.count, layout, split.images, split.labels, job.out, job.file.path, job.record);
      doneBytes += job.count * rb;
      options.onBytes?.(doneBytes, totalBytes);
    }
  } finally {
    await Promise.all([...handles.values()].map((h) => h.close()));
  }
  return result;
}
