import { TfbricksError } from '@tfbricks/core';
import type { CifarSpec, SplitRecords } from './spec';
import type { ProgressCallback, ProgressMode } from './types';

/** Options of {@link loadCifar10} (and, with `labelMode`, {@link loadCifar100}). */
export interface CifarLoadOptions {
  /**
   * An extracted folder (`cifar-10-batches-bin` / `cifar-100-binary`). Loaded in place, no
   * network, no cache. Any positive whole number of records per file is accepted (e.g. the
   * 1,000-record batches of a mini subset) unless `strictSizes` or `records` asks for exact counts.
   */
  dataDir?: string;
  /** A local `.tar.gz` in the official layout; verified (and against `sha256` when given), extracted into the cache. */
  archive?: string;
  /** Cache folder (default `$TFBRICKS_HOME/datasets` or the platform cache folder). */
  cacheDir?: string;
  /** A mirror of the archive. Needs `sha256`. Default: the official Toronto URL. */
  url?: string;
  /** SHA-256 (hex) of the archive at `url` (or of `archive`). */
  sha256?: string;
  /** Size in bytes of the archive at `url`, checked before and after the transfer when given. */
  expectedSize?: number;
  /** Make no network request; fail clearly if nothing valid is cached. Also `TFBRICKS_OFFLINE=1`. */
  offline?: boolean;
  /** Progress events for library callers (never printed). */
  onProgress?: ProgressCallback;
  /** Print progress to stderr: `auto` (bar on a terminal, lines otherwise), `bar`, `lines`, or `false` (default). */
  progress?: ProgressMode;
  signal?: AbortSignal;
  /**
   * Exact records per split expected in an archive (default: the official 50,000/10,000), or
   * in `dataDir` when given. For archives in the official format with fewer records (test
   * fixtures, subsets); CIFAR-10's training records are spread evenly over 5 batch files.
   */
  records?: SplitRecords;
  /** `dataDir` only: require the official record counts (default false: any whole number). */
  strictSizes?: boolean;
  /** Retries after transient network failures (default 3). */
  retries?: number;
  /** First retry delay in ms (default 1000; doubles each retry). */
  retryDelayMs?: number;
  /** Give up on a request after this many ms without data (default 60000). */
  timeoutMs?: number;
  /** Extra trusted CA certificates (PEM) for a mirror behind a private CA. */
  ca?: string | Buffer | (string | Buffer)[];
  /** Environment for `TFBRICKS_HOME` / `TFBRICKS_OFFLINE` (default `process.env`). */
  env?: Record<string, string | undefined>;
}

export interface Cifar100LoadOptions extends CifarLoadOptions {
  /** `fine` (100 classes, default) or `coarse` (20 superclasses). */
  labelMode?: 'fine' | 'coarse';
}

function usage(message: string, hint?: string): TfbricksError {
  return new TfbricksError('E_USAGE', message, { usage: true, hint });
}

const KNOWN_KEYS = new Set([
  'dataDir', 'archive', 'cacheDir', 'url', 'sha256', 'expectedSize', 'offline', 'onProgress', 'progress', 'signal',
  'records', 'strictSizes', 'retries', 'retryDelayMs', 'timeoutMs', 'ca', 'env', 'labelMode',
]);

function checkString(name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'string' || value.length === 0)) {
    throw usage(`option ${name} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
}

function checkInt(name: string, value: unknown, min: number): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < min)) {
    throw usage(`option ${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
}

/** Validate load options; returns the normalised SHA-256 (lower case) when given. */
export function validateLoadOptions(spec: CifarSpec, options: Cifar100LoadOptions, allowLabelMode: boolean): void {
  if (options === null || typeof options !== 'object') throw usage(`${spec.name} options must be an object, got ${JSON.stringify(options)}`);
  for (const key of Object.keys(options)) {
    if (!KNOWN_KEYS.has(key) || (key === 'labelMode' && !allowLabelMode)) {
      const allowed = [...KNOWN_KEYS].filter((k) => allowLabelMode || k !== 'labelMode');
      throw usage(`unknown ${spec.name} option '${key}'; allowed: ${allowed.join(', ')}`);
    }
  }
  for (const key of ['dataDir', 'archive', 'cacheDir', 'url', 'sha256'] as const) checkString(key, options[key]);
  if (options.dataDir !== undefined && options.archive !== undefined) {
    throw usage('options dataDir and archive are exclusive: give one source', 'dataDir is an extracted folder, archive a .tar.gz');
  }
  if ((options.dataDir !== undefined || options.archive !== undefined) && options.url !== undefined) {
    throw usage('option url cannot be combined with dataDir or archive');
  }
  if (options.sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(options.sha256)) {
    throw usage(`option sha256 must be 64 hex digits, got '${options.sha256}'`);
  }
  if (options.url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(options.url);
    } catch {
      throw usage(`option url must be an absolute http(s) URL, got '${options.url}'`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      throw usage(`option url must be an http(s) URL, got '${options.url}'`);
    }
    if (options.sha256 === undefined) {
      throw usage(`option url (${options.url}) needs option sha256: a mirror is accepted only with the archive's SHA-256`);
    }
  }
  checkInt('expectedSize', options.expectedSize, 1);
  checkInt('retries', options.retries, 0);
  checkInt('retryDelayMs', options.retryDelayMs, 0);
  checkInt('timeoutMs', options.timeoutMs, 1);
  for (const key of ['offline', 'strictSizes'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') {
      throw usage(`option ${key} must be true or false, got ${JSON.stringify(options[key])}`);
    }
  }
  if (options.progress !== undefined && options.progress !== false && !['auto', 'bar', 'lines'].includes(options.progress as string)) {
    throw usage(`option progress must be 'auto', 'bar', 'lines' or false, got ${JSON.stringify(options.progress)}`);
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw usage('option onProgress must be a function');
  }
  if (options.labelMode !== undefined && options.labelMode !== 'fine' && options.labelMode !== 'coarse') {
    throw usage(`option labelMode must be 'fine' or 'coarse', got ${JSON.stringify(options.labelMode)}`);
  }
  if (options.records !== undefined) {
    const r = options.records;
    if (r === null || typeof r !== 'object') throw usage(`option records must be { train, test }, got ${JSON.stringify(r)}`);
    for (const split of ['train', 'test'] as const) {
      const files = spec.files[split].length;
      const v = r[split];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v % files !== 0) {
        throw usage(
          `option records.${split} must be a positive integer${files > 1 ? ` divisible by ${files} (the ${split} files)` : ''}, got ${JSON.stringify(v)}`,
        );
      }
    }
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw usage('option signal must be an AbortSignal');
  }
}

/** `TFBRICKS_OFFLINE` is on for `1`, `true`, `yes`. */
export function offlineFromEnv(env: Record<string, string | undefined>): boolean {
  const v = env.TFBRICKS_OFFLINE?.trim().toLowerCase();
  return v === '1' || v === 'true' || v === 'yes';
}
