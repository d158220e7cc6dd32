import type { BackendPlugin, DeviceInfo } from '@tfbricks/core';
import { TfbricksError, errorMessage } from '@tfbricks/core';
import * as tf from '@tensorflow/tfjs-core';
import { builtin, isNode } from './node-builtin';

export interface WasmBackendOptions {
  /** Automatic-selection priority (default 25: above cpu, below webgpu). */
  priority?: number;
  /**
   * Where the browser fetches tfjs-backend-wasm's `.wasm` files from: a URL prefix ending in
   * `/`, or a map per file name (see tfjs' `setWasmPaths`). Node finds them in the package.
   */
  wasmPaths?: string | Record<string, string>;
  /**
   * CPU threads. Default: the machine's logical cores, at most 8 (Node:
   * `os.availableParallelism()`; browsers: `navigator.hardwareConcurrency`, and only where the
   * page is cross-origin isolated, else one). Env `TFBRICKS_WASM_THREADS` overrides the default
   * in Node. 1 runs tfjs' single-threaded SIMD build; more runs its threaded SIMD build (in
   * Node through worker_threads, see `node-threads.ts`). At most 8 (Emscripten's pthread pool).
   * In Node, with tfbricks' kernels on, the convolutions (forward and both gradients) run on
   * tfbricks' own pool of this many threads and XNNPACK, which then serves only the small ops,
   * on one: its idle threads spin and would take the cores from the convolutions.
   */
  threads?: number;
  /** Serve the convolution gradients with tfbricks' kernels (default true; env `TFBRICKS_WASM_STOCK_KERNELS=1` turns them off). */
  trainingKernels?: boolean;
  /**
   * Let tfbricks' own kernels use relaxed SIMD's fused multiply-add where the engine has it
   * (default true; env `TFBRICKS_WASM_FMA=0` turns it off). Chrome ≥ 114 and Node ≥ 22 have it;
   * on Node 20 `init()` turns on V8's `--experimental-wasm-relaxed-simd` for it.
   */
  fma?: boolean;
}

/** Node 20 runs relaxed SIMD behind a V8 flag, which may be set at run time before a module compiles. */
async function enableRelaxedSimd(relaxedSimdSupported: () => boolean): Promise<boolean> {
  if (relaxedSimdSupported() || !isNode()) return relaxedSimdSupported();
  try {
    const v8 = await builtin<{ setFlagsFromString(flags: string): void }>('v8');
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    return false;
  }
  return relaxedSimdSupported();
}

type WasmModule = typeof import('@tensorflow/tfjs-backend-wasm');

async function loadWasm(): Promise<WasmModule> {
  try {
    return await import('@tensorflow/tfjs-backend-wasm');
  } catch (error) {
    throw new TfbricksError('E_BACKEND_INIT', `cannot load @tensorflow/tfjs-backend-wasm: ${errorMessage(error)}`, {
      hint: 'install it: pnpm add @tensorflow/tfjs-backend-wasm (same version as @tensorflow/tfjs-core)',
      cause: error,
      details: { backend: 'wasm', kind: 'tfjs-backend-missing' },
    });
  }
}

/** The most threads: Emscripten's pthread pool in tfjs-backend-wasm's threaded build. */
export const MAX_WASM_THREADS = 8;

/** Node: every logical core (at most 8), or `TFBRICKS_WASM_THREADS`; browsers: every core where the page could run threads. */
async function defaultThreads(): Promise<number | undefined> {
  if (isNode()) {
    const fromEnv = globalThis.process?.env?.TFBRICKS_WASM_THREADS;
    if (fromEnv !== undefined && fromEnv !== '') return checkThreads(Number(fromEnv), 'TFBRICKS_WASM_THREADS');
    return Math.min(MAX_WASM_THREADS, await (await import('./node-threads')).nodeCores());
  }
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  if (!(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated || !cores) return undefined;
  return Math.max(1, Math.min(MAX_WASM_THREADS, cores));
}

function checkThreads(value: number, input: string): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_WASM_THREADS) {
    throw new TfbricksError('E_BACKEND_INIT', `${input} must be a whole number from 1 to ${MAX_WASM_THREADS}, got ${String(value)}`, {
      hint: `set ${input} to the number of CPU threads XNNPACK should use (1 = single-threaded)`,
      details: { backend: 'wasm', kind: 'bad-threads', value },
    });
  }
  return value;
}

async function flag(name: string): Promise<boolean> {
  try {
    return Boolean(await tf.env().getAsync(name));
  } catch {
    return false;
  }
}

/**
 * One line for humans: SIMD, the XNNPACK threads and the host. `threads` is the count the
 * running backend reports (tfjs' `getThreadsCount()`); before the backend starts it is the
 * count asked for, or 1 where only the single-threaded build can load.
 */
