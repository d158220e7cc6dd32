import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type BadImageFile, type ImageDecodeOptions, TfbricksError } from '@tfbricks/core';

/** One job: files a worker decodes and resizes, in order. */
export interface DecodeJob {
  id: number;
  paths: string[];
  decode: ImageDecodeOptions;
  maxPixels: number;
}

/** The records of a job (`paths.length × record` bytes; a bad file's record is zeros) and its bad files. */
export interface DecodeReply {
  id: number;
  pixels: Uint8Array;
  bad: { index: number; code: BadImageFile['code']; reason: string }[];
  error?: string;
}

/**
 * The worker script beside this module, whichever build runs: `decode-worker.js` (ESM),
 * `.cjs` (CJS), or `.ts` from the sources (tests, benchmarks: run through tsx). A bundler
 * may have moved this code into a chunk one folder up, hence the second candidate.
 */
function workerScript(): { source: string | URL; eval: boolean } {
  const here = import.meta.url;
  const ext = /\.(c?js|m?ts)(\?.*)?$/.exec(here)?.[1] ?? 'js';
  for (const rel of [`./decode-worker.${ext}`, `./node/decode-worker.${ext}`]) {
    const url = new URL(rel, here);
    if (!existsSync(fileURLToPath(url))) continue;
    if (!ext.endsWith('ts')) return { source: url, eval: false };
    // From the sources: register tsx (a devDependency) inside the worker, then load the script.
    const tsx = pathToFileURL(createRequire(here).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
    return { source: `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`, eval: true };
  }
  throw new TfbricksError('E_IMAGE_DECODER', `the decode worker script is missing beside ${here}`, { hint: 'reinstall @tfbricks/data-images, or pass workers: 0' });
}

/** Worker threads to add to the main thread: one fewer than the cores (at most 7), none on one core. */
export function defaultDecodeWorkers(): number {
  return Math.max(0, Math.min(7, availableParallelism() - 1));
}

/**
 * A few worker threads decoding and resizing jobs of files in parallel with the main
 * thread (mozjpeg-wasm and the resize loops are synchronous, so threads are what spreads
 * them over the cores). Started for one `prepare()` and closed after it.
 */
export class DecodeWorkers {
  private readonly workers: Worker[];
  private readonly idle: Worker[];
  private readonly waiting = new Map<number, { resolve(r: DecodeReply): void; reject(e: Error): void }>();
  private failure: Error | undefined;
  private closing = false;
  private nextId = 0;

  constructor(count: number) {
    const script = workerScript();
    this.workers = Array.from({ length: count }, () => {
      const worker = new Worker(script.source, { eval: script.eval, env: process.env });
      worker.on('message', (reply: DecodeReply) => {
        const waiter = this.waiting.get(reply.id);
        this.waiting.delete(reply.id);
        this.idle.push(worker);
        if (reply.error) waiter?.reject(new TfbricksError('E_IMAGE_DECODER', `decode worker failed: ${reply.error}`));
        else waiter?.resolve(reply);
      });
      worker.on('error', (error) => this.fail(new TfbricksError('E_IMAGE_DECODER', `decode worker failed: ${error.message}`, { cause: error })));
      worker.on('exit', (code) => {
        if (code !== 0) this.fail(new TfbricksError('E_IMAGE_DECODER', `decode worker exited with code ${code}`));
      });
      return worker;
    });
    this.idle = [...this.workers];
  }

  get size(): number {
    return this.workers.length;
  }

  private fail(error: Error): void {
    if (this.closing) return;
    this.failure ??= error;
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }

  /** Run a job on an idle worker (callers keep at most {@link size} jobs in flight). */
  run(paths: string[], decode: ImageDecodeOptions, maxPixels: number): Promise<DecodeReply> {
    if (this.failure) return Promise.reject(this.failure);
    const worker = this.idle.pop();
    if (!worker) return Promise.reject(new RangeError('no idle decode worker'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, paths, decode, maxPixels } satisfies DecodeJob);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
