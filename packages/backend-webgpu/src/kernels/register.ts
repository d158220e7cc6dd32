import * as tf from '@tensorflow/tfjs-core';
import { usageError } from '@tfbricks/core';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { filterGradSupported, runFilterGrad } from './conv2d-backprop-filter';
import { inputGradSupported, runInputGrad } from './conv2d-backprop-input';
import { adamUpdateConfig } from './adam';
import { isColumnSum, runColumnSum } from './column-sum';
import { forwardVec4Supported, runForwardVec4 } from './conv2d-forward-vec4';
import { runFilterGradVec4, runInputGradCo4, runInputGradVec4, vec4Eligible } from './conv2d-backprop-vec4';
import { ceilDiv } from './program';
import type { WebGpuBackendLike } from './program';

const BACKEND = 'webgpu';

/** Kernels this package replaces on the tfjs `webgpu` backend. */
export const TRAINING_KERNEL_NAMES = ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'Conv2D', 'FusedConv2D', 'Sum'] as const;
export type TrainingKernelName = (typeof TRAINING_KERNEL_NAMES)[number];

type KernelArgs = { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: NamedAttrMap };

/** The stock tfjs configs, kept when ours replace them so either can be switched back in. */
const stock = new Map<string, KernelConfig>();
let active = false;

/**
 * Which program family serves a convolution gradient: `vec4` (register-blocked, no
 * workgroup memory; needs in/out channels divisible by 4), `tiled` (32×32 tiles staged
 * through workgroup memory; any channel count), or `auto` (vec4 when eligible; for fewer than
 * 16 input channels the input gradient goes vec4-over-Cout or to tfjs; else tiled).
 */
export type TrainingKernelVariant = 'auto' | 'tiled' | 'vec4';
const VARIANTS: readonly TrainingKernelVariant[] = ['auto', 'tiled', 'vec4'];
let variant: TrainingKernelVariant = 'auto';

/** Choose the program family (see {@link TrainingKernelVariant}); returns the previous one. */
export function setTrainingKernelVariant(next: TrainingKernelVariant): TrainingKernelVariant {
  if (!VARIANTS.includes(next)) {
    throw usageError('E_USAGE', `setTrainingKernelVariant(variant): got ${JSON.stringify(next)}, allowed: ${VARIANTS.join(', ')}`);
  }
  const previous = variant;
  variant = next;
  return previous;
}

function useVec4(info: tf.backend_util.Conv2DInfo): boolean {
  return variant !== 'tiled' && vec4Eligible(info);
}

/**
 * Whether `auto` may use the tiled (workgroup-memory) programs. They are validated on Dawn in
 * Node (Vulkan/lavapipe); under Chromium's SwiftShader adapter their shaders never finish
 * compiling, so in browsers `auto` hands those cases to tfjs' stock kernels instead.
 * `setTrainingKernelVariant('tiled')` still forces them.
 */
let tiledPrograms = true;

function tiledAllowed(): boolean {
  return variant === 'tiled' || tiledPrograms;
}

/**
 * Invocations to aim for when splitting the vec4 filter gradient's reduction: a CPU-backed
 * adapter has a handful of cores (more splits only add partial sums to reduce), a real GPU
 * needs hundreds of thousands of invocations in flight.
 */
const VEC4_TARGET_THREADS = { software: 32768, hardware: 262144 };
const VEC4_MIN_CHUNK = 64;

/** True for lavapipe/llvmpipe/SwiftShader-like adapters, from tfjs' `backend.adapterInfo`. */
export function isSoftwareAdapter(backend: unknown): boolean {
  const info = (backend as { adapterInfo?: { vendor?: string; architecture?: string } }).adapterInfo;
  return /software|llvmpipe|lavapipe|swiftshader|warp/i.test(`${info?.vendor ?? ''} ${info?.architecture ?? ''}`);
}

/**
 * Split `rows` output rows (batch·outH, each `rowLength` pixels long) into chunks for the vec4
 * filter gradient: enough chunks to keep the adapter busy, none shorter than
 * VEC4_MIN_CHUNK pixels. Returns the chunk count and rows per chunk.
 */
