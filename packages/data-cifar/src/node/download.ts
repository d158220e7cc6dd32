import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TfbricksError, errorMessage, isTfbricksError } from '@tfbricks/core';
import type { PhaseReporter } from './progress';
import { abortError, sleep, uniqueSuffix } from '../util';

export interface DownloadRequest {
  url: string;
  /** Final path; written only after size and SHA-256 matched. */
  dest: string;
  sha256: string;
  /** Exact size in bytes, when known. */
  size?: number;
  /** What is being downloaded, for messages (e.g. `CIFAR-10`). */
  title: string;
  /** Retries after a transient failure (connection error, dropped transfer, HTTP 5xx/408/429). */
  retries: number;
  /** First backoff delay; doubles each retry, ±50 % jitter. */
  retryDelayMs: number;
  /** Abort a request when no bytes arrive for this long. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Extra trusted CA certificates (PEM), for a mirror behind a private CA. */
  ca?: string | Buffer | (string | Buffer)[];
  /** Progress of the bytes received (one phase per attempt). */
  progress?: (total: number | undefined) => PhaseReporter;
  /** Called before each attempt, with the attempt number (from 1). For logs and tests. */
  onAttempt?: (attempt: number, url: string) => void;
}

export interface DownloadResult {
  path: string;
  bytes: number;
  attempts: number;
}

/** A failure worth retrying. */
class TransientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}

const TRANSIENT_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH',
  'ENETUNREACH', 'ENETDOWN', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET',
]);

function isTransient(error: unknown): boolean {
  if (error instanceof TransientError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TRANSIENT_CODES.has(code);
}

const MAX_REDIRECTS = 5;
/** Cap on a body of unknown expected size (a mirror given without `expectedSize`). */
export const MAX_UNKNOWN_DOWNLOAD_BYTES = 1024 * 1024 * 1024;

/**
 * Is following `location` from `from` allowed? Only http(s), and never from https to http
 * (a downgrade would let anyone on the path substitute the bytes before we even hash them,
 * and leaks that the user fetches this file).
 */
export function checkRedirect(from: URL, location: string): URL {
  let to: URL;
  try {
    to = new URL(location, from);
  } catch {
    throw new TfbricksError('E_DATASET_DOWNLOAD', `${from.href} redirected to an invalid location '${location}'`);
  }
  if (to.protocol !== 'https:' && to.protocol !== 'http:') {
    throw new TfbricksError('E_DATASET_DOWNLOAD', `${from.href} redirected to '${to.href}'; allowed: http(s) URLs`);
  }
  if (from.protocol === 'https:' && to.protocol === 'http:') {
    throw new TfbricksError('E_DATASET_INSECURE', `refusing the redirect from ${from.href} to ${to.href}: https must not be downgraded to http`, {
      hint: 'the mirror is misconfigured; use its https URL or another mirror (option url + sha256)',
      details: { from: from.href, to: to.href },
    });
  }
  return to;
}

/**
 * Download `url` to a process-unique temporary file next to `dest`, verify size and SHA-256,
 * then rename it to `dest`. Transient failures are retried with exponential backoff; an
 * integrity failure is not. On failure nothing is left at `dest` or at the temporary path.
 */
export async function downloadVerified(req: DownloadRequest): Promise<DownloadResult> {
  let attempt = 0;
  for (;;) {
    attempt++;
    if (req.signal?.aborted) throw abortError(req.signal);
    const tmp = `${req.dest}.${uniqueSuffix()}.part`;
    try {
      req.onAttempt?.(attempt, req.url);
      const got = await downloadOnce(req, tmp);
      verify(req, got);
      await rename(tmp, req.dest);
      return { path: req.dest, bytes: got.bytes, attempts: attempt };
    } catch (error) {
      await unlink(tmp).catch(() => undefined);
      if (req.signal?.aborted) throw abortError(req.signal);
      if (isTransient(error) && attempt <= req.retries) {
        const delay = req.retryDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random());
        await sleep(delay, req.signal);
        continue;
      }
      if (isTfbricksError(error)) throw error;
      throw new TfbricksError('E_DATASET_DOWNLOAD', `downloading ${req.title} from ${req.url} failed after ${attempt} attempt(s): ${errorMessage(error)}`, {
        hint: 'check the network (or a proxy), then run again; or pass a local archive (option archive) or dataDir',
        cause: error,
        details: { url: req.url, attempts: attempt },
      });
    }
  }
}

function verify(req: DownloadRequest, got: { bytes: number; sha256: string; contentType: string | undefined }): void {
  const htmlHint = got.contentType?.includes('html')
    ? `the server sent ${got.contentType}: probably an error or login page, not the archive`
    : 'the mirror serves a different or damaged file';
  if (req.size !== undefined && got.bytes !== req.size) {
    throw new TfbricksError('E_DATASET_INTEGRITY', `${req.title} download from ${req.url} is ${got.bytes} bytes; expected ${req.size}`, {
      hint: htmlHint,
      details: { url: req.url, expectedSize: req.size, actualSize: got.bytes },
    });
  }
  if (got.sha256 !== req.sha256) {
    throw new TfbricksError('E_DATASET_INTEGRITY', `${req.title} download from ${req.url} has SHA-256 ${got.sha256}; expected ${req.sha256}`, {
      hint: htmlHint,
      details: { url: req.url, expectedSha256: req.sha256, actualSha256: got.sha256 },
    });
  }
}

