import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { filterGradByConvolution } from './conv2d-backprop-filter';
import { directConv } from './direct-conv';
import { directFilterGrad, directFilterGradCovers } from './direct-filter-grad';
import { directBinary } from './elementwise';
import type { BinaryKernel } from './elementwise';
import { planForwardConv } from './forward-conv';
import { useWinograd } from './winograd';
import { winogradFilterGrad, winogradFilterGradCovers } from './winograd-filter-grad';
import { kernelRuntime } from './kernel-runtime';
import { inputGradByConvolution, planInputGrad } from './conv2d-backprop-input';
import { broadcastEqual } from './broadcast-equal';
import { leadingAxes, leadingSum } from './leading-sum';
import { directMaxPoolGrad, directMaxPoolGradCovers, maxPoolGrad } from './max-pool-grad';
import { sharedIdentity } from './shared-identity';
import type { RefCounting } from './shared-identity';
import { tile } from './tile';
import { transform } from './transform';
import type { TransformAttrs } from './transform';
import { WasmCalls } from './wasm-calls';
import type { KernelArgs, KernelImpl, WasmBackendLike } from './wasm-calls';

const BACKEND = 'wasm';

/**
 * Kernels tfbricks adds to (or replaces on) the tfjs `wasm` backend. The convolutions
 * (`Conv2D`, `FusedConv2D`, both gradients; tfjs-backend-wasm has no `Conv2DBackpropFilter` and
 * runs `Conv2DBackpropInput` as a scalar loop) run on tfbricks' own WebAssembly kernels (direct
 * and Winograd, see kernel-runtime.ts), with XNNPACK convolutions of rearranged operands where
 * those do not apply. Its `MaxPoolGrad` and `Transform` disagree with tfjs-backend-cpu (wrong
 * pixels; other rounding): ours follow cpu. Its `Tile` (batch norm's gradient) walks every
 * element: ours copies blocks. Its `Sum`/`Mean` over leading axes (bias gradients, batch norm's
 * moments), broadcasting `Equal` (global max pooling's gradient) and copying `Identity`/
 * same-dtype `Cast` cost a seed-model step ~100 ms: ours are direct. `Multiply`/`Add`/`Sub`/
 * `RealDiv` with a per-channel operand (batch norm) skip its slow broadcasting path; the other
 * cases stay tfjs'.
 */
export const TRAINING_KERNEL_NAMES = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'MaxPoolGrad',
  'Transform',
  'Tile',
  'Sum',
  'Mean',
  'Equal',
  'Identity',
  'Cast',
  'Conv2D',
  'FusedConv2D',
  'Multiply',
  'Add',
  'Sub',
  'RealDiv',
] as const;

/** The stock configs ours replaced (none for `Conv2DBackpropFilter`, which tfjs-backend-wasm lacks). */
const stock = new Map<string, KernelConfig>();
let active = false;
/** Calls our kernels handed to tfjs' scalar `Conv2DBackpropInput` (padding larger than the filter, NCHW). */
let stockFallbacks = 0;

/** Per backend, the stock kernels whose `setupFunc` we ran (tfjs ran ours, not theirs, when the backend started). */
const setUp = new WeakMap<object, Set<string>>();

function wasmKernel(name: string, backend?: unknown): KernelImpl {
  // The saved stock config when ours replaced it (our Conv2DBackpropInput falls back to it).
  const config = stock.get(name) ?? tf.getKernel(name, BACKEND);
  if (!config) throw new Error(`tfbricks: the wasm backend has no "${name}" kernel; is @tensorflow/tfjs-backend-wasm the same version as @tensorflow/tfjs-core?`);
  if (backend && stock.get(name) === config) ensureSetUp(name, config, backend);
  return config.kernelFunc as unknown as KernelImpl;
}

/** Run a stock kernel's `setupFunc` on `backend` once (tfjs runs it only for kernels registered when a backend starts). */
function ensureSetUp(name: string, config: KernelConfig, backend: unknown): void {
  if (!config.setupFunc) return;
  const done = setUp.get(backend as object) ?? new Set<string>();
  if (done.has(name)) return;
  config.setupFunc(backend as tf.KernelBackend);
  done.add(name);
  setUp.set(backend as object, done);
}

