import type { BackendPlugin, DeviceInfo } from '@tfbricks/core';
import { TfbricksError, errorMessage } from '@tfbricks/core';
import * as tf from '@tensorflow/tfjs-core';

export interface WasmBackendOptions {
  /** Automatic-selection priority (default 25: above cpu, below webgpu). */
  priority?: number;
  /**
   * Where the browser fetches tfjs-backend-wasm's `.wasm` files from: a URL prefix ending in
   * `/`, or a map per file name (see tfjs' `setWasmPaths`). Node finds them in the package.
   */
  wasmPaths?: string | Record<string, string>;
  /**
   * XNNPACK threads for the multi-threaded build (cross-origin-isolated pages only). Default:
   * every logical core (`navigator.hardwareConcurrency`, at most 8). tfjs-backend-wasm caps
   * it at its pthread pool, which it sizes to half the logical cores (at most 4).
   */
  threads?: number;
  /** Serve the convolution gradients with tfbricks' kernels (default true; env `TFBRICKS_WASM_STOCK_KERNELS=1` turns them off). */
  trainingKernels?: boolean;
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

/** Every logical core (at most 8) where the page could run threads; else tfjs' own default. */
function defaultThreads(): number | undefined {
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  if (!(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated || !cores) return undefined;
  return Math.max(1, Math.min(8, cores));
}

async function flag(name: string): Promise<boolean> {
  try {
    return Boolean(await tf.env().getAsync(name));
  } catch {
    return false;
  }
}

/** One line for humans: SIMD, threads (where the page is cross-origin isolated) and the host. */
export async function describeWasmDevice(): Promise<DeviceInfo> {
  const simd = await flag('WASM_HAS_SIMD_SUPPORT');
  const threads = await flag('WASM_HAS_MULTITHREAD_SUPPORT');
  const proc = (globalThis as { process?: { versions?: { node?: string }; arch?: string } }).process;
  const host = proc?.versions?.node ? `Node ${proc.versions.node}, ${proc.arch ?? 'unknown arch'}` : 'browser';
  const parts = [simd ? 'SIMD128' : 'no SIMD (scalar build)', threads ? 'multi-threaded' : 'single-threaded', host];
  return { description: `WebAssembly CPU, XNNPACK (${parts.join(', ')})`, software: true, simd, threads };
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
      if (options.wasmPaths !== undefined) wasm.setWasmPaths(options.wasmPaths as string);
      const threads = options.threads ?? defaultThreads();
      if (threads !== undefined) wasm.setThreadsCount(threads);
      if (!tf.findBackendFactory('wasm')) {
        throw new TfbricksError('E_BACKEND_INIT', '@tensorflow/tfjs-backend-wasm loaded but registered no "wasm" backend', {
          hint: 'make sure @tensorflow/tfjs-backend-wasm and @tensorflow/tfjs-core are the same version and installed once',
          details: { backend: 'wasm', kind: 'tfjs-backend-unregistered' },
        });
      }
      if ((options.trainingKernels ?? true) && globalThis.process?.env?.TFBRICKS_WASM_STOCK_KERNELS !== '1') {
        (await import('./kernels')).registerTrainingKernels();
      }
      return { device: await describeWasmDevice() };
    },
  };
}