export function chooseVec4Splits(
  rows: number,
  threadsPerSplit: number,
  maxPerDimension = 65535,
  software = true,
  rowLength = 1,
): { splits: number; chunk: number } {
  const target = software ? VEC4_TARGET_THREADS.software : VEC4_TARGET_THREADS.hardware;
  const minRows = Math.max(1, Math.ceil(VEC4_MIN_CHUNK / rowLength));
  let splits = Math.max(1, Math.min(Math.ceil(target / threadsPerSplit), Math.floor(rows / minRows)));
  const chunk = ceilDiv(rows, splits);
  splits = ceilDiv(rows, chunk);
  while (ceilDiv(splits * threadsPerSplit, 64) > maxPerDimension * maxPerDimension) splits--;
  return { splits: Math.max(1, splits), chunk: ceilDiv(rows, Math.max(1, splits)) };
}

function callStock(name: string, args: KernelArgs): TensorInfo | TensorInfo[] {
  const config = stock.get(name);
  if (!config) throw new Error(`tfbricks: no stock "${name}" kernel was saved for the webgpu backend`);
  return (config.kernelFunc as unknown as (a: KernelArgs) => TensorInfo | TensorInfo[])(args);
}

function maxPerDimension(backend: WebGpuBackendLike): number {
  return backend.device?.limits?.maxComputeWorkgroupsPerDimension ?? 65535;
}

const conv2DBackpropFilter = (args: KernelArgs): TensorInfo | TensorInfo[] => {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = (args.attrs ?? {}) as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
  if (!filterGradSupported(info, x, dy)) return callStock('Conv2DBackpropFilter', args);
  const backend = args.backend as WebGpuBackendLike;
  if (useVec4(info)) {
    const rows = info.batchSize * info.outHeight;
    const perSplit = (info.filterHeight * info.filterWidth * info.inChannels * info.outChannels) / 16;
    const { splits, chunk } = chooseVec4Splits(rows, perSplit, maxPerDimension(backend), isSoftwareAdapter(backend), info.outWidth);
    return runFilterGradVec4(backend, info, x, dy, splits, chunk);
  }
  if (!tiledAllowed()) return callStock('Conv2DBackpropFilter', args);
  return runFilterGrad(backend, info, x, dy);
};

const conv2DBackpropInput = (args: KernelArgs): TensorInfo | TensorInfo[] => {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = (args.attrs ?? {}) as unknown as tf.Conv2DBackpropInputAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
  const backend = args.backend as WebGpuBackendLike;
  if (!inputGradSupported(info, dy, filter, maxPerDimension(backend))) return callStock('Conv2DBackpropInput', args);
  if (useVec4(info)) return runInputGradVec4(backend, info, dy, filter);
  // Few input channels (e.g. RGB) waste most of a 32-wide GEMM tile; vec4 over Cout instead.
  if (variant !== 'tiled' && info.inChannels < 16) {
    if (info.outChannels % 4 === 0) return runInputGradCo4(backend, info, dy, filter);
    // Neither channel count suits a tile: tfjs' per-element program wastes nothing here.
    return callStock('Conv2DBackpropInput', args);
  }
  if (!tiledAllowed()) return callStock('Conv2DBackpropInput', args);
  return runInputGrad(backend, info, dy, filter);
};

function forwardInfo(x: TensorInfo, filter: TensorInfo, attrs: tf.Conv2DAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
}

const conv2D = (args: KernelArgs): TensorInfo | TensorInfo[] => {
  const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
  const info = forwardInfo(x, filter, (args.attrs ?? {}) as unknown as tf.Conv2DAttrs);
  if (variant === 'tiled' || !forwardVec4Supported(info, x, filter)) return callStock('Conv2D', args);
  return runForwardVec4(args.backend as WebGpuBackendLike, info, x, filter, undefined, false);
};

const fusedConv2D = (args: KernelArgs): TensorInfo | TensorInfo[] => {
  const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
  const attrs = (args.attrs ?? {}) as unknown as tf.FusedConv2DAttrs;
  const info = forwardInfo(x!, filter!, attrs);
  const activation = attrs.activation ?? 'linear';
  if (
    variant === 'tiled' ||
    preluActivationWeights != null ||
    (activation !== 'linear' && activation !== 'relu') ||
    !forwardVec4Supported(info, x!, filter!, bias ?? undefined)
  ) {
    return callStock('FusedConv2D', args);
  }
  return runForwardVec4(args.backend as WebGpuBackendLike, info, x!, filter!, bias ?? undefined, activation === 'relu');
};