function withCalls<T>(backend: unknown, body: (calls: WasmCalls) => T): T {
  const calls = new WasmCalls(backend as WasmBackendLike, (name) => wasmKernel(name, backend));
  try {
    return body(calls);
  } finally {
    calls.dispose();
  }
}

function convInfo(xShape: number[], filterShape: number[], attrs: { strides: number | [number, number]; pad: unknown; dimRoundingMode?: unknown; dataFormat?: unknown }) {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad as 'same',
    attrs.dimRoundingMode as 'round' | undefined,
    false,
    tf.backend_util.convertConv2DDataFormat((attrs.dataFormat as 'NHWC' | 'NCHW' | undefined) ?? 'NHWC'),
  );
}

const conv2DBackpropFilter = (args: KernelArgs): TensorInfo => {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = (args.attrs ?? {}) as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = convInfo(x.shape, attrs.filterShape, attrs);
  const runtime = directFilterGradCovers(info) ? kernelRuntime(args.backend) : null;
  if (runtime && winogradFilterGradCovers(info) && useWinograd()) return winogradFilterGrad(runtime, args.backend as WasmBackendLike, info, x, dy);
  if (runtime) return directFilterGrad(runtime, args.backend as WasmBackendLike, info, x, dy);
  return withCalls(args.backend, (calls) => filterGradByConvolution(calls, info, x, dy));
};

const conv2DBackpropInput = (args: KernelArgs): TensorInfo | TensorInfo[] => {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = (args.attrs ?? {}) as unknown as tf.Conv2DBackpropInputAttrs;
  const info = convInfo(attrs.inputShape, filter.shape, attrs);
  const pads = info.dataFormat === 'channelsLast' ? planInputGrad(info) : null;
  if (!pads) {
    stockFallbacks++;
    return wasmKernel('Conv2DBackpropInput', args.backend)(args);
  }
  const runtime = dy.dtype === 'float32' ? kernelRuntime(args.backend) : null;
  return withCalls(args.backend, (calls) => inputGradByConvolution(calls, info, dy, filter, pads, runtime));
};

const maxPoolGradKernel = (args: KernelArgs): TensorInfo => {
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  const attrs = (args.attrs ?? {}) as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const runtime = directMaxPoolGradCovers(info) ? kernelRuntime(args.backend) : null;
  if (runtime) return directMaxPoolGrad(runtime, args.backend as WasmBackendLike, info, dy, input);
  return maxPoolGrad(args.backend as WasmBackendLike, info, dy, input);
};

const transformKernel = (args: KernelArgs): TensorInfo => {
  const { image, transforms } = args.inputs as { image: TensorInfo; transforms: TensorInfo };
  return transform(args.backend as WasmBackendLike, image, transforms, args.attrs as unknown as TransformAttrs);
};

const tileKernel = (args: KernelArgs): TensorInfo | TensorInfo[] => {
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype === 'string') return wasmKernel('Tile', args.backend)(args);
  return tile(args.backend as WasmBackendLike, x, (args.attrs as unknown as tf.TileAttrs).reps);
};

const sumKernel = (args: KernelArgs): TensorInfo | TensorInfo[] => {
  const { x } = args.inputs as { x: TensorInfo };
  const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
  const k = x.dtype === 'float32' ? leadingAxes(x.shape, axis) : null;
  if (k === null) return wasmKernel('Sum', args.backend)(args);
  return leadingSum(args.backend as WasmBackendLike, x, k, keepDims, kernelRuntime(args.backend));
};

const meanKernel = (args: KernelArgs): TensorInfo | TensorInfo[] => {
  const { x } = args.inputs as { x: TensorInfo };
  const { axis, keepDims } = args.attrs as unknown as tf.MeanAttrs;
  const k = x.dtype === 'float32' ? leadingAxes(x.shape, axis) : null;
  if (k === null) return wasmKernel('Mean', args.backend)(args);
  return leadingSum(args.backend as WasmBackendLike, x, k, keepDims, kernelRuntime(args.backend), true);
};

const equalKernel = (args: KernelArgs): TensorInfo | TensorInfo[] => {
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const same = a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
  if (same || a.dtype === 'string' || a.dtype !== b.dtype) return wasmKernel('Equal', args.backend)(args);
  return broadcastEqual(args.backend as WasmBackendLike, a, b);
};

