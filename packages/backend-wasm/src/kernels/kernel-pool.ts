/**
 * Node worker threads that run tfbricks' kernel module on tfjs-backend-wasm's shared heap. Each
 * worker instantiates the same compiled module on the same `WebAssembly.Memory` and waits on its
 * control words; a call writes the function and its arguments, bumps `SEQ` and the caller
 * blocks on `DONE` (Atomics.wait is allowed on Node's main thread). Workers are unref'd.
 *
 * A call over a batch hands out images in chunks from one shared counter, so a thread that
 * started late or shares its core takes fewer: no thread waits on a slow one's fixed half.
 */

import { builtin } from '../node-builtin';
import { KERNEL_FUNCTIONS } from './kernel-functions';

const SEQ = 0;
const DONE = 1;
const READY = 2;
const FN = 3;
const NARGS = 4;
const FAILED = 5;
/** Index in the arguments of the batch range's first image (the next one is its end); -1: one call as given. */
const RANGE_AT = 6;
const TOTAL = 7;
const CHUNK = 8;
const ARGS = 9;
const MAX_ARGS = 32;
const SLOT = ARGS + MAX_ARGS;

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, counter: counterBuffer, slot } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
const fns = ${JSON.stringify(KERNEL_FUNCTIONS)}.map((name) => instance.exports[name]);
const c = new Int32Array(control, slot * ${SLOT * 4}, ${SLOT});
const counter = new Int32Array(counterBuffer);
let seq = 0;
Atomics.store(c, ${READY}, 1);
for (;;) {
  Atomics.wait(c, ${SEQ}, seq);
  seq = Atomics.load(c, ${SEQ});
  try {
    const fn = fns[c[${FN}]];
    const args = Array.from(c.subarray(${ARGS}, ${ARGS} + c[${NARGS}]));
    const at = c[${RANGE_AT}];
    if (at < 0) fn(...args);
    else {
      const total = c[${TOTAL}];
      const chunk = c[${CHUNK}];
      for (let i = Atomics.add(counter, 0, chunk); i < total; i = Atomics.add(counter, 0, chunk)) {
        args[at] = i;
        args[at + 1] = Math.min(total, i + chunk);
        fn(...args);
      }
    }
  } catch (error) {
    Atomics.store(c, ${FAILED}, 1);
  }
  Atomics.store(c, ${DONE}, seq);
  Atomics.notify(c, ${DONE});
}
`;

/** A batch range handed out in chunks: the arguments' index of its first image, the batch, the chunk. */
export interface BatchRange {
  at: number;
  total: number;
  chunk: number;
}

export interface KernelPool {
  /** Workers up and waiting (they start asynchronously). */
  ready(): number;
  /** Resolves when every worker is up; rejects if one failed to start. */
  allReady(): Promise<void>;
  /** Start `fn` on `worker`: once with `args`, or over `range` in chunks from the shared counter. */
  dispatch(worker: number, fn: number, args: number[], range?: BatchRange): void;
  /** The next chunk's first image for the calling thread (shared with the workers of this call). */
  claim(chunk: number): number;
  /** Restart the shared counter (before a call's dispatches). */
  resetCounter(): void;
  /** Block until `worker` finished its call; throws if the kernel trapped there. */
  wait(worker: number): void;
}

/** Start `count` workers on `memory` running `module`. */
export async function startKernelPool(module: WebAssembly.Module, memory: WebAssembly.Memory, count: number): Promise<KernelPool> {
  const { Worker } = await builtin<typeof import('node:worker_threads')>('worker_threads');
  const control = new SharedArrayBuffer(count * SLOT * 4);
  const counterBuffer = new SharedArrayBuffer(4);
  const counter = new Int32Array(counterBuffer);
  const slots = Array.from({ length: count }, (_, slot) => new Int32Array(control, slot * SLOT * 4, SLOT));
  const started = Array.from({ length: count }, (_, slot) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, control, counter: counterBuffer, slot } });
    // Referenced while it starts (a caller may await it), unref'd once it waits for calls.
    return new Promise<void>((resolve, reject) => {
      const poll = () => {
        if (Atomics.load(slots[slot]!, READY) !== 1) return void setTimeout(poll, 2);
        worker.unref();
        resolve();
      };
      worker.once('online', poll);
      worker.once('error', (error) => {
        worker.unref();
        reject(error);
      });
    });
  });
  // Only a prefix of ready workers is used, so calls never wait on one still starting.
  let up = 0;
  return {
    allReady: () => Promise.all(started).then(() => undefined),
    ready() {
      while (up < count && Atomics.load(slots[up]!, READY) === 1) up++;
      return up;
    },
    dispatch(worker, fn, args, range) {
      const c = slots[worker]!;
      if (args.length > MAX_ARGS) throw new Error(`tfbricks kernel pool: ${args.length} arguments (at most ${MAX_ARGS})`);
      c[FN] = fn;
      c[NARGS] = args.length;
      c[RANGE_AT] = range ? range.at : -1;
      c[TOTAL] = range?.total ?? 0;
      c[CHUNK] = range?.chunk ?? 0;
      c.set(args, ARGS);
      Atomics.add(c, SEQ, 1);
      Atomics.notify(c, SEQ);
    },
    claim: (chunk) => Atomics.add(counter, 0, chunk),
    resetCounter: () => Atomics.store(counter, 0, 0),
    wait(worker) {
      const c = slots[worker]!;
      const seq = Atomics.load(c, SEQ);
      for (let done = Atomics.load(c, DONE); done !== seq; done = Atomics.load(c, DONE)) Atomics.wait(c, DONE, done);
      if (Atomics.exchange(c, FAILED, 0) === 1) throw new Error('tfbricks kernel pool: a kernel trapped on a worker thread');
    },
  };
}