interface Received {
  bytes: number;
  sha256: string;
  contentType: string | undefined;
}

async function downloadOnce(req: DownloadRequest, tmp: string): Promise<Received> {
  let url = new URL(req.url);
  for (let redirects = 0; ; redirects++) {
    const res = await get(url, req);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      if (redirects >= MAX_REDIRECTS) {
        throw new TfbricksError('E_DATASET_DOWNLOAD', `${req.url}: more than ${MAX_REDIRECTS} redirects`);
      }
      url = checkRedirect(url, res.headers.location);
      continue;
    }
    if (status !== 200) {
      res.resume();
      const message = `${req.title} download: HTTP ${status} ${res.statusMessage ?? ''} from ${url.href}`.trim();
      if (status >= 500 || status === 408 || status === 429) throw new TransientError(message);
      throw new TfbricksError('E_DATASET_DOWNLOAD', message, {
        hint: 'check the URL (option url) or use the default source',
        details: { url: url.href, status },
      });
    }
    return receiveBody(res, url, req, tmp);
  }
}

function get(url: URL, req: DownloadRequest): Promise<http.IncomingMessage> {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TfbricksError('E_USAGE', `url must be an http(s) URL, got '${url.href}'`, { usage: true });
  }
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = mod.get(
      url,
      {
        headers: { 'user-agent': 'tfbricks-data-cifar', accept: '*/*' },
        signal: req.signal,
        ...(url.protocol === 'https:' && req.ca ? { ca: req.ca } : {}),
      },
      (res) => {
        // From here on, the body stream reports errors; keep the idle timeout armed.
        resolve(res);
      },
    );
    request.setTimeout(req.timeoutMs, () => {
      request.destroy(new TransientError(`no data from ${url.host} for ${req.timeoutMs} ms`));
    });
    request.on('error', (error) => {
      if (req.signal?.aborted) reject(abortError(req.signal));
      else reject(error);
    });
  });
}

async function receiveBody(res: http.IncomingMessage, url: URL, req: DownloadRequest, tmp: string): Promise<Received> {
  const announced = res.headers['content-length'] !== undefined ? Number(res.headers['content-length']) : undefined;
  const contentType = res.headers['content-type'];
  if (req.size !== undefined && announced !== undefined && Number.isFinite(announced) && announced !== req.size) {
    res.destroy();
    throw new TfbricksError(
      'E_DATASET_INTEGRITY',
      `${req.title} download from ${url.href}: the server announced ${announced} bytes; expected ${req.size}`,
      {
        hint: contentType?.includes('html')
          ? `the server sent ${contentType}: probably an error or login page, not the archive`
          : 'the mirror serves a different file; check the URL',
        details: { url: url.href, expectedSize: req.size, actualSize: announced },
      },
    );
  }
  const total = req.size ?? announced;
  const phase = req.progress?.(total);
  const hash = createHash('sha256');
  let bytes = 0;
  const limit = req.size ?? MAX_UNKNOWN_DOWNLOAD_BYTES;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > limit) {
        done(
          new TfbricksError('E_DATASET_INTEGRITY', `${req.title} download from ${url.href} exceeds ${req.size === undefined ? 'the limit of' : 'the expected'} ${limit} bytes`, {
            hint: 'the mirror serves a different file; check the URL',
            details: { url: url.href, expectedSize: limit },
          }),
        );
        return;
      }
      hash.update(chunk);
      phase?.update(bytes);
      done(null, chunk);
    },
  });
  let aborted = false;
  res.on('aborted', () => {
    aborted = true;
  });
  const out = createWriteStream(tmp, { flags: 'wx' });
  try {
    await pipeline(res, meter, out);
  } catch (error) {
    // The temporary file may still be opening when the source fails: wait until the stream
    // has really closed its descriptor, so the caller's unlink cannot run before the file
    // exists (which would leave a stray `.part` behind).
    await closed(out);
    if (isTfbricksError(error)) throw error;
    if (req.signal?.aborted) throw abortError(req.signal);
    throw new TransientError(`the connection to ${url.host} dropped after ${bytes} bytes: ${errorMessage(error)}`, { cause: error });
  }
  if (aborted || (announced !== undefined && bytes < announced) || !res.complete) {
    throw new TransientError(`the transfer from ${url.host} ended after ${bytes} of ${announced ?? '?'} bytes`);
  }
  // Make the bytes durable before the rename publishes them.
  const fh = await open(tmp, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  phase?.finish(bytes);
  return { bytes, sha256: hash.digest('hex'), contentType };
}

function closed(stream: { closed: boolean; once(event: 'close', listener: () => void): unknown }): Promise<void> {
  return stream.closed ? Promise.resolve() : new Promise((resolve) => stream.once('close', () => resolve()));
}