const identityKernel = (args: KernelArgs): TensorInfo | TensorInfo[] => {
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype === 'string') return wasmKernel('Identity', args.backend)(args);
  return sharedIdentity(args.backend as RefCounting, x);
};

const castKernel = (args: KernelArgs): TensorInfo | TensorInfo[] => {
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype === 'string' || (args.attrs as unknown as tf.CastAttrs).dtype !== x.dtype) return wasmKernel('Cast', args.backend)(args);
  return sharedIdentity(args.backend as RefCounting, x);
};

const conv2DKernel = (args: KernelArgs): TensorInfo | TensorInfo[] => {
  const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
  const plan = planForwardConv(x, filter, args.attrs as unknown as tf.Conv2DAttrs);
  const runtime = plan ? kernelRuntime(args.backend) : null;
  if (!plan || !runtime) return wasmKernel('Conv2D', args.backend)(args);
  return directConv(runtime, args.backend as WasmBackendLike, plan);
};

const fusedConv2DKernel = (args: KernelArgs): TensorInfo | TensorInfo[] => {
  const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo>;
  const attrs = args.attrs as unknown as tf.FusedConv2DAttrs;
  const plan = planForwardConv(x!, filter!, attrs, { bias, activation: attrs.activation, preluActivationWeights });
  const runtime = plan ? kernelRuntime(args.backend) : null;
  if (!plan || !runtime) return wasmKernel('FusedConv2D', args.backend)(args);
  return directConv(runtime, args.backend as WasmBackendLike, plan);
};

const binaryKernel =
  (op: BinaryKernel) =>
  (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const runtime = kernelRuntime(args.backend);
    const out = runtime ? directBinary(runtime, args.backend as WasmBackendLike, op, a, b) : null;
    return out ?? wasmKernel(op, args.backend)(args);
  };

const ours: Record<(typeof TRAINING_KERNEL_NAMES)[number], KernelImpl> = {
  Conv2DBackpropFilter: conv2DBackpropFilter,
  Conv2DBackpropInput: conv2DBackpropInput,
  MaxPoolGrad: maxPoolGradKernel,
  Transform: transformKernel,
  Tile: tileKernel,
  Sum: sumKernel,
  Mean: meanKernel,
  Equal: equalKernel,
  Identity: identityKernel,
  Cast: castKernel,
  Conv2D: conv2DKernel,
  FusedConv2D: fusedConv2DKernel,
  Multiply: binaryKernel('Multiply'),
  Add: binaryKernel('Add'),
  Sub: binaryKernel('Sub'),
  RealDiv: binaryKernel('RealDiv'),
};

/**
 * Register tfbricks' training kernels on the tfjs `wasm` backend (call after
 * `@tensorflow/tfjs-backend-wasm` is imported); idempotent. Returns the kernel names.
 */
export function registerTrainingKernels(): string[] {
  if (active) return [...TRAINING_KERNEL_NAMES];
  for (const name of TRAINING_KERNEL_NAMES) {
    const existing = tf.getKernel(name, BACKEND);
    if (existing && !stock.has(name)) stock.set(name, existing);
    if (existing) tf.unregisterKernel(name, BACKEND);
    tf.registerKernel({ kernelName: name, backendName: BACKEND, kernelFunc: ours[name] as unknown as KernelFunc });
  }
  active = true;
  return [...TRAINING_KERNEL_NAMES];
}

/** Remove tfbricks' kernels from the `wasm` backend and put tfjs' own back (where it had one). */
export function unregisterTrainingKernels(): void {
  if (!active) return;
  for (const name of TRAINING_KERNEL_NAMES) {
    if (tf.getKernel(name, BACKEND)) tf.unregisterKernel(name, BACKEND);
    const config = stock.get(name);
    if (config) {
      tf.registerKernel(config);
      // A wasm backend that started with ours registered never ran the stock setup.
      const live = tf.engine().registry[BACKEND];
      if (live) ensureSetUp(name, config, live);
    }
  }
  active = false;
}

/** Whether tfbricks' training kernels currently serve the `wasm` backend. */
export function trainingKernelsActive(): boolean {
  return active;
}

/** How many `Conv2DBackpropInput` calls went to tfjs' scalar kernel (geometries ours does not cover). */
export function stockFallbackCount(): number {
  return stockFallbacks;
}
