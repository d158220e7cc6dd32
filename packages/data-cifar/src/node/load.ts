import { access, mkdir, rename, rm, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TfbricksError, isTfbricksError } from '@tfbricks/core';
import { defaultCacheDir, discard, hashFile, removeStaleTemporaries, tempExtractDir } from './cache';
import { downloadVerified } from './download';
import { COMPLETE_MARKER, extractArchive } from './extract';
import { loadFolder } from './folder';
import { type Cifar100LoadOptions, type CifarLoadOptions, offlineFromEnv, validateLoadOptions } from '../options';
import { type Reporter, createReporter } from './progress';
import {
  CIFAR10_CLASS_NAMES,
  CIFAR10_SPEC,
  CIFAR100_COARSE_CLASS_NAMES,
  CIFAR100_FINE_CLASS_NAMES,
  CIFAR100_SPEC,
  type CifarSpec,
  IMAGE_CHANNELS,
  IMAGE_HEIGHT,
  IMAGE_WIDTH,
  type SplitName,
  type SplitRecords,
} from '../spec';
import type { CifarData, CifarSource, CifarSplitData } from '../types';

export type { CifarData, CifarSource } from '../types';
import { throwIfAborted } from '../util';

/**
 * Load CIFAR-10 (binary version): `train` 50,000 and `test` 10,000 images as NHWC uint8
 * (`images`: N×32×32×3 bytes, channels last as Keras returns) and labels 0 (airplane) … 9
 * (truck). Downloads the official archive once (verified size and SHA-256) into the cache,
 * unless `dataDir` or `archive` is given.
 */
export async function loadCifar10(options: CifarLoadOptions = {}): Promise<CifarData> {
  validateLoadOptions(CIFAR10_SPEC, options, false);
  const { split, source } = await loadWith(CIFAR10_SPEC, 0, options);
  return { name: 'cifar10', ...split, classNames: CIFAR10_CLASS_NAMES, imageShape: [IMAGE_HEIGHT, IMAGE_WIDTH, IMAGE_CHANNELS], source };
}

/**
 * Load CIFAR-100 (binary version). `labelMode: 'fine'` (default) gives 100 classes,
 * `'coarse'` the 20 superclasses. Both label bytes of every record are range-checked.
 */
export async function loadCifar100(options: Cifar100LoadOptions = {}): Promise<CifarData> {
  validateLoadOptions(CIFAR100_SPEC, options, true);
  const labelMode = options.labelMode ?? 'fine';
  const { split, source } = await loadWith(CIFAR100_SPEC, labelMode === 'fine' ? 1 : 0, options);
  return {
    name: 'cifar100',
    ...split,
    classNames: labelMode === 'fine' ? CIFAR100_FINE_CLASS_NAMES : CIFAR100_COARSE_CLASS_NAMES,
    imageShape: [IMAGE_HEIGHT, IMAGE_WIDTH, IMAGE_CHANNELS],
    labelMode,
    source,
  };
}

interface Loaded {
  split: Record<SplitName, CifarSplitData>;
  source: CifarSource;
}

async function loadWith(spec: CifarSpec, labelIndex: number, options: CifarLoadOptions): Promise<Loaded> {
  const reporter = createReporter(spec.name, options.onProgress, options.progress ?? false);
  try {
    throwIfAborted(options.signal);
    if (options.dataDir !== undefined) {
      const dir = resolve(options.dataDir);
      const records = options.records ?? (options.strictSizes ? spec.records : undefined);
      const split = await parse(spec, dir, labelIndex, records, options, reporter);
      return { split, source: { kind: 'dataDir', path: dir } };
    }
    return await loadThroughCache(spec, labelIndex, options, reporter);
  } finally {
    reporter.close();
  }
}