/** Bias gradients: Σ over every axis but the last, read in place (no transpose). */
const sum = (args: KernelArgs): TensorInfo | TensorInfo[] => {
  const { x } = args.inputs as { x: TensorInfo };
  const { axis, keepDims } = (args.attrs ?? {}) as unknown as tf.SumAttrs;
  const axes = tf.util.parseAxisParam(axis, x.shape);
  if (!isColumnSum(x, axes)) return callStock('Sum', args);
  const cols = x.shape[x.shape.length - 1]!;
  const outShape = keepDims ? [...x.shape.slice(0, -1).map(() => 1), cols] : [cols];
  return runColumnSum(args.backend as WebGpuBackendLike, x, outShape);
};

const ours: Record<TrainingKernelName, (args: KernelArgs) => TensorInfo | TensorInfo[]> = {
  Conv2DBackpropFilter: conv2DBackpropFilter,
  Conv2DBackpropInput: conv2DBackpropInput,
  Conv2D: conv2D,
  FusedConv2D: fusedConv2D,
  Sum: sum,
};

function swap(name: string, kernelFunc: KernelFunc): void {
  if (tf.getKernel(name, BACKEND)) tf.unregisterKernel(name, BACKEND);
  tf.registerKernel({ kernelName: name, backendName: BACKEND, kernelFunc });
}

export interface RegisterTrainingKernelsOptions {
  /**
   * Let the `auto` variant use the tiled programs for channel counts the vec4 programs do not
   * cover (default true). `webgpuBackend()` passes false in browsers (see `tiledPrograms`).
   */
  tiledPrograms?: boolean;
}

/** Kernels this package adds to the tfjs `webgpu` backend (declared by `@tfbricks/core`). */
export const ADDED_KERNEL_NAMES = [adamUpdateConfig.kernelName] as const;

/**
 * Replace tfjs-backend-webgpu's training kernels (see {@link TRAINING_KERNEL_NAMES}) with
 * tfbricks' WGSL ones, and register core's `TfbricksAdamUpdate` (Keras' Adam in three
 * elementwise programs per variable, see `adam.ts`; `KerasAdam` uses it when registered). Call after
 * `@tensorflow/tfjs-backend-webgpu` has been imported (its stock kernels must be registered);
 * idempotent. Shapes or formats ours do not handle (NCHW, dilations > 1, non-float32) are
 * passed to the stock kernel. Returns the names of the kernels now served by tfbricks.
 */
export function registerTrainingKernels(options: RegisterTrainingKernelsOptions = {}): string[] {
  tiledPrograms = options.tiledPrograms ?? true;
  if (active) return [...TRAINING_KERNEL_NAMES];
  for (const name of TRAINING_KERNEL_NAMES) {
    if (!stock.has(name)) {
      const config = tf.getKernel(name, BACKEND);
      if (!config) {
        throw new Error(
          `tfbricks: registerTrainingKernels() found no stock "${name}" kernel on the webgpu backend; import @tensorflow/tfjs-backend-webgpu first`,
        );
      }
      stock.set(name, config);
    }
  }
  for (const name of TRAINING_KERNEL_NAMES) swap(name, ours[name] as unknown as KernelFunc);
  swap(adamUpdateConfig.kernelName, adamUpdateConfig.kernelFunc);
  active = true;
  return [...TRAINING_KERNEL_NAMES];
}

/**
 * Put tfjs' stock kernels back and remove the added ones (for comparisons: `KerasAdam` then
 * runs its op-by-op update); `registerTrainingKernels()` re-enables ours.
 */
export function useStockKernels(): void {
  if (!active) return;
  for (const name of TRAINING_KERNEL_NAMES) {
    const config = stock.get(name);
    if (config) swap(name, config.kernelFunc);
  }
  for (const name of ADDED_KERNEL_NAMES) if (tf.getKernel(name, BACKEND)) tf.unregisterKernel(name, BACKEND);
  active = false;
}

/** Whether tfbricks' training kernels currently serve the webgpu backend. */
export function trainingKernelsActive(): boolean {
  return active;
}
