import * as tf from '@tensorflow/tfjs-core';
import { builtin } from './node-builtin';

/**
 * tfjs-backend-wasm's multi-threaded SIMD build in Node. tfjs turns threads off there
 * (`WASM_HAS_MULTITHREAD_SUPPORT` is false when `IS_NODE`) because its `init()` hands
 * Emscripten a `blob:` URL for the pthread worker, which `worker_threads` refuses. The
 * Emscripten glue itself supports Node: this instantiates it with real file paths for the
 * `.wasm` and the main script, and a `data:` module for the worker that runs tfjs' own worker
 * source with a `require` rooted in tfjs-backend-wasm. Emscripten `unref()`s its workers, so
 * they never keep a process alive.
 */

type NodeRequire = ((id: string) => unknown) & { resolve(id: string): string };
type EmscriptenFactory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;
interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  tfjs?: Record<string, unknown>;
  PThread?: { runningWorkers: Array<{ unref?: () => void }> };
}

/** The priority tfjs-backend-wasm registers `wasm` with. */
const TFJS_WASM_PRIORITY = 2;
const GLUE = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd';


/** The machine's logical cores as Node sees them (`os.availableParallelism()`). */
export async function nodeCores(): Promise<number> {
  const os = await builtin<{ availableParallelism?: () => number; cpus: () => unknown[] }>('os');
  return os.availableParallelism?.() ?? os.cpus().length;
}

/** The worker: tfjs' pthread worker source, run with CommonJS `require`/`__filename` rooted at the glue. */
function workerUrl(gluePath: string, contents: string): URL {
  // The template literal tfjs exports it in turned the source's `\n` escapes into newlines (tfjs' init() escapes them back too).
  const body = contents.replace(/\n/g, '\\n');
  const source = [
    `import { createRequire } from 'node:module';`,
    `const __filename = ${JSON.stringify(gluePath)};`,
    `const require = createRequire(__filename);`,
    `new Function('require', '__filename', ${JSON.stringify(body)})(require, __filename);`,
  ].join('\n');
  return new URL(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`);
}

/**
 * tfjs' C++ caps XNNPACK's pool at half of `emscripten_num_logical_cores()` (it assumes two
 * hardware threads per core), which is `os.cpus().length` in Node: one thread on a 2-core
 * machine. Instantiating the module ourselves (Emscripten's `instantiateWasm` hook) lets that
 * import report twice the threads asked for, so the cap is exactly the count asked for.
 */
async function instantiate(threads: number): Promise<EmscriptenModule> {
  const { createRequire } = await builtin<{ createRequire(from: string): NodeRequire }>('module');
  const { readFile } = await builtin<{ readFile(p: string): Promise<Uint8Array> }>('fs/promises');
  // Resolved from this package (tfjs-backend-wasm is its dependency), in src/ and dist/ alike.
  const require = createRequire(import.meta.url);
  const gluePath = require.resolve(`${GLUE}.js`);
  const wasmPath = require.resolve(`${GLUE}.wasm`);
  const factory = require(gluePath) as EmscriptenFactory;
  const { wasmWorkerContents } = require(`${GLUE}.worker.js`) as { wasmWorkerContents: string };
  const worker = workerUrl(gluePath, wasmWorkerContents);
  let fail: (reason: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  const instantiateWasm = (info: { env: Record<string, unknown> }, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) => {
    const imports = { ...info, env: { ...info.env, emscripten_num_logical_cores: () => 2 * threads } };
    readFile(wasmPath)
      .then((bytes) => WebAssembly.instantiate(bytes as unknown as ArrayBuffer, imports as unknown as WebAssembly.Imports))
      .then(({ instance, module }) => receive(instance, module))
      .catch(fail);
    return {};
  };
  const module = await Promise.race([
    factory({
      locateFile: (file: string) => (file.endsWith('.worker.js') ? worker : file.endsWith('.wasm') ? wasmPath : file),
      mainScriptUrlOrBlob: gluePath,
      instantiateWasm,
      onAbort: (reason: unknown) => fail(new Error(`the threaded wasm module aborted: ${String(reason)}`)),
    }),
    failed,
  ]);
  // The bridge tfjs' own init() builds (BackendWasm calls these).
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return module;
}

type WasmModule = typeof import('@tensorflow/tfjs-backend-wasm');

/**
 * Register a factory under the tfjs backend name `wasm` that builds tfjs' own `BackendWasm`
 * on the threaded SIMD module (a shared heap) with `xnnpackThreads` XNNPACK threads; tfbricks'
 * kernel pool gets its own workers on that heap. tfjs' factory is kept and put back by
 * {@link restoreStockWasmFactory}. Does nothing where `wasm` is already initialised.
 */
export function registerThreadedNodeFactory(wasm: WasmModule, xnnpackThreads: number): void {
  if (!stockFactory) stockFactory = tf.findBackendFactory('wasm') ?? undefined;
  if (tf.engine().registry['wasm']) return;
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      wasm.setThreadsCount(xnnpackThreads);
      const module = await instantiate(xnnpackThreads);
      const backend = new wasm.BackendWasm(module as never);
      // BackendWasm's constructor started XNNPACK's pool; Emscripten ref()s a worker while its
      // pthread runs, and the pool's threads run for good: unref them so they never keep Node alive.
      for (const worker of module.PThread?.runningWorkers ?? []) worker.unref?.();
      // tfbricks' own kernels on this heap, their worker threads up before the first step.
      const [kernels, runtime] = await Promise.all([import('./kernels'), import('./kernels/kernel-runtime')]);
      if (kernels.trainingKernelsActive()) await runtime.prepareKernelRuntime(backend);
      return backend;
    },
    TFJS_WASM_PRIORITY,
  );
  threaded = true;
}

let stockFactory: (() => tf.KernelBackend | Promise<tf.KernelBackend>) | undefined;
let threaded = false;

/** Whether the `wasm` tfjs backend factory is tfbricks' threaded Node one. */
export function threadedNodeFactoryActive(): boolean {
  return threaded;
}

/** Put tfjs-backend-wasm's own (single-threaded in Node) factory back under `wasm`. */
export function restoreStockWasmFactory(): void {
  if (!threaded || !stockFactory) return;
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', stockFactory, TFJS_WASM_PRIORITY);
  threaded = false;
}
