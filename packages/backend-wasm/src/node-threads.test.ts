import { execFile } from 'node:child_process';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { restoreStockWasmFactory, threadedNodeFactoryActive } from './node-threads';
import { MAX_WASM_THREADS, wasmBackend } from './wasm-backend';

const child = join(dirname(fileURLToPath(import.meta.url)), 'node-threads.child.ts');
const EXIT_TIMEOUT_MS = 60_000;

interface ChildReport {
  description: string;
  deviceThreads: number;
  /** XNNPACK's threads. */
  threads: number;
  /** tfbricks' kernel pool's threads (0: no kernel runtime). */
  kernelThreads: number;
  y: number[];
  dx: number[];
  dw: number[];
}

/** Run the child with tsx; resolves with its report, rejects if it had to be killed (it did not exit by itself). */
function runChild(threads: string, env: Record<string, string> = {}): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', child, threads],
      { timeout: EXIT_TIMEOUT_MS, killSignal: 'SIGKILL', env: { ...process.env, ...env }, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`child (threads ${threads}) ${error.killed ? `did not exit within ${EXIT_TIMEOUT_MS} ms` : `failed: ${error.message}`}\n${stderr}`));
          return;
        }
        resolve(JSON.parse(stdout.trim().split('\n').pop()!) as ChildReport);
      },
    );
  });
}

function maxDiff(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

describe('threads in Node (worker_threads)', () => {
  it("2 threads: tfbricks' kernels run on a pool of 2 on the threaded build's shared heap, XNNPACK on 1; it says so, matches 1 thread, and the process exits by itself", async () => {
    const [one, two, stock] = await Promise.all([runChild('1'), runChild('2'), runChild('2', { TFBRICKS_WASM_STOCK_KERNELS: '1' })]);
    expect(one.threads).toBe(1);
    expect(one.kernelThreads).toBe(1);
    expect(one.deviceThreads).toBe(1);
    expect(one.description).toMatch(/^WebAssembly CPU, tfbricks kernels \(SIMD128( \+ FMA)?, 1 thread\) \+ XNNPACK \(1 thread\), Node /);
    expect(two.threads).toBe(1);
    expect(two.kernelThreads).toBe(2);
    expect(two.deviceThreads).toBe(2);
    expect(two.description).toMatch(/^WebAssembly CPU, tfbricks kernels \(SIMD128( \+ FMA)?, 2 threads\) \+ XNNPACK \(1 thread\), Node /);
    // Without tfbricks' kernels XNNPACK gets the threads.
    expect(stock.threads).toBe(2);
    expect(stock.kernelThreads).toBe(0);
    expect(stock.description).toContain('XNNPACK (SIMD128, 2 threads, Node');
    for (const key of ['y', 'dx', 'dw'] as const) {
      const scale = Math.max(...one[key].map(Math.abs));
      expect(scale, key).toBeGreaterThan(0.01);
      // The same bits: each image's output is computed alone, and the filter gradient sums fixed slices of the batch in order.
      expect(maxDiff(one[key], two[key]), key).toBe(0);
    }
    expect(maxDiff(one.y, stock.y)).toBeLessThanOrEqual(1e-5 * Math.max(...one.y.map(Math.abs)));
  });

  it('defaults to the machine cores (at most 8); TFBRICKS_WASM_THREADS overrides the default', async () => {
    const [byDefault, fromEnv] = await Promise.all([runChild('default'), runChild('default', { TFBRICKS_WASM_THREADS: '1' })]);
    const cores = Math.min(MAX_WASM_THREADS, os.availableParallelism());
    expect(byDefault.kernelThreads).toBe(cores);
    expect(byDefault.deviceThreads).toBe(cores);
    expect(fromEnv.kernelThreads).toBe(1);
    expect(fromEnv.deviceThreads).toBe(1);
  });

  it('a thread count out of range is an error naming the input, the value and what is allowed', async () => {
    await expect(wasmBackend({ threads: 0 }).init()).rejects.toMatchObject({
      code: 'E_BACKEND_INIT',
      message: 'wasmBackend({ threads }) must be a whole number from 1 to 8, got 0',
    });
    await expect(wasmBackend({ threads: 2.5 }).init()).rejects.toThrow(/got 2\.5/);
    const saved = process.env.TFBRICKS_WASM_THREADS;
    process.env.TFBRICKS_WASM_THREADS = 'many';
    try {
      await expect(wasmBackend().init()).rejects.toThrow('TFBRICKS_WASM_THREADS must be a whole number from 1 to 8, got NaN');
    } finally {
      if (saved === undefined) delete process.env.TFBRICKS_WASM_THREADS;
      else process.env.TFBRICKS_WASM_THREADS = saved;
    }
  });

  it("threads: 1 and restoreStockWasmFactory() put tfjs' own (single-threaded in Node) wasm factory back", async () => {
    const { device } = await wasmBackend({ threads: 2 }).init();
    expect(device.threads).toBe(2);
    expect(threadedNodeFactoryActive()).toBe(true);
    // A later plugin on one thread (the backend not started yet) gets tfjs' factory back.
    expect((await wasmBackend({ threads: 1 }).init()).device.threads).toBe(1);
    expect(threadedNodeFactoryActive()).toBe(false);
    expect((await wasmBackend({ threads: 2 }).init()).device.threads).toBe(2);
    expect(threadedNodeFactoryActive()).toBe(true);
    restoreStockWasmFactory();
    expect(threadedNodeFactoryActive()).toBe(false);
    expect(await tf.setBackend('wasm')).toBe(true);
    expect(getThreadsCount()).toBe(1);
    const y = tf.add(tf.tensor([1, 2]), 1);
    expect(Array.from(await y.data())).toEqual([2, 3]);
    tf.dispose(y);
  });
});
