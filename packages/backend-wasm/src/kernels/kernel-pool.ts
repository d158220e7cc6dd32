/**
 * Node worker threads that run tfbricks' kernel module on tfjs-backend-wasm's shared heap. Each
 * worker instantiates the same compiled module on the same `WebAssembly.Memory` and waits on its
 * control words; a call writes the function and its arguments, bumps `SEQ` and the caller
 * blocks on `DONE` (Atomics.wait is allowed on Node's main thread). Workers are unref'd.
 */

import { builtin } from '../node-builtin';

const SEQ = 0;
const DONE = 1;
const READY = 2;
const FN = 3;
const NARGS = 4;
const FAILED = 5;
const ARGS = 8;
const MAX_ARGS = 32;
const SLOT = ARGS + MAX_ARGS;

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, slot } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
const fns = ['filter_grad', 'conv_forward', 'pad_copy', 'max_pool_grad'].map((name) => instance.exports[name]);
const c = new Int32Array(control, slot * ${SLOT * 4}, ${SLOT});
let seq = 0;
Atomics.store(c, ${READY}, 1);
for (;;) {
  Atomics.wait(c, ${SEQ}, seq);
  seq = Atomics.load(c, ${SEQ});
  try {
    const args = Array.from(c.subarray(${ARGS}, ${ARGS} + c[${NARGS}]));
    fns[c[${FN}]](...args);
  } catch (error) {
    Atomics.store(c, ${FAILED}, 1);
  }
  Atomics.store(c, ${DONE}, seq);
  Atomics.notify(c, ${DONE});
}
`;

export interface KernelPool {
  /** Workers up and waiting (they start asynchronously). */
  ready(): number;
  /** Resolves when every worker is up; rejects if one failed to start. */
  allReady(): Promise<void>;
  dispatch(worker: number, fn: number, args: number[]): void;
  /** Block until `worker` finished its call; throws if the kernel trapped there. */
  wait(worker: number): void;
}

/** Start `count` workers on `memory` running `module`. */
export async function startKernelPool(module: WebAssembly.Module, memory: WebAssembly.Memory, count: number): Promise<KernelPool> {
  const { Worker } = await builtin<typeof import('node:worker_threads')>('worker_threads');
  const control = new SharedArrayBuffer(count * SLOT * 4);
  const slots = Array.from({ length: count }, (_, slot) => new Int32Array(control, slot * SLOT * 4, SLOT));
  const started = Array.from({ length: count }, (_, slot) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, control, slot } });
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
    dispatch(worker, fn, args) {
      const c = slots[worker]!;
      if (args.length > MAX_ARGS) throw new Error(`tfbricks kernel pool: ${args.length} arguments (at most ${MAX_ARGS})`);
      c[FN] = fn;
      c[NARGS] = args.length;
      c.set(args, ARGS);
      Atomics.add(c, SEQ, 1);
      Atomics.notify(c, SEQ);
    },
    wait(worker) {
      const c = slots[worker]!;
      const seq = Atomics.load(c, SEQ);
      for (let done = Atomics.load(c, DONE); done !== seq; done = Atomics.load(c, DONE)) Atomics.wait(c, DONE, done);
      if (Atomics.exchange(c, FAILED, 0) === 1) throw new Error('tfbricks kernel pool: a kernel trapped on a worker thread');
    },
  };
}