export async function describeWasmDevice(threadsAsked?: number, kernels?: { threads: number; fma: boolean }): Promise<DeviceInfo> {
  const simd = await flag('WASM_HAS_SIMD_SUPPORT');
  const xnnpack = runningThreads() ?? threadsAsked ?? 1;
  const proc = (globalThis as { process?: { versions?: { node?: string }; arch?: string } }).process;
  const host = proc?.versions?.node ? `Node ${proc.versions.node}, ${proc.arch ?? 'unknown arch'}` : 'browser';
  const count = (n: number) => (n > 1 ? `${n} threads` : '1 thread');
  if (kernels && simd) {
    const description = `WebAssembly CPU, tfbricks kernels (SIMD128${kernels.fma ? ' + FMA' : ''}, ${count(kernels.threads)}) + XNNPACK (${count(xnnpack)}), ${host}`;
    return { description, software: true, simd, threads: kernels.threads };
  }
  const parts = [simd ? 'SIMD128' : 'no SIMD (scalar build)', count(xnnpack), host];
  return { description: `WebAssembly CPU, XNNPACK (${parts.join(', ')})`, software: true, simd, threads: xnnpack };
}

let wasmModule: WasmModule | undefined;

/** XNNPACK's thread count once the tfjs `wasm` backend runs; undefined before. */
function runningThreads(): number | undefined {
  try {
    return wasmModule?.getThreadsCount();
  } catch {
    return undefined;
  }
}

/**
 * The threads XNNPACK will get. Node: the count asked for (see `node-threads.ts`). Browsers:
 * one unless the page is cross-origin isolated (only then does the threaded build load), and
 * there tfjs' own C++ caps the pool at half of `navigator.hardwareConcurrency`.
 */
async function usableThreads(asked: number | undefined): Promise<number> {
  if (isNode()) return asked ?? 1;
  if (!(await flag('WASM_HAS_MULTITHREAD_SUPPORT'))) return 1;
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 2;
  const half = Math.max(1, Math.floor(cores / 2));
  return Math.min(asked ?? half, half, MAX_WASM_THREADS);
}

/**
 * The WebAssembly CPU backend: tfjs-backend-wasm (XNNPACK convolutions and matmuls, SIMD128,
 * threads where the browser allows them) plus tfbricks' convolution-gradient kernels, which
 * tfjs-backend-wasm lacks or runs as scalar loops. Trains CNNs on machines without a GPU.
 */
export function wasmBackend(options: WasmBackendOptions = {}): BackendPlugin {
  return {
    name: 'wasm',
    tfjsBackend: 'wasm',
    priority: options.priority ?? 25,
    description: 'WebAssembly CPU via @tensorflow/tfjs-backend-wasm (XNNPACK) + tfbricks training kernels: fast without a GPU',
    capabilities: { training: true, float32: true, gpu: false, fasterThanSoftwareGpu: true },
    async init() {
      const wasm = await loadWasm();
      wasmModule = wasm;
      if (options.wasmPaths !== undefined) wasm.setWasmPaths(options.wasmPaths as string);
      const asked = options.threads !== undefined ? checkThreads(options.threads, 'wasmBackend({ threads })') : await defaultThreads();
      if (asked !== undefined) wasm.setThreadsCount(asked);
      if (!tf.findBackendFactory('wasm')) {
        throw new TfbricksError('E_BACKEND_INIT', '@tensorflow/tfjs-backend-wasm loaded but registered no "wasm" backend', {
          hint: 'make sure @tensorflow/tfjs-backend-wasm and @tensorflow/tfjs-core are the same version and installed once',
          details: { backend: 'wasm', kind: 'tfjs-backend-unregistered' },
        });
      }
      const simd = await flag('WASM_HAS_SIMD_SUPPORT');
      const ours = (options.trainingKernels ?? true) && globalThis.process?.env?.TFBRICKS_WASM_STOCK_KERNELS !== '1';
      // Node: tfbricks' pool takes the threads and XNNPACK gets one (see `threads`).
      const xnnpackThreads = ours && isNode() && asked !== undefined ? 1 : asked;
      if (isNode()) {
        const nodeThreads = await import('./node-threads');
        // Once the tfjs backend runs, its threads are fixed (the device line reports them).
        const live = Boolean(tf.engine().registry['wasm']);
        if (asked !== undefined && asked > 1 && simd) nodeThreads.registerThreadedNodeFactory(wasm, xnnpackThreads!);
        else if (!live) nodeThreads.restoreStockWasmFactory();
      }
      const threads = await usableThreads(simd ? asked : 1);
      if (!ours) return { device: await describeWasmDevice(threads) };
      const [kernels, runtime] = await Promise.all([import('./kernels'), import('./kernels/kernel-runtime')]);
      kernels.registerTrainingKernels();
      const fmaAsked = (options.fma ?? true) && globalThis.process?.env?.TFBRICKS_WASM_FMA !== '0';
      const fma = fmaAsked && (await enableRelaxedSimd(runtime.relaxedSimdSupported));
      // Browsers: the kernels run on the calling thread (a page may not block on Atomics.wait).
      const kernelThreads = isNode() ? threads : 1;
      runtime.configureKernels({ threads: kernelThreads, fma });
      return { device: await describeWasmDevice(isNode() ? xnnpackThreads : threads, { threads: kernelThreads, fma }) };
    },
  };
}
