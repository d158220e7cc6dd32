import { CONV_KERNELS_PLAIN_FMA, CONV_KERNELS_PLAIN_MULADD, CONV_KERNELS_SHARED_FMA, CONV_KERNELS_SHARED_MULADD } from './conv-kernels-wasm';
import { isNode } from '../node-builtin';
import { KERNEL_FUNCTIONS } from './kernel-functions';
import type { KernelFunction } from './kernel-functions';
import type { BatchRange, KernelPool } from './kernel-pool';

/** The exports of tfbricks' kernel module (wasm/*.mjs, assembled by wasm/assemble.mjs). */
export interface ConvKernelExports {
  filter_grad(...args: number[]): void;
  conv_forward(...args: number[]): void;
  pad_copy(...args: number[]): void;
  max_pool_grad(...args: number[]): void;
  leading_sum(src: number, dst: number, acc: number, rows: number, width: number, divisor: number): void;
  binary(...args: number[]): void;
  wino_filter(w: number, u: number, ci: number, co: number): void;
  wino_fused(...args: number[]): void;
  wgrad_fused(...args: number[]): void;
  wgrad_out(m: number, dw: number, ci: number, co: number): void;
  add_into(dst: number, src: number, n: number): void;
}

/** Images per chunk of a batch call: small enough to balance the threads, large enough to amortise a call. */
const IMAGES_PER_CHUNK = 2;

/** tfbricks' kernels instantiated on one tfjs-backend-wasm heap, and the threads that run them. */
export interface KernelRuntime {
  exports: ConvKernelExports;
  /** Whether the module uses relaxed SIMD's fused multiply-add. */
  fma: boolean;
  /** Threads a call may use (the calling one included): 1 until the pool's workers are up. */
  threads(): number;
  /**
   * Runs `fn` over a batch of `total` images, handed out in chunks of `chunk` (default 2) to
   * this thread (arguments `args[0]`) and the workers (`args[1…]`, one per worker; fewer: the
   * first one's): the arguments at `at` and `at + 1` are set to each chunk's first and end image.
   */
  runBatch(fn: KernelFunction, args: number[][], at: number, total: number, chunk?: number): void;
  /** Settles once every worker is up (or could not start: calls then run on fewer threads). */
  ready: Promise<void>;
}

const calls = new Map<string, number>();

/** How many calls tfbricks' WebAssembly kernels served, per kernel function (all heaps). */
export function directKernelCalls(): Record<string, number> {
  return Object.fromEntries(calls);
}

/** Count one call of `fn` (the runtime counts its own; callers of `exports` directly count theirs). */
export function countCall(fn: string): void {
  calls.set(fn, (calls.get(fn) ?? 0) + 1);
}

/** Settings the backend plugin chose in `init()`. */
const settings = { threads: 1, fma: true };

/** How many threads tfbricks' kernels use (the plugin passes its XNNPACK count) and whether they may use FMA. */
export function configureKernels(options: { threads?: number; fma?: boolean }): void {
  if (options.threads !== undefined) settings.threads = options.threads;
  if (options.fma !== undefined) settings.fma = options.fma;
}

/** `(func (param v128 v128 v128) (result v128) local.get 0..2 f32x4.relaxed_madd)`: does this engine run relaxed SIMD? */
const RELAXED_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0, 10, 13, 1, 11, 0, 32, 0, 32, 1, 32, 2, 253, 133, 2, 11]);

export function relaxedSimdSupported(): boolean {
  try {
    return WebAssembly.validate(RELAXED_PROBE);
  } catch {
    return false;
  }
}