function parse(
  spec: CifarSpec,
  dir: string,
  labelIndex: number,
  records: SplitRecords | undefined,
  options: CifarLoadOptions,
  reporter: Reporter,
): Promise<Record<SplitName, CifarSplitData>> {
  let phase: ReturnType<Reporter['phase']> | undefined;
  return loadFolder({
    spec,
    dir,
    labelIndex,
    records,
    signal: options.signal,
    onBytes: (done, total) => {
      phase ??= reporter.phase('parse', total);
      if (done === total) phase.finish(done);
      else phase.update(done);
    },
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function loadThroughCache(spec: CifarSpec, labelIndex: number, options: CifarLoadOptions, reporter: Reporter): Promise<Loaded> {
  const env = options.env ?? process.env;
  const records = options.records ?? spec.records;
  const cacheRoot = resolve(options.cacheDir ?? defaultCacheDir(env));
  const dsDir = join(cacheRoot, spec.name);
  await mkdir(dsDir, { recursive: true });
  await removeStaleTemporaries(dsDir);

  // A local archive: hash it (and compare with sha256 when given), extract into the cache.
  if (options.archive !== undefined) {
    const archive = resolve(options.archive);
    const got = await hashFile(archive, (total) => reporter.phase('verify', total)).catch((error: unknown) => {
      throw new TfbricksError('E_DATASET_MISSING', `archive ${archive} cannot be read: ${(error as Error).message}`, { cause: error, details: { archive } });
    });
    if (options.sha256 !== undefined && got.sha256 !== options.sha256.toLowerCase()) {
      throw new TfbricksError('E_DATASET_INTEGRITY', `archive ${archive} has SHA-256 ${got.sha256}; expected ${options.sha256.toLowerCase()}`, {
        hint: 'the file is damaged or a different archive',
        details: { archive, expectedSha256: options.sha256.toLowerCase(), actualSha256: got.sha256 },
      });
    }
    if (options.expectedSize !== undefined && got.size !== options.expectedSize) {
      throw new TfbricksError('E_DATASET_INTEGRITY', `archive ${archive} is ${got.size} bytes; expected ${options.expectedSize}`, {
        details: { archive, expectedSize: options.expectedSize, actualSize: got.size },
      });
    }
    const dest = join(dsDir, got.sha256);
    const cached = await tryCached(spec, dest, labelIndex, records, options, reporter, dsDir);
    if (cached) return { split: cached, source: { kind: 'cache', path: dest, sha256: got.sha256 } };
    await extractPublished(spec, archive, dest, got.sha256, records, options, reporter, dsDir);
    const split = await parse(spec, dest, labelIndex, records, options, reporter);
    return { split, source: { kind: 'archive', path: dest, sha256: got.sha256 } };
  }

  const url = options.url ?? spec.source.url;
  const sha256 = (options.sha256 ?? spec.source.sha256).toLowerCase();
  const size = options.expectedSize ?? (options.url === undefined ? spec.source.size : undefined);
  const dest = join(dsDir, sha256);
  const archivePath = join(dsDir, `${sha256}.tar.gz`);

  const cached = await tryCached(spec, dest, labelIndex, records, options, reporter, dsDir);
  if (cached) return { split: cached, source: { kind: 'cache', path: dest, sha256 } };

  let kind: CifarSource['kind'] = 'cache';
  let archiveOk = false;
  if (await exists(archivePath)) {
    const got = await hashFile(archivePath, (total) => reporter.phase('verify', total));
    archiveOk = got.sha256 === sha256 && (size === undefined || got.size === size);
    // A damaged cached archive is never used; it is replaced by a fresh download.
    if (!archiveOk) await unlink(archivePath).catch(() => undefined);
  }
  if (!archiveOk) {
    const offline = options.offline ?? offlineFromEnv(env);
    if (offline) {
      throw new TfbricksError(
        'E_DATASET_OFFLINE',
        `${spec.title} is not in the cache ${dsDir} (no valid ${sha256}.tar.gz or extraction) and offline mode is on${options.offline ? '' : ' (TFBRICKS_OFFLINE)'}; no request was made`,
        {
          hint: `run once with network access, or pass dataDir (an extracted ${spec.folder} folder) or archive (a local ${spec.archiveName})`,
          details: { cacheDir: dsDir, sha256 },
        },
      );
    }
    await downloadVerified({
      url,
      dest: archivePath,
      sha256,
      size,
      title: spec.title,
      retries: options.retries ?? 3,
      retryDelayMs: options.retryDelayMs ?? 1000,
      timeoutMs: options.timeoutMs ?? 60_000,
      signal: options.signal,
      ca: options.ca,
      progress: (total) => reporter.phase('download', total),
    });
    kind = 'download';
  }
  await extractPublished(spec, archivePath, dest, sha256, records, options, reporter, dsDir);
  const split = await parse(spec, dest, labelIndex, records, options, reporter);
  return { split, source: { kind, path: dest, sha256, ...(kind === 'download' ? { url } : {}) } };
}

/**
 * Load a complete earlier extraction. A damaged one (missing marker, wrong sizes) is
 * discarded and `undefined` returned so the caller re-extracts; bad labels are an error.
 */
async function tryCached(
  spec: CifarSpec,
  dest: string,
  labelIndex: number,
  records: SplitRecords,
  options: CifarLoadOptions,
  reporter: Reporter,
  dsDir: string,
): Promise<Record<SplitName, CifarSplitData> | undefined> {
  if (!(await exists(dest))) return undefined;
  if (!(await exists(join(dest, COMPLETE_MARKER)))) {
    await discard(dest, dsDir);
    return undefined;
  }
  try {
    return await parse(spec, dest, labelIndex, records, options, reporter);
  } catch (error) {
    const code = isTfbricksError(error) ? error.code : '';
    const structural = code === 'E_DATASET_MISSING' || (code === 'E_DATASET_FORMAT' && (error as TfbricksError).details?.record === undefined);
    if (!structural) throw error;
    await discard(dest, dsDir);
    return undefined;
  }
}

/** Extract into a process-unique temporary folder, then publish it with one rename. */
async function extractPublished(
  spec: CifarSpec,
  archive: string,
  dest: string,
  sha256: string,
  records: SplitRecords,
  options: CifarLoadOptions,
  reporter: Reporter,
  dsDir: string,
): Promise<void> {
  const tmp = tempExtractDir(dsDir);
  await extractArchive({
    spec,
    archive,
    dest: tmp,
    records,
    sha256,
    signal: options.signal,
    progress: (total) => reporter.phase('extract', total),
  });
  try {
    await rename(tmp, dest);
  } catch (error) {
    // Another process published the same extraction first: keep theirs.
    await rm(tmp, { recursive: true, force: true });
    if (!(await exists(join(dest, COMPLETE_MARKER)))) throw error;
  }
}