function decode(b64: string): Uint8Array<ArrayBuffer> {
  const text = atob(b64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** The module bytes for a heap: shared (threaded build) or not, FMA where the engine has it. */
export function kernelBytes(shared: boolean, fma: boolean): Uint8Array<ArrayBuffer> {
  if (shared) return decode(fma ? CONV_KERNELS_SHARED_FMA : CONV_KERNELS_SHARED_MULADD);
  return decode(fma ? CONV_KERNELS_PLAIN_FMA : CONV_KERNELS_PLAIN_MULADD);
}

interface EmscriptenHeap {
  wasmMemory?: WebAssembly.Memory;
  asm?: { memory?: WebAssembly.Memory };
}

/** tfjs-backend-wasm's `WebAssembly.Memory` (Emscripten exports it on the threaded build, the instance on the other). */
export function heapMemory(backend: unknown): WebAssembly.Memory | undefined {
  const wasm = (backend as { wasm?: EmscriptenHeap }).wasm;
  const memory = wasm?.wasmMemory ?? wasm?.asm?.memory;
  return memory instanceof WebAssembly.Memory ? memory : undefined;
}

type State = { runtime: KernelRuntime } | { pending: true } | { failed: unknown };
const states = new WeakMap<object, State>();

function build(memory: WebAssembly.Memory, shared: boolean, instance: WebAssembly.Instance, module: WebAssembly.Module, fma: boolean): KernelRuntime {
  const exports = instance.exports as unknown as ConvKernelExports;
  let pool: KernelPool | undefined;
  // Workers only in Node: a browser's main thread may not block on Atomics.wait.
  const ready =
    shared && settings.threads > 1 && isNode()
      ? import('./kernel-pool')
          .then(({ startKernelPool }) => startKernelPool(module, memory, settings.threads - 1))
          .then(async (p) => {
            pool = p;
            await p.allReady();
          })
          .catch(() => undefined)
      : Promise.resolve();
  return {
    exports,
    fma,
    ready,
    threads: () => 1 + (pool?.ready() ?? 0),
    runBatch(fn, args, at, total, chunk = IMAGES_PER_CHUNK) {
      countCall(fn);
      const workers = pool ? Math.min(pool.ready(), Math.ceil(total / chunk) - 1) : 0;
      const own = args[0]!.slice();
      if (workers <= 0) {
        for (let i = 0; i < total; i += chunk) {
          own[at] = i;
          own[at + 1] = Math.min(total, i + chunk);
          exports[fn](...own);
        }
        return;
      }
      const range: BatchRange = { at, total, chunk };
      pool!.resetCounter();
      for (let w = 0; w < workers; w++) pool!.dispatch(w, KERNEL_FUNCTIONS.indexOf(fn), args[Math.min(w + 1, args.length - 1)]!, range);
      for (let i = pool!.claim(chunk); i < total; i = pool!.claim(chunk)) {
        own[at] = i;
        own[at + 1] = Math.min(total, i + chunk);
        exports[fn](...own);
      }
      for (let w = 0; w < workers; w++) pool!.wait(w);
    },
  };
}

/**
 * The NHWC map of `shape` at byte `src` zero-padded into `dst` (`height × width`, `top` rows and
 * `left` columns before it; negative crops), the images shared out over the runtime's threads.
 */
export function padCopy(runtime: KernelRuntime, src: number, dst: number, shape: readonly number[], height: number, width: number, top: number, left: number): void {
  const [n, h, w, c] = shape as [number, number, number, number];
  // Arguments 2 and 3: each chunk's images.
  runtime.runBatch('pad_copy', [[src, dst, 0, 0, h, w, c, height, width, top, left]], 2, n);
}

/**
 * The runtime for `backend`'s heap, or null while it is being prepared (the first call starts
 * it; browsers compile asynchronously) or where it cannot run (no memory found, no SIMD). The
 * callers fall back to their XNNPACK path when it is null.
 */
export function kernelRuntime(backend: unknown): KernelRuntime | null {
  const key = backend as object;
  const state = states.get(key);
  if (state) return 'runtime' in state ? state.runtime : null;
  const memory = heapMemory(backend);
  if (!memory) {
    states.set(key, { failed: new Error('no WebAssembly.Memory on the tfjs wasm backend') });
    return null;
  }
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const fma = settings.fma && relaxedSimdSupported();
  const bytes = kernelBytes(shared, fma);
  const imports = { env: { memory } };
  // The module is small (~14 KB): synchronous compilation is allowed on a browser's main thread
  // too; where an engine refuses it, the asynchronous path below makes it ready for later calls.
  try {
    const module = new WebAssembly.Module(bytes);
    const runtime = build(memory, shared, new WebAssembly.Instance(module, imports), module, fma);
    states.set(key, { runtime });
    return runtime;
  } catch (error) {
    if (isNode()) {
      states.set(key, { failed: error });
      return null;
    }
  }
  states.set(key, { pending: true });
  WebAssembly.compile(bytes)
    .then(async (module) => ({ module, instance: await WebAssembly.instantiate(module, imports) }))
    .then(({ module, instance }) => states.set(key, { runtime: build(memory, shared, instance, module, fma) }))
    .catch((error: unknown) => states.set(key, { failed: error }));
  return null;
}

/**
 * Node: instantiate the kernels on `backend`'s heap now and wait until the pool's workers are
 * up, so the first training steps already run on every thread (tfbricks' threaded factory calls
 * this once it built the backend).
 */
export async function prepareKernelRuntime(backend: unknown): Promise<void> {
  await kernelRuntime(backend)?.ready;
}
